"""Spinless fermions with Jordan-Wigner signs: free-fermion spectra, dense references."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from mbl.basis import SpinBasis
from mbl.operators import Term, build_csr

from .dense import dense, project

T = 1.0


def many_body_levels(eps: np.ndarray, N: int) -> np.ndarray:
    """Sorted sums of N distinct single-particle energies."""
    return np.sort([sum(c) for c in combinations(eps, N)]) if N else np.zeros(1)


def hopping(L: int, periodic: bool, op: str = "Cc") -> list[Term]:
    """-t sum_i (op_{i, i+1} + op_{i+1, i}), with the bond (L-1, 0) when periodic."""
    b = np.array([(i, (i + 1) % L) for i in range(L if periodic else L - 1)])
    return [Term(op, b, -T), Term(op, b[:, ::-1], -T)]


def levels(L: int, N: int, terms) -> np.ndarray:
    return np.linalg.eigvalsh(build_csr(SpinBasis(L, N), terms).toarray())


@pytest.mark.parametrize("L", [7, 8])
def test_open_chain_is_free(L):
    eps = -2 * T * np.cos(np.pi * np.arange(1, L + 1) / (L + 1))
    for N in range(L + 1):
        np.testing.assert_allclose(levels(L, N, hopping(L, False)), many_body_levels(eps, N),
                                   atol=1e-12)


@pytest.mark.parametrize("L", [7, 8])
def test_fermion_ring_is_periodic_for_every_N(L):
    """'Cc' across the boundary is c†_{L-1} c_0 with its JW sign: a periodic fermion ring."""
    eps = -2 * T * np.cos(2 * np.pi * np.arange(L) / L)
    for N in range(L + 1):
        np.testing.assert_allclose(levels(L, N, hopping(L, True)), many_body_levels(eps, N),
                                   atol=1e-12)


@pytest.mark.parametrize("L", [7, 8])
def test_spin_ring_is_periodic_for_odd_and_antiperiodic_for_even_N(L):
    """The XX spin ring maps to fermions whose boundary sign is (-1)^(N-1)."""
    k_p = 2 * np.pi * np.arange(L) / L
    for N in range(L + 1):
        k = k_p if N % 2 else k_p + np.pi / L
        np.testing.assert_allclose(levels(L, N, hopping(L, True, "+-")),
                                   many_body_levels(-2 * T * np.cos(k), N), atol=1e-12)


def test_boundary_bond_sign_by_hand():
    """c†_3 c_0 and c†_0 c_3 on 4 sites: sign (-1)^(occupation of sites 1 and 2)."""
    basis = SpinBasis(4)
    forward = build_csr(basis, Term("Cc", [3, 0], 1.0), check_hermitian=False).todok()
    assert dict(forward.items()) == {(0b1000, 0b0001): 1.0, (0b1010, 0b0011): -1.0,
                                     (0b1100, 0b0101): -1.0, (0b1110, 0b0111): 1.0}
    backward = build_csr(basis, Term("Cc", [0, 3], 1.0), check_hermitian=False)
    assert (backward != forward.T).nnz == 0
    sector = build_csr(SpinBasis(4, 2), Term("Cc", [3, 0], 1.0), check_hermitian=False)
    b2 = SpinBasis(4, 2)
    assert sector[b2.index(0b1010), b2.index(0b0011)] == -1.0 and sector.nnz == 2


@pytest.mark.parametrize("n_up", [None, 2, 3])
def test_interacting_terms_against_dense(n_up):
    """Hopping at all ranges, density-density, pair hopping 'CCcc' and its conjugate."""
    L = 5
    rng = np.random.default_rng(7)
    pairs = np.array([(i, j) for i in range(L) for j in range(L) if i != j])
    t = rng.normal(size=len(pairs)) + 1j * rng.normal(size=len(pairs))
    quads = np.array([(0, 3, 1, 4), (2, 4, 0, 1), (1, 2, 3, 0)])
    g = rng.normal(size=3) + 1j * rng.normal(size=3)
    terms = [
        Term("Cc", pairs, t),
        Term("Cc", pairs[:, ::-1], t.conj()),
        Term("nn", [(0, 2), (1, 4)], [0.7, -1.1]),
        Term("n", np.arange(L), rng.normal(size=L)),
        Term("CCcc", quads, g),
        Term("CCcc", quads[:, ::-1], g.conj()),
    ]
    basis = SpinBasis(L, n_up)
    H = build_csr(basis, terms)
    np.testing.assert_allclose(H.toarray(), project(dense(L, terms), basis.states), atol=1e-13)


def test_anticommutation():
    """{c_i, c†_j} = delta_ij and {c_i, c_j} = 0 in the full space."""
    L = 4
    basis = SpinBasis(L)
    for i in range(L):
        for j in range(L):
            acomm = build_csr(basis, [Term("cC", [i, j], 1.0), Term("Cc", [j, i], 1.0)],
                              check_hermitian=False).toarray()
            np.testing.assert_array_equal(acomm, np.eye(2**L) * (i == j))
            cc = build_csr(basis, [Term("cc", [i, j], 1.0), Term("cc", [j, i], 1.0)],
                           check_hermitian=False)
            assert cc.nnz == 0
