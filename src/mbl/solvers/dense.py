"""Full diagonalization with LAPACK (``scipy.linalg.eigh``)."""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from mbl._core.errors import InputError
from mbl.solvers.result import Eigenpairs, orthogonality_error, residual_norm


def _to_dense(H) -> np.ndarray:
    if sp.issparse(H):  # Fortran order: LAPACK then works in place, without another copy
        return H.toarray(order="F")
    if isinstance(H, np.ndarray):
        return np.array(H, dtype=float if np.isrealobj(H) else complex, order="F")
    raise InputError(
        f"dense diagonalization needs a numpy array or scipy.sparse matrix, got {type(H).__name__}"
        "; use method='shift_invert' for a LinearOperator"
    )


def dense(H, *, vectors: bool = False, check: bool = True) -> Eigenpairs:
    """All eigenvalues (and optionally eigenvectors) of a Hermitian matrix.

    Parameters
    ----------
    H : ndarray or scipy.sparse matrix, shape (N, N)
    vectors : bool
        Also compute the eigenvectors (columns of ``Eigenpairs.vectors``).
    check : bool
        Compute the residual and orthogonality of the vectors (cheap for sparse ``H``).
    """
    A = _to_dense(H)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise InputError(f"H must be square, got shape {A.shape}")
    if vectors:
        w, v = sla.eigh(A, overwrite_a=True, check_finite=False, driver="evd")
        del A
        res = residual_norm(H, w, v) if check else None
        orth = orthogonality_error(v) if check else None
        return Eigenpairs(w, v, res, orth, "dense", float(w[0]), float(w[-1]))
    w = sla.eigh(A, eigvals_only=True, overwrite_a=True, check_finite=False)
    return Eigenpairs(w, None, None, None, "dense", float(w[0]), float(w[-1]))
