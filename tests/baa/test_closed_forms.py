"""BAA closed forms (docs/theory/insulator.md §3.4, docs/theory/metal.md) against the reference
values of docs/theory/metal.md §4.4 and the identities of docs/theory/scba.md and
docs/theory/metal.md."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from mbl._core.errors import InputError
from mbl.baa import closed_forms as cf
from mbl.baa.scba import fermi, pair_factor


def test_anchor_constants():
    assert cf.CATALAN == pytest.approx(0.915965594, abs=1e-9)
    assert cf.LORENZ_LOW_T == pytest.approx(1.6537127, abs=1e-7)  # 192 G^2 / pi^4
    assert cf.KAPPA_LOW_T == pytest.approx(1.2988229, abs=1e-7)  # 48 G^2 / pi^3
    assert cf.KAPPA_HIGH_T_COEF == pytest.approx(0.3682916, abs=1e-7)  # 14/5 - 24/pi^2
    assert cf.LORENZ_HIGH_T_COEF == pytest.approx(0.2983751, abs=1e-7)
    assert cf.SIGMA_LOW_T == pytest.approx(math.pi / 4)
    assert cf.SIGMA_HIGH_T_COEF == pytest.approx(2 / 3)
    # the low-T Lorentz number is the ratio of the kappa and sigma prefactors
    assert cf.KAPPA_LOW_T / cf.SIGMA_LOW_T == pytest.approx(cf.LORENZ_LOW_T, rel=1e-14)


def test_scales():
    lam, M, d = 0.01, 8.0, 2
    assert cf.t_in(lam, M) == pytest.approx(1 / (6 * math.pi * M * lam))
    assert cf.t_el(lam, M, d) == pytest.approx(1 / (16 * math.pi**2 * M * d * lam**2))
    # T_el / T_in = 3 / (8 pi d lam) (docs/theory/metal.md §4.1) and delta scales both
    assert cf.t_el(lam, M, d) / cf.t_in(lam, M) == pytest.approx(3 / (8 * math.pi * d * lam))
    assert cf.t_in(lam, M, delta=2.5) == pytest.approx(2.5 * cf.t_in(lam, M))
    assert cf.gamma_in_mean(lam, M, 3.0) == pytest.approx(math.pi * lam**2 * M * 3.0)
    # x = T^2/(delta T_el) = 16 pi d T <Gamma_in> / delta^2 (docs/theory/metal.md §4.4)
    T = 7.0
    assert cf.crossover_variable(T, lam, M, d) == pytest.approx(
        16 * math.pi * d * T * cf.gamma_in_mean(lam, M, T))
    np.testing.assert_allclose(cf.t_in(np.array([0.01, 0.02]), M),
                               [cf.t_in(0.01, M), cf.t_in(0.02, M)])


def test_transport_limits():
    assert cf.sigma_inf(0.1, 3) == pytest.approx(2 * math.pi * 0.01)
    assert cf.sigma_inf(0.1, 1, zeta=2.0) == pytest.approx(2 * math.pi * 0.01 * 2.0)
    T = 4.0  # Wiedemann-Franz at high T: kappa_inf / (sigma_inf T) = L0 = pi^2/3
    assert cf.kappa_inf(0.1, T, 2) / (cf.sigma_inf(0.1, 2) * T) == pytest.approx(math.pi**2 / 3)
    x = np.array([1e-3, 1e3])
    lo, hi = cf.sigma_ratio_asymptotes(x)
    np.testing.assert_allclose(lo, math.pi / 4 * x)
    np.testing.assert_allclose(hi, 1 - (2 / 3) / x)
    klo, khi = cf.kappa_ratio_asymptotes(x)
    llo, lhi = cf.lorentz_ratio_asymptotes(x)
    np.testing.assert_allclose(llo, klo / lo)
    # to first order in 1/x, L/L0 = (1 - a/x)/(1 - b/x) = 1 + (b - a)/x
    np.testing.assert_allclose(lhi[1], khi[1] / hi[1], rtol=1e-6)


def test_tc_equation_root_and_asymptote():
    lam, I, M = 0.01, 0.05, 10.0  # noqa: E741
    for kappa in (0.5, 1.0, 2.0):
        tc = cf.tc_equation(lam, I, M, kappa)
        lhs = 12 * lam * M * tc * math.log(1 / lam)
        assert lhs == pytest.approx(math.exp(kappa * abs(math.log(I)) / tc), rel=1e-10)
        assert tc > cf.tc_asymptote(lam, M)
    assert cf.tc_equation(lam, I, M, 2.0) > cf.tc_equation(lam, I, M, 1.0)
    # as |ln I| -> 0 the root tends to the asymptote delta / (12 lam M ln(1/lam))
    t0 = cf.tc_asymptote(lam, M)
    assert t0 == pytest.approx(1 / (12 * lam * M * math.log(100)))
    assert cf.tc_equation(lam, 1 - 1e-9, M) == pytest.approx(t0, rel=1e-6)
    # T_c / T_in = pi / (2 ln(1/lam)) for the I-independent part (docs/theory/insulator.md §3.4):
    # 0.52 at 0.05
    assert t0 / cf.t_in(lam, M) == pytest.approx(math.pi / (2 * math.log(1 / lam)))
    assert cf.tc_asymptote(0.05, M) / cf.t_in(0.05, M) == pytest.approx(0.524, abs=1e-3)


def test_pair_factor_identities():
    rng = np.random.default_rng(3)
    f1, f2, f3 = rng.uniform(size=(3, 1000))
    n1, n2, n3 = 1 - 2 * f1, 1 - 2 * f2, 1 - 2 * f3
    keldysh = 0.25 * (1 + n1 * n2 - n3 * (n1 + n2))
    np.testing.assert_allclose(pair_factor(f1, f2, f3), keldysh, atol=1e-15)
    # invariant under n -> -n (f -> 1 - f)
    np.testing.assert_allclose(pair_factor(1 - f1, 1 - f2, 1 - f3), keldysh, atol=1e-15)
    # n = tanh(eps / 2T) is the equilibrium distribution of fermi()
    e = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(1 - 2 * fermi(e, 1.3), np.tanh(e / 2.6), atol=1e-15)


@pytest.mark.parametrize("T", [0.3, 1.0, 7.0])
def test_thermal_integrals(T):
    w = lambda x: fermi(x, T) * (1 - fermi(x, T))  # noqa: E731
    lim = 60 * T
    assert quad(w, -lim, lim, points=[0])[0] == pytest.approx(T, rel=1e-10)
    assert quad(lambda x: w(x) ** 2, -lim, lim, points=[0])[0] == pytest.approx(T / 6, rel=1e-10)
    # c4 = int y^4 [f(1-f)]^2 dy (T = 1) ties the high-T kappa coefficient
    # (docs/theory/metal.md §4.4)
    if T == 1.0:
        c4 = quad(lambda y: y**4 * w(y) ** 2, -lim, lim)[0]
        assert c4 == pytest.approx((7 * math.pi**4 - 60 * math.pi**2) / 90, rel=1e-9)
        assert 54 * c4 / math.pi**4 == pytest.approx(1.5 * cf.KAPPA_HIGH_T_COEF, rel=1e-9)


@pytest.mark.parametrize("call", [
    lambda: cf.t_in(-0.1, 5.0),
    lambda: cf.t_el(0.1, 5.0, 4),
    lambda: cf.t_el(0.1, 5.0, True),
    lambda: cf.gamma_in_mean(0.1, 5.0, float("nan")),
    lambda: cf.tc_equation(1.5, 0.1, 5.0),
    lambda: cf.tc_equation(0.1, 1.0, 5.0),
    lambda: cf.tc_equation(0.1, 0.1, 5.0, kappa=[1.0, 2.0]),
    lambda: cf.tc_equation(0.1, 0.1, 5.0, kappa=0.0),
    lambda: cf.lorentz_ratio_asymptotes(-1.0),
])
def test_bad_input(call):
    with pytest.raises(InputError):
        call()
