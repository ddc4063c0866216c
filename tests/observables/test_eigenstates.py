"""Tests of :mod:`mbl.observables.eigenstates` and :mod:`mbl.observables.dos`."""

from __future__ import annotations

import numpy as np
import pytest

from mbl._core.errors import InputError
from mbl.models import Anderson
from mbl.observables import density_of_states, ipr, participation_ratio
from mbl.solvers import solve


@pytest.mark.parametrize("N", [1, 7, 64])
def test_ipr_of_delta_and_uniform_vectors(N):
    delta = np.zeros(N)
    delta[N // 2] = 1.0
    V = np.column_stack([delta, np.full(N, 1 / np.sqrt(N)), np.full(N, 5.0), 3j * delta])
    np.testing.assert_allclose(ipr(V), [1.0, 1 / N, 1 / N, 1.0], rtol=1e-14)
    np.testing.assert_allclose(participation_ratio(V), [1.0, N, N, 1.0], rtol=1e-14)


def test_ipr_of_a_state_on_m_sites_is_1_over_m():
    rng = np.random.default_rng(0)
    v = np.zeros(30)
    v[rng.choice(30, size=6, replace=False)] = rng.choice([-1.0, 1.0], size=6)
    assert ipr(v[:, None])[0] == pytest.approx(1 / 6, rel=1e-14)


@pytest.mark.parametrize("L", [6, 10, 21, 40])
def test_clean_open_chain_participation_ratio(L):
    """psi_k(j) ~ sin(pi k j / (L + 1)): PR = 2 (L + 1) / 3 exactly, except for the state
    with k = (L + 1)/2 (E = 0, odd L only), where sum_j sin^4 changes and PR = (L + 1) / 2."""
    H = Anderson(shape=(L,), W=0.0, bc="open").hamiltonian(onsite=np.zeros(L))
    res = solve(H, vectors=True)
    expected = np.full(L, 2 * (L + 1) / 3)
    if L % 2:
        expected[L // 2] = (L + 1) / 2
    np.testing.assert_allclose(participation_ratio(res.vectors), expected, rtol=1e-10)


@pytest.mark.parametrize(
    ("e_min", "e_max", "bins"), [(None, None, 1), (None, None, 13), (-5.0, 5.0, 40)]
)
def test_density_of_states_integrates_to_one(e_min, e_max, bins):
    e = np.random.default_rng(1).normal(size=1000)
    centres, rho = density_of_states(e, bins=bins, e_min=e_min, e_max=e_max)
    assert centres.shape == rho.shape == (bins,)
    width = np.diff(centres).mean() if bins > 1 else e.max() - e.min()
    assert np.all(np.diff(centres) > 0) and np.all(rho >= 0)
    assert np.sum(rho) * width == pytest.approx(1.0, rel=1e-12)


def test_density_of_states_of_a_clean_chain():
    """rho(E) = 1 / (pi sqrt(4 - E^2)): the count in each bin is that integral within 1 level."""
    L, bins = 4000, 20
    e = -2 * np.cos(np.pi * np.arange(1, L + 1) / (L + 1))
    centres, rho = density_of_states(e, bins=bins, e_min=-2.0, e_max=2.0)
    edges = np.linspace(-2, 2, bins + 1)
    exact = np.diff(np.arcsin(edges / 2) / np.pi)  # integral of rho over each bin
    np.testing.assert_allclose(rho * np.diff(edges), exact, atol=1.5 / L)


def test_density_of_states_refuses_zero_bins():
    with pytest.raises(InputError, match="bins must be >= 1"):
        density_of_states(np.arange(5.0), bins=0)
