"""Linear stability on the e-h-pair tree (docs/theory/insulator.md): the importance-sampled
generation against direct quadrature, the exact lambda^(2 beta) scaling, the T_c bracket, bad
input."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from mbl._core.errors import InputError
from mbl.baa.parameters import BAAParameters, RegimeWarning
from mbl.baa.scba import fermi, pair_factor
from mbl.baa.stability import _generation, growth_rate, stability_tc


def _params(lam, M=5.0):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RegimeWarning)
        return BAAParameters(lam, 0.01, M, 1)


def _root_moment_quadrature(lam, M, T, beta, n):
    """3 * int dxi_b dxi_c dx (lam^2 F)^beta |x|^(-2 beta) from a root at xi = x = 0, with the
    window |xi_a - xi_c| <= M/2 (x = -xi_b + xi_c - xi_a) and the Y = 0 region removed.

    Midpoint rule on n x 8n x n points, in v = sign(x)|x|^p/p (p = 1 - 2 beta, dv = |x|^-2beta
    dx) so that the resonance singularity disappears."""
    p = 1.0 - 2.0 * beta
    cdf = lambda v: np.sign(v) * np.abs(v) ** p / p  # noqa: E731
    hb, hc = M / n, 80.0 * T / (8 * n)
    xc = -40.0 * T + hc * (np.arange(8 * n) + 0.5)
    total = 0.0
    for xb in -M / 2 + hb * (np.arange(n) + 0.5):
        m = -xb
        a, b = cdf(m - M / 2), cdf(m + M / 2)
        v = a + (b - a) * (np.arange(n) + 0.5) / n
        x = np.sign(v) * (np.abs(v) * p) ** (1 / p)
        xa = xc[:, None] + m - x[None, :]
        F = pair_factor(fermi(xa, T), fermi(xb, T), fermi(xc, T)[:, None])
        g = (lam**2 * F) ** beta
        g[(np.abs(xa) <= M / 2) & (abs(xb - xc[:, None]) <= M / 2)] = 0.0
        total += g.sum() * (b - a) / n * hc * hb
    return 3.0 * total


def test_generation_weights_match_quadrature():
    lam, M, T, beta = 0.01, 2.0, 0.7, 0.3
    rng = np.random.default_rng(11)
    n = 400_000
    _, _, w = _generation(np.zeros(n), np.zeros(n), _params(lam, M), T, beta, 1, rng)
    per_root = w.reshape(3, n).sum(axis=0)
    mc, err = per_root.mean(), per_root.std() / math.sqrt(n)
    ref = _root_moment_quadrature(lam, M, T, beta, 200)
    ref_err = abs(ref - _root_moment_quadrature(lam, M, T, beta, 100))  # discretization
    assert err < 0.01 * mc and ref_err < 0.01 * ref
    assert abs(mc - ref) < 4 * math.hypot(err, ref_err), (mc, err, ref, ref_err)


def test_growth_scales_as_lambda_to_the_2beta():
    kw = dict(betas=(0.35, 0.45), particles=2000, equilibrate=3, blocks=2, generations=2)
    a = growth_rate(_params(1e-3), 0.5, rng=np.random.default_rng(5), **kw)
    b = growth_rate(_params(4e-3), 0.5, rng=np.random.default_rng(5), **kw)
    np.testing.assert_allclose(b.lam / a.lam, 4.0 ** (2 * a.betas), rtol=1e-10)
    assert a.growth == a.lam.min() and a.beta_min in (0.35, 0.45)


def test_stability_tc_brackets_growth_one():
    p = _params(2e-3)
    res = stability_tc(p, rng=np.random.default_rng(2), factors=(0.2, 0.4), particles=1000,
                       equilibrate=10, blocks=3, generations=5)
    assert res.error > 0
    T, g = res.T, res.growth
    k = np.searchsorted(T, res.value)
    assert 0 < k < len(T) and g[k - 1] < 1 <= g[k]
    assert np.all(np.diff(g) > 0)  # more thermal partners, faster growth


@pytest.mark.parametrize("kwargs", [
    dict(T=0.0), dict(T=1.0, betas=(0.5,)), dict(T=1.0, particles=10), dict(T=1.0, blocks=1),
    dict(T=1.0, rng=1),
])
def test_bad_input(kwargs):
    kw = dict(rng=np.random.default_rng(0)) | kwargs
    with pytest.raises(InputError):
        growth_rate(_params(1e-3), **kw)
