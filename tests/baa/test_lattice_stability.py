"""On-shell linearized SCBA on a lattice (mbl.baa.lattice_stability): the enumeration is the
linearization of the lattice SCBA kernel, the flat-density replacement below x_cut, the Perron
root, the lam^(2 beta) scaling, the jackknife, bad input."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from mbl._core.errors import InputError
from mbl.baa.lattice_stability import _parent_sums, onshell_moments, perron_root
from mbl.baa.parameters import BAAParameters, RegimeWarning
from mbl.baa.scba import _inelastic, draw_cells, fermi, levels_for


def _cells(lam=1e-3, M=3.0, T=1.5, n_cells=3, seed=5, statistics="poisson"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RegimeWarning)
        p = BAAParameters(lam, 0.01, M, 1)
    return draw_cells(p, n_cells, levels_for(T, M, 6.0), np.random.default_rng(seed),
                      statistics=statistics)


@pytest.mark.parametrize("statistics", ["poisson", "goe"])
def test_beta_one_sum_is_the_linear_response_of_the_scba_kernel(statistics):
    """At beta = 1 and x_cut = 0 the children's weights summed over all bins are the
    linearization of mbl.baa.scba's inelastic sum at Gamma -> 0: with every width eta,
    _inelastic gives lam^2 sum F 3 eta / (x^2 + 9 eta^2) -> 3 eta lam^2 sum F / x^2."""
    T = 1.5
    cells = _cells(T=T, statistics=statistics)
    lam2, eta = cells.params.lambda_**2, 1e-13
    f = fermi(cells.xi, T)
    ref = np.empty_like(cells.xi)
    _inelastic(cells.xi, np.full(cells.xi.shape, eta), f, cells.lo, cells.hi, cells.xi, lam2,
               eta, False, ref)
    pc = np.repeat(np.arange(cells.n_cells), cells.n_levels).astype(np.int64)
    pl = np.tile(np.arange(cells.n_levels), cells.n_cells).astype(np.int64)
    out = np.zeros((pc.size, 1, 1))
    span = 4.0 * np.abs(cells.xi).max()
    _parent_sums(cells.xi, f, cells.lo, cells.hi, pc, pl, np.array([1.0]), 0.0, -span / 2,
                 span, 1, out)
    mine = lam2 * out[:, 0, 0].reshape(cells.xi.shape)
    np.testing.assert_allclose(mine, ref / eta, rtol=1e-6)


def test_flat_density_replacement_keeps_the_ensemble_mean():
    """Replacing |x|^(-2 beta) below x_cut by its flat-density mean changes the
    lattice-averaged weight only by the sampling noise of the few smallest |x| (beta = 0.3:
    the moment is dominated by typical mismatches, so both must agree to a few per cent)."""
    T = 1.5
    cells = _cells(T=T, n_cells=6, seed=9)
    f = fermi(cells.xi, T)
    pc = np.repeat(np.arange(cells.n_cells), cells.n_levels).astype(np.int64)
    pl = np.tile(np.arange(cells.n_levels), cells.n_cells).astype(np.int64)
    span = 4.0 * np.abs(cells.xi).max()
    totals = []
    for x_cut in (0.0, 0.05, 0.2):
        out = np.zeros((pc.size, 1, 1))
        _parent_sums(cells.xi, f, cells.lo, cells.hi, pc, pl, np.array([0.3]), x_cut,
                     -span / 2, span, 1, out)
        totals.append(out.sum())
    assert abs(totals[1] / totals[0] - 1) < 0.03 and abs(totals[2] / totals[0] - 1) < 0.05


def test_perron_root():
    assert perron_root(np.array([[0.0, 2.0], [8.0, 0.0]])) == pytest.approx(4.0)
    assert perron_root(np.diag([0.5, 3.0, 1.0])) == pytest.approx(3.0)


def test_growth_scales_as_lambda_to_two_beta_and_jackknife_has_one_sample_per_cell():
    cells = _cells(T=3.0, n_cells=3)
    m = onshell_moments(cells, 3.0, betas=(0.3, 0.45), parents=20, bins=6,
                        rng=np.random.default_rng(1))
    g1, g2 = m.growth(1e-3), m.growth(1e-5)
    np.testing.assert_allclose(g2 / g1, (1e-2) ** (2 * m.betas), rtol=1e-12)
    assert m.growth_rate() == pytest.approx(m.growth(cells.params.lambda_).min())
    jk = m.leave_one_out()
    assert jk.shape == (3,) and np.all(jk > 0)
    assert m.counts.sum() == 60 and m.sums.shape == (3, 2, 6, 6)
    assert math.isclose(m.edges[0], -30.0) and math.isclose(m.edges[-1], 30.0)


@pytest.mark.parametrize("kwargs", [dict(T=-1.0), dict(betas=(0.6,)), dict(x_cut=-0.1),
                                    dict(parents=0), dict(bins=1.5), dict(rng=None)])
def test_bad_input(kwargs):
    cells = _cells()
    args = dict(T=1.5, rng=np.random.default_rng(0)) | kwargs
    T = args.pop("T")
    with pytest.raises(InputError):
        onshell_moments(cells, T, **args)
    with pytest.raises(InputError):
        onshell_moments("cells", 1.5, rng=np.random.default_rng(0))
