"""``xxz-crossing-drift``: the crossings W*(L, L+2) of the random-field Heisenberg chain and
their drift with L.

H = sum_i S_i . S_{i+1} + sum_i h_i S^z_i, h_i ~ U[-W, W], periodic, S^z = 0. The mean gap
ratio <r> of the K = 50 levels nearest energy density eps = 0.5 (at L = 8, whose sector has 70
levels, the central 20% of them: 14) is measured against W at every even L, by dense
diagonalization up to L = 12 and by shift-invert (POLFED where no backend factorizes the
sector) beyond. Consecutive sizes cross at W*(L, L+2); the crossings drift upward with L
(Luitz, Laflorencie & Alet 2015 quote 3.72(6) from L <= 22; Šuntajs et al. 2020 argue for a
drift linear in L; Sierant, Lewenstein & Zakrzewski 2020 follow it to L = 24 with POLFED). No
paper tabulates W*(L, L+2): this reproduction does, with a joint bootstrap over all sizes
(:func:`mbl.scaling.crossing_drift`) giving every crossing's error and that of the drift
dW*/dL of the straight line through them (docs/theory/xxz-chain.md §9.5).

The crossings have no published values to compare with (their rows carry no reference); the
one comparison made is the line through this run's crossings evaluated at the pair (20, 22),
against the value Luitz et al. obtained from sizes up to 22 - an extrapolation, as its row
says.
"""

from __future__ import annotations

import time
from math import comb
from pathlib import Path

import numpy as np
import xarray as xr

from mbl.reproduce.base import Report, Row, _finite, output_directory
from mbl.reproduce.crossings import size_studies
from mbl.scaling import crossing_drift, mean_and_error
from mbl.solvers.plan import can_factorize
from mbl.study.runner import Progress

NAME = "xxz-crossing-drift"
SEED = 20201103
K = 50
DENSE_MAX_L = 12
LUITZ = (3.72, 0.06, "Luitz, Laflorencie & Alet, PRB 91, 081103(R) (2015), from L <= 22")
EXTRAPOLATE_TO = (20, 22)
MODES = {
    # quick: 6 min 39 s on 2 idle cores (736 CPU-seconds); it gives errors 0.09, 0.21
    # and 0.31 on the three crossings: 0.15 on all three would take about 4x the samples at
    # L = 12 and 14 (docs/theory/xxz-chain.md §9.5). full: about 20 core-hours, 2/3 of it the
    # 800 shift-invert solves at L = 18 (about a minute each on one core)
    True: dict(W=[1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5],
               samples={8: 4000, 10: 2000, 12: 800, 14: 150}),
    False: dict(W=[1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0],
                samples={8: 20000, 10: 10000, 12: 4000, 14: 1500, 16: 400, 18: 100}),
}
DEGREE = 2


def levels_used(L: int) -> int:
    """The number of levels nearest eps = 0.5 whose gap ratios are averaged at size L."""
    return min(K, round(0.2 * comb(L, L // 2)))


def _config(L: int, samples: int, W: list[float]) -> dict:
    N = comb(L, L // 2)
    if L <= DENSE_MAX_L:
        solver = {"method": "dense", "energy_density": 0.5}
        observables = {"names": ["gap_ratio"], "energy_window": levels_used(L) / N}
    else:
        method = "shift_invert" if can_factorize(N) else "polfed"
        solver = {"method": method, "energy_density": 0.5, "k": K}
        observables = {"names": ["gap_ratio"]}
    return {
        "study": {"kind": "spectrum", "seed": SEED, "samples": samples},
        "model": {"name": "xxz", "L": L, "J": 1.0, "Delta": 1.0, "bc": "periodic", "sz": 0.0},
        "grid": {"W": W},
        "solver": solver,
        "observables": observables,
    }


def _rows(curves: dict[int, xr.DataArray], drift) -> list[Row]:
    sizes = sorted(curves)
    params = {"Delta": 1.0, "eps": 0.5, "K": K}
    rows = []
    for (a, b), value, error in zip(drift.pairs, drift.crossings, drift.errors, strict=True):
        src = ("no published table (only figures); joint bootstrap over all sizes"
               if np.isfinite(value) else
               f"the fitted curves do not cross in [{curves[a]['W'].values[0]:g}, "
               f"{curves[a]['W'].values[-1]:g}]")
        rows.append(Row("W_cross", float(value), _finite(error), None, src,
                        params={**params, "L": [a, b],
                                "samples": [curves[a].sizes["sample"],
                                            curves[b].sizes["sample"]]}))
    fit = {**params, "L": sizes, "chi2": drift.chi2, "dof": drift.dof,
           "bootstrap_failed": drift.n_failed}
    rows.append(Row("dW_cross_dL", drift.slope, _finite(drift.slope_error), None,
                    "weighted line through W_cross against (L + L')/2; joint bootstrap",
                    params=fit))
    at = 0.5 * sum(EXTRAPOLATE_TO)
    value = drift.intercept + drift.slope * at
    rows.append(Row("W_cross_extrapolated", value, _extrapolation_error(drift, at), LUITZ[0],
                    f"this run's line evaluated at the pair {EXTRAPOLATE_TO} (an "
                    f"extrapolation, assuming the drift stays linear) vs {LUITZ[2]}",
                    params={**params, "L": list(EXTRAPOLATE_TO)},
                    reference_error=LUITZ[1]))
    return rows


def _extrapolation_error(drift, at: float) -> float | None:
    """Error of the line at ``at``: its crossings' errors propagated through the slope and
    the value at the weighted mean size (the slope's bootstrap error for the correlation)."""
    ok = np.isfinite(drift.crossings)
    if ok.sum() < 2 or not np.isfinite(drift.slope_error):
        return None
    L = np.array([0.5 * (a + b) for a, b in drift.pairs])[ok]
    w = 1.0 / drift.errors[ok] ** 2
    Lm = (w * L).sum() / w.sum()
    mean_error = 1.0 / np.sqrt(w.sum())
    return float(np.hypot(mean_error, drift.slope_error * (at - Lm)))


def _figure(curves: dict[int, xr.DataArray], drift, path: Path) -> Path:
    from matplotlib.figure import Figure

    from mbl.plot import save_figure

    fig = Figure(figsize=(15.0, 4.6), layout="tight")
    ax_r, ax_L, ax_inv = fig.subplots(1, 3)
    for i, (L, da) in enumerate(sorted(curves.items())):
        mean, err = mean_and_error(da.values)
        ax_r.errorbar(da["W"].values, mean, yerr=err, marker="o", ms=4, capsize=3,
                      color=f"C{i}", label=f"L = {L} ({da.sizes['sample']} samples)")
    ax_r.set_xlabel("disorder strength $W$ (units of $J$)")
    ax_r.set_ylabel(rf"$\langle r\rangle$ of the {K} levels nearest $\epsilon = 0.5$")
    ax_r.set_title(r"random-field XXZ chain, $\Delta = 1$, $S^z = 0$")
    ax_r.grid(alpha=0.3)
    ax_r.legend(fontsize=8)
    ok = np.isfinite(drift.crossings)
    Lmid = np.array([0.5 * (a + b) for a, b in drift.pairs])
    labels = [f"({a}, {b})" for a, b in drift.pairs]
    for ax, x, xlabel in ((ax_L, Lmid, r"mean size $(L + L')/2$ of the pair"),
                          (ax_inv, 1.0 / Lmid, r"$1 / \bar L$ of the pair")):
        ax.errorbar(x[ok], drift.crossings[ok], yerr=drift.errors[ok], fmt="s", color="C3",
                    capsize=3, label=r"$W^*(L, L+2)$, this run")
        for xi, yi, lab in zip(x[ok], drift.crossings[ok], np.array(labels)[ok], strict=True):
            ax.annotate(lab, (xi, yi), textcoords="offset points", xytext=(6, -12), fontsize=7)
        at = 0.5 * sum(EXTRAPOLATE_TO)
        ax.axhspan(LUITZ[0] - LUITZ[1], LUITZ[0] + LUITZ[1], color="k", alpha=0.15,
                   label=r"Luitz et al. 2015, $L \leq 22$: $3.72 \pm 0.06$")
        if np.isfinite(drift.slope):
            fine = np.linspace(Lmid[ok].min(), at, 50)
            xf = fine if ax is ax_L else 1.0 / fine
            ax.plot(xf, drift.intercept + drift.slope * fine, "C3--", lw=1,
                    label=(rf"line: $dW^*/dL = {drift.slope:.3f} \pm "
                           rf"{drift.slope_error:.3f}$"))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(r"crossing $W^*$ (units of $J$)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    ax_L.set_title("crossings of consecutive sizes")
    ax_inv.set_title(r"against $1/\bar L$")
    ax_inv.set_xlim(left=0.0)
    return save_figure(fig, path)


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    start = time.perf_counter()
    mode = MODES[quick]
    base = output_directory(out, NAME, quick)
    sets = size_studies(lambda L, n: _config(L, n, mode["W"]), mode["samples"], base,
                        workers=workers, progress=progress)
    curves = {L: ds["r_mean"] for L, ds in sets.items()}
    x = curves[min(curves)]["W"].values
    drift = crossing_drift(x, {L: c.values for L, c in curves.items()},
                           rng=np.random.default_rng(SEED), degree=DEGREE, n_boot=1000)
    rows = _rows(curves, drift)
    fig = _figure(curves, drift, base / f"{NAME}.png")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)], rows)
