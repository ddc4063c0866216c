"""Eigenpairs nearest a target energy by shift-invert Lanczos (ARPACK + sparse LU).

The factorization of H - sigma is MUMPS (multifrontal LDL^T of the symmetric matrix; the
optional extra ``mbl[mumps]``, which needs Debian's ``libmumps-seq-dev``) when it is installed,
else scipy's SuperLU. MUMPS is far faster and leaner on many-body Hamiltonians (measured here,
XXZ L = 16: 1.2 s to factorize against SuperLU's ~30 s), and SuperLU cannot factorize L = 18
in minutes; :data:`SUPERLU_MAX` bounds what the fallback is asked to do.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from mbl._core.errors import ConvergenceError, InputError
from mbl._core.threads import adopt_new_blas, no_oversubscription
from mbl.solvers.result import Eigenpairs, orthogonality_error, residual_norm

#: Below this dimension shift-invert runs BLAS on one thread: the factorization and ARPACK's
#: vectors are too small to gain from a second (measured, XXZ L = 14, N = 3432, k = 50: 0.27 s
#: on one thread against 0.35 s on two; L = 16, N = 12870: 1.61 s against 1.41 s).
SMALL_FACTORIZATION = 8000


def _thread_limit(H, *args, **kwargs) -> int | None:
    """The thread limit of a shift-invert call on ``H`` (its other arguments do not matter)."""
    shape = getattr(H, "shape", None)
    return 1 if shape is not None and len(shape) == 2 and shape[0] < SMALL_FACTORIZATION else None


@no_oversubscription(numba=False, limit=_thread_limit)
def spectral_bounds(H, *, tol: float = 1e-8) -> tuple[float, float]:
    """Smallest and largest eigenvalue of a Hermitian operator by Lanczos."""
    n = H.shape[0]
    if n <= 64:
        w = np.linalg.eigvalsh(H.toarray() if sp.issparse(H) else np.asarray(H))
        return float(w[0]), float(w[-1])
    v0 = np.ones(n) / np.sqrt(n)
    lo = spla.eigsh(H, k=1, which="SA", tol=tol, v0=v0, return_eigenvectors=False)
    hi = spla.eigsh(H, k=1, which="LA", tol=tol, v0=v0, return_eigenvectors=False)
    return float(lo[0]), float(hi[0])


#: Largest dimension handed to SuperLU when MUMPS is missing (L = 16 at S^z = 0 is 12870).
SUPERLU_MAX = 20_000


def has_mumps() -> bool:
    """Whether the MUMPS backend (python-mumps) can be imported."""
    try:
        import mumps  # noqa: F401
    except ImportError:
        return False
    return True


_mumps_blas_seen = False


def _mumps_inverse(H, sigma: float) -> spla.LinearOperator:
    """(H - sigma)^{-1} as an operator, by a MUMPS LDL^T factorization (upper triangle)."""
    global _mumps_blas_seen
    import mumps

    if not _mumps_blas_seen:  # MUMPS's own BLAS loads with it: under the thread rule too
        adopt_new_blas()
        _mumps_blas_seen = True
    n = H.shape[0]
    ctx = mumps.Context()
    ctx.set_matrix(sp.triu(H - sigma * sp.identity(n, format="csr"), format="coo"),
                   symmetric=True)
    ctx.factor()
    return spla.LinearOperator((n, n), matvec=ctx.solve, matmat=ctx.solve, dtype=float)


def _backend(backend: str, n: int) -> str:
    if backend == "auto":
        backend = "mumps" if has_mumps() else "superlu"
    if backend == "mumps" and not has_mumps():
        raise InputError("the MUMPS backend needs python-mumps: apt-get install "
                         "libmumps-seq-dev libopenblas-dev liblapack-dev, then "
                         "pip install 'mbl[mumps]'")
    if backend == "superlu" and n > SUPERLU_MAX:
        raise InputError(f"N = {n} is beyond what SuperLU factorizes in reasonable time "
                         f"(> {SUPERLU_MAX}); install the MUMPS extra (apt-get install "
                         "libmumps-seq-dev libopenblas-dev liblapack-dev; pip install "
                         "'mbl[mumps]') or use method='polfed'")
    if backend not in ("mumps", "superlu"):
        raise InputError(f"unknown backend {backend!r}; use 'auto', 'mumps' or 'superlu'")
    return backend


@no_oversubscription(numba=False, limit=_thread_limit)
def shift_invert(
    H,
    *,
    sigma: float,
    k: int,
    tol: float = 0.0,
    max_residual: float = 1e-8,
    bounds: tuple[float, float] | None = None,
    backend: str = "auto",
) -> Eigenpairs:
    """The ``k`` eigenpairs of a sparse Hermitian ``H`` nearest the energy ``sigma``.

    The factorization is MUMPS or SuperLU (``backend``: "auto" prefers MUMPS); ARPACK
    iterates on (H - sigma)^{-1}. Pairs whose
    residual ||H v - E v|| exceeds ``max_residual`` times the spectral scale are refused with a
    :class:`ConvergenceError`, never returned silently. BLAS dominates (the factorization,
    ARPACK) and numba is not used: BLAS keeps its threads (:mod:`mbl._core.threads`).
    """
    if not sp.issparse(H):
        raise InputError("shift-invert needs a scipy.sparse matrix (it factorizes H - sigma)")
    n = H.shape[0]
    if not 1 <= k < n - 1:
        raise InputError(f"k must be between 1 and N - 2 = {n - 2}, got {k}; use method='dense'")
    v0 = np.random.default_rng(0).standard_normal(n)  # fixed start vector: reproducible
    backend = _backend(backend, n)
    try:
        inverse = _mumps_inverse(H, sigma) if backend == "mumps" else None
        w, v = spla.eigsh(H.tocsc(), k=k, sigma=sigma, which="LM", tol=tol, v0=v0,
                          OPinv=inverse)
    except spla.ArpackNoConvergence as exc:
        raise ConvergenceError(
            f"shift-invert Lanczos did not converge for k = {k} pairs at sigma = {sigma}: "
            f"{len(exc.eigenvalues)} converged; lower k or use method='dense'"
        ) from exc
    except RuntimeError as exc:  # SuperLU "Factor is exactly singular", other ARPACK errors
        raise ConvergenceError(
            f"shift-invert failed at sigma = {sigma}: {exc}; a singular factor means sigma "
            "sits on an eigenvalue: move the target slightly"
        ) from exc
    order = np.argsort(w)
    w, v = w[order], v[:, order]
    res = residual_norm(H, w, v)
    scale = max(1.0, float(np.max(np.abs(w))))
    if res > max_residual * scale:
        raise ConvergenceError(
            f"shift-invert pairs have residual {res:.3g} > {max_residual:.1g} x {scale:.3g}; "
            "the factorization may be ill-conditioned (sigma on an eigenvalue?)"
        )
    e_min, e_max = bounds if bounds is not None else (None, None)
    return Eigenpairs(w, v, res, orthogonality_error(v), "shift_invert", e_min, e_max)
