"""Slevin-Ohtsuki scaling fits recover known parameters from synthetic data."""

from __future__ import annotations

import numpy as np
import pytest

from mbl.errors import InputError
from mbl.scaling.fss import ScalingModel, fit_scaling

TRUE = dict(W_c=16.5, nu=1.57, y=2.8)


def synthetic(rng, sizes=(4, 6, 8, 10, 12), rel=2e-3, irrelevant=True):
    """Data from a known scaling function (3D-Anderson-like numbers) with Gaussian noise."""
    M, W = np.meshgrid(np.array(sizes, float), np.linspace(15.0, 18.0, 9), indexing="ij")
    M, W = M.ravel(), W.ravel()
    x = (W - TRUE["W_c"]) * M ** (1 / TRUE["nu"])
    ln_lam = np.log(0.576) - 0.12 * x + 0.004 * x**2 - 0.0005 * x**3
    if irrelevant:
        ln_lam = ln_lam + 0.6 * M ** (-TRUE["y"]) * (1 - 0.2 * x)
    lam = np.exp(ln_lam + rel * rng.standard_normal(M.size))
    return M, W, lam, rel * lam


def test_recovers_critical_point_and_exponent_within_errors():
    rng = np.random.default_rng(5)
    M, W, lam, err = synthetic(rng)
    fit = fit_scaling(M, W, lam, err, model=ScalingModel(n_r=3, n_i=1, m_r=1, m_i=0),
                      n_boot=100, rng=rng)
    assert abs(fit.W_c - TRUE["W_c"]) < 4 * fit.W_c_error
    assert abs(fit.nu - TRUE["nu"]) < 4 * fit.nu_error
    assert fit.W_c_interval[0] < fit.W_c < fit.W_c_interval[1]
    assert fit.Q > 1e-3  # the generating model fits: chi^2 per dof near 1
    assert fit.W_c_error < 0.1 and fit.nu_error < 0.1


def test_ignoring_irrelevant_corrections_shows_in_goodness_of_fit():
    """Small sizes with a strong correction: the one-parameter fit is rejected by Q."""
    rng = np.random.default_rng(6)
    M, W, lam, err = synthetic(rng, sizes=(4, 5, 6, 8), rel=5e-4)
    plain = fit_scaling(M, W, lam, err, model=ScalingModel(n_r=3, n_i=0), n_boot=0, rng=rng)
    full = fit_scaling(M, W, lam, err, model=ScalingModel(n_r=3, n_i=1), n_boot=0, rng=rng)
    assert plain.Q < 1e-6 < full.Q


def test_collapse_removes_the_irrelevant_part():
    rng = np.random.default_rng(7)
    M, W, lam, err = synthetic(rng, rel=1e-4)
    fit = fit_scaling(M, W, lam, err, n_boot=0, rng=rng)
    x = fit.scaling_variable(M, W)
    y = fit.corrected(M, W, np.log(lam))
    smooth = fit.model.evaluate(fit.params, M, W, relevant_only=True)
    np.testing.assert_allclose(y, smooth, atol=5e-4)
    assert np.all(np.diff(smooth[np.argsort(x)]) <= 1e-9)  # one monotonic curve


@pytest.mark.parametrize("kwargs, match", [
    (dict(n=3), "cannot fix"),
    (dict(bad=True), "finite and > 0"),
])
def test_refusals(kwargs, match):
    rng = np.random.default_rng(1)
    M, W, lam, err = synthetic(rng)
    if "n" in kwargs:
        M, W, lam, err = M[:3], W[:3], lam[:3], err[:3]
    if kwargs.get("bad"):
        lam = lam.copy()
        lam[0] = -1
    with pytest.raises(InputError, match=match):
        fit_scaling(M, W, lam, err, rng=rng)
