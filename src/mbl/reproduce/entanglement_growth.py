"""``entanglement-growth``: S(t) after a quench — saturation without interactions, log growth
with them (Bardarson, Pollmann & Moore, PRL 109, 017202 (2012); Žnidarič, Prosen & Prelovšek,
PRB 77, 064426 (2008)).

The random-field XXZ chain at W = 5 (open, S^z = 0) starts in a random basis state of the
sector (a product state of S^z) and evolves; the half-chain entanglement S(t), averaged over
disorder and initial states, saturates quickly for Delta = 0 (Anderson localization: a
bounded, area-law entanglement) and keeps growing like ln t for Delta = 0.2 (dephasing between
localized integrals of motion), until a finite-size plateau. The slope dS/d ln t is fitted over
a window after the single-particle saturation; the error is the standard error of the
per-sample slopes.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import xarray as xr

from mbl.plot import save_figure
from mbl.reproduce.base import Report, Row, output_directory
from mbl.reproduce.crossings import size_studies
from mbl.scaling import mean_and_error
from mbl.study.runner import Progress

NAME = "entanglement-growth"
SEED = 20120717
SOURCE = "Bardarson, Pollmann & Moore, PRL 109, 017202 (2012)"
W = 5.0
DELTAS = [0.0, 0.2]
MODES = {
    True: dict(samples={10: 200, 12: 300}, t_max=1e3, window=(20.0, 1000.0)),
    False: dict(samples={12: 300, 14: 200, 16: 50}, t_max=1e4, window=(20.0, 1e4)),
}


def _config(L: int, samples: int, t_max: float) -> dict:
    return {
        "study": {"kind": "dynamics", "seed": SEED, "samples": samples},
        "model": {"name": "xxz", "L": L, "W": W, "bc": "open", "sz": 0.0},
        "grid": {"Delta": DELTAS},
        "solver": {"t_min": 0.1, "t_max": t_max, "n_times": 41},
        "observables": {"names": ["entanglement", "imbalance"]},
    }


def slopes(ds: xr.Dataset, window: tuple[float, float]) -> xr.DataArray:
    """dS/d ln t per (Delta, sample) from a linear fit over ``window``."""
    t = ds["times"].isel(Delta=0, sample=0).values
    sel = (t >= window[0]) & (t <= window[1])
    x = np.log(t[sel]) - np.log(t[sel]).mean()
    S = ds["entropy_t"].values[..., sel]  # (Delta, sample, time)
    slope = ((S - S.mean(axis=-1, keepdims=True)) @ x) / (x @ x)
    return xr.DataArray(slope, dims=("Delta", "sample"), coords={"Delta": ds["Delta"].values})


def _figure(sets: dict[int, xr.Dataset], window: tuple[float, float], path: Path) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11.0, 4.4), layout="tight")
    left, right = fig.subplots(1, 2)
    styles = {0.0: "--", 0.2: "-"}
    for i, (L, ds) in enumerate(sorted(sets.items())):
        t = ds["times"].isel(Delta=0, sample=0).values[1:]
        for D in ds["Delta"].values:
            S, err = mean_and_error(ds["entropy_t"].sel(Delta=D).values.T)
            imb, ierr = mean_and_error(ds["imbalance"].sel(Delta=D).values.T)
            label = f"L = {L}, $\\Delta$ = {D:g}"
            left.plot(t, S[1:], styles[float(D)], color=f"C{i}", label=label)
            left.fill_between(t, S[1:] - err[1:], S[1:] + err[1:], color=f"C{i}", alpha=0.3)
            right.plot(t, imb[1:], styles[float(D)], color=f"C{i}", label=label)
            right.fill_between(t, imb[1:] - ierr[1:], imb[1:] + ierr[1:], color=f"C{i}",
                               alpha=0.3)
    left.axvspan(*window, color="0.9", zorder=0, label="slope window")
    left.set_ylabel(r"half-chain entanglement $\langle S(t)\rangle$")
    left.set_title(f"XXZ chain, W = {W:g}, quench from random $S^z$ product states")
    right.set_ylabel(r"imbalance $\langle I(t)\rangle$ (memory of the initial state)")
    right.set_title("localized: the initial pattern is remembered")
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xlabel(r"time $t$ (units of $\hbar/J$)")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    return save_figure(fig, path)


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    start = time.perf_counter()
    mode = MODES[quick]
    base = output_directory(out, NAME, quick)
    sets = size_studies(lambda L, n: _config(L, n, mode["t_max"]), mode["samples"], base,
                        workers=workers, progress=progress)
    rows = []
    for L, ds in sorted(sets.items()):
        s = slopes(ds, mode["window"])
        for D in ds["Delta"].values:
            m, e = mean_and_error(s.sel(Delta=D).values[None, :])
            ref, src = ((0.0, f"Anderson localized: S saturates ({SOURCE})") if D == 0 else
                        (None, f"interacting: S grows like ln t ({SOURCE}); no reference value"))
            rows.append(Row("S_slope", float(m[0]), float(e[0]), ref, src,
                            params={"L": L, "W": W, "Delta": float(D),
                                    "t": list(mode["window"])}))
        for D in ds["Delta"].values:
            m, e = mean_and_error(ds["imbalance"].sel(Delta=D).values[:, -1][None, :])
            rows.append(Row("imbalance_late", float(m[0]), float(e[0]), None,
                            "> 0: memory of the initial state (localized)",
                            params={"L": L, "W": W, "Delta": float(D), "t": mode["t_max"]}))
    fig = _figure(sets, mode["window"], base / f"{NAME}.png")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)], rows)
