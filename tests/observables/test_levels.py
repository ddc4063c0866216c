"""Tests of :mod:`mbl.observables.levels`: gap ratios, their Poisson and GOE statistics, windows."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as stats

from mbl._core.errors import InputError
from mbl.observables import R_GOE, R_POISSON, gap_ratios, mean_gap_ratio, window


def poisson_cdf(r):
    """CDF of P(r) = 2 / (1 + r)^2 on [0, 1]."""
    return 2 * r / (1 + r)


def poisson_levels(rng, n):
    """Sorted uniform numbers: their spacings, normalized by the sum of a pair, are exactly
    uniform, so the gap ratio has the Poisson law for every n (no finite-size bias)."""
    return np.sort(rng.uniform(size=n))


def goe_levels(rng, n):
    A = rng.standard_normal((n, n))
    return np.linalg.eigvalsh(A + A.T)


def mean_and_se(per_sample):
    per_sample = np.asarray(per_sample)
    return per_sample.mean(), per_sample.std(ddof=1) / np.sqrt(per_sample.size)


def test_constants():
    assert R_POISSON == pytest.approx(0.386294, abs=1e-6)
    assert R_GOE == 0.5307


@pytest.mark.parametrize(
    ("energies", "expected"),
    [
        ([0.0, 1.0, 3.0, 4.0, 8.0], [0.5, 0.5, 0.25]),  # spacings 1, 2, 1, 4
        ([8.0, 0.0, 4.0, 1.0, 3.0], [0.5, 0.5, 0.25]),  # unsorted input is sorted first
        ([-1.0, 0.0, 1.0], [1.0]),
        ([0.0, 0.0, 0.0, 2.0], [np.nan, 0.0]),  # two zero spacings: undefined
        ([0.0, 1.0], []),
        ([], []),
    ],
)
def test_gap_ratios_by_hand(energies, expected):
    np.testing.assert_array_equal(gap_ratios(np.array(energies)), np.array(expected))


def test_gap_ratios_refuses_2d():
    with pytest.raises(InputError, match="one-dimensional"):
        gap_ratios(np.zeros((3, 3)))


def test_gap_ratios_are_scale_and_shift_invariant():
    e = np.sort(np.random.default_rng(0).normal(size=50))
    np.testing.assert_allclose(gap_ratios(3.5 * e - 2), gap_ratios(e), rtol=1e-12)


def test_poisson_mean_gap_ratio():
    rng = np.random.default_rng(10)
    means = [np.mean(gap_ratios(poisson_levels(rng, 5000))) for _ in range(200)]
    mean, se = mean_and_se(means)
    assert se < 0.001
    assert abs(mean - R_POISSON) < 4 * se, (mean, se)


def test_poisson_gap_ratio_distribution():
    """KS test of P(r) = 2/(1+r)^2; ratios r_0, r_2, r_4, ... share no spacing, so they are
    independent. The same test has the power to reject GOE ratios."""
    rng = np.random.default_rng(11)
    r = np.concatenate([gap_ratios(poisson_levels(rng, 2001))[::2] for _ in range(10)])
    assert r.size == 10_000
    assert stats.kstest(r, poisson_cdf).pvalue > 1e-3
    r_goe = np.concatenate([gap_ratios(goe_levels(rng, 200)[50:150])[::2] for _ in range(20)])
    assert stats.kstest(r_goe, poisson_cdf).pvalue < 1e-6


def test_goe_mean_gap_ratio():
    """Central half of GOE spectra, N = 400: <r> = 0.5307 (Atas et al. 2013)."""
    rng = np.random.default_rng(12)
    means = [np.mean(gap_ratios(goe_levels(rng, 400)[100:300])) for _ in range(256)]
    mean, se = mean_and_se(means)
    assert se < 0.0015  # so that 4 sigma stays inside the +-0.005 tolerance
    assert abs(mean - R_GOE) < 0.005, (mean, se)
    assert abs(mean - R_POISSON) > 100 * se


@pytest.mark.parametrize(
    ("n", "target", "fraction", "expected"),
    [
        (100, 50.0, 0.1, slice(45, 55)),  # on a level: it is the middle of the window
        (101, 50.0, 0.11, slice(45, 56)),  # odd size: symmetric around it
        (101, 50.2, 0.11, slice(45, 56)),  # between levels: centred on the nearest, 50
        (101, 50.8, 0.11, slice(46, 57)),  # nearest is 51
        (100, -7.0, 0.2, slice(0, 20)),  # clipped at the bottom
        (100, 2.0, 0.2, slice(0, 20)),
        (100, 97.0, 0.2, slice(80, 100)),  # clipped at the top
        (100, 1e9, 0.2, slice(80, 100)),
        (100, 30.0, 1.0, slice(0, 100)),
        (100, 30.0, 0.001, slice(29, 32)),  # never fewer than 3 levels
        (2, 0.0, 0.5, slice(0, 2)),  # but never more than there are
    ],
)
def test_window_by_hand(n, target, fraction, expected):
    assert window(np.arange(float(n)), target, fraction) == expected


@pytest.mark.parametrize("seed", range(5))
def test_window_properties(seed):
    rng = np.random.default_rng(seed)
    e = np.sort(rng.normal(size=rng.integers(50, 500)))
    fraction = rng.uniform(0.05, 0.6)
    target = rng.uniform(-0.5, 0.5)
    sel = window(e, target, fraction)
    inside = e[sel]
    assert inside.size == round(fraction * e.size)
    nearest = e[np.argmin(np.abs(e - target))]
    assert nearest in inside
    below, above = np.sum(inside < nearest), np.sum(inside > nearest)
    assert abs(below - above) <= 1  # centred (not clipped this close to the middle)


@pytest.mark.parametrize("fraction", [0.0, -0.1, 1.5])
def test_window_refuses_bad_fraction(fraction):
    with pytest.raises(InputError, match="fraction in"):
        window(np.arange(10.0), 5.0, fraction)


def test_mean_gap_ratio_is_the_mean_over_the_window():
    rng = np.random.default_rng(3)
    e = np.sort(rng.uniform(size=300))
    expected = np.mean(gap_ratios(e[window(e, 0.4, 0.3)]))
    assert mean_gap_ratio(e, 0.4, 0.3) == expected
    assert mean_gap_ratio(rng.permutation(e), 0.4, 0.3) == expected  # order of input irrelevant
