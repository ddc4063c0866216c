"""Spin operators: Heisenberg dimer, XXZ chains against dense Kronecker products, sectors."""

from __future__ import annotations

import numpy as np
import pytest

from mbl.basis import SpinBasis
from mbl.operators import Term, build_csr

from .dense import dense, project


def bonds(L: int, bc: str) -> np.ndarray:
    n = L if bc == "periodic" else L - 1
    return np.array([(i, (i + 1) % L) for i in range(n)])


def xxz_terms(L: int, J: float, Delta: float, h: np.ndarray, bc: str) -> list[Term]:
    """J sum (S^x S^x + S^y S^y + Delta S^z S^z) + sum h_i S^z_i via S^+ S^- + S^- S^+."""
    b = bonds(L, bc)
    return [Term("+-", b, 0.5 * J), Term("-+", b, 0.5 * J), Term("zz", b, J * Delta),
            Term("z", np.arange(L), h)]


def xxz_dense(L: int, J: float, Delta: float, h: np.ndarray, bc: str) -> np.ndarray:
    """The same Hamiltonian with S^x, S^y, S^z written out (no S^+/S^- anywhere)."""
    b = bonds(L, bc)
    terms = [Term("xx", b, J), Term("yy", b, J), Term("zz", b, J * Delta),
             Term("z", np.arange(L), h)]
    return dense(L, terms)


def test_heisenberg_dimer():
    """S_0 . S_1 on two sites: singlet -3/4 and triplet +1/4; S^z = 0 holds one of each."""
    terms = [Term("zz", [0, 1], 1.0), Term("+-", [0, 1], 0.5), Term("-+", [0, 1], 0.5)]
    H = build_csr(SpinBasis.from_sz(2, 0), terms)
    assert H.dtype == np.float64 and H.shape == (2, 2)
    assert np.allclose(np.linalg.eigvalsh(H.toarray()), [-0.75, 0.25])
    full = np.linalg.eigvalsh(build_csr(SpinBasis(2), terms).toarray())
    assert np.allclose(full, [-0.75, 0.25, 0.25, 0.25])


@pytest.mark.parametrize("bc", ["open", "periodic"])
@pytest.mark.parametrize("L", [3, 6, 8])
def test_xxz_sectors_equal_projected_dense(L, bc):
    rng = np.random.default_rng(L)
    J, Delta, h = 1.3, 0.7, rng.uniform(-2, 2, L)
    H_full = xxz_dense(L, J, Delta, h, bc)
    assert np.allclose(H_full.imag, 0)
    terms = xxz_terms(L, J, Delta, h, bc)
    for n in range(L + 1):
        basis = SpinBasis(L, n)
        H = build_csr(basis, terms)
        assert H.has_canonical_format
        np.testing.assert_allclose(H.toarray(), project(H_full, basis.states).real, atol=1e-13)
    np.testing.assert_allclose(build_csr(SpinBasis(L), terms).toarray(), H_full.real,
                               atol=1e-13)


def test_sector_spectra_union_is_full_spectrum():
    L = 8
    rng = np.random.default_rng(3)
    terms = xxz_terms(L, 1.0, 1.0, rng.uniform(-1, 1, L), "periodic")
    parts = [np.linalg.eigvalsh(build_csr(SpinBasis(L, n), terms).toarray())
             for n in range(L + 1)]
    full = np.linalg.eigvalsh(build_csr(SpinBasis(L), terms).toarray())
    np.testing.assert_allclose(np.sort(np.concatenate(parts)), full, atol=1e-12)


def test_diagonal_and_repeated_sites():
    """'+-' on (i, i) is n_i = S^z_i + 1/2; 'zz' on (i, i) is 1/4; 'I' is a constant."""
    basis = SpinBasis(4, 2)
    n_op = build_csr(basis, Term("+-", [[1, 1]], 1.0)).toarray()
    expected = np.diag((basis.states >> 1 & 1).astype(float))
    np.testing.assert_array_equal(n_op, expected)
    np.testing.assert_array_equal(build_csr(basis, Term("zz", [[2, 2]], 4.0)).toarray(),
                                  np.eye(basis.dim))
    np.testing.assert_array_equal(build_csr(basis, Term("I", [0], 2.5)).toarray(),
                                  2.5 * np.eye(basis.dim))
    zero = build_csr(basis, [Term("z", [0, 1], [1.0, -1.0]), Term("z", [1, 0], [1.0, -1.0])])
    assert zero.nnz == 0  # exact cancellations are not stored


def test_full_space_spin_flips_and_s_y():
    """S^x and S^y (complex) in the full space, against Kronecker products."""
    L = 4
    terms = [Term("x", np.arange(L), [0.3, -0.2, 0.5, 1.0]), Term("y", [[0], [2]], [0.7, 0.1]),
             Term("yz", [[1, 3]], 2.0), Term("+", [2], 0.25), Term("-", [2], 0.25)]
    H = build_csr(SpinBasis(L), terms)
    assert H.dtype == np.complex128
    np.testing.assert_allclose(H.toarray(), dense(L, terms), atol=1e-14)
