"""Finite-eta population dynamics against exact results (Kesten–McKay, Lloyd, the 3/2 tail)."""

from __future__ import annotations

import numpy as np
import pytest

from mbl.cavity import (
    bethe,
    clean_local_green,
    kesten_mckay_dos,
    population,
    tail_exponent,
)
from mbl.errors import ConvergenceError, InputError


@pytest.mark.parametrize("E", [0.0, 1.5])
def test_clean_lattice_gives_kesten_mckay(E):
    eta = 5e-3
    res = population(bethe(2, 0.0), eta=eta, E=E, pool=128, pools=2, atol=1e-4,
                     max_generations=20000, rng=np.random.default_rng(1))
    exact = -clean_local_green(E + 1j * eta, 2).imag / np.pi
    assert res.rho_mean == pytest.approx(exact, rel=1e-4)
    # what is left is the Lorentzian smearing by eta: ~1e-3 here, and -> 0 with eta
    assert res.rho_mean == pytest.approx(float(kesten_mckay_dos(E, 2)), rel=2e-3)


@pytest.mark.parametrize("K, W, E", [(2, 2.0, 0.5), (3, 1.0, 2.0)])
def test_cauchy_disorder_matches_lloyd(K, W, E):
    """With Cauchy disorder of half-width W/2, <G> is the clean G at E + i(eta + W/2)."""
    eta = 1e-2
    res = population(bethe(K, W, "cauchy"), eta=eta, E=E, pool=30_000, pools=4,
                     rng=np.random.default_rng(7))
    exact = -clean_local_green(E + 1j * (eta + W / 2), K).imag / np.pi
    assert res.rho_mean_error < 2e-3 * exact
    assert abs(res.rho_mean - exact) < 4 * res.rho_mean_error, (res.rho_mean, exact)


def test_insulating_tail_exponent_is_three_halves():
    res = population(bethe(2, 25.0), eta=1e-6, pool=30_000, pools=4, measure=10,
                     rng=np.random.default_rng(2))
    a, err = tail_exponent(res, 1e-4, 10.0)
    assert err < 0.02
    assert abs(a - 1.5) < 3 * err, (a, err)
    assert res.gamma_typ < 1e3 * 1e-6  # collapsed onto the eta scale


def test_metal_keeps_a_finite_width_as_eta_drops():
    kw = dict(pool=20_000, pools=3, measure=5)
    big = population(bethe(2, 8.0), eta=1e-4, rng=np.random.default_rng(3), **kw)
    small = population(bethe(2, 8.0), eta=1e-8, rng=np.random.default_rng(4), **kw)
    assert small.gamma_typ > 1e-3
    assert small.gamma_typ == pytest.approx(big.gamma_typ, rel=0.1)


def test_histogram_is_a_normalized_density():
    res = population(bethe(2, 12.0), eta=1e-3, pool=5000, pools=2, measure=3,
                     rng=np.random.default_rng(5))
    mass = res.gamma_density @ np.diff(res.gamma_edges)
    assert mass == pytest.approx(1.0, abs=1e-9)
    assert res.gamma_counts.sum(axis=1).tolist() == [res.samples] * 2


def test_same_seed_same_result():
    kw = dict(eta=1e-3, pool=2000, pools=2, measure=2)
    a = population(bethe(2, 12.0), rng=np.random.default_rng(9), **kw)
    b = population(bethe(2, 12.0), rng=np.random.default_rng(9), **kw)
    c = population(bethe(2, 12.0), rng=np.random.default_rng(10), **kw)
    assert a.rho_typ == b.rho_typ and np.array_equal(a.gamma_counts, b.gamma_counts)
    assert a.rho_typ != c.rho_typ


@pytest.mark.parametrize("kw, err, msg", [
    (dict(eta=0.0), InputError, "eta must be"),
    (dict(eta=1e-3, pool=10), InputError, "pool"),
    (dict(eta=1e-3, pools=1), InputError, "pools must be >= 2"),
    (dict(eta=1e-3, max_generations=20, atol=0.0, check_every=10), ConvergenceError,
     "did not converge"),
])
def test_bad_input_and_non_convergence(kw, err, msg):
    with pytest.raises(err, match=msg):
        population(bethe(2, 0.0), **{"pool": 256, "rng": np.random.default_rng(0), **kw})


def test_rng_must_be_a_generator():
    with pytest.raises(InputError, match="numpy.random.Generator"):
        population(bethe(2, 1.0), eta=1e-2, pool=256, rng=1)
