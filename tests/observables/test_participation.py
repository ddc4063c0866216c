"""Tests of :mod:`mbl.observables.participation`: exact limits, orderings, GOE value of KL."""

from __future__ import annotations

import numpy as np
import pytest

from mbl._core.errors import InputError
from mbl.observables.eigenstates import participation_ratio
from mbl.observables.participation import (
    KL_FLOOR,
    kl_divergence_neighbours,
    participation_entropies,
)

QS = (0.5, 1, 2, 3, np.inf)


def goe_eigenvectors(rng: np.random.Generator, D: int) -> np.ndarray:
    H = rng.standard_normal((D, D))
    return np.linalg.eigh(H + H.T)[1]


@pytest.mark.parametrize("D", [1, 5, 64])
def test_basis_vector_has_zero_entropies(D):
    V = np.zeros((D, 3), dtype=complex)
    V[0, 0] = 1.0
    V[D - 1, 1] = 1j
    V[D // 2, 2] = -2.5  # not normalized
    S = participation_entropies(V, qs=QS)
    for q in QS:
        np.testing.assert_array_equal(S[q], 0.0)


@pytest.mark.parametrize("D", [1, 7, 500])
def test_uniform_vector_has_ln_D_for_every_q(D):
    rng = np.random.default_rng(D)
    V = np.column_stack([np.ones(D), np.exp(2j * np.pi * rng.random(D)), np.full(D, -3.0)])
    S = participation_entropies(V, qs=QS)
    for q in QS:
        np.testing.assert_allclose(S[q], np.log(D), rtol=1e-13, atol=1e-14)


def test_entropies_decrease_with_q_and_match_participation_ratio():
    rng = np.random.default_rng(1)
    V = np.column_stack([goe_eigenvectors(rng, 100)[:, ::10], rng.exponential(size=(100, 10))])
    V[:50, -1] = 0.0  # exact zeros are fine
    S = participation_entropies(V, qs=QS)
    assert np.all(S[np.inf] <= S[3] + 1e-12)
    assert np.all(S[3] <= S[2] + 1e-12)
    assert np.all(S[2] <= S[1] + 1e-12)
    assert np.all(S[1] <= S[0.5] + 1e-12)
    assert np.all(S[0.5] <= np.log(100) + 1e-12)
    np.testing.assert_allclose(S[2], np.log(participation_ratio(V)), rtol=1e-12)
    # q close to 1 approaches the Shannon entropy
    near = participation_entropies(V, qs=(1 + 1e-7,))[1 + 1e-7]
    np.testing.assert_allclose(near, S[1], rtol=1e-5)


def test_two_state_values():
    V = np.sqrt(np.array([[0.5, 0.25], [0.5, 0.75]]))
    S = participation_entropies(V[:, 1:], qs=(1, 2, np.inf))
    assert S[1][0] == pytest.approx(-(0.25 * np.log(0.25) + 0.75 * np.log(0.75)), rel=1e-14)
    assert S[2][0] == pytest.approx(-np.log(0.25**2 + 0.75**2), rel=1e-14)
    assert S[np.inf][0] == pytest.approx(-np.log(0.75), rel=1e-14)
    kl = kl_divergence_neighbours(V)
    assert kl.shape == (1,)
    assert kl[0] == pytest.approx(0.5 * np.log(2) + 0.5 * np.log(0.5 / 0.75), rel=1e-14)


def test_shapes_and_keys():
    rng = np.random.default_rng(2)
    V = rng.standard_normal((30, 6))
    S = participation_entropies(V)
    assert set(S) == {1, 2, np.inf}
    assert all(s.shape == (6,) for s in S.values())
    assert S[1.0] is S[1]
    s1 = participation_entropies(V[:, 0], qs=(2,))
    assert np.ndim(s1[2]) == 0 and s1[2] == pytest.approx(S[2][0], rel=1e-14)
    assert kl_divergence_neighbours(V).shape == (5,)
    assert kl_divergence_neighbours(V[:, :1]).shape == (0,)


def test_kl_is_zero_for_equal_states_and_finite_with_zeros():
    rng = np.random.default_rng(4)
    v = rng.standard_normal(20)
    np.testing.assert_allclose(
        kl_divergence_neighbours(np.column_stack([v, -v, 2j * v])), 0.0, atol=1e-15
    )
    # disjoint supports: p ln(p / floor) with the documented floor, no inf or nan
    V = np.zeros((4, 2))
    V[:2, 0] = 1.0
    V[2:, 1] = 1.0
    assert kl_divergence_neighbours(V)[0] == pytest.approx(np.log(0.5 / KL_FLOOR), rel=1e-14)
    # zeros in the first state contribute nothing
    V = np.array([[1.0, 1.0], [0.0, 1.0]])
    assert kl_divergence_neighbours(V)[0] == pytest.approx(np.log(2), rel=1e-14)


def test_goe_eigenvectors_have_mean_kl_two():
    """Porter-Thomas components: <KL> = 2 (2 - 2/D for independent random unit vectors)."""
    rng = np.random.default_rng(2015)
    D, samples = 500, 10
    means = np.array(
        [kl_divergence_neighbours(goe_eigenvectors(rng, D)).mean() for _ in range(samples)]
    )
    mean, err = means.mean(), means.std(ddof=1) / np.sqrt(samples)
    assert err < 0.005
    assert abs(mean - 2.0) < 4 * err + 2.0 / D


def test_localized_eigenvectors_have_large_kl_and_small_entropies():
    """Strong diagonal disorder: eigenvectors sit near one basis state each."""
    rng = np.random.default_rng(6)
    D = 300
    H = rng.standard_normal((D, D))
    H = 0.001 * (H + H.T) + np.diag(rng.uniform(-50, 50, D))
    V = np.linalg.eigh(H)[1]
    assert kl_divergence_neighbours(V).mean() > 5  # GOE: 2
    assert participation_entropies(V, qs=(2,))[2].mean() < 0.5


def test_bad_input_is_refused():
    V = np.eye(4)
    with pytest.raises(InputError, match="q > 0"):
        participation_entropies(V, qs=(0,))
    with pytest.raises(InputError, match="q > 0"):
        participation_entropies(V, qs=(-1, 2))
    with pytest.raises(InputError, match="iterable"):
        participation_entropies(V, qs=("a",))
    with pytest.raises(InputError, match="zero"):
        participation_entropies(np.zeros((4, 2)))
    with pytest.raises(InputError, match="columns"):
        participation_entropies(np.zeros((2, 2, 2)))
    with pytest.raises(InputError, match=r"\(dim, k\)"):
        kl_divergence_neighbours(np.ones(4))
    with pytest.raises(InputError, match="zero"):
        kl_divergence_neighbours(np.column_stack([np.ones(4), np.zeros(4)]))
