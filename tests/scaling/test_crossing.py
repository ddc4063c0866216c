"""Tests of :mod:`mbl.scaling.crossing`."""

from __future__ import annotations

import numpy as np
import pytest

from mbl._core.errors import InputError
from mbl.scaling import Crossing, crossing, mean_and_error, pairwise_crossings

X = np.linspace(12.0, 20.0, 11)


def samples(mean: np.ndarray, sigma: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """Gaussian samples of shape (nx, n) around the curve ``mean``."""
    return mean[:, None] + sigma * rng.standard_normal((mean.size, n))


def linear_pair(rng, sigma=0.01, n_a=200, n_b=200, x=X):
    """Curves 0.5 + 0.1 (x - 16) and 0.5 + 0.2 (x - 16): they cross at x = 16."""
    return samples(0.5 + 0.1 * (x - 16), sigma, n_a, rng), samples(
        0.5 + 0.2 * (x - 16), sigma, n_b, rng
    )


def test_linear_curves_cross_at_16():
    rng = np.random.default_rng(1)
    y_a, y_b = linear_pair(rng)
    c = crossing(X, y_a, y_b, rng=rng)
    assert isinstance(c, Crossing)
    assert c.degree == 2 and c.n_boot == 1000 and c.n_failed == 0
    assert 0 < c.error < 0.01
    assert abs(c.x - 16) < 4 * c.error
    assert c.interval[0] < c.x < c.interval[1]
    assert c.interval[1] - c.interval[0] < 6 * c.error


def test_linear_error_matches_least_squares_prediction():
    # Straight-line fits: the difference at the centre has variance 2 s^2 / nx with
    # s = sigma / sqrt(n) the error of one mean; divided by the slope difference 0.1 it is
    # the crossing error (linear error propagation, exact up to O(error^2) here).
    rng = np.random.default_rng(2)
    sigma, n = 0.05, 200
    y_a, y_b = linear_pair(rng, sigma=sigma, n_a=n, n_b=n)
    c = crossing(X, y_a, y_b, rng=rng, degree=1)
    predicted = np.sqrt(2 / X.size) * sigma / np.sqrt(n) / 0.1
    # 1000 replicas estimate a std to ~2%; the fitted weights add a few percent more.
    assert 0.85 < c.error / predicted < 1.15
    assert abs(c.x - 16) < 4 * predicted


def test_bootstrap_error_is_calibrated():
    # Repeat an experiment with known crossing (x_c = 15) and compare the scatter of the
    # estimates with the reported errors. With 30 repetitions the empirical std has a relative
    # standard error of 1 / sqrt(2 * 29) ~ 13%, so [0.6, 1.6] is a > 3 sigma band.
    x = np.linspace(10.0, 20.0, 9)
    curve_a = 0.45 + 0.04 * (x - 15) - 0.002 * (x - 15) ** 2
    curve_b = 0.45 + 0.07 * (x - 15) - 0.003 * (x - 15) ** 2
    estimates, errors, covered = [], [], 0
    for seed in range(30):
        rng = np.random.default_rng(seed)
        y_a, y_b = samples(curve_a, 0.1, 100, rng), samples(curve_b, 0.1, 100, rng)
        c = crossing(x, y_a, y_b, rng=rng, n_boot=300)
        estimates.append(c.x)
        errors.append(c.error)
        covered += c.interval[0] <= 15 <= c.interval[1]
    ratio = np.std(estimates, ddof=1) / np.mean(errors)
    assert 0.6 < ratio < 1.6
    assert abs(np.mean(estimates) - 15) < 4 * np.std(estimates, ddof=1) / np.sqrt(30)
    # Coverage of the 95% interval: expected 28.5 of 30, binomial std ~ 1.2.
    assert covered >= 24


def test_noisy_points_are_down_weighted():
    # One grid point of curve a is 500x noisier and offset by +0.5: an unweighted fit would
    # move the crossing by ~0.5 / (0.1 * nx) ~ 0.5; weights 1 / stderr make it irrelevant.
    rng = np.random.default_rng(16)
    y_a, y_b = linear_pair(rng)
    y_a[2] = 0.5 + 5.0 * rng.standard_normal(y_a.shape[1])
    c = crossing(X, y_a, y_b, rng=rng, degree=1, n_boot=200)
    assert abs(c.x - 16) < 0.05
    assert abs(c.x - 16) < 4 * c.error


def test_zero_spread_is_guarded():
    # A noiseless curve has zero standard errors; the fit must still work (uniform weights).
    rng = np.random.default_rng(17)
    y_a = np.repeat((0.5 + 0.1 * (X - 16))[:, None], 30, axis=1)
    y_b = samples(0.5 + 0.2 * (X - 16), 0.01, 30, rng)
    c = crossing(X, y_a, y_b, rng=rng, n_boot=200)
    assert abs(c.x - 16) < 4 * c.error and c.error > 0


def test_curves_that_do_not_cross_raise():
    rng = np.random.default_rng(4)
    y_a = samples(0.5 + 0.1 * (X - 16), 0.01, 50, rng)
    y_b = samples(0.8 + 0.1 * (X - 16), 0.01, 50, rng)
    with pytest.raises(InputError, match=r"do not cross inside \[12, 20\].*widen the grid"):
        crossing(X, y_a, y_b, rng=rng)
    y_a, y_b = linear_pair(rng)
    with pytest.raises(InputError, match=r"\[17, 20\]"):
        crossing(X, y_a, y_b, rng=rng, x_range=(17.0, 20.0))


@pytest.mark.parametrize(
    ("kwargs", "nx", "message"),
    [
        ({"degree": 2}, 3, "at least degree \\+ 2 = 4 points"),
        ({"degree": 3}, 4, "lower the degree"),
        ({"degree": 0}, 11, "degree must be an integer >= 1"),
        ({"n_boot": 1}, 11, "n_boot must be an integer >= 2"),
        ({"x_range": (18.0, 14.0)}, 11, "x_range"),
    ],
)
def test_bad_arguments_raise(kwargs, nx, message):
    rng = np.random.default_rng(5)
    x = np.linspace(12.0, 20.0, nx)
    y_a, y_b = linear_pair(rng, n_a=20, n_b=20, x=x)
    with pytest.raises(InputError, match=message):
        crossing(x, y_a, y_b, rng=rng, **kwargs)


def test_bad_arrays_raise():
    rng = np.random.default_rng(6)
    y_a, y_b = linear_pair(rng, n_a=20, n_b=20)
    with pytest.raises(InputError, match="strictly increasing"):
        crossing(X[::-1], y_a, y_b, rng=rng)
    with pytest.raises(InputError, match="y_b must have shape"):
        crossing(X, y_a, y_b[:-1], rng=rng)
    y_a[3, 1:] = np.nan
    with pytest.raises(InputError, match=r"rows \[3\] have fewer than 2 valid"):
        crossing(X, y_a, y_b, rng=rng)


def test_mean_and_error_ignores_nan():
    y = np.array([[1.0, 2.0, 3.0, np.nan], [4.0, np.nan, 8.0, 6.0]])
    mean, err = mean_and_error(y)
    np.testing.assert_allclose(mean, [2.0, 6.0])
    np.testing.assert_allclose(err, [1.0 / np.sqrt(3), 2.0 / np.sqrt(3)])


def test_nan_samples_are_ignored():
    # Missing samples must not matter where they sit: the same valid values with NaNs at the
    # end or interleaved give the same crossing and the same bootstrap.
    rng = np.random.default_rng(7)
    y_a, y_b = linear_pair(rng, sigma=0.05, n_a=60, n_b=60)
    missing = rng.random(y_a.shape) < 0.3
    tail = np.full_like(y_a, np.nan)
    for i in range(X.size):
        kept = y_a[i, ~missing[i]]
        tail[i, : kept.size] = kept
    interleaved = np.where(missing, np.nan, y_a)
    c_tail = crossing(X, tail, y_b, rng=np.random.default_rng(8), n_boot=200)
    c_inter = crossing(X, interleaved, y_b, rng=np.random.default_rng(8), n_boot=200)
    assert c_tail == c_inter
    assert np.isfinite(c_tail.x) and np.isfinite(c_tail.error)
    # Removing 30% of the samples of one curve inflates the error (sqrt(1/0.7) ~ 1.2 there).
    c_full = crossing(X, y_a, y_b, rng=np.random.default_rng(8), n_boot=200)
    assert c_tail.error > c_full.error


def test_unequal_sample_counts():
    rng = np.random.default_rng(9)
    y_a, y_b = linear_pair(rng, sigma=0.05, n_a=150, n_b=300)
    c = crossing(X, y_a, y_b, rng=rng, n_boot=400)
    assert abs(c.x - 16) < 4 * c.error
    assert c.n_failed == 0


def test_several_roots_pick_the_sign_change_and_x_range_restricts():
    # Difference (x - 12.5)(x - 19) / 10: two roots in [10, 20]; the discrete difference
    # changes sign at both, 12.5 is nearer the middle (15).
    x = np.linspace(10.0, 20.0, 21)
    rng = np.random.default_rng(10)
    y_a = samples(0.5 + 0.0 * x, 0.001, 40, rng)
    y_b = samples(0.5 + (x - 12.5) * (x - 19) / 10, 0.001, 40, rng)
    assert crossing(x, y_a, y_b, rng=rng, n_boot=50).x == pytest.approx(12.5, abs=0.01)
    c = crossing(x, y_a, y_b, rng=rng, n_boot=50, x_range=(16.0, 20.0))
    assert c.x == pytest.approx(19.0, abs=0.01)


def test_failed_replicas_are_counted():
    # True crossing at 19.9 with a crossing error ~0.1: some replicas cross beyond 20.
    rng = np.random.default_rng(11)
    y_a = samples(0.5 + 0.1 * (X - 19.9), 0.2, 50, rng)
    y_b = samples(0.5 + 0.2 * (X - 19.9), 0.2, 50, rng)
    c = crossing(X, y_a, y_b, rng=rng, degree=1, n_boot=500)
    assert 0 < c.n_failed < 500
    assert c.interval[1] <= 20.0


def test_same_seed_same_result():
    y_a, y_b = linear_pair(np.random.default_rng(12), sigma=0.05)
    first = crossing(X, y_a, y_b, rng=np.random.default_rng(13), n_boot=200)
    again = crossing(X, y_a, y_b, rng=np.random.default_rng(13), n_boot=200)
    other = crossing(X, y_a, y_b, rng=np.random.default_rng(14), n_boot=200)
    assert first == again
    assert first.x == other.x and first.error != other.error


def test_pairwise_crossings_consecutive_pairs():
    rng = np.random.default_rng(15)
    slopes = {12: 0.3, 8: 0.1, 10: 0.2}  # unsorted on purpose
    curves = {size: samples(0.5 + s * (X - 16), 0.02, 80, rng) for size, s in slopes.items()}
    curves[14] = samples(0.9 + 0.3 * (X - 16), 0.02, 80, rng)  # parallel to 12: no crossing
    result = pairwise_crossings(X, curves, rng=rng, n_boot=200)
    assert list(result) == [(8, 10), (10, 12)]
    for c in result.values():
        assert abs(c.x - 16) < 4 * c.error
    assert pairwise_crossings(X, {8: curves[8]}, rng=rng) == {}
