"""The matrix-free LinearOperator equals the CSR matrix."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse.linalg as sla

from mbl.basis import SpinBasis
from mbl.operators import Term, as_linear_operator, build_csr


def xxz(L: int, h: np.ndarray) -> list[Term]:
    b = np.array([(i, (i + 1) % L) for i in range(L)])
    return [Term("+-", b, 0.5), Term("-+", b, 0.5), Term("zz", b, 1.0),
            Term("z", np.arange(L), h)]


@pytest.mark.parametrize("n_up", [None, 3, 5])
def test_matvec_equals_csr(n_up):
    L = 10
    rng = np.random.default_rng(1)
    terms = xxz(L, rng.uniform(-3, 3, L))
    basis = SpinBasis(L, n_up)
    H = build_csr(basis, terms)
    op = as_linear_operator(basis, terms)
    assert op.shape == H.shape and op.dtype == np.float64
    x = rng.normal(size=basis.dim)
    np.testing.assert_allclose(op @ x, H @ x, atol=1e-12)
    np.testing.assert_allclose(op.H @ x, H @ x, atol=1e-12)
    X = rng.normal(size=(basis.dim, 3)) + 1j * rng.normal(size=(basis.dim, 3))
    np.testing.assert_allclose(op @ X, H @ X, atol=1e-12)
    np.testing.assert_allclose(op.matvec(X[:, :1]), H @ X[:, :1], atol=1e-12)


def test_complex_and_non_hermitian_adjoint():
    L = 8
    rng = np.random.default_rng(2)
    pairs = np.array([(i, (i + 3) % L) for i in range(L)])
    terms = [Term("Cc", pairs, rng.normal(size=L) + 1j * rng.normal(size=L)),
             Term("y", [1], 0.4), Term("x", [6], 1.0), Term("nz", [(2, 5)], -0.3)]
    basis = SpinBasis(L)
    H = build_csr(basis, terms, check_hermitian=False)
    op = as_linear_operator(basis, terms, check_hermitian=False)
    assert op.dtype == np.complex128
    x = rng.normal(size=basis.dim) + 1j * rng.normal(size=basis.dim)
    np.testing.assert_allclose(op @ x, H @ x, atol=1e-12)
    np.testing.assert_allclose(op.rmatvec(x), H.conj().T @ x, atol=1e-12)
    np.testing.assert_allclose(op.H.H @ x, H @ x, atol=1e-12)


def test_eigsh_agrees():
    L = 12
    h = np.random.default_rng(4).uniform(-1, 1, L)
    basis = SpinBasis.from_sz(L, 0, plan="matrix-free")
    op = as_linear_operator(basis, xxz(L, h))
    H = build_csr(basis, xxz(L, h))
    v0 = np.ones(basis.dim)
    e_op = sla.eigsh(op, k=3, which="SA", v0=v0, return_eigenvectors=False)
    e_csr = sla.eigsh(H, k=3, which="SA", v0=v0, return_eigenvectors=False)
    np.testing.assert_allclose(np.sort(e_op), np.sort(e_csr), atol=1e-10)
