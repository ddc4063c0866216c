"""``anderson-3d-mobility-edge``: the trajectory E_c(W) of the 3D Anderson model.

At each disorder W, Lambda(E) = xi_M / M is computed on an energy grid for two cross-sections
M1 < M2 (box disorder, periodic M x M bars). States are extended where Lambda grows with M and
localized where it shrinks, so the mobility edge E_c(W) is where ln Lambda_M2 - ln Lambda_M1
changes sign (the last change going outward in E), with a bootstrap error from the points'
standard errors. The edge closes at E = 0 at W_c = 16.54, and at intermediate W it lies beyond
the clean band edge |E| = 6 (re-entrance: disorder first extends the band with delocalized
states; Bulka, Schreiber & Kramer, Z. Phys. B 66, 21 (1987)). Small bars shift the edge a
little (the crossing drifts with M as at E = 0), and at weak disorder (xi >> M) narrow bars
show transverse-channel structure in Lambda(E), so the map starts at W = 4; near W_c the
difference is small everywhere and the edge is poorly determined (large error). The figure
shows the raw sign map behind the points.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import xarray as xr

from mbl.plot import save_figure
from mbl.reproduce.bars import bar_studies
from mbl.reproduce.base import Report, Row, output_directory
from mbl.scaling.edges import SignChange, last_sign_change
from mbl.study.runner import Progress

NAME = "anderson-3d-mobility-edge"
SEED = 19870301
SOURCE = "Bulka, Schreiber & Kramer, Z. Phys. B 66, 21 (1987)"
CLEAN_EDGE = 6.0
W_C = 16.543
MODES = {
    True: dict(W=[4.0, 6.0, 8.0, 10.0, 12.0, 13.0, 14.0, 15.0, 16.0],
               E=[float(e) for e in np.arange(0.0, 10.01, 0.5)], sizes={4: 2e-2, 6: 2e-2}),
    False: dict(W=[4.0, 5.0, 6.0, 8.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0],
                E=[float(e) for e in np.arange(0.0, 9.01, 0.25)], sizes={6: 1e-2, 8: 1e-2}),
}


def edges(data: xr.Dataset, rng: np.random.Generator) -> dict[float, SignChange]:
    """E_c(W) from the sign of ln Lambda_M2 - ln Lambda_M1 along E."""
    M1, M2 = data["M"].values[[0, -1]]
    a, b = data.sel(M=M1), data.sel(M=M2)
    diff = np.log(b["Lambda"] / a["Lambda"])
    err = np.hypot(a["Lambda_error"] / a["Lambda"], b["Lambda_error"] / b["Lambda"])
    E = data["E"].values
    return {float(W): last_sign_change(E, diff.sel(W=W).values, err.sel(W=W).values, rng=rng)
            for W in data["W"].values}


def _figure(data: xr.Dataset, found: dict[float, SignChange], path: Path) -> Path:
    from matplotlib.colors import TwoSlopeNorm
    from matplotlib.figure import Figure

    M1, M2 = data["M"].values[[0, -1]]
    diff = np.log(data["Lambda"].sel(M=M2) / data["Lambda"].sel(M=M1)).transpose("W", "E")
    fig = Figure(figsize=(6.8, 5.0), layout="tight")
    ax = fig.add_subplot()
    lim = float(np.nanpercentile(np.abs(diff.values), 95))  # a few narrow-bar outliers saturate
    mesh = ax.pcolormesh(data["E"].values, data["W"].values, diff.values, cmap="RdBu_r",
                         norm=TwoSlopeNorm(0.0, -lim, lim), shading="nearest")
    fig.colorbar(mesh, ax=ax, label=rf"$\ln(\Lambda_{{{M2}}} / \Lambda_{{{M1}}})$ "
                                    "(> 0 extended, < 0 localized)")
    W = np.array(sorted(found))
    Ec = np.array([found[w].x for w in W])
    err = np.array([found[w].error for w in W])
    ax.errorbar(Ec, W, xerr=err, fmt="ko", ms=4, capsize=3, label=r"mobility edge $E_c(W)$")
    Wf = np.linspace(0, max(W.max(), W_C) + 1, 100)
    ax.plot(CLEAN_EDGE + Wf / 2, Wf, "k--", lw=1, label=r"band edge $6 + W/2$")
    ax.axvline(CLEAN_EDGE, color="k", ls=":", lw=1, label="clean band edge 6")
    ax.plot([0], [W_C], "k*", ms=10, label=r"$W_c = 16.54$ (Slevin-Ohtsuki)")
    ax.set_xlim(0, float(data["E"].max()))
    ax.set_ylim(0, max(W.max(), W_C) + 0.5)
    ax.set_xlabel("energy $E$ (units of $t$)")
    ax.set_ylabel("disorder strength $W$ (units of $t$)")
    ax.set_title(f"3D Anderson model: mobility edge from M = {M1} vs {M2} bars")
    ax.legend(fontsize=8, loc="lower right")
    return save_figure(fig, path)


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    start = time.perf_counter()
    mode = MODES[quick]
    base = output_directory(out, NAME, quick)
    data = bar_studies(mode["sizes"], {"W": mode["W"], "E": mode["E"]}, base, d=3, seed=SEED,
                       workers=workers, progress=progress)
    found = edges(data, np.random.default_rng(SEED))
    sizes = [int(m) for m in data["M"].values[[0, -1]]]
    rows = [Row("E_c", sc.x, sc.error, None, f"{SOURCE} (figure; no tabulated value)",
                params={"W": W, "M": sizes}, interval=sc.interval)
            for W, sc in sorted(found.items())]
    best_W, best = max(found.items(), key=lambda kv: np.nan_to_num(kv[1].x, nan=-np.inf))
    rows.append(Row("E_c_max", best.x, best.error, CLEAN_EDGE,
                    f"re-entrance: the edge passes the clean band edge 6 ({SOURCE})",
                    params={"W": best_W, "M": sizes}, interval=best.interval))
    fig = _figure(data, found, base / f"{NAME}.png")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)], rows)
