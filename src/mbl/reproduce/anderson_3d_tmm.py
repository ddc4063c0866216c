"""``anderson-3d-tmm``: W_c and nu of the 3D Anderson transition from transfer matrices.

The reduced localization length Lambda = xi_M / M of M x M bars at E = 0 (box disorder,
periodic transverse boundaries) is computed on a grid of W around W_c for several M, each
point to a target relative precision, and fitted to the Slevin-Ohtsuki form with the leading
irrelevant correction (:mod:`mbl.scaling.fss`). The slices go where the fit needs them: an
error delta of Lambda at size M moves the crossing by about delta / (dLambda/dW) ~
delta M^(-1/nu), so wide bars (the expensive ones, cost ~ M^3 per slice) can afford a larger
relative error for the same pull on W_c; the per-size targets below follow that and keep each
size's share of the run time comparable.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import xarray as xr

from mbl.plot import save_figure
from mbl.reproduce.bars import bar_studies
from mbl.reproduce.base import Report, Row, output_directory
from mbl.scaling.fss import ScalingFit, ScalingModel, fit_scaling
from mbl.study.runner import Progress

NAME = "anderson-3d-tmm"
SEED = 19990201
SOURCE = "Slevin & Ohtsuki, New J. Phys. 16, 015012 (2014), transfer matrix, M <= 24"
REFERENCES = {"W_c": (16.543, 0.0026), "nu": (1.572, 0.0046)}  # 95% CI half-width / 1.96
LAMBDA_C = (0.576, 0.002, "Slevin & Ohtsuki, PRL 82, 382 (1999)")
#: Per mode: W grid and {M: target relative error of gamma}. Full mode: one process at
#: W = 16.5 runs 8.2e5, 1.1e5, 3.9e4, 1.4e4 and 6.1e3 slices/s at M = 4, 6, 8, 10, 12 and
#: needs about 2 / (rel error)^2 .. 6 / (rel error)^2 slices; these targets keep the run
#: near an hour on 2 cores.
MODES = {
    True: dict(W=[15.0, 15.5, 16.0, 16.5, 17.0, 17.5, 18.0],
               sizes={4: 4e-3, 6: 4e-3, 8: 4e-3, 10: 5e-3},
               model=ScalingModel(n_r=2, n_i=1, m_r=1, m_i=0)),
    False: dict(W=[float(w) for w in np.round(np.linspace(15.0, 18.0, 13), 2)],
                sizes={4: 5e-4, 6: 7e-4, 8: 1e-3, 10: 2e-3, 12: 3e-3},
                model=ScalingModel(n_r=3, n_i=1, m_r=1, m_i=0)),
}


def _figure(data: xr.Dataset, fit: ScalingFit, path: Path) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11.0, 4.4), layout="tight")
    left, right = fig.subplots(1, 2)
    fine = np.linspace(float(data["W"].min()), float(data["W"].max()), 200)
    for i, M in enumerate(data["M"].values):
        lam, err = data["Lambda"].sel(M=M).values, data["Lambda_error"].sel(M=M).values
        left.errorbar(data["W"].values, lam, yerr=err, fmt="o", ms=4, capsize=2, color=f"C{i}",
                      label=f"M = {M}")
        left.plot(fine, np.exp(fit.model.evaluate(fit.params, np.full_like(fine, M), fine)),
                  color=f"C{i}", lw=1)
        W = data["W"].values
        x = fit.scaling_variable(np.full_like(W, M), W)
        y = np.exp(fit.corrected(np.full_like(W, M), W, np.log(lam)))
        right.errorbar(x, y, yerr=err * y / lam, fmt="o", ms=4, capsize=2, color=f"C{i}",
                       label=f"M = {M}")
    left.axvline(fit.W_c, color="k", ls="--", lw=1,
                 label=f"fit $W_c = {fit.W_c:.3f} \\pm {fit.W_c_error:.3f}$")
    left.axvline(REFERENCES["W_c"][0], color="C7", ls=":", lw=1, label="Slevin-Ohtsuki 16.543")
    left.set_xlabel("disorder strength $W$ (units of $t$)")
    left.set_ylabel(r"$\Lambda = \xi_M / M$")
    left.set_yscale("log")
    left.set_title(r"3D Anderson model, $E = 0$, $M \times M$ bars")
    left.legend(fontsize=8)
    right.set_xlabel(r"scaling variable $\chi_r(W)\, M^{1/\nu}$")
    right.set_ylabel(r"$\Lambda$ with the irrelevant correction removed")
    right.set_yscale("log")
    right.set_title(f"collapse: $\\nu = {fit.nu:.3f} \\pm {fit.nu_error:.3f}$, "
                    f"$\\chi^2$/dof = {fit.chi2:.1f}/{fit.dof}, Q = {fit.Q:.2f}")
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.grid(alpha=0.3, which="both")
    return save_figure(fig, path)


def scaling_rows(fit: ScalingFit, params: dict) -> list[Row]:
    """W_c and nu with 95% intervals, Lambda_c, and the fit's goodness as result rows."""
    a00 = float(fit.model.unpack(fit.params)["a"][0][0])
    return [
        Row("W_c", fit.W_c, fit.W_c_error, REFERENCES["W_c"][0], SOURCE, params=params,
            interval=fit.W_c_interval, reference_error=REFERENCES["W_c"][1]),
        Row("nu", fit.nu, fit.nu_error, REFERENCES["nu"][0], SOURCE, params=params,
            interval=fit.nu_interval, reference_error=REFERENCES["nu"][1]),
        Row("Lambda_c", float(np.exp(a00)), None, LAMBDA_C[0], LAMBDA_C[2], params=params,
            reference_error=LAMBDA_C[1]),
        Row("y", fit.y, fit.y_error, None, "leading irrelevant exponent (fitted)", params=params),
        Row("fit_Q", fit.Q, None, None,
            f"goodness of fit, chi^2 = {fit.chi2:.1f} for {fit.dof} degrees of freedom",
            params=params),
    ]


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    start = time.perf_counter()
    mode = MODES[quick]
    base = output_directory(out, NAME, quick)
    data = bar_studies(mode["sizes"], {"W": mode["W"]}, base, d=3, seed=SEED,
                       model={"E": 0.0}, workers=workers, progress=progress)
    M, W = xr.broadcast(data["M"], data["W"])
    fit = fit_scaling(M.values, W.values, data["Lambda"].values, data["Lambda_error"].values,
                      model=mode["model"], W_c=16.5, nu=1.5, rng=np.random.default_rng(SEED))
    m = mode["model"]
    params = {"E": 0.0, "M": [int(v) for v in data["M"].values],
              "W": [float(min(mode["W"])), float(max(mode["W"]))],
              "model": [m.n_r, m.n_i, m.m_r, m.m_i]}
    fig = _figure(data, fit, base / f"{NAME}.png")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)],
                  scaling_rows(fit, params))
