"""Hypothesis: random term lists equal their dense Kronecker-product matrices."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mbl.basis import SpinBasis
from mbl.operators import Term, as_linear_operator, build_csr

from .dense import dense, project

ALPHABET = "Iz+-xync C".replace(" ", "")
CONSERVING = ["zz", "+-", "-+", "nn", "Cc", "cC", "z", "n", "I", "+z-", "CCcc", "Ccn", "+-+-"]


@st.composite
def term_lists(draw, sector: bool):
    L = draw(st.integers(1, 5))
    terms = []
    for _ in range(draw(st.integers(1, 4))):
        if sector:
            op = draw(st.sampled_from(CONSERVING))
        else:
            op = "".join(draw(st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=4)))
        n = draw(st.integers(0, 4))
        sites = np.array(draw(st.lists(st.lists(st.integers(0, L - 1), min_size=len(op),
                                                max_size=len(op)), min_size=n, max_size=n)))
        coeffs = np.array(draw(st.lists(st.complex_numbers(max_magnitude=3, allow_nan=False,
                                                           allow_infinity=False),
                                        min_size=n, max_size=n)), dtype=complex)
        terms.append(Term(op, sites.reshape(n, len(op)), coeffs))
    n_up = draw(st.integers(0, L)) if sector else None
    return L, n_up, terms


def _check(L, n_up, terms):
    basis = SpinBasis(L, n_up)
    expected = project(dense(L, terms), basis.states)
    H = build_csr(basis, terms, dtype=complex, check_hermitian=False)
    np.testing.assert_allclose(H.toarray(), expected, atol=1e-12)
    op = as_linear_operator(basis, terms, dtype=complex, check_hermitian=False)
    x = np.random.default_rng(0).normal(size=basis.dim) + 0.5j
    np.testing.assert_allclose(op @ x, expected @ x, atol=1e-11)
    np.testing.assert_allclose(op.H @ x, expected.conj().T @ x, atol=1e-11)


@settings(max_examples=60, deadline=None)
@given(term_lists(sector=False))
def test_full_space_matches_dense(case):
    _check(*case)


@settings(max_examples=60, deadline=None)
@given(term_lists(sector=True))
def test_sector_matches_projected_dense(case):
    _check(*case)


@settings(max_examples=30, deadline=None)
@given(term_lists(sector=True))
def test_hermitian_part_is_accepted(case):
    """T + T^† always passes the Hermiticity check and is Hermitian."""
    L, n_up, terms = case
    adjoint = [Term(t.op[::-1].translate(str.maketrans("+-cC", "-+Cc")), t.sites[:, ::-1],
                    t.coeffs.conj()) for t in terms]
    H = build_csr(SpinBasis(L, n_up), terms + adjoint)
    assert abs(H - H.conj().T).max() <= 1e-12 * max(abs(H).max(), 1e-300)
