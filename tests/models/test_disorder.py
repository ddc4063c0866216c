"""Tests of :mod:`mbl.models.disorder`: the three distributions of docs/conventions.md §2.

Every moment or quantile is compared with its exact value within 4 standard errors, and the
standard error is required to be small enough that a wrong convention (a factor 2 in the
width) would fail by far.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as stats

from mbl._core.errors import InputError
from mbl.models import DISTRIBUTIONS, Anderson, draw_onsite

N = 200_000
W = 3.0


def assert_close(value, exact, se, *, rel_se):
    """|value - exact| < 4 se, with se below rel_se * |exact| (or rel_se * W for exact = 0)."""
    assert se < rel_se * (abs(exact) if exact else W), f"standard error {se} too large"
    pull = abs(value - exact) / se
    assert pull < 4, f"{value} differs from {exact} by {pull:.1f} sigma"


def draws(kind, seed=11):
    return draw_onsite(kind, W, N, np.random.default_rng(seed))


def test_box_mean_variance_support():
    x = draws("box")
    assert np.all((x >= -W / 2) & (x <= W / 2))
    assert x.min() < -W / 2 + 1e-3 and x.max() > W / 2 - 1e-3  # the support is filled
    assert_close(x.mean(), 0.0, W / np.sqrt(12 * N), rel_se=0.01)
    # Var(x^2) for U[-W/2, W/2] is W^4/80 - W^4/144 = W^4/180
    assert_close(x.var(), W**2 / 12, np.sqrt(W**4 / 180 / N), rel_se=0.01)


def test_gaussian_std_is_box_std():
    x = draws("gaussian")
    sigma = W / np.sqrt(12)
    assert_close(x.mean(), 0.0, sigma / np.sqrt(N), rel_se=0.01)
    assert_close(x.std(), sigma, sigma / np.sqrt(2 * N), rel_se=0.01)


def test_cauchy_median_and_half_width():
    """Half width W/2 at half maximum: quartiles at -W/2 and +W/2, so IQR = W."""
    x = draws("cauchy")
    gamma = W / 2
    q1, med, q3 = np.quantile(x, [0.25, 0.5, 0.75])
    # asymptotic standard errors of sample quantiles, f(0) = 1/(pi gamma), f(+-gamma) = f(0)/2
    assert_close(med, 0.0, np.pi * gamma / (2 * np.sqrt(N)), rel_se=0.01)
    assert_close(q3 - q1, W, np.pi * gamma / np.sqrt(N), rel_se=0.01)


@pytest.mark.parametrize(
    ("kind", "dist"),
    [
        ("box", stats.uniform(-W / 2, W)),
        ("gaussian", stats.norm(0, W / np.sqrt(12))),
        ("cauchy", stats.cauchy(0, W / 2)),
    ],
)
def test_whole_distribution_ks(kind, dist):
    """Kolmogorov-Smirnov against the exact law; the same test refuses a width off by 20%."""
    x = draws(kind, seed=3)[:20_000]
    assert stats.kstest(x, dist.cdf).pvalue > 1e-3
    assert stats.kstest(1.2 * x, dist.cdf).pvalue < 1e-6


@pytest.mark.parametrize("kind", DISTRIBUTIONS)
def test_zero_width_is_clean_and_seed_is_deterministic(kind):
    assert np.all(draw_onsite(kind, 0.0, 10, np.random.default_rng(0)) == 0)
    a, b = (draw_onsite(kind, W, 50, np.random.default_rng(4)) for _ in range(2))
    np.testing.assert_array_equal(a, b)
    model = Anderson(shape=(50,), W=W, disorder=kind)
    np.testing.assert_array_equal(model.hamiltonian(rng=np.random.default_rng(4)).diagonal(), a)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("box", -1.0, 3, np.random.default_rng(0)), "W must be >= 0"),
        (("lorentz", 1.0, 3, np.random.default_rng(0)), "unknown disorder distribution 'lorentz'"),
        (("box", 1.0, 3, 42), "numpy.random.Generator"),
    ],
)
def test_draw_errors(args, match):
    with pytest.raises(InputError, match=match):
        draw_onsite(*args)
