"""Order of limits, phase classification and the metallic statistics helpers."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from mbl._core.errors import InputError
from mbl.baa import closed_forms as cf
from mbl.baa.limits import broadened_fraction, order_of_limits
from mbl.baa.metal import crossing, metallic_scan, width_statistics
from mbl.baa.parameters import BAAParameters, RegimeWarning
from mbl.baa.phase import PHASES, boundaries, classify


def _params(lam, I=0.01, M=5.0):  # noqa: E741
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RegimeWarning)
        return BAAParameters(lam, I, M, 1)


def test_deep_insulator_widths_follow_eta():
    res = order_of_limits(_params(1e-3), 0.3, sizes=[3, 6], etas=[1e-3, 1e-4, 1e-5],
                          rng=np.random.default_rng(1), max_iter=50)
    assert res.verdict == "insulator" and abs(res.slope - 1) < 0.02
    assert res.fraction.shape == (2, 3) and np.all(res.fraction == 0)
    assert np.all(res.etas[:-1] > res.etas[1:])
    c = classify(res)
    assert c.phase == PHASES[0] and c.fraction == 0 and c.fraction_error > 0


def test_below_tc_the_fixed_width_fraction_falls_above_it_saturates():
    """BAA's criterion P(Gamma > g*) at fixed g* (1% of <Gamma_in>): below the tree T_c
    (~0.4 delta at these parameters) it falls towards 0 as eta -> 0 on a 256-cell lattice
    (505 window levels; it was stuck at ~8% before the elastic cavity was made exact), while
    Gamma/eta > 10 keeps its small eta-independent tail; above T_c it saturates near 1."""
    p = _params(2e-3, M=5.0)
    etas = [1e-7, 1e-8, 1e-9, 1e-10]
    low = order_of_limits(p, 0.3, sizes=[256], etas=etas, rng=np.random.default_rng(5),
                          max_iter=40, tol=1e-3)
    assert low.width_threshold == pytest.approx(0.01 * p.gamma_in_mean(0.3))
    f = low.fraction_fixed[0]
    assert f[0] > 0.02 and np.all(np.diff(f) <= 0) and f[-1] < 0.004  # < 2 of 505 levels
    assert np.all(low.fraction[0] < 0.05)
    high = order_of_limits(p, 6.0, sizes=[4], etas=etas, rng=np.random.default_rng(5),
                           max_iter=60, tol=1e-3)
    assert np.all(high.fraction_fixed[0] > 0.8) and np.ptp(high.fraction_fixed[0][1:]) == 0


def test_strong_interaction_is_metallic():
    """lam M^2 = 0.5: far outside the regime, a metal with Gamma finite as eta -> 0."""
    res = order_of_limits(_params(0.02, M=5.0), 4.0, sizes=[3], etas=[1e-3, 1e-5, 1e-7],
                          rng=np.random.default_rng(2), max_iter=100)
    assert res.verdict == "metal" and res.slope < 0.1
    assert res.fraction[0, -1] > 0.9 and res.fraction[0, -1] >= res.fraction[0, 0]
    assert classify(res).phase in PHASES[1:]


def test_order_of_limits_bad_input():
    p, rng = _params(1e-3), np.random.default_rng(0)
    for kwargs in (dict(sizes=[3], etas=[1e-3]), dict(sizes=[], etas=[1e-3, 1e-4]),
                   dict(sizes=[3], etas=[1e-3, -1.0]), dict(sizes=[3], etas=[1e-3, 1e-4],
                                                            ratio=0.5)):
        with pytest.raises(InputError):
            order_of_limits(p, 1.0, rng=rng, **kwargs)
    with pytest.raises(InputError):
        broadened_fraction(np.array([]), 1e-3)
    with pytest.raises(InputError):
        classify("not a result")


def test_boundaries_are_the_closed_forms():
    lam = np.array([1e-3, 2e-3])
    b = boundaries(lam, 0.01, 5.0, 2)
    np.testing.assert_allclose(b["t_in"], cf.t_in(lam, 5.0))
    np.testing.assert_allclose(b["t_el"], cf.t_el(lam, 5.0, 2))
    np.testing.assert_allclose(b["tc"], [cf.tc_equation(v, 0.01, 5.0) for v in lam])
    assert np.all(b["tc_asymptote"] < b["tc"]) and np.all(b["tc"] < b["t_in"])


def test_width_statistics_jackknife():
    rng = np.random.default_rng(4)
    xi = rng.uniform(-1, 1, (50, 40))
    w = rng.exponential(2.0, xi.shape)  # mean 2, relative variance 1
    st = width_statistics(xi, w, T=1.0, window=2.0)
    assert st.n_levels == 2000 and st.n_cells == 50
    assert st.mean_error == pytest.approx(2.0 / math.sqrt(2000), rel=0.25)
    assert abs(st.mean - 2.0) < 4 * st.mean_error
    assert abs(st.rel_var - 1.0) < 4 * st.rel_var_error
    with pytest.raises(InputError):
        width_statistics(xi[:1], w[:1], 1.0)


def test_crossing_of_a_power_law():
    T = np.array([0.5, 1.0, 2.0, 4.0])
    y = 3.0 / T  # crosses 1 at T = 3 exactly (log-log linear)
    tc, err = crossing(T, y, 0.01 * y)
    assert tc == pytest.approx(3.0, rel=1e-12)
    assert 0 < err < 0.05
    with pytest.raises(InputError):
        crossing(T, y + 10, 0.01 * y)


def test_metallic_scan_structure():
    scan = metallic_scan(_params(0.02, M=5.0), [2.0, 4.0], n_cells=3,
                         rng=np.random.default_rng(6), statistics="poisson", max_iter=5)
    assert scan.mean_ratio.shape == (2,) and np.all(scan.mean_ratio > 0)
    assert np.all(scan.rel_var_error > 0) and scan.converged.dtype == bool
    with pytest.raises(InputError):
        metallic_scan(_params(0.02), [-1.0], n_cells=3, rng=np.random.default_rng(0))
