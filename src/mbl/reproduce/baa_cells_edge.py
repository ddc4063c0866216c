"""``baa-cells-mobility-edge``: many-body mobility edge of the BAA lattice of cells (ED).

The BAA lattice of cells (docs/theory/baa-model.md §1.2, :class:`mbl.models.baa_cells.BAACells`) in
exact diagonalization: a 1D chain of cells with ``LEVELS = 4`` GOE levels each (spacing delta),
all-to-all tunnelling ``I delta`` between neighbouring cells (open ends), the windowed random
interaction ``lambda delta`` of width ``M delta`` inside each cell, at half filling. The mean gap
ratio resolved by energy density eps = (E - E_min)/(E_max - E_min) over the whole spectrum, on a
grid of lambda, for 2 cells (8 sites, N = 70) and 3 cells (12 sites, N = 924); 4 cells (16 sites, N
= 12870) is beyond dense diagonalization of many samples. In each eps window the crossing
lambda*(eps) of the two sizes is where <r> stops decreasing and starts increasing with the size: a
finite-size estimate of the many-body mobility edge lambda_c(eps)
(docs/theory/phase-diagram.md §5.2: in a closed system the BAA transition at T_c is a critical
energy density).

There is no published number for this ED model, so the reference is null. The sizes are tiny:
the 2-cell spectrum has only ~14 levels per eps window, and its <r> differs from the Poisson
value even at lambda -> 0 because the levels of one cell repel (GOE). Crossings are therefore
indicative; where the two curves do not cross inside the lambda grid the row is null.
At these sizes they are not a mobility edge: the exact non-interacting (lambda = 0) <r> of 2
and 3 cells already differs (0.470 against 0.399 at eps = 0.1, 0.394 against 0.386 at 0.3,
equal at 0.5), and measured from that baseline the 3-cell system is the more ergodic at every
resolved lambda (docs/findings/baa-cell-crossings.md).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import xarray as xr

from mbl.observables import R_GOE, R_POISSON
from mbl.plot import save_figure
from mbl.reproduce.base import Report, Row
from mbl.reproduce.crossings import crossing_row, edge_report
from mbl.scaling import mean_and_error
from mbl.study.runner import Progress

NAME = "baa-cells-mobility-edge"
SEED = 20060501
LEVELS = 4
I_TUNNEL = 0.1
M_WINDOW = 3.0
LAM_GRID = [0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6, 1.0]
EPS_BINS = 5
SOURCE = ("many-body mobility edge lambda_c(eps) of the BAA lattice of cells "
          "(docs/theory/baa-model.md §1.2, docs/theory/phase-diagram.md §5.2): "
          "crossing of 2 and 3 cells; no published value for this ED model; at these sizes "
          "set by the non-interacting baseline, not a mobility edge "
          "(docs/findings/baa-cell-crossings.md)")
MODES = {True: dict(samples={2: 800, 3: 160}), False: dict(samples={2: 8000, 3: 1000})}


def _config(n_cells: int, samples: int) -> dict:
    return {
        "study": {"kind": "spectrum", "seed": SEED, "samples": samples},
        "model": {"name": "baa_cells", "n_cells": n_cells, "levels": LEVELS, "I": I_TUNNEL,
                  "M": M_WINDOW, "bc": "open"},
        "grid": {"lam": LAM_GRID},
        "solver": {"method": "dense", "energy_density": 0.5},
        "observables": {"names": ["r_eps"], "eps_bins": EPS_BINS},
    }


def edge(small: xr.DataArray, large: xr.DataArray, seed: int) -> list[Row]:
    """Crossing lambda*(eps) of two sizes in every eps window (null where they do not cross).

    The crossing is found in ``log10(lambda)`` (cubic fits, bootstrap over samples) and
    mapped back; the error is propagated to first order, the 95% interval exactly."""
    rng = np.random.default_rng(seed)
    x = np.log10(small["lam"].values)  # the grid is ~log-spaced; fit in log10(lambda)
    rows = []
    nb = small.sizes["eps_bin"]
    for b in range(nb):
        eps = (b + 0.5) / nb
        row = crossing_row("lambda_c", x, small.isel(eps_bin=b), large.isel(eps_bin=b),
                           degree=3, rng=rng, n_boot=500, reference=(None, None, SOURCE),
                           params={"eps": round(eps, 3)})
        params = {k: v for k, v in row.params.items() if k != "L"}
        params["x"] = "log10(lambda)"
        params["n_cells"] = row.params["L"]
        value = 10.0**row.value
        error = None if row.error is None else float(value * np.log(10.0) * row.error)
        interval = None if row.interval is None else tuple(10.0**v for v in row.interval)
        rows.append(dataclasses.replace(row, value=value, error=error, interval=interval,
                                        params=params))
    return rows


def _figure(small: xr.DataArray, large: xr.DataArray, rows: list[Row], path: Path) -> Path:
    from matplotlib.figure import Figure

    nb = large.sizes["eps_bin"]
    eps = (np.arange(nb) + 0.5) / nb
    lam = large["lam"].values
    fig = Figure(figsize=(11.0, 4.6), layout="tight")
    ax, cut = fig.subplots(1, 2)
    mean = np.stack([mean_and_error(large.isel(eps_bin=b).values)[0] for b in range(nb)])
    mesh = ax.pcolormesh(lam, eps, mean, shading="nearest", cmap="RdYlBu_r", vmin=R_POISSON,
                         vmax=R_GOE)
    fig.colorbar(mesh, ax=ax, label=rf"mean gap ratio $\langle r\rangle$, {int(large['L'])} cells")
    ok = [(r.params["eps"], r.value, r.error) for r in rows
          if r.error is not None and np.isfinite(r.value)]
    if ok:
        e, w, err = np.array(ok).T
        ax.errorbar(w, e, xerr=err, fmt="o", color="k", mfc="w", capsize=3,
                    label=r"crossing $\lambda^*(\epsilon)$, 2 vs 3 cells")
        ax.legend(fontsize=8, loc="lower right")
    ax.set_xscale("log")
    ax.set_xlabel(r"interaction $\lambda$ (units of the cell spacing $\delta$)")
    ax.set_ylabel(r"energy density $\epsilon = (E - E_{\min})/(E_{\max} - E_{\min})$")
    ax.set_title(rf"BAA cells: {LEVELS} levels/cell, $I = {I_TUNNEL}$, $M = {M_WINDOW:g}$, "
                 "half filling")
    mid = nb // 2
    for i, (da, ls) in enumerate(((small, "--"), (large, "-"))):
        for j, b in enumerate(sorted({0, mid, nb - 1})):
            m, e = mean_and_error(da.isel(eps_bin=b).values)
            cut.errorbar(lam, m, yerr=e, ls=ls, marker="os"[i], ms=4, capsize=2, color=f"C{j}",
                         label=f"{int(da['L'])} cells, $\\epsilon = {eps[b]:.2f}$")
    cut.axhline(R_GOE, color="0.3", lw=1, ls="--", label=f"GOE {R_GOE}")
    cut.axhline(R_POISSON, color="0.3", lw=1, ls=":", label=f"Poisson {R_POISSON:.3f}")
    cut.set_xscale("log")
    cut.set_xlabel(r"interaction $\lambda$ (units of $\delta$)")
    cut.set_ylabel(r"$\langle r\rangle$ in the $\epsilon$ window")
    cut.set_title(f"cuts at fixed $\\epsilon$ ({small.sizes['sample']} / "
                  f"{large.sizes['sample']} samples)")
    cut.legend(fontsize=7, ncol=2)
    cut.grid(alpha=0.3)
    return save_figure(fig, path)


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    return edge_report(NAME, _config, MODES[quick]["samples"], seed=SEED, edge=edge,
                       figure=_figure, quick=quick, out=out, workers=workers,
                       progress=progress)
