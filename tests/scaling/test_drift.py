"""crossing_drift: crossings of consecutive sizes and the slope dW*/dL, joint bootstrap."""

from __future__ import annotations

import numpy as np
import pytest

from mbl._core.errors import InputError
from mbl.scaling import crossing, crossing_drift

X = np.linspace(1.0, 5.0, 9)
# curves r_L(W) = 0.45 - s_L (W - 3): consecutive sizes cross where their lines meet
SLOPES = {8: 0.02, 10: 0.04, 12: 0.07, 14: 0.11}
OFFSETS = {8: 0.0, 10: 0.01, 12: 0.025, 14: 0.045}


def _truth() -> list[float]:
    sizes = sorted(SLOPES)
    # 0.45 + o_a - s_a (W - 3) = 0.45 + o_b - s_b (W - 3)  =>  W = 3 + (o_b - o_a)/(s_b - s_a)
    return [3 + (OFFSETS[b] - OFFSETS[a]) / (SLOPES[b] - SLOPES[a])
            for a, b in zip(sizes[:-1], sizes[1:], strict=True)]


def _curves(rng, n=200, noise=0.02):
    return {L: (0.45 + OFFSETS[L] - s * (X - 3))[:, None] + noise * rng.standard_normal((X.size, n))
            for L, s in SLOPES.items()}


def test_truth_and_drift_within_errors():
    truth = _truth()  # 3.5, 3.5, 3.5: no drift
    d = crossing_drift(X, _curves(np.random.default_rng(1)), rng=np.random.default_rng(2),
                       degree=1, n_boot=300)
    assert d.pairs == [(8, 10), (10, 12), (12, 14)]
    assert np.all(np.abs(d.crossings - truth) < 4 * d.errors)
    assert abs(d.slope) < 4 * d.slope_error
    assert d.n_failed == 0 and d.dof == 1


def test_pair_errors_match_the_single_pair_bootstrap():
    curves = _curves(np.random.default_rng(3))
    d = crossing_drift(X, curves, rng=np.random.default_rng(4), degree=1, n_boot=400)
    single = crossing(X, curves[10], curves[12], rng=np.random.default_rng(5), degree=1,
                      n_boot=400)
    assert d.crossings[1] == pytest.approx(single.x, rel=1e-12)
    # two independent bootstraps of the same estimator: their errors agree to ~ 1/sqrt(400)
    assert d.errors[1] == pytest.approx(single.error, rel=0.2)


def test_slope_error_covers_the_spread_of_independent_datasets():
    """The joint bootstrap's slope error against the scatter of the slope over independent
    realizations of the data: the two must agree (within the ~20% accuracy of 30 datasets)."""
    global OFFSETS
    slopes, errors = [], []
    saved = dict(OFFSETS)
    OFFSETS = {8: 0.0, 10: 0.006, 12: 0.024, 14: 0.06}  # crossings 3.3, 3.6, 3.9
    try:
        for seed in range(30):
            d = crossing_drift(X, _curves(np.random.default_rng(seed), n=100),
                               rng=np.random.default_rng(100 + seed), degree=1, n_boot=150)
            slopes.append(d.slope)
            errors.append(d.slope_error)
        truth = np.polyfit([9, 11, 13], _truth(), 1)[0]
    finally:
        OFFSETS = saved
    spread = np.std(slopes, ddof=1)
    assert truth > 0.05
    assert abs(np.mean(slopes) - truth) < 4 * spread / np.sqrt(len(slopes)) + 0.02
    assert 0.7 < np.median(errors) / spread < 1.5  # 1.18 measured over 120 datasets


def test_refuses_one_size():
    with pytest.raises(InputError, match="two sizes"):
        crossing_drift(X, {8: np.zeros((X.size, 3))}, rng=np.random.default_rng(0))
