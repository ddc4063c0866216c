"""Lyapunov exponents of the Anderson model on a bar of cross-section M^(d-1) by transfer matrices.

With H = sum_i eps_i |i><i| - sum_<ij> |i><j| (hopping t = 1, docs/conventions.md §1), the
Schrödinger equation on slice n of the bar reads psi_{n+1} = (H_n - E) psi_n - psi_{n-1}, where H_n
is the slice Hamiltonian (on-site energies and transverse hopping). The product of the 2m x 2m
transfer matrices (m = M^(d-1)) is applied to m orthonormal columns, re-orthonormalized by QR every
``qr_every`` slices (by default as seldom as accuracy allows, see :func:`auto_qr_every`); the
logarithms of the diagonal of R, summed per block of slices and divided by the block length,
estimate the m largest exponents gamma_1 >= ... >= gamma_m > 0. The smallest positive one, gamma_m,
sets the localization length xi_M = 1/gamma_m of the bar and Lambda = xi_M / M. Blocks are
independent estimates (after a discarded warm-up block), so the statistical error is the standard
error over blocks; the run stops when it reaches ``rel_error`` of gamma. ``spectrum=True`` evolves
all 2m columns and returns the whole (symplectic, +/- paired) spectrum.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numba
import numpy as np

from mbl._core.errors import ConvergenceError, InputError
from mbl.lattice import Hypercubic
from mbl.models.disorder import DISTRIBUTIONS, draw_onsite


@dataclass(frozen=True)
class LyapunovResult:
    """Lyapunov exponents (per slice, units of the inverse lattice spacing) and their errors.

    Attributes
    ----------
    gamma, error : float
        The smallest positive exponent and its standard error.
    exponents, errors : ndarray
        All exponents computed (descending: m positive ones, or all 2m with ``spectrum``).
    slices : int
        Slices used in the estimate (warm-up excluded).
    M, d : int
        Cross-section and dimension.
    """

    gamma: float
    error: float
    exponents: np.ndarray
    errors: np.ndarray
    slices: int
    M: int
    d: int

    @property
    def xi(self) -> float:
        """Localization length of the bar, 1/gamma."""
        return 1.0 / self.gamma

    @property
    def Lambda(self) -> float:
        """Reduced localization length xi_M / M."""
        return self.xi / self.M

    @property
    def Lambda_error(self) -> float:
        """Standard error of Lambda (first order in error/gamma)."""
        return self.Lambda * self.error / self.gamma


def _neighbours(d: int, M: int, bc: str) -> tuple[np.ndarray, np.ndarray]:
    """CSR-style transverse neighbour lists of the cross-section (empty in d = 1)."""
    if d == 1:
        return np.zeros(2, dtype=np.int64), np.zeros(0, dtype=np.int64)
    m = M ** (d - 1)
    if M == 1:
        return np.zeros(m + 1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    i, j = Hypercubic((M,) * (d - 1), "periodic" if bc == "periodic" else "open").bonds()
    rows = np.concatenate([i, j])
    cols = np.concatenate([j, i])
    order = np.argsort(rows, kind="stable")
    ptr = np.zeros(m + 1, dtype=np.int64)
    np.add.at(ptr, rows + 1, 1)
    return np.cumsum(ptr), cols[order].astype(np.int64)


@numba.njit(cache=True)
def _slices(A, B, eps, E, ptr, idx):
    """Apply the slices of ``eps`` (slices, m): per slice B <- (eps - E) A - B - (adjacency) A,
    then (A, B) <- (B, A). Works in place; returns (current, previous).

    Rows with 4 or 2 neighbours (the 3D bar and the strip) are written in one pass over the
    row, the terms subtracted in the order of the neighbour list, the same arithmetic as the
    generic loop (one store per element instead of one per neighbour: about twice as fast)."""
    n_slices, m = eps.shape
    k = A.shape[1]
    for s in range(n_slices):
        for i in range(m):  # innermost loops run along contiguous rows: SIMD
            v = eps[s, i] - E
            p0 = ptr[i]
            nn = ptr[i + 1] - p0
            if nn == 4:
                j0, j1, j2, j3 = idx[p0], idx[p0 + 1], idx[p0 + 2], idx[p0 + 3]
                for c in range(k):
                    B[i, c] = v * A[i, c] - B[i, c] - A[j0, c] - A[j1, c] - A[j2, c] - A[j3, c]
            elif nn == 2:
                j0, j1 = idx[p0], idx[p0 + 1]
                for c in range(k):
                    B[i, c] = v * A[i, c] - B[i, c] - A[j0, c] - A[j1, c]
            else:
                for c in range(k):
                    B[i, c] = v * A[i, c] - B[i, c]
                for p in range(p0, p0 + nn):
                    j = idx[p]
                    for c in range(k):
                        B[i, c] -= A[j, c]
        A, B = B, A
    return A, B


@numba.njit(cache=True)
def _block_numba(A, B, eps, E, ptr, idx, qr_every):
    """Narrow bars, all in numba: the slices of ``eps`` with a Householder QR every
    ``qr_every``. Returns the new (A, B) and the sum of log |R_ii| per column."""
    n_slices, m = eps.shape
    k = A.shape[1]
    logs = np.zeros(k)
    for start in range(0, n_slices, qr_every):
        A, B = _slices(A, B, eps[start:start + qr_every], E, ptr, idx)
        X = np.empty((2 * m, k))
        X[:m] = A
        X[m:] = B
        Q, R = np.linalg.qr(X)
        for c in range(k):
            r = R[c, c]
            logs[c] += np.log(abs(r))
            if r < 0:  # keep a fixed sign convention
                Q[:, c] = -Q[:, c]
        A = np.ascontiguousarray(Q[:m])
        B = np.ascontiguousarray(Q[m:])
    return A, B, logs


#: Above this many columns the QR is a Cholesky QR on BLAS-3 (scipy), not numba's Householder.
BLAS_COLUMNS = 32
#: Orthogonality defect (estimated ||Q^T Q - I||_F) tolerated after a Cholesky QR pass inside a
#: block, and at the block's end, where the next block starts from Q: above it a pass follows.
REPASS_MID, REPASS_END = 0.3, 1e-8
_PROBES = 2


@functools.lru_cache(maxsize=8)
def _probes(k: int) -> np.ndarray:
    """Fixed +-1 probe vectors (k, _PROBES): E[|(Q^T Q - I) v|^2] = ||Q^T Q - I||_F^2."""
    return np.where(np.random.default_rng(12345).random((k, _PROBES)) < 0.5, -1.0, 1.0)


def _inv_lower(L: np.ndarray) -> np.ndarray:
    """Inverse of the lower triangle of a Fortran-ordered L (the upper triangle of the result
    is garbage), by 2 x 2 blocks down to k < 64, L^-1 = [[L11^-1, 0], [-L22^-1 L21 L11^-1,
    L22^-1]]: LAPACK's dtrtri takes 1.8 times as long at k = 144 and 2.5 times at k = 256."""
    from scipy.linalg import blas, lapack

    k = L.shape[0]
    if k < 64:
        return lapack.dtrtri(L, lower=1)[0]
    h = k // 2
    inv = np.empty((k, k), order="F")
    inv[:h, :h] = _inv_lower(L[:h, :h])
    inv[h:, h:] = _inv_lower(L[h:, h:])
    inv[h:, :h] = blas.dtrmm(1.0, inv[:h, :h], blas.dtrmm(-1.0, inv[h:, h:], L[h:, :h],
                                                           side=0, lower=1), side=1, lower=1)
    return inv


def _cholesky_qr(X: np.ndarray, tol: float = REPASS_END) -> tuple[np.ndarray, np.ndarray]:
    """Q (C order) and log diag R of a C-ordered (n, k) X = Q R by Cholesky QR passes, repeated
    until ||Q^T Q - I||_F (estimated from two random probes) is below ``tol``; a shifted pass
    where the Gram matrix is not definite in double precision, Householder if even that fails.

    Only the flag of subspaces span(q_1..q_j) enters the exponents: X = Q R with R upper
    triangular, so prod_{i<=j} R_ii = vol_j(X) / vol_j(Q) exactly for any such R, and summed
    over re-orthonormalizations this telescopes to the volume growth of the flag (which no
    triangular R changes) plus the boundary terms log vol_j(Q) of the first and the last Q. A
    Q that is not quite orthonormal thus leaves the exponents unchanged; it only must stay
    well conditioned for the next pass (``tol`` = :data:`REPASS_MID` inside a block), and be
    orthonormal to rounding where a block ends (:data:`REPASS_END`), so that the block
    estimates carry no boundary term. So one pass is enough on most calls where CholeskyQR2
    needed two (at M = 12, q (gamma_1 - gamma_m) = 13.3: 1.02 passes per call, against 1.9
    plus Householder on 10-15% of the calls at 14.8).
    """
    from scipy.linalg import blas, lapack

    logs = np.zeros(X.shape[1])
    XT = X.T  # Fortran (k, n): BLAS works on it without a copy
    V = _probes(X.shape[1])
    for _ in range(4):
        G = blas.dsyrk(1.0, XT, lower=1)
        L, info = lapack.dpotrf(G, lower=1, clean=0)  # G = L L^T, R = L^T
        if info != 0:  # not definite in double precision: shifted Cholesky QR (any R will do)
            k, n = XT.shape
            shift = 11.0 * (n * k + k * (k + 1)) * np.finfo(float).eps * np.trace(G)
            L, info = lapack.dpotrf(G + shift * np.eye(k), lower=1, clean=0)
            if info != 0:
                Q, R = np.linalg.qr(XT.T)
                sign = np.sign(np.diag(R))
                return np.ascontiguousarray(Q * sign), logs + np.log(np.abs(np.diag(R)))
        logs += np.log(np.diag(L))
        XT = blas.dtrmm(1.0, _inv_lower(L), XT, side=0, lower=1)  # Q^T = L^-1 X^T
        defect = XT @ (XT.T @ V) - V  # (Q^T Q - I) V
        if np.sqrt(np.einsum("ij,ij->", defect, defect) / _PROBES) <= tol:
            break
    return XT.T, logs


def _block_blas(A, B, eps, E, ptr, idx, qr_every):
    """Wide bars: numba slice products, Cholesky QR on BLAS-3 every ``qr_every`` slices
    (orthonormal to rounding at the block's end, see :func:`_cholesky_qr`)."""
    n_slices, m = eps.shape
    X = np.concatenate((A, B))  # A, B are views of its halves from here on
    A, B = X[:m], X[m:]
    logs = np.zeros(X.shape[1])
    for start in range(0, n_slices, qr_every):
        chunk = eps[start:start + qr_every]
        A, B = _slices(A, B, chunk, E, ptr, idx)
        # X holds [A; B] or, after an odd number of slices from [A; B], [B; A]: a row
        # permutation of X permutes the rows of Q and leaves R alone
        top = A.ctypes.data == X.ctypes.data
        tol = REPASS_END if start + qr_every >= n_slices else REPASS_MID
        X, d = _cholesky_qr(X, tol)
        logs += d
        A, B = (X[:m], X[m:]) if top else (X[m:], X[:m])
    return A, B, logs


def _block(A, B, eps, E, ptr, idx, qr_every):
    """The slices of ``eps`` applied to [A; B] with re-orthonormalization every ``qr_every``:
    returns the new (A, B) and the sum of log |R_ii| per column over the block."""
    kernel = _block_blas if A.shape[1] > BLAS_COLUMNS else _block_numba
    return kernel(A, B, eps, E, ptr, idx, qr_every)


#: Householder QR keeps the smallest direction to ~1e-8 relative while the columns' spread
#: exp(q (gamma_1 - gamma_k)) stays below about exp(16) (measured: the error of gamma_m grows
#: from 1e-10 at q (gamma_1 - gamma_m) = 11 to 3e-6 at 22 and 6e-4 at 28, 3D bars M = 8, 12).
QR_SPREAD = 16.0
#: The same for the Cholesky QR of wide bars, whose Gram matrix must stay definite in double
#: precision, cond(X) ~ 100 exp(q (gamma_1 - gamma_m)) well below 1e8: measured on 3D bars
#: M = 8, 12, 16 at W = 16.5, it is not on <= 1.2% of the calls at q (gamma_1 - gamma_m) <= 13.6
#: but on 8-28% at 13.9-15.2 (each such call costs a shifted pass and a second one).
CHOLESKY_SPREAD = 13.5
#: QR interval of the warm-up block, before the exponents are known.
WARMUP_QR_EVERY = 4


def auto_qr_every(exponents: np.ndarray, spread_limit: float = QR_SPREAD) -> int:
    """Largest QR interval q (1 to 64) with q (gamma_max - gamma_min) <= ``spread_limit``
    (:data:`QR_SPREAD`; :data:`CHOLESKY_SPREAD` for the Cholesky QR of wide bars) and growth
    exp(q max |gamma|) far from overflow."""
    spread = float(exponents.max() - exponents.min())
    largest = float(np.abs(exponents).max())
    q = min(spread_limit / spread if spread > 0 else 64, 300 / largest if largest > 0 else 64)
    return int(np.clip(q, 1, 64))


def lyapunov(*, d: int = 1, M: int = 1, W: float, E: float = 0.0, bc: str = "periodic",
             disorder: str = "box", rel_error: float = 1e-3, qr_every: int | None = None,
             block_slices: int | None = None, max_slices: int = 10**9,
             spectrum: bool = False, rng: np.random.Generator) -> LyapunovResult:
    """Lyapunov exponents of the Anderson model on a bar (see the module docstring).

    Parameters
    ----------
    d : 1, 2 or 3
        Dimension: a chain, a strip of width M, or an M x M bar.
    M : int
        Linear cross-section (1 in d = 1).
    W, E : float
        Disorder strength and energy.
    bc : "periodic" or "open"
        Transverse boundaries (open = hard wall).
    disorder : "box", "gaussian" or "cauchy"
    rel_error : float
        Stop when the standard error of gamma is below ``rel_error * gamma``.
    qr_every : int, optional
        Slices between re-orthonormalizations; default: :func:`auto_qr_every` of the exponents
        measured in the warm-up block (QR is most of the cost on wide bars).
    block_slices : int, optional
        Slices per block (statistical unit); default 20000 / m, at least 512.
    max_slices : int
        Give up (ConvergenceError) beyond this many slices.
    spectrum : bool
        Evolve all 2m directions and return the whole spectrum.
    rng : numpy.random.Generator

    Examples
    --------
    >>> import numpy as np, mbl
    >>> res = mbl.transfer.lyapunov(d=1, M=1, W=1.0, E=0.0, rel_error=1e-2,
    ...                             rng=np.random.default_rng(1))
    >>> 0.005 < res.gamma < 0.02
    True
    """
    if d not in (1, 2, 3):
        raise InputError(f"d must be 1, 2 or 3, got {d}")
    if M < 1 or (d == 1 and M != 1):
        raise InputError(f"M = {M}: the cross-section must be >= 1 (and M = 1 in d = 1)")
    if not rel_error > 0:
        raise InputError(f"rel_error must be > 0, got {rel_error}; e.g. 1e-3 for 0.1%")
    if not np.isfinite(W) or W < 0:
        raise InputError(f"W must be finite and >= 0, got {W}")
    if disorder not in DISTRIBUTIONS:
        raise InputError(f"unknown disorder {disorder!r}; choose one of {DISTRIBUTIONS}")
    if bc not in ("periodic", "open"):
        raise InputError(f"bc must be 'periodic' or 'open', got {bc!r}")
    if W == 0:
        raise InputError("W = 0: a clean bar has no finite localization length (gamma -> 0); "
                         "give W > 0")
    band = 2 * d + W / 2 if disorder == "box" else np.inf
    if abs(E) > 10 * band:
        raise InputError(f"E = {E} is far outside the band |E| <= {band:g}; states there are "
                         "trivially localized — choose E inside the band")
    if qr_every is not None and qr_every < 1:
        raise InputError(f"qr_every must be >= 1, got {qr_every}")
    if not isinstance(rng, np.random.Generator):
        raise InputError("rng must be a numpy.random.Generator (np.random.default_rng(seed))")
    m = M ** (d - 1)
    ptr, idx = _neighbours(d, M, bc)
    k = 2 * m if spectrum else m
    block = block_slices or max(512, 20000 // m)
    start = np.random.default_rng(0).standard_normal((2 * m, k))  # fixed: reproducible
    Q, _ = np.linalg.qr(start)
    A, B = np.ascontiguousarray(Q[:m]), np.ascontiguousarray(Q[m:])
    # warm-up block: let the columns align with the Lyapunov directions
    A, B, logs = _block(A, B, draw_onsite(disorder, W, block * m, rng).reshape(block, m),
                        float(E), ptr, idx, qr_every or WARMUP_QR_EVERY)
    qr_every = qr_every or auto_qr_every(
        logs / block, CHOLESKY_SPREAD if k > BLAS_COLUMNS else QR_SPREAD)
    estimates = []
    while True:
        eps = draw_onsite(disorder, W, block * m, rng).reshape(block, m)
        A, B, logs = _block(A, B, eps, float(E), ptr, idx, qr_every)
        estimates.append(np.sort(logs / block)[::-1])
        n = len(estimates)
        if n >= 10:
            est = np.array(estimates)
            mean = est.mean(axis=0)
            err = est.std(axis=0, ddof=1) / np.sqrt(n)
            positive = mean[:m] if spectrum else mean
            gamma_i = m - 1
            gamma, gerr = positive[gamma_i], err[gamma_i]
            if gamma > 0 and gerr <= rel_error * gamma:
                return LyapunovResult(float(gamma), float(gerr), mean, err, n * block, M, d)
        if (n + 1) * block > max_slices:
            raise ConvergenceError(
                f"gamma did not reach rel_error = {rel_error} within {max_slices} slices; "
                "raise max_slices or rel_error")
