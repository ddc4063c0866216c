"""The BAA kinetic network (docs/theory/metal.md §4.4) against independent truths: thermal
integrals, the Lorentzian overlap, the bond averages 2 pi I^2 and (pi^2 T/3) <G>, BAA's second-order
variance coefficients, and the heavy-tailed (Levy) low-x limit of the Lorentz number."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from mbl._core.errors import InputError
from mbl.baa.closed_forms import (
    KAPPA_HIGH_T_COEF,
    LORENZ_LOW_T,
    SIGMA_HIGH_T_COEF,
    crossover_variable,
    gamma_in_mean,
    kappa_inf,
    sigma_inf,
)
from mbl.transport.kinetic import (
    KineticNetwork,
    KineticSweep,
    gamma_from_crossover,
    kinetic_sweep,
    lorenz_ratio,
)
from mbl.transport.kinetic_bonds import (
    bond_sums,
    draw_levels,
    level_count,
    levy_window_bias,
    levy_window_loss,
    pair_overlap,
    pair_overlap_exact,
    thermal_tail,
    thermal_weight,
)
from mbl.transport.network import lattice_bond_counts, lattice_bonds


@pytest.mark.parametrize("T", [0.3, 2.0, 17.0])
def test_thermal_integrals(T):
    w = lambda x: float(thermal_weight(x, T))  # noqa: E731
    assert quad(w, -np.inf, np.inf, epsabs=0, epsrel=1e-12)[0] == pytest.approx(1.0, rel=1e-10)
    second = quad(lambda x: x * x * w(x), -np.inf, np.inf, epsabs=0, epsrel=1e-12)[0]
    assert second == pytest.approx(math.pi**2 * T**2 / 3, rel=1e-10)
    for n in (0, 2):
        direct = 2 * quad(lambda x, n=n: x**n * w(x), 9 * T, np.inf, epsabs=0,
                          epsrel=1e-12)[0]
        assert thermal_tail(n, 9.0, T) == pytest.approx(direct, rel=1e-8)


def test_exact_overlap_is_the_lorentzian_convolution():
    # For T -> infinity w = 1/(4T) is flat, and two Lorentzians convolve into one of width sum.
    T, g1, g2 = 1e4, 0.01, 0.03
    for delta_xi in (0.0, 0.02, 0.5):
        exact = pair_overlap_exact(0.0, delta_xi, g1, g2, T, 0)
        lorentz = (g1 + g2) / (math.pi * (delta_xi**2 + (g1 + g2) ** 2)) / (4 * T)
        assert exact == pytest.approx(lorentz, rel=1e-6)


@pytest.mark.parametrize("n", [0, 2])
@pytest.mark.parametrize("xi_l, xi_m", [(0.3, 0.3004), (0.3, 0.6), (-1.7, 0.2), (2.5, 2.5)])
def test_on_shell_overlap_against_quadrature(n, xi_l, xi_m):
    # The on-shell form is exact to leading order in Gamma/T; the corrections are
    # O(Gamma/T) (here 3e-3) relative, plus O(Gamma/|xi|) where h(xi) = xi^2 w vanishes.
    T, g1, g2 = 1.0, 1e-3, 2e-3
    approx = float(pair_overlap(xi_l, xi_m, g1, g2, T, n))
    exact = pair_overlap_exact(xi_l, xi_m, g1, g2, T, n)
    assert approx == pytest.approx(exact, rel=1e-2)


def test_gamma_from_crossover_matches_closed_forms():
    lam, M, T, d = 0.01, 12.0, 25.0, 3
    x = crossover_variable(T, lam, M, d)
    assert gamma_from_crossover(x, T, d) == pytest.approx(gamma_in_mean(lam, M, T), rel=1e-12)


def test_goe_levels_have_unit_density_and_repulsion():
    xi = draw_levels(200, 120, "goe", np.random.default_rng(3))
    counts = np.count_nonzero(np.abs(xi) < 40.0, axis=1)
    # GOE number variance over 80 levels is ~ (2/pi^2) ln 80 ~ 1: the mean is sharp.
    assert abs(counts.mean() - 80.0) < 4 * counts.std(ddof=1) / math.sqrt(counts.size)
    s = np.diff(xi[:, 20:100], axis=1)
    r = np.minimum(s[:, 1:], s[:, :-1]) / np.maximum(s[:, 1:], s[:, :-1])
    assert abs(r.mean() - 0.5307) < 0.01  # GOE <r> (Atas et al. 2013); Poisson is 0.386


@pytest.mark.parametrize("statistics, s, draws",
                         [("goe", 0.0, 40), ("poisson", 0.0, 80), ("goe", 0.3, 40)])
def test_bond_means_are_2_pi_I2_and_wiedemann_franz(statistics, s, draws):
    # <G> = 2 pi I^2 and <K> = (pi^2 T/3) <G> for any widths (one-level density 1/delta and
    # independent cells); measured at x = 10 where bonds are nearly self-averaging.
    spec = KineticNetwork(shape=(5, 5), T=6.0, statistics=statistics, gamma_rel_std=s, I=0.2)
    rng = np.random.default_rng(11)
    gamma = float(gamma_from_crossover(10.0, spec.T, spec.d))
    means = np.array([[b.mean() for b in spec.bonds(*spec.draw(rng), gamma)]
                      for _ in range(draws)])
    ratio = means / np.array([2 * math.pi * spec.I**2, math.pi**3 * spec.T * spec.I**2 * 2 / 3])
    err = ratio.std(axis=0, ddof=1) / math.sqrt(len(ratio))
    assert np.all(err < 0.01)
    assert np.all(np.abs(ratio.mean(axis=0) - 1.0) < 4 * err), (ratio.mean(axis=0), err)


def test_window_and_pair_cutoff_do_not_matter():
    spec = KineticNetwork(shape=(4, 4), T=5.0, pair_cutoff=12.0)
    xi, z = spec.draw(np.random.default_rng(5))
    i, j = lattice_bonds(spec.shape)
    gamma = float(gamma_from_crossover(3.0, spec.T, spec.d))
    ref = bond_sums(xi, np.full(xi.shape, gamma), i, j, spec.T, window=14.0, pair_cutoff=12.0,
                    gamma_mean=gamma)
    for window, cut in ((9.0, 12.0), (14.0, 4.0)):
        got = bond_sums(xi, np.full(xi.shape, gamma), i, j, spec.T, window=window,
                        pair_cutoff=cut, gamma_mean=gamma)
        for n, a, b in zip((0, 2), ref, got, strict=True):
            moment = 1.0 if n == 0 else math.pi**2 * spec.T**2 / 3
            tail = thermal_tail(n, window, spec.T) / moment  # dropped fraction of the mean
            far = 1 / (math.pi**2 * cut)  # far pairs: at most this fraction, self-averaging
            assert np.abs(b.sum() / a.sum() - 1) < 3 * tail + 0.1 * far


def test_poisson_bond_variance_gives_baa_coefficients():
    # Second-order EMT sigma = <G> - var G/(d <G>): BAA's -(2/3)/x (sigma) and
    # -(14/5 - 24/pi^2)/x (kappa) come from the pair variance delta^2/(24 pi T Gamma)
    # (docs/theory/metal.md §4.4). The x-independent parts (fluctuations of sum_l w_l) cancel in the
    # difference between x = 10 and x = 100.
    spec = KineticNetwork(shape=(6, 6), T=20.0, statistics="poisson", pair_cutoff=12.0)
    sweep = kinetic_sweep(spec, [10.0, 100.0], 60, np.random.default_rng(8))
    diff, err = sweep.estimate(lambda m: m[2:4, 0] - m[2:4, 1])  # the EMT2 rows
    expected = -np.array([SIGMA_HIGH_T_COEF, KAPPA_HIGH_T_COEF]) * (1 / 10 - 1 / 100)
    assert np.all(err < 0.15 * np.abs(expected))
    assert np.all(np.abs(diff - expected) < 4 * err), (diff, expected, err)


def test_jackknife_of_a_mean_is_the_standard_error():
    values = np.random.default_rng(2).normal(size=(30, 4, 3))
    sweep = KineticSweep(KineticNetwork(shape=(2, 2), T=2.0), np.ones(3), values)
    value, err = sweep.estimate(lambda m: m[0], blocks=30)
    np.testing.assert_allclose(value, values[:, 0].mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(err, values[:, 0].std(axis=0, ddof=1) / math.sqrt(30),
                               rtol=1e-10)


def test_sweep_shapes_and_limits():
    spec = KineticNetwork(shape=(3, 3), T=3.0)
    sweep = kinetic_sweep(spec, [0.1, 30.0], 3, np.random.default_rng(1))
    assert sweep.values.shape == (3, 6, 2)
    mean = sweep.values.mean(axis=0)
    assert np.all(mean[:2, 0] < mean[:2, 1]) and np.all(mean[:2] > 0)
    assert np.all(np.abs(mean[:2, 1] - 1) < 0.2)  # x = 30: within a few (2/3)/x of 1
    # x = 30 is perturbative: the two effective media agree to third order in the spread
    np.testing.assert_allclose(sweep.values[:, 2:4, 1], sweep.values[:, 4:6, 1], rtol=1e-3)


def test_network_between_rayleigh_bounds():
    # Shorting the cells of each slab across the current can only raise the conductance and
    # cutting the transverse bonds can only lower it (Rayleigh monotonicity): the network of
    # each realization lies between parallel columns of series bonds and series slabs of
    # parallel bonds, for G and for K.
    spec = KineticNetwork(shape=(3, 3), T=3.0)
    n_long = lattice_bond_counts(spec.shape)[0]
    gamma = float(gamma_from_crossover(30.0, spec.T, spec.d))
    norms = (sigma_inf(spec.I, spec.d), kappa_inf(spec.I, spec.T, spec.d))
    for seed in range(4):
        xi, z = spec.draw(np.random.default_rng(seed))
        net = spec.ratios(xi, z, gamma)[:2] * norms
        for b, value in zip(spec.bonds(xi, z, gamma), net, strict=True):
            long = b[:n_long].reshape(spec.shape[0] - 1, -1)  # (slab, column)
            columns = np.mean(1.0 / np.mean(1.0 / long, axis=0))
            slabs = 1.0 / np.mean(1.0 / long.mean(axis=1))
            assert columns * (1 - 1e-12) <= value <= slabs * (1 + 1e-12), (columns, value, slabs)


@pytest.mark.slow
def test_lorenz_ratio_tends_to_levy_value_at_small_x():
    # For x << 1 a bond is a sum of index-1/2 Levy terms whose scale is (sum_l sqrt(h_l))^2;
    # kappa/sigma -> ratio of the K and G scales = 192 G^2/pi^4 whatever the network factor.
    spec = KineticNetwork(shape=(5, 5, 5), T=10.0)
    sweep = kinetic_sweep(spec, [0.01], 40, np.random.default_rng(4))
    value, err = sweep.estimate(lambda m: lorenz_ratio(m)[0])
    assert err < 0.1
    assert abs(value - LORENZ_LOW_T) < 4 * err, (value, err)


@pytest.mark.parametrize("n", [0, 2])
def test_window_removes_the_levy_share_of_a_typical_bond(n):
    # Gamma -> 0: a bond is a sum of terms h(xi_l)/(pi Delta^2); with Poisson partner levels
    # each term is an index-1/2 stable variable of scale h(xi_l), so the sum has the scale
    # (sum_l sqrt h_l)^2 and a window c T removes the fraction levy_window_loss of
    # sqrt(scale). Homogeneous statistics of the law scale with it: here the geometric mean,
    # paired (same levels) between c = 8 and 26. Its error is the spread of the paired logs.
    T, bonds, c = 10.0, 4000, 8.0
    xi = draw_levels(2 * bonds, level_count(T, 26.0, 8.0, 1.0), "poisson",
                     np.random.default_rng(4))
    i = np.arange(0, 2 * bonds, 2)
    sums = [bond_sums(xi, np.full(xi.shape, 1e-9), i, i + 1, T, window=w, pair_cutoff=8.0,
                      gamma_mean=1e-9)[n // 2] for w in (c, 26.0)]
    dlog = np.log(sums[0]) - np.log(sums[1])
    err = dlog.std() / math.sqrt(bonds)
    predicted = 2.0 * math.log(1.0 - levy_window_loss(n, c))  # -0.047 (G), -0.21 (K)
    assert err < 0.2 * abs(predicted)  # the test resolves the loss at 5 sigma or better
    assert abs(dlog.mean() - predicted) < 4 * err, (dlog.mean(), predicted, err)
    assert levy_window_bias(14.0) == pytest.approx(-0.013576, abs=1e-6)


@pytest.mark.parametrize("kwargs, word", [
    (dict(shape=(4,), T=5.0), "shape"),
    (dict(shape=(1, 4), T=5.0), "shape"),
    (dict(shape=(4, 4), T=0.5), "T"),
    (dict(shape=(4, 4), T=5.0, statistics="gue"), "statistics"),
    (dict(shape=(4, 4), T=5.0, window=3.0), "window"),
    (dict(shape=(4, 4), T=5.0, gamma_rel_std=0.5), "gamma_rel_std"),
])
def test_bad_specification(kwargs, word):
    with pytest.raises(InputError, match=word):
        KineticNetwork(**kwargs)


def test_bad_calls():
    spec = KineticNetwork(shape=(3, 3), T=2.0)
    with pytest.raises(InputError, match="rng"):
        spec.draw(0)
    with pytest.raises(InputError, match="x must"):
        kinetic_sweep(spec, [-1.0], 2, np.random.default_rng(0))
    with pytest.raises(InputError, match="pair_cutoff"):
        kinetic_sweep(spec, [1e4], 2, np.random.default_rng(0))
    with pytest.raises(InputError, match="samples"):
        kinetic_sweep(spec, [1.0], 0, np.random.default_rng(0))
    xi = np.zeros((9, 5))
    with pytest.raises(InputError, match="cover"):
        bond_sums(xi, xi, *lattice_bonds((3, 3)), 2.0, window=14.0, pair_cutoff=8.0,
                  gamma_mean=0.1)


def test_poisson_levels_always_cover_the_window():
    """The two ends of a Poisson stack are the interval's ends: a realization never lacks the
    pad beyond window T + pair_cutoff (it did, with probability ~e^-10 per cell end)."""
    from mbl.transport.kinetic_bonds import draw_levels

    xi = draw_levels(2000, 60, "poisson", np.random.default_rng(3))
    np.testing.assert_array_equal(xi[:, 0], -30.0)
    np.testing.assert_array_equal(xi[:, -1], 30.0)
    assert np.all(np.diff(xi, axis=1) >= 0)
    inner = xi[:, 1:-1]
    assert inner.min() >= -29.0 and inner.max() <= 29.0  # density 1/delta inside
    assert abs(np.mean(np.abs(inner) < 10.0) * 58 / 20 - 1) < 0.02
