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

``method="auto"`` (:func:`choose_method`) takes dense up to ``dense_max`` when it fits, else
shift-invert when a backend can factorize N and the factors fit, else POLFED; it refuses with
the sizes of every method when nothing fits.
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


def plans(H, *, k: int, vectors: bool) -> dict[str, SolverPlan]:
    """The plan of every method that can run on ``H`` (dense always; the window methods
    when k < N / 2; shift-invert only where a backend factorizes N)."""
    n = H.shape[0]
    nnz = sp.csr_matrix(H).nnz if sp.issparse(H) else n * n
    out = {"dense": SolverPlan("dense", dense_bytes(n, vectors=vectors))}
    if not 1 <= k < n // 2 or not sp.issparse(H):
        return out
    mem, backend = shift_invert_bytes(H, k)
    if backend == "mumps" or n <= SUPERLU_MAX:
        out["shift_invert"] = SolverPlan("shift_invert", mem, backend)
    out["polfed"] = SolverPlan("polfed", polfed_bytes(n, nnz, k))
    return out


def choose_method(H, *, k: int, vectors: bool, dense_max: int = 8000,
                  available: int | None = None) -> SolverPlan:
    """The plan ``method="auto"`` takes: dense up to ``dense_max`` (when it fits), then
    shift-invert, then POLFED; a :class:`MemoryPlanError` lists them all when none fits."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise InputError(f"k must be an integer >= 1, got {k!r}")
    have = available_memory() if available is None else int(available)
    options = plans(H, k=k, vectors=vectors)
    order = ["dense"] if H.shape[0] <= dense_max else []
    order += [m for m in WINDOW_METHODS if m in options]
    for method in order or ["dense"]:
        if options[method].peak_bytes <= have:
            return options[method]
    listed = ", ".join(f"{p.method} {format_bytes(p.peak_bytes)}" for p in options.values())
    raise MemoryPlanError(f"no eigensolver fits N = {H.shape[0]} with k = {k} in the "
                          f"{format_bytes(have)} available ({listed}); lower L or k")
