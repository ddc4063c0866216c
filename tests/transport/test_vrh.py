"""The Mott fit and the temperature sweep: exact recovery, noise within errors, jackknife."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mbl._core.errors import InputError
from mbl.transport.hopping import MillerAbrahams
from mbl.transport.vrh import MottSweep, fit_mott, mott_sweep, temperatures


@pytest.mark.parametrize("p, T0, a", [(1 / 3, 13.8, 0.5), (1 / 4, 21.2, -1.0), (0.5, 3.0, 0.0)])
def test_fit_recovers_exact_parameters(p, T0, a):
    T = np.geomspace(1e-5, 1e-2, 9)
    y = 2.0 + a * np.log(T) - (T0 / T) ** p
    f = fit_mott(T, y)
    assert f.p == pytest.approx(p, abs=1e-6) and f.T0 == pytest.approx(T0, rel=1e-4)
    assert f.a == pytest.approx(a, abs=1e-4) and f.ln_A == pytest.approx(2.0, abs=1e-3)
    assert f(T) == pytest.approx(y, abs=1e-5)
    g = fit_mott(T, y, p=p)  # the exponent fixed: T0, a and ln A alone
    assert g.p == p and g.T0 == pytest.approx(T0, rel=1e-9) and g.dof == T.size - 3


def test_fit_errors_cover_the_truth():
    # 200 noisy data sets: the scatter of p matches the spread expected from the noise,
    # and the mean is unbiased within its error.
    rng = np.random.default_rng(3)
    T = np.geomspace(1 / 16.0**3, 1 / 4.0**3, 7)
    truth = 0.3 * np.log(T) - (13.8 / T) ** (1 / 3)
    ps = np.array([fit_mott(T, truth + rng.normal(0, 0.03, T.size), np.full(T.size, 0.03)).p
                   for _ in range(200)])
    assert abs(ps.mean() - 1 / 3) < 4 * ps.std(ddof=1) / math.sqrt(ps.size)
    assert 0.002 < ps.std() < 0.05


def test_fit_without_an_interior_minimum_is_nan():
    T = np.geomspace(1e-4, 1e-2, 6)
    f = fit_mott(T, (1.0 / T) ** 0.3)  # conductance growing on cooling: no activated term
    assert math.isnan(f.p) and math.isnan(f.T0)


def test_sweep_and_jackknife():
    spec = MillerAbrahams(d=2)
    T = temperatures(spec, 5.0, 8.0, 3)
    assert T[0] > T[-1] and (spec.delta_xi / T[-1]) ** (1 / 3) == pytest.approx(8.0)
    sw = mott_sweep(spec, T, (20.0, 20.0), 3, np.random.default_rng(1))
    assert sw.ln_sigma.shape == sw.s_c.shape == (3, 3) and sw.residual < 1e-8
    assert np.all(np.diff(sw.ln_sigma.mean(0)) < 0)  # colder, less conducting
    value, err = sw.jackknife(lambda y, s: y)
    np.testing.assert_allclose(value, sw.ln_sigma.mean(0))
    np.testing.assert_allclose(err, sw.standard_error(), rtol=1e-10)
    assert isinstance(sw, MottSweep) and np.allclose(sw.mott, [5.0, 40**0.5, 8.0])
    # unequal sample counts: NaN padding, grouped jackknife over min(samples) groups
    sw = mott_sweep(spec, T, (20.0, 20.0), [2, 4, 3], np.random.default_rng(2))
    assert sw.ln_sigma.shape == (4, 3) and np.isnan(sw.ln_sigma[2:, 0]).all()
    value, err = sw.jackknife(lambda y, s: y)
    np.testing.assert_allclose(value, np.nanmean(sw.ln_sigma, axis=0))
    assert np.all(np.isfinite(err) & (err > 0))


def test_bad_input():
    with pytest.raises(InputError, match="5 positive"):
        fit_mott([1.0, 2.0], [0.0, 1.0])
    with pytest.raises(InputError, match="error"):
        fit_mott(np.arange(1.0, 7.0), np.zeros(6), np.zeros(6))
    with pytest.raises(InputError, match="fixed exponent"):
        fit_mott(np.arange(1.0, 7.0), np.zeros(6), p=-0.5)
    spec = MillerAbrahams(d=2)
    with pytest.raises(InputError, match="samples"):
        mott_sweep(spec, [1e-3], (10.0, 10.0), 1, np.random.default_rng(0))
    with pytest.raises(InputError, match="samples"):
        mott_sweep(spec, [1e-3, 1e-4], (10.0, 10.0), [2], np.random.default_rng(0))
    with pytest.raises(InputError, match="temperatures"):
        mott_sweep(spec, [-1.0], (10.0, 10.0), 2, np.random.default_rng(0))
    with pytest.raises(InputError, match="m_min"):
        temperatures(spec, 5.0, 4.0, 3)
