"""Eigenpairs nearest a target energy by polynomial filtering (POLFED; Sierant, Lewenstein &
Zakrzewski, PRL 125, 156601 (2020)).

H is rescaled to x = (H - c) / a with spectrum inside [-1, 1]. The filter
P(x) = sum_{n<=K} g_n (2 - delta_n0) T_n(s) T_n(x) (Chebyshev polynomials T_n, Jackson damping
g_n, target s = (sigma - c) / a) is the kernel-polynomial approximation of delta(x - s): a peak
of width ~ pi / K at the target, so the eigenvalues of H nearest sigma become the largest of
P(H). Block Lanczos (full re-orthogonalization, thick restart) finds those, applying the
filter to a block of vectors at once so that each Chebyshev term is one pass over H; a
Rayleigh-Ritz step with H itself gives the energies and vectors; Ritz pairs whose residual
||H v - E v|| is not small are dropped, never returned, and the k kept are checked to lie
inside the part of the filter Lanczos certified (every level with a larger filter value was
converged), so none nearer sigma can be missing. Only products H @ X are needed (a
sparse matrix or a matrix-free ``LinearOperator``), and no factorization: memory stays about
2.5 k vectors, which is the point at L = 20-24.

The degree K follows from the density of states at sigma, estimated from the first two
moments of H (a Gaussian, as for local many-body Hamiltonians; traces by random vectors):
the peak (width ~ pi / K in x) is made as wide as the span of the k target levels. Lanczos
needs about the same number of products with H for any K near that (a wider peak takes
more restarts, a narrower one more vectors), but fewer restarts cost less re-orthogonalization;
much narrower and the k levels leave the peak (refused, see above).
"""

from __future__ import annotations

import os

import numpy as np
import scipy.sparse as sp

from mbl._core.errors import ConvergenceError, InputError
from mbl._core.threads import no_oversubscription
from mbl.operators import IndexOnlyOperator, fastest_form
from mbl.operators._index_kernels import chebyshev_step as index_chebyshev_step
from mbl.solvers._checkpoint import Checkpoint, implicit_path, solve_key
from mbl.solvers._kernels import chebyshev_step
from mbl.solvers.result import Eigenpairs, orthogonality_error

__all__ = ["chebyshev_filter", "fused_kernels", "polfed"]

_CHECKPOINT_FORMAT = "mbl-polfed-1"
_STATE = ("basis", "T", "m", "restarts", "applies")


def fused_kernels(H) -> bool:
    """Whether the filter of ``H`` goes through a numba kernel (a real CSR matrix or an
    :class:`~mbl.operators.IndexOnlyOperator`)."""
    return isinstance(H, IndexOnlyOperator) or (sp.issparse(H) and H.format == "csr"
                                                 and H.dtype == np.float64)


def _jackson(K: int) -> np.ndarray:
    n = np.arange(K + 1)
    q = np.pi / (K + 2)
    return ((K + 2 - n) * np.cos(n * q) + np.sin(n * q) / np.tan(q)) / (K + 2)


def chebyshev_filter(K: int, s: float) -> np.ndarray:
    """Coefficients of P(x) = sum_n c_n T_n(x), the Jackson-damped delta peak at x = s."""
    n = np.arange(K + 1)
    t_s = np.cos(n * np.arccos(s))  # T_n(s)
    c = _jackson(K) * t_s * np.where(n == 0, 1.0, 2.0)
    return c / (c @ t_s)  # P(s) = 1: the peak is the largest value (never c.sum() = P(1))


def _apply_filter(H, X: np.ndarray, c: np.ndarray, centre: float, half: float) -> np.ndarray:
    """P((H - centre) / half) X by the three-term Chebyshev recurrence (K products H @ X).

    An index-only operator or a real CSR matrix goes through a fused numba step (one pass
    over H per term for the whole block, no temporaries); anything else through ``H @ X``."""
    if fused_kernels(H) and X.dtype == np.float64:
        if isinstance(H, IndexOnlyOperator):
            def step(*args):
                index_chebyshev_step(*H.args, *args)
        else:
            def step(*args):
                chebyshev_step(H.indptr, H.indices, H.data, *args)
        block = np.ascontiguousarray(X.reshape(X.shape[0], -1))
        t_prev, t_cur, out = block.copy(), np.zeros_like(block), c[0] * block
        step(t_prev, t_cur, out, centre, 1.0 / half, c[1])
        for cn in c[2:]:
            step(t_cur, t_prev, out, centre, 2.0 / half, cn)
            t_prev, t_cur = t_cur, t_prev
        return out.reshape(X.shape)
    t_prev = X
    t_cur = (H @ X - centre * X) / half
    out = c[0] * t_prev + c[1] * t_cur
    for cn in c[2:]:
        t_next = 2.0 * (H @ t_cur - centre * t_cur) / half - t_prev
        out += cn * t_next
        t_prev, t_cur = t_cur, t_next
    return out


def _block_lanczos(apply, n: int, want: int, block: int, rng: np.random.Generator,
                   need: int | None = None, tol: float = 1e-12, max_restarts: int = 50,
                   checkpoint: Checkpoint | None = None
                   ) -> tuple[np.ndarray, np.ndarray, int, int]:
    """The ``want`` largest eigenvectors of the symmetric operator ``apply`` (a block of
    vectors -> its image), by block Lanczos with full re-orthogonalization and thick restart.

    The basis grows a block at a time (one ``apply`` for ``block`` vectors); the projected
    matrix is read off the re-orthogonalization coefficients, and the iteration stops when
    the top ``need`` (default ``want``) Ritz pairs have residuals ||R_next Y_last|| below
    ``tol`` times the largest Ritz value; the other ``want - need`` vectors only enlarge the
    subspace handed to Rayleigh-Ritz (the lower eigenvalues of a filter sit next to its
    dense floor and converge slowly, but nothing is taken from them unchecked). When the
    basis reaches about twice ``want`` it restarts from the top Ritz vectors. Returns the
    Ritz vectors and values (descending), the number of restarts and the number of block
    applications.

    With a ``checkpoint``, the state after a block (the basis with the next block, the
    projected matrix and the counters) is saved when due, and a saved state is resumed."""
    need = want if need is None else min(need, want)
    max_dim = block * int(np.ceil((2 * want + block) / block))
    B = np.empty((n, max_dim + block), order="F")
    T = np.zeros((max_dim + block, max_dim + block))
    B[:, :block] = np.linalg.qr(rng.standard_normal((n, block)))[0]
    m, restarts, applies = 0, 0, 0
    saved = checkpoint.load(_STATE) if checkpoint is not None else None
    if saved is not None:
        m, restarts, applies = (int(saved[name]) for name in ("m", "restarts", "applies"))
        basis, T_saved = saved["basis"], saved["T"]
        if basis.shape != (n, m + block) or T_saved.shape != (m + block, m + block) \
                or m + block > max_dim + block:
            raise checkpoint.inconsistent()
        B[:, :m + block] = basis
        T[:m + block, :m + block] = T_saved
    while True:
        cur = slice(m, m + block)
        W = apply(B[:, cur])
        applies += 1
        basis = B[:, :m + block]
        h = basis.T @ W
        W -= basis @ h
        h2 = basis.T @ W  # classical Gram-Schmidt, twice
        W -= basis @ h2
        h += h2
        T[:m + block, cur] = h
        T[cur, :m + block] = h.T
        Q, R = np.linalg.qr(W)
        m += block
        theta, Y = np.linalg.eigh(T[:m, :m])
        top = np.argsort(theta)[::-1][:want]
        residual = np.linalg.norm(R @ Y[m - block:m, top], axis=0)
        if np.all(residual[:need] <= tol * np.abs(theta).max()):
            return B[:, :m] @ Y[:, top], theta[top], restarts, applies
        if m + block > max_dim:
            if restarts == max_restarts:
                raise ConvergenceError(f"POLFED block Lanczos: "
                                       f"{np.sum(residual[:need] > tol * np.abs(theta).max())}"
                                       f" of {need} Ritz pairs unconverged after {restarts} "
                                       "restarts; raise the degree or lower k")
            B[:, :want] = B[:, :m] @ Y[:, top]
            T[:] = 0.0
            T[np.arange(want), np.arange(want)] = theta[top]
            m, restarts = want, restarts + 1
        B[:, m:m + block] = Q
        if checkpoint is not None and checkpoint.due():
            checkpoint.save(basis=B[:, :m + block], T=T[:m + block, :m + block],
                            m=np.array(m), restarts=np.array(restarts),
                            applies=np.array(applies))


def _moments(H, n: int, rng: np.random.Generator, probes: int = 4) -> tuple[float, float]:
    """Mean and standard deviation of the spectrum: tr H / N and tr H^2 / N by random probes."""
    Z = rng.choice([-1.0, 1.0], size=(n, probes))
    HZ = H @ Z
    m1 = float(np.mean(np.sum(Z * HZ, axis=0))) / n
    m2 = float(np.mean(np.sum(HZ * HZ, axis=0))) / n
    return m1, float(np.sqrt(max(m2 - m1**2, 1e-300)))


@no_oversubscription(numba=lambda H, *args, **kwargs: fused_kernels(H))
def polfed(H, *, sigma: float, k: int, bounds: tuple[float, float], degree: int | None = None,
           max_residual: float = 1e-8, block: int = 8,
           rng: np.random.Generator | None = None,
           checkpoint: str | os.PathLike | None = None,
           checkpoint_every: float = 300.0) -> Eigenpairs:
    """The ``k`` eigenpairs of a Hermitian ``H`` nearest ``sigma`` (see the module docstring).

    Parameters
    ----------
    H : sparse matrix or LinearOperator
    sigma : float
        Target energy, inside ``bounds``.
    k : int
        Number of pairs.
    bounds : (E_min, E_max)
        Spectral bounds (e.g. from :func:`spectral_bounds`).
    degree : int, optional
        Filter degree K; default from the estimated density of states at sigma.
    max_residual : float
        Drop Ritz pairs with ||H v - E v|| above this times ``max(1, |sigma|)``; refuse
        when fewer than ``k`` remain.
    block : int
        Vectors filtered together (one pass over H per Chebyshev term for the whole block).
    rng : numpy.random.Generator, optional
        Start block and trace probes (default: a fixed seed, reproducible).
    checkpoint : path, optional
        A file to write the block Lanczos state to (the basis, about ``2 k + block``
        vectors: 0.45 GiB at L = 20 with k = 100), and to resume from when it exists; a
        checkpoint of another solve (H, sigma, k, bounds, degree, block, max_residual or the
        rng state differ) is refused with ``InputError``. Written atomically, so a ``kill -9``
        loses at most ``checkpoint_every`` seconds; removed when the solve completes.
    checkpoint_every : float
        Seconds between checkpoint writes (0: after every block).

    On a real CSR matrix (the numba kernel between BLAS calls) BLAS is limited for the call
    so that BLAS times numba threads stays within the cores, unless the user set BLAS
    threads (:mod:`mbl._core.threads`); the previous counts are restored on return.
    """
    n = H.shape[0]
    e_min, e_max = bounds
    if isinstance(block, bool) or not isinstance(block, int | np.integer) or block < 1:
        raise InputError(f"block must be an integer >= 1, got {block!r}")
    if not 1 <= k < n // 2:
        raise InputError(f"k must be between 1 and N/2 = {n // 2}, got {k}; use method='dense'")
    if not e_min < sigma < e_max:
        raise InputError(f"sigma = {sigma} is outside the spectrum [{e_min}, {e_max}]")
    if checkpoint is not None and not checkpoint_every >= 0:
        raise InputError(f"checkpoint_every must be >= 0 seconds, got {checkpoint_every}")
    rng = rng or np.random.default_rng(0)
    rng_state = repr(rng.bit_generator.state)
    key_H = H
    H = fastest_form(H)  # the index-only kernel where H has one hopping amplitude
    centre, half = 0.5 * (e_max + e_min), 0.5 * (e_max - e_min) * (1 + 1e-6)
    s = (sigma - centre) / half
    moments = None
    if degree is None:
        moments = 4  # the trace probes
        mu, sd = _moments(H, n, rng, probes=moments)
        rho = n * np.exp(-0.5 * ((sigma - mu) / sd) ** 2) / (np.sqrt(2 * np.pi) * sd)
        width = k / rho / half  # the span of the k levels nearest sigma, in units of x
        degree = int(np.clip(np.pi * np.sqrt(max(1 - s * s, 1e-6)) / width, 8, 200_000))
    c = chebyshev_filter(degree, s)
    want = min(n // 2, k + max(10, k // 2))
    need = min(want, k + max(4, k // 10))  # a margin for the edge of the window, see below
    block = min(block, want)
    store = None
    if checkpoint is not None or implicit_path("polfed", "") is not None:
        key = solve_key(_CHECKPOINT_FORMAT, key_H, (float(sigma), int(k), float(e_min),
                                                    float(e_max), int(degree), int(block),
                                                    float(max_residual), rng_state))
        implicit = checkpoint is None
        store = Checkpoint(implicit_path("polfed", key) if implicit else checkpoint,
                           checkpoint_every, key, _CHECKPOINT_FORMAT, "POLFED solve",
                           "H, sigma, k, bounds, degree, block, max_residual or the rng "
                           "state", implicit=implicit)
    V, theta, restarts, applies = _block_lanczos(
        lambda X: _apply_filter(H, X, c, centre, half), n, want, block, rng, need=need,
        checkpoint=store)
    E, V, res = _nearest_converged(H, V, sigma, k, max_residual, degree, restarts)
    # Lanczos certified every eigenvector with P(E) > theta[need - 1]; the k chosen are the
    # true nearest only if no level closer to sigma than the k-th has a lower P.
    reach = np.abs(E - sigma).max() / half
    x = np.clip(s + reach * np.linspace(-1.0, 1.0, 257), -1.0, 1.0)
    if np.polynomial.chebyshev.chebval(x, c).min() <= theta[need - 1]:
        raise ConvergenceError(f"POLFED: the {k} pairs nearest sigma reach past the levels "
                               f"block Lanczos certified: the filter of degree {degree} is "
                               "narrower than the window; lower the degree or k")
    if store is not None:
        store.remove()
    matvecs = applies * block * degree + want + (0 if moments is None else moments)
    return Eigenpairs(E, V, res, orthogonality_error(V), "polfed", e_min, e_max,
                      matvecs=matvecs)


def _nearest_converged(H, V: np.ndarray, sigma: float, k: int, max_residual: float,
                       degree: int, restarts: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Rayleigh-Ritz with H on the filtered subspace; the k pairs nearest sigma among those
    whose own residual ||H v - E v|| is small. Vectors of the subspace that block Lanczos did
    not converge give Ritz values anywhere in the spectrum, some of them near sigma: they are
    dropped by their residual, never returned. Columns are handled in chunks so the memory
    stays that of V and H V."""
    HV = H @ V
    E, Y = np.linalg.eigh(V.T @ HV)
    scale = max(1.0, abs(sigma))
    res = np.empty(E.size)
    for start in range(0, E.size, 64):
        y = Y[:, start:start + 64]
        res[start:start + 64] = np.linalg.norm(HV @ y - (V @ y) * E[start:start + 64], axis=0)
    good = np.flatnonzero(res <= max_residual * scale)
    if good.size < k:
        raise ConvergenceError(f"POLFED: {good.size} of {k} pairs have residual below "
                               f"{max_residual:.1g} x {scale:.3g} at degree {degree} after "
                               f"{restarts} restarts; raise the degree")
    pick = np.sort(good[np.argsort(np.abs(E[good] - sigma))[:k]])
    return E[pick], V @ Y[:, pick], float(res[pick].max())
