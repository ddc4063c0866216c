"""Term lists -> CSR matrix or matrix-free LinearOperator on a :class:`~mbl.basis.SpinBasis`.

The matrix convention: a row of a term that maps basis state ``old`` to ``new`` with amplitude
``a`` adds ``coeff * a`` to ``H[index(new), index(old)]``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator

from mbl._core.errors import InputError, MemoryPlanError
from mbl._core.memory import available_memory, format_bytes
from mbl.basis import RANK_TABLE, SpinBasis
from mbl.operators import _kernels
from mbl.operators.terms import Term, check_terms, flatten

#: Relative tolerance of the Hermiticity check, ``max|H - H^†| <= HERMITIAN_RTOL * max|H|``.
HERMITIAN_RTOL = 1e-12


class _Rows:
    """A term list compiled to bit masks, diagonal rows first (see :mod:`._kernels`)."""

    def __init__(self, basis: SpinBasis, terms: Sequence[Term] | Term) -> None:
        if not isinstance(basis, SpinBasis):
            raise InputError(f"basis must be an mbl.basis.SpinBasis, got {type(basis).__name__}")
        terms = [terms] if isinstance(terms, Term) else list(terms)
        check_terms(terms, basis.L, basis.is_sector)
        ops, sites, nops, coeffs = flatten(terms)
        cmask, cval, flip, smask, amp = _kernels.compile_rows(ops, sites, nops)
        live = amp != 0
        order = np.concatenate([np.flatnonzero(live & (flip == 0)),
                                np.flatnonzero(live & (flip != 0))])
        self.dtype = coeffs.dtype
        self.doff = int(np.count_nonzero(live & (flip == 0)))
        self.cmask = np.ascontiguousarray(cmask[order])
        self.cval = np.ascontiguousarray(cval[order])
        self.flip = np.ascontiguousarray(flip[order])
        self.smask = np.ascontiguousarray(smask[order])
        self.val = np.ascontiguousarray(coeffs[order] * amp[order])
        self.head = (basis.states, basis.n_up is None, RANK_TABLE, np.int64(self.doff),
                     self.cmask, self.cval, self.flip, self.smask)

    @property
    def n_offdiagonal(self) -> int:
        return self.flip.size - self.doff


def _resolve_dtype(dtype, natural: np.dtype) -> np.dtype:
    if dtype is None:
        return natural
    dt = np.dtype(dtype)
    if dt.kind not in "fc":
        raise InputError(f"dtype must be a float or complex type, got {dt}")
    if dt.kind == "f" and natural.kind == "c":
        raise InputError(
            f"the terms have complex coefficients (or S^y), which dtype={dt} cannot hold; "
            "pass dtype=complex128 or dtype=None"
        )
    return dt


def build_csr(
    basis: SpinBasis,
    terms: Sequence[Term] | Term,
    *,
    dtype: np.dtype | type | str | None = None,
    check_hermitian: bool = True,
) -> sp.csr_matrix:
    """Sparse matrix of a sum of terms on a basis.

    Parameters
    ----------
    basis : SpinBasis
        The full space or one ``n_up`` sector.
    terms : Term or sequence of Term
        The operator, ``sum_terms sum_rows coeff * op string``.
    dtype : dtype, optional
        ``float64``/``complex128`` (or single precision); default: ``float64`` unless a
        coefficient is complex or an op is ``y``.
    check_hermitian : bool
        Refuse a matrix with ``max|H - H^†| > 1e-12 max|H|`` (default True).

    Returns
    -------
    scipy.sparse.csr_matrix
        ``(dim, dim)``, canonical (sorted column indices, duplicates summed, no stored zeros).

    Raises
    ------
    InputError
        For a site outside the basis, a term that leaves the sector of a sector basis, a
        ``dtype`` that cannot hold the coefficients, or a non-Hermitian result;
        :class:`~mbl.errors.MemoryPlanError` when the matrix cannot fit in memory.

    Examples
    --------
    >>> from mbl.basis import SpinBasis
    >>> from mbl.operators import Term, build_csr
    >>> b = SpinBasis(2, 1)
    >>> H = build_csr(b, [Term("zz", [0, 1], 1.0), Term("+-", [0, 1], 0.5),
    ...                   Term("-+", [0, 1], 0.5)])
    >>> H.toarray().tolist()
    [[-0.25, 0.5], [0.5, -0.25]]
    """
    rows = _Rows(basis, terms)
    out_dtype = _resolve_dtype(dtype, rows.dtype)
    dim = basis.dim
    bound = _kernels.count_rows(basis.states, np.int64(rows.doff), rows.cmask, rows.cval,
                                rows.flip)
    idx_dtype = np.int32 if max(bound, dim) < 2**31 - 1 else np.int64
    per_entry = rows.dtype.itemsize + np.dtype(idx_dtype).itemsize
    need = bound * per_entry + np.dtype(idx_dtype).itemsize * (dim + 1)
    have = available_memory()
    if need > have:
        raise MemoryPlanError(
            f"the matrix of dimension {dim:,} has up to {bound:,} nonzeros and needs about "
            f"{format_bytes(need)} to build, but only {format_bytes(have)} is available; use "
            "as_linear_operator(basis, terms) (matrix-free) or a smaller system"
        )
    indptr = np.empty(dim + 1, dtype=idx_dtype)
    indices = np.empty(bound, dtype=idx_dtype)
    data = np.empty(bound, dtype=rows.dtype)
    buf_i = np.zeros(max(rows.n_offdiagonal, 1), dtype=np.int64)
    buf_v = np.zeros(max(rows.n_offdiagonal, 1), dtype=rows.dtype)
    nnz = _kernels.fill_csr(*rows.head, rows.val, buf_i, buf_v, indptr, indices, data)
    if nnz < 0.9 * bound:  # trim; a small excess stays allocated rather than copied
        indices = indices[:nnz].copy()
        data = data[:nnz].copy()
    H = sp.csr_matrix((data[:nnz], indices[:nnz], indptr), shape=(dim, dim), copy=False)
    H.has_sorted_indices = True
    H.has_canonical_format = True
    if check_hermitian:
        _check_hermitian(H)
    if H.dtype != out_dtype:
        H = H.astype(out_dtype)
    return H


def _check_hermitian(H: sp.csr_matrix) -> None:
    if H.nnz == 0:
        return
    scale = float(np.max(np.abs(H.data)))
    worst, i, j = _kernels.hermitian_defect(H.indptr, H.indices, H.data)
    if worst > HERMITIAN_RTOL * scale:
        raise InputError(
            f"the operator is not Hermitian: |H - H^dagger| = {worst:.3g} at (row {i}, column "
            f"{j}) while max|H| = {scale:.3g}; add the Hermitian conjugate of every off-diagonal "
            "term (e.g. '-+' for '+-', 'Cc' on (j, i) for 'Cc' on (i, j), conjugated "
            "coefficients), or pass check_hermitian=False"
        )


class _TermOperator(LinearOperator):
    """Matrix-free ``H @ x`` of a term list (see :func:`as_linear_operator`)."""

    def __init__(self, basis: SpinBasis, rows: _Rows, dtype: np.dtype) -> None:
        super().__init__(dtype=dtype, shape=(basis.dim, basis.dim))
        self.basis = basis
        self._head = rows.head
        self._val = rows.val.astype(dtype)
        self._val_conj = np.ascontiguousarray(self._val.conj())

    def _apply(self, kernel, val: np.ndarray, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        out_dtype = np.result_type(self.dtype, x.dtype)
        if out_dtype.kind not in "fc":
            out_dtype = np.dtype(np.float64)
        if x.ndim == 2:
            return np.column_stack([self._apply(kernel, val, x[:, k])
                                    for k in range(x.shape[1])]).astype(out_dtype, copy=False)
        x = np.ascontiguousarray(x.ravel(), dtype=out_dtype)
        out = np.zeros(self.shape[0], dtype=out_dtype)
        if val.size:
            kernel(*self._head, val, x, out, out_dtype.type(0))
        return out

    def _matvec(self, x: np.ndarray) -> np.ndarray:
        return self._apply(_kernels.matvec, self._val, x)

    def _rmatvec(self, x: np.ndarray) -> np.ndarray:
        return self._apply(_kernels.rmatvec, self._val_conj, x)

    def _adjoint(self) -> LinearOperator:
        return _AdjointTermOperator(self)


class _AdjointTermOperator(LinearOperator):
    def __init__(self, op: _TermOperator) -> None:
        super().__init__(dtype=op.dtype, shape=op.shape)
        self._op = op

    def _matvec(self, x: np.ndarray) -> np.ndarray:
        return self._op._rmatvec(x)

    def _rmatvec(self, x: np.ndarray) -> np.ndarray:
        return self._op._matvec(x)

    def _adjoint(self) -> LinearOperator:
        return self._op


def as_linear_operator(
    basis: SpinBasis,
    terms: Sequence[Term] | Term,
    *,
    dtype: np.dtype | type | str | None = None,
    check_hermitian: bool = True,
) -> LinearOperator:
    """Matrix-free operator of a sum of terms: ``H @ x`` without storing ``H``.

    Each product applies the terms to every basis state (numba, one thread); memory is the
    vectors only, so this reaches sizes where :func:`build_csr` does not fit (build the basis
    with ``plan="matrix-free"``).

    Parameters
    ----------
    basis : SpinBasis
    terms : Term or sequence of Term
    dtype : dtype, optional
        As for :func:`build_csr`; products with a complex vector are complex.
    check_hermitian : bool
        Refuse an operator for which ``<u, H v>`` and ``<H u, v>`` differ for two fixed random
        vectors beyond ``1e-10 |u| |H| |v|`` (default True; two extra products).

    Returns
    -------
    scipy.sparse.linalg.LinearOperator
        With ``matvec``, ``matmat`` and ``rmatvec``/``H.H`` (the adjoint).
    """
    rows = _Rows(basis, terms)
    out_dtype = _resolve_dtype(dtype, rows.dtype)
    op = _TermOperator(basis, rows, out_dtype)
    if check_hermitian and rows.val.size:
        rng = np.random.default_rng(0)
        u = rng.standard_normal(basis.dim)
        v = rng.standard_normal(basis.dim)
        if out_dtype.kind == "c":
            u = u + 1j * rng.standard_normal(basis.dim)
            v = v + 1j * rng.standard_normal(basis.dim)
        hu, hv = op.matvec(u), op.matvec(v)
        gap = abs(np.vdot(u, hv) - np.vdot(hu, v))
        scale = np.linalg.norm(u) * np.linalg.norm(v) * max(np.linalg.norm(hu) / np.linalg.norm(u),
                                                             np.linalg.norm(hv) / np.linalg.norm(v))
        if gap > 1e-10 * scale:
            raise InputError(
                f"the operator is not Hermitian: <u, H v> - <H u, v> = {gap:.3g} for random u, "
                f"v (scale {scale:.3g}); add the Hermitian conjugate of every off-diagonal "
                "term, or pass check_hermitian=False"
            )
    return op
