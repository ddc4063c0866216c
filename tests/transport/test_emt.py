"""Effective-medium theory against the Kirchhoff solver: exact in d = 1, second order at weak
disorder in d = 2, 3 (with the bar's electrode factor), and Kirkpatrick's medium against its
own expansion."""

from __future__ import annotations

import numpy as np
import pytest

from mbl._core.errors import InputError
from mbl.transport.emt import bar_factor, kirkpatrick_emt, second_order_emt
from mbl.transport.network import lattice_bond_counts, lattice_conductivity


def test_one_dimensional_chain_is_the_harmonic_mean():
    g = np.random.default_rng(1).exponential(size=40)
    sigma, _ = lattice_conductivity(g, (41,))
    assert sigma == pytest.approx(1.0 / np.mean(1.0 / g), rel=1e-12)
    assert kirkpatrick_emt(g, 1) == pytest.approx(sigma, rel=1e-12)


@pytest.mark.parametrize("shape, samples", [((12, 12), 120), ((8, 8, 8), 30)])
def test_solver_agrees_with_second_order_emt_at_weak_disorder(shape, samples):
    # g = 1 + eps u, u uniform on [-1, 1]: sigma = <g> - c var/(d <g>) + O(eps^4) (the third
    # order vanishes for a symmetric distribution). The first-order term of the bar is the mean
    # of its axis-0 bonds; subtracting it leaves the second-order term with an O(eps^2) noise.
    d, eps = len(shape), 0.1
    c = bar_factor(shape)
    rng = np.random.default_rng(5)
    n_axis0 = lattice_bond_counts(shape)[0]
    second = []
    for _ in range(samples):
        g = 1.0 + eps * rng.uniform(-1, 1, sum(lattice_bond_counts(shape)))
        sigma, _ = lattice_conductivity(g, shape, solver="direct")
        second.append(sigma - g[:n_axis0].mean())
    second = np.array(second)
    expected = -c * (eps**2 / 3) / d  # var = eps^2 / 3, <g> = 1
    err = second.std(ddof=1) / np.sqrt(samples)
    # the errors resolve the bar factor c (the infinite-lattice term differs by 1 - c)
    assert err < 0.25 * (1 - c) * abs(expected)
    # fourth-order remainder: ~eps^2 relative, i.e. ~1e-2 of the term, below 4 errors here
    assert abs(second.mean() - expected) < 4 * err + 0.02 * abs(expected), (
        second.mean(), expected, err)


def test_bar_factor_tends_to_one():
    cs = [bar_factor((n, n)) for n in (6, 12, 24)]
    assert cs[0] < cs[1] < cs[2] < 1.0
    assert 1 - cs[2] < 0.5 * (1 - cs[1]) + 0.01  # ~1/n approach
    assert bar_factor((2, 5)) == 2.0  # no free node: every bond touches both electrodes


@pytest.mark.parametrize("d", [2, 3])
def test_kirkpatrick_matches_its_second_order_expansion(d):
    g = 1.0 + 0.02 * np.random.default_rng(2).uniform(-1, 1, 20000)
    ema, emt2 = kirkpatrick_emt(g, d), second_order_emt(g, d)
    var = g.var()
    assert abs(ema - emt2) < 0.05 * var / d  # they agree to second order (third ~ eps^3)
    assert emt2 < g.mean() and ema < g.mean()


def test_kirkpatrick_percolation_threshold():
    # bonds 1 with probability q, else 0: G_m = (d q - 1)/(d - 1) for q > 1/d, else 0
    for d, q in ((2, 0.7), (3, 0.5), (3, 0.3)):
        g, w = np.array([0.0, 1.0]), np.array([1 - q, q])
        expected = max((d * q - 1) / (d - 1), 0.0)
        assert kirkpatrick_emt(g, d, weights=w) == pytest.approx(expected, abs=1e-12)


def test_bad_input():
    with pytest.raises(InputError, match="d must"):
        second_order_emt([1.0], 4)
    with pytest.raises(InputError, match="conductance"):
        kirkpatrick_emt([-1.0, 1.0], 2)
    with pytest.raises(InputError, match="weights"):
        kirkpatrick_emt([1.0, 2.0], 2, weights=[1.0])
    with pytest.raises(InputError, match="layers"):
        bar_factor((1, 4))
