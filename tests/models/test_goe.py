"""Unfolded Wigner–Dyson levels: spacing, repulsion, gap ratio, normalization, refusals."""

from __future__ import annotations

import numpy as np
import pytest

from mbl.errors import InputError
from mbl.models.goe import goe_levels, semicircle_count
from mbl.observables.levels import R_GOE, R_GUE, R_POISSON


def _draws(n, spacing, count, seed, **kw):
    rng = np.random.default_rng(seed)
    return np.stack([goe_levels(n, spacing, rng, **kw) for _ in range(count)])


@pytest.mark.parametrize("n", [1, 2, 3, 8])
def test_shape_sorted_deterministic(n):
    a = goe_levels(n, 1.5, np.random.default_rng(7))
    b = goe_levels(n, 1.5, np.random.default_rng(7))
    assert a.shape == (n,)
    assert np.all(np.diff(a) > 0)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, goe_levels(n, 1.5, np.random.default_rng(8)))


@pytest.mark.parametrize(("n", "spacing"), [(3, 1.0), (6, 2.5)])
def test_mean_spacing(n, spacing):
    """Every nearest spacing has mean `spacing` (unfolded bulk), also for a 3-level cell."""
    x = _draws(n, spacing, 3000, seed=n)
    s = np.diff(x, axis=1).ravel() / spacing
    err = s.std() / np.sqrt(s.size)
    assert abs(s.mean() - 1.0) < 4 * err + 0.01, (s.mean(), err)
    overall = (x[:, -1] - x[:, 0]) / (n - 1) / spacing
    assert abs(overall.mean() - 1.0) < 4 * overall.std() / np.sqrt(overall.size) + 0.01
    centre = x.mean()  # centred on 0 in distribution
    assert abs(centre) < 4 * x.mean(axis=1).std() / np.sqrt(len(x)) + 0.01 * spacing


def test_level_repulsion_and_gap_ratio():
    """P(s) ~ s: spacings below 0.1 are rare (GOE 0.008, Poisson 0.095); <r> is GOE's."""
    x = _draws(8, 1.0, 2000, seed=11)
    s = np.diff(x, axis=1)
    small = np.mean(s < 0.1)
    assert small < 0.02, small
    r = np.minimum(s[:, 1:], s[:, :-1]) / np.maximum(s[:, 1:], s[:, :-1])
    err = r.std() / np.sqrt(r.size)
    assert abs(r.mean() - R_GOE) < 4 * err + 0.005, (r.mean(), err)
    assert r.mean() > R_POISSON + 0.1
    # second moment of the GOE bulk spacing (Gaudin 1.286; Wigner surmise 4/pi = 1.273)
    assert abs(np.mean(s**2) - 1.286) < 0.04


def test_gue_gap_ratio():
    x = _draws(8, 1.0, 1000, seed=12, beta=2.0)
    s = np.diff(x, axis=1)
    r = np.minimum(s[:, 1:], s[:, :-1]) / np.maximum(s[:, 1:], s[:, :-1])
    assert abs(r.mean() - R_GUE) < 4 * r.std() / np.sqrt(r.size) + 0.005


@pytest.mark.parametrize("beta", [1.0, 2.0, 4.0])
def test_semicircle_radius_of_dumitriu_edelman(beta):
    """A whole matrix unfolded with radius 2 sqrt(beta N) fills [-N/2, N/2] (edges within 2)."""
    N = 200
    x = _draws(N, 1.0, 10, seed=3, beta=beta, matrix_size=N)
    assert np.all(np.abs(x[:, -1] - N / 2) < 2.0)
    assert np.all(np.abs(x[:, 0] + N / 2) < 2.0)


def test_semicircle_count():
    R, N = 3.0, 50
    np.testing.assert_allclose(semicircle_count([-R, 0.0, R, 2 * R], R, N), [0, N / 2, N, N])
    # density at the centre: 2 N / (pi R)
    h = 1e-6
    slope = (semicircle_count(h, R, N) - semicircle_count(-h, R, N)) / (2 * h)
    assert slope == pytest.approx(2 * N / (np.pi * R), rel=1e-6)


def test_small_whole_matrix():
    x = goe_levels(4, 1.0, np.random.default_rng(0), matrix_size=4)
    assert x.shape == (4,) and np.all(np.abs(x) <= 2.0)


@pytest.mark.parametrize(
    ("args", "kw", "match"),
    [
        ((0, 1.0), {}, "n must be >= 1"),
        ((2.5, 1.0), {}, "n must be an integer"),
        ((3, 0.0), {}, "spacing must be finite and > 0"),
        ((3, np.nan), {}, "spacing"),
        ((3, 1.0), {"beta": 0.0}, "beta"),
        ((5, 1.0), {"matrix_size": 4}, "matrix_size = 4 is smaller than n = 5"),
    ],
)
def test_refusals(args, kw, match):
    with pytest.raises(InputError, match=match):
        goe_levels(*args, np.random.default_rng(0), **kw)


def test_refuses_legacy_random_state():
    with pytest.raises(InputError, match="numpy.random.Generator"):
        goe_levels(3, 1.0, np.random.RandomState(0))
