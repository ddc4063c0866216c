"""What each eigensolver will need before it runs, and the choice of ``method="auto"``.

Peak memory above the interpreter, per method, for a Hermitian matrix of dimension N with
``nnz`` stored entries and k pairs (calibrated with ``/usr/bin/time -v`` on the XXZ chain here,
see ``benchmarks/bench_mid_spectrum.py``):

- dense: the Fortran-order matrix and LAPACK's workspace, 1.1 x 8 N^2 for values and
  3.15 x 8 N^2 with vectors (``dsyevd``), measured at N = 4096.
- shift-invert: the LU factors dominate. With MUMPS they are *known* before the
  factorization: its symbolic analysis (ordering and elimination tree, seconds at L = 18)
  reports the in-core memory of the numerical phase (INFOG(17)); the analysis runs on the
  actual sparsity pattern, so the plan holds for any model. SuperLU has no separate symbolic
  phase in scipy; its fill is bounded by the fill MUMPS would need times
  :data:`SUPERLU_FILL_RATIO` when MUMPS is installed, and otherwise by a power law in N
  fitted to SuperLU runs on the XXZ chain (COLAMD ordering). Add ARPACK's 2k + 1 Lanczos
  vectors, the k Ritz vectors, H @ V for the residuals and the copies of H (CSC and the
  triangle handed to MUMPS).
- polfed: the block Lanczos basis (2 want + 2 block vectors, want = k + max(10, k/2)), the
  three filter blocks, H @ V and V for Rayleigh-Ritz, and H itself; no factorization.

``method="auto"`` follows one rule (:func:`auto_candidates`): dense up to ``dense_max`` (or
when the whole spectrum is needed, or k is half of it or more), then shift-invert where a
backend factorizes N (:func:`can_factorize`), then POLFED. A study takes the first candidate,
so that every task resolves alike whatever memory is free at the moment; the library
(:func:`choose_method`) takes the first whose predicted peak fits the available memory and
refuses with the sizes of every method when none does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from mbl._core.errors import InputError, MemoryPlanError
from mbl._core.memory import available_memory, format_bytes
from mbl.solvers.shift_invert import SUPERLU_MAX, has_mumps

#: Peak of a dense eigh in units of one dense matrix (8 N^2 bytes), measured here.
DENSE_FACTOR_VALUES = 1.1
DENSE_FACTOR_VECTORS = 3.15
#: SuperLU (COLAMD) factor memory relative to MUMPS's analysis estimate on the same matrix.
SUPERLU_FILL_RATIO = 4.0
#: Fallback SuperLU factor bytes ~ a N^b (no MUMPS to ask), fitted on XXZ L = 12-16.
SUPERLU_FIT = (2.0e-1, 1.9)
#: POLFED's default block size (vectors filtered per pass over H).
POLFED_BLOCK = 8
WINDOW_METHODS = ("shift_invert", "polfed")


@dataclass(frozen=True)
class SolverPlan:
    """Predicted peak memory (bytes above the interpreter) of one method on one matrix."""

    method: str
    peak_bytes: int
    note: str = ""


def dense_bytes(n: int, *, vectors: bool) -> int:
    """Peak bytes of a dense eigh of dimension ``n`` (values, or values and vectors)."""
    return int((DENSE_FACTOR_VECTORS if vectors else DENSE_FACTOR_VALUES) * 8 * n * n)


def _window_vectors_bytes(n: int, k: int) -> int:
    """ARPACK's Lanczos vectors (2k + 1, at least 20), the k Ritz vectors and H @ V."""
    return 8 * n * (max(2 * k + 1, 20) + 2 * k)


def polfed_bytes(n: int, nnz: int, k: int, block: int = POLFED_BLOCK) -> int:
    """Peak bytes of :func:`mbl.solvers.polfed.polfed` (see the module docstring)."""
    want = min(n // 2, k + max(10, k // 2))
    block = min(block, want)
    basis = 2 * want + 2 * block
    return int(8 * n * (basis + 4 * block + 2 * want) + 12 * nnz)


@lru_cache(maxsize=32)
def _mumps_factor_bytes(n: int, indptr: bytes, indices: bytes) -> int:
    """MUMPS's own estimate of its in-core factorization memory (INFOG(17), in 10^6 bytes)
    from the symbolic analysis of the pattern (cached per pattern)."""
    import mumps

    ptr = np.frombuffer(indptr, dtype=np.int32 if len(indptr) // (n + 1) == 4 else np.int64)
    idx = np.frombuffer(indices, dtype=ptr.dtype)
    pattern = sp.csr_matrix((np.ones(idx.size), idx, ptr), shape=(n, n))
    pattern = pattern + sp.identity(n, format="csr")  # the shift fills the diagonal
    ctx = mumps.Context()
    ctx.set_matrix(sp.triu(pattern, format="coo"), symmetric=True)
    ctx.analyze()
    return int(ctx.mumps_instance.infog[17]) * 10**6


def factor_bytes(H, backend: str = "auto") -> tuple[int, str]:
    """Predicted bytes of the LU (LDL^T) factors of H - sigma, and the backend that would
    factorize it ("mumps" or "superlu")."""
    n = H.shape[0]
    mumps = has_mumps()
    if backend == "auto":
        backend = "mumps" if mumps else "superlu"
    if mumps:
        csr = sp.csr_matrix(H)
        fill = _mumps_factor_bytes(n, csr.indptr.tobytes(), csr.indices.tobytes())
        return (fill if backend == "mumps" else int(SUPERLU_FILL_RATIO * fill)), backend
    a, b = SUPERLU_FIT
    return int(a * n**b), backend


def shift_invert_bytes(H, k: int, backend: str = "auto") -> tuple[int, str]:
    """Peak bytes of :func:`mbl.solvers.shift_invert.shift_invert`, and its backend."""
    n, nnz = H.shape[0], sp.csr_matrix(H).nnz
    factors, backend = factor_bytes(H, backend)
    copies = 12 * nnz + 16 * nnz // 2 + 16 * n  # CSC copy, triangle (COO), work vectors
    return factors + _window_vectors_bytes(n, k) + copies, backend


def can_factorize(n: int) -> bool:
    """Whether shift-invert can factorize H - sigma of dimension ``n`` on this installation:
    MUMPS at any size, SuperLU (the fallback) up to :data:`SUPERLU_MAX`."""
    return has_mumps() or n <= SUPERLU_MAX


def max_pairs(method: str, n: int) -> int:
    """The most eigenpairs the window ``method`` returns at dimension ``n``: N - 2 for
    shift-invert (ARPACK), N/2 - 1 for POLFED (its Lanczos basis holds twice the pairs)."""
    if method not in WINDOW_METHODS:
        raise InputError(f"{method!r} is not a window method ({', '.join(WINDOW_METHODS)})")
    return n - 2 if method == "shift_invert" else n // 2 - 1


def window_methods(n: int, k: int) -> tuple[str, ...]:
    """The window methods ``method="auto"`` may take for ``k`` of ``n`` pairs, in order of
    preference: none once 2k >= N (the whole spectrum is then as cheap), shift-invert where
    :func:`can_factorize` allows, POLFED where ``k`` fits its basis."""
    if k < 1 or 2 * k >= n:
        return ()
    return tuple(m for m in WINDOW_METHODS
                 if k <= max_pairs(m, n) and (m != "shift_invert" or can_factorize(n)))


def auto_candidates(n: int, *, k: int | None, dense_max: int = 8000,
                    full_spectrum: bool = False) -> tuple[str, ...]:
    """The methods ``method="auto"`` considers for dimension ``n``, best first.

    Parameters
    ----------
    n : int
        Dimension of H.
    k : int or None
        Pairs wanted near the target; None (or ``full_spectrum``) means the whole spectrum.
    dense_max : int
        Largest N treated dense when a window method could run.
    full_spectrum : bool
        The caller needs every level (no window method is a candidate).

    Returns
    -------
    tuple of str
        Dense first when N <= ``dense_max``, then :func:`window_methods`; ``("dense",)`` when
        nothing else can run. The list depends on the installation only: a study takes its
        first entry for every task, :func:`choose_method` the first that fits in memory.
    """
    windows = () if full_spectrum or k is None else window_methods(n, k)
    return ((("dense",) if n <= dense_max else ()) + windows) or ("dense",)


def plans(H, *, k: int, vectors: bool) -> dict[str, SolverPlan]:
    """The plan of every method that can run on ``H``: dense always, the window methods of
    :func:`window_methods` when ``H`` is sparse."""
    n = H.shape[0]
    out = {"dense": SolverPlan("dense", dense_bytes(n, vectors=vectors))}
    if not sp.issparse(H):
        return out
    for method in window_methods(n, k):
        if method == "shift_invert":
            mem, backend = shift_invert_bytes(H, k)
            out[method] = SolverPlan(method, mem, backend)
        else:
            out[method] = SolverPlan(method, polfed_bytes(n, sp.csr_matrix(H).nnz, k))
    return out


def choose_method(H, *, k: int, vectors: bool, dense_max: int = 8000,
                  available: int | None = None) -> SolverPlan:
    """The plan ``method="auto"`` takes in the library: the first of :func:`auto_candidates`
    whose predicted peak fits ``available`` bytes (default: the memory available now); a
    :class:`MemoryPlanError` lists every method's peak when none fits."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise InputError(f"k must be an integer >= 1, got {k!r}")
    have = available_memory() if available is None else int(available)
    options = plans(H, k=k, vectors=vectors)
    order = [m for m in auto_candidates(H.shape[0], k=k, dense_max=dense_max) if m in options]
    for method in order or ["dense"]:
        if options[method].peak_bytes <= have:
            return options[method]
    listed = ", ".join(f"{p.method} {format_bytes(p.peak_bytes)}" for p in options.values())
    raise MemoryPlanError(f"no eigensolver fits N = {H.shape[0]} with k = {k} in the "
                          f"{format_bytes(have)} available ({listed}); lower L or k")
