"""Index-only operators: a Hamiltonian whose off-diagonal entries all have one magnitude.

The U(1) chains of :mod:`mbl.models` (the XXZ chain, spinless fermions, the interacting
Aubry-André chain) have every hopping amplitude equal, ``J/2`` (or ``-t``); disorder and
interactions sit on the diagonal. Such an ``H`` is ``diag(d) + t (P - M)`` with ``P`` and
``M`` 0/1 patterns (``M`` holds the entries of the opposite sign, e.g. the Jordan-Wigner
sign of a fermion hop across the boundary of a periodic chain), so it needs the diagonal and
the column indices only: 4 bytes per off-diagonal entry and 12 per row, against 12 per
entry for a CSR matrix, and a product that only adds. :func:`index_only` converts a CSR
matrix (refusing one whose off-diagonal entries are not all ``+t`` or ``-t``);
:class:`IndexOnlyOperator` is a ``scipy.sparse.linalg.LinearOperator``, so every solver of
:mod:`mbl.solvers` takes it, and POLFED and Krylov use its fused numba kernels
(:mod:`._index_kernels`: threaded over rows, blocks of 8 vectors in registers, no
allocation in the loop).

Examples
--------
>>> import numpy as np
>>> from mbl.models import XXZChain
>>> from mbl.operators import index_only
>>> H = XXZChain(L=10, W=2.0).hamiltonian(sz=0, rng=np.random.default_rng(1))
>>> op = index_only(H)
>>> op.t, op.n_offdiagonal == H.nnz - H.shape[0]
(0.5, True)
>>> X = np.random.default_rng(0).standard_normal((H.shape[0], 8))
>>> bool(np.allclose(op @ X, H @ X))
True
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator

from mbl._core.errors import InputError
from mbl.operators import _index_kernels

__all__ = ["IndexOnlyOperator", "fastest_form", "index_only"]

#: Columns per kernel call of a product with a wide block.
_CHUNK_COLUMNS = 16

#: Largest relative deviation of an off-diagonal magnitude from the common ``t`` accepted.
MAGNITUDE_RTOL = 1e-14


class IndexOnlyOperator(LinearOperator):
    """``H = diag(d) + t (P - M)`` stored as its diagonal and column patterns.

    Attributes
    ----------
    diag : (N,) float64
    t : float
        The magnitude of every off-diagonal entry.
    indptr, split, cols : int arrays
        Row ``i`` has ``+t`` at ``cols[indptr[i]:split[i]]`` and ``-t`` at
        ``cols[split[i]:indptr[i + 1]]``.
    """

    def __init__(self, diag: np.ndarray, t: float, indptr: np.ndarray, split: np.ndarray,
                 cols: np.ndarray) -> None:
        n = diag.size
        super().__init__(dtype=np.float64, shape=(n, n))
        self.diag = np.ascontiguousarray(diag, dtype=np.float64)
        self.t = float(t)
        self.indptr, self.split, self.cols = indptr, split, cols
        self.args = (self.diag, indptr, split, cols, self.t)

    @property
    def n_offdiagonal(self) -> int:
        return int(self.cols.size)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.diag, self.indptr, self.split, self.cols))

    def _real_block(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.shape[1] <= _CHUNK_COLUMNS:
            X = np.ascontiguousarray(X)
            Y = np.empty_like(X)
            _index_kernels.matmat(*self.args, X, Y)
            return Y
        # a wide block (a Rayleigh-Ritz basis): column chunks, so that the temporaries are
        # two chunks and not a C-ordered copy of the whole block
        Y = np.empty(X.shape, order="F" if X.flags.f_contiguous else "C")
        for j in range(0, X.shape[1], _CHUNK_COLUMNS):
            Y[:, j:j + _CHUNK_COLUMNS] = self._real_block(X[:, j:j + _CHUNK_COLUMNS])
        return Y

    def _matmat(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X)
        if np.iscomplexobj(X):  # real and imaginary parts as one real block of 2b columns
            b = X.shape[1]
            Y = self._real_block(np.concatenate([X.real, X.imag], axis=1))
            return Y[:, :b] + 1j * Y[:, b:]
        return self._real_block(X)

    def _matvec(self, x: np.ndarray) -> np.ndarray:
        return self._matmat(np.asarray(x).reshape(-1, 1)).ravel()

    def _rmatvec(self, x: np.ndarray) -> np.ndarray:
        return self._matvec(x)  # real symmetric

    def _adjoint(self) -> LinearOperator:
        return self

    def tocsr(self) -> sp.csr_matrix:
        """The same operator as a CSR matrix (for dense checks and factorizations)."""
        n = self.shape[0]
        rows = np.repeat(np.arange(n), np.diff(self.indptr))
        pos = np.arange(self.cols.size) < np.repeat(self.split, np.diff(self.indptr))
        vals = np.where(pos, self.t, -self.t)
        off = sp.csr_matrix((vals, (rows, self.cols)), shape=(n, n))
        return (off + sp.diags(self.diag)).tocsr()


def index_only(H: sp.spmatrix) -> IndexOnlyOperator:
    """The :class:`IndexOnlyOperator` of a real symmetric sparse matrix whose off-diagonal
    entries all have the same magnitude.

    Raises
    ------
    InputError
        When ``H`` is not a real square sparse matrix, or its off-diagonal entries differ in
        magnitude by more than ``MAGNITUDE_RTOL`` (a model with bond disorder or
        several hopping amplitudes: use the CSR matrix itself).
    """
    if not sp.issparse(H) or H.shape[0] != H.shape[1] or H.dtype.kind != "f":
        raise InputError("index_only needs a real square scipy.sparse matrix, got "
                         f"{type(H).__name__} of dtype {getattr(H, 'dtype', '?')}")
    H = sp.csr_matrix(H, dtype=np.float64)
    H.sum_duplicates()
    H.eliminate_zeros()
    n = H.shape[0]
    if H.nnz and abs(H - H.T).max() > 1e-14 * abs(H).max():
        raise InputError("index_only needs a symmetric matrix: H differs from its transpose")
    rows = np.repeat(np.arange(n), np.diff(H.indptr))
    off = rows != H.indices
    if not off.any():
        t = 1.0
    else:
        t = float(np.abs(H.data[off]).max())
    counts = np.bincount(rows[off], minlength=n)
    idx = np.int32 if max(n, int(counts.sum())) < 2**31 - 1 else np.int64
    indptr = np.zeros(n + 1, dtype=idx)
    np.cumsum(counts, out=indptr[1:])
    cols = np.empty(int(indptr[-1]), dtype=idx)
    split = np.empty(n, dtype=idx)
    diag = np.zeros(n)
    worst = _index_kernels.split_rows(H.indptr, H.indices, H.data, diag, cols, split, indptr,
                                      t)
    if worst > MAGNITUDE_RTOL:
        raise InputError(f"the off-diagonal entries of H differ in magnitude (by up to "
                         f"{worst:.2g} of {t:.6g}): an index-only operator needs a single "
                         "hopping amplitude; use the CSR matrix instead")
    return IndexOnlyOperator(diag, t, indptr, split, cols)


def fastest_form(H):
    """``H`` as the solvers' kernels apply it fastest: the :class:`IndexOnlyOperator` of a real
    sparse matrix that has one (symmetric, one off-diagonal magnitude), anything else as
    given. Costs about one pass over the matrix; solvers call it once per solve."""
    if isinstance(H, IndexOnlyOperator) or not sp.issparse(H) or H.dtype != np.float64:
        return H
    try:
        return index_only(H)
    except InputError:
        return H
