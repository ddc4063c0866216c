"""``anderson-3d-levels``: the 3D Anderson transition from level statistics at E = 0.

Below W_c the states at the band centre are extended and their levels repel (GOE,
<r> = 0.5307); above W_c they are localized (Poisson, <r> = 2 ln 2 - 1). The curves <r>_L(W)
for different L cross near W_c (Shklovskii et al., PRB 47, 11487 (1993)). Each size is its own
study, so the cheap small sizes get more samples: the crossing error is dominated by the
noisiest curve. The crossing of the smallest and largest size (largest difference of slopes)
is reported as W_c with a bootstrap error over disorder samples; consecutive pairs are listed
too, so the drift with L is visible.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import xarray as xr

from mbl._core.errors import InputError
from mbl.observables import R_GOE, R_POISSON
from mbl.plot import save_figure
from mbl.reproduce.base import Report, Row, run_builtin_study
from mbl.scaling import crossing, mean_and_error
from mbl.study.runner import Progress

NAME = "anderson-3d-levels"
SEED = 19930301
REFERENCE = (16.543, 0.003, "Slevin & Ohtsuki, NJP 16, 015012 (2014)")
ATAS = "Atas et al., PRL 110, 084101 (2013)"
POISSON = "Poisson statistics, 2 ln 2 - 1 [exact]"

#: L -> samples per W; window = fraction of the levels centred on E = 0 (dense) or the
#: same fraction of N as the number of shift-invert pairs.
MODES = {
    True: dict(samples={8: 600, 10: 100, 12: 70}, W=(14.5, 18.5, 9), window=0.3, degree=1,
               dense_max=2000, limit_samples=40),
    False: dict(samples={8: 3000, 10: 1000, 12: 500, 14: 300, 16: 200, 20: 100},
                W=(14.0, 19.0, 11), window=0.1, degree=2, dense_max=2000, limit_samples=200),
}
LIMIT_L = 10


def _config(L: int, samples: int, W, mode: dict) -> dict:
    n = L**3
    dense = n <= mode["dense_max"]
    return {
        "study": {"kind": "spectrum", "seed": SEED, "samples": samples},
        "model": {"name": "anderson", "d": 3, "L": L, "bc": "periodic"},
        "grid": {"W": W},
        "solver": {"method": "dense" if dense else "shift_invert", "energy": 0.0,
                   "k": max(3, round(mode["window"] * n))},
        "observables": {"names": ["gap_ratio"], "energy_window": mode["window"]},
    }


def _figure(curves: dict[int, xr.DataArray], wc: Row, path: Path) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11.0, 4.4), layout="tight")
    overview, zoom = fig.subplots(1, 2)
    for ax in (overview, zoom):
        for i, (L, da) in enumerate(curves.items()):
            mean, err = mean_and_error(da.values)
            ax.errorbar(da["W"].values, mean, yerr=err, marker="o", ms=4, capsize=3,
                        color=f"C{i}", label=f"L = {L} ({da.sizes['sample']} samples)")
        if wc.error is not None and np.isfinite(wc.value):
            ax.axvspan(wc.value - wc.error, wc.value + wc.error, color="C3", alpha=0.15,
                       label=f"crossing $W^* = {wc.value:.2f} \\pm {wc.error:.2f}$")
        ax.axvline(REFERENCE[0], color="k", lw=1,
                   label=f"$W_c = {REFERENCE[0]}$ (Slevin & Ohtsuki 2014)")
        ax.set_xlabel("disorder strength $W$ (units of $t$)")
        ax.set_ylabel(r"mean gap ratio $\langle r\rangle$ at $E \approx 0$")
        ax.grid(alpha=0.3)
    overview.axhline(R_GOE, ls="--", color="0.3", lw=1, label=f"GOE {R_GOE}")
    overview.axhline(R_POISSON, ls=":", color="0.3", lw=1, label=f"Poisson {R_POISSON:.4f}")
    overview.set_ylim(R_POISSON - 0.01, R_GOE + 0.01)
    overview.set_title("3D Anderson model, periodic cubes $L^3$")
    overview.legend(fontsize=8, loc="lower left")
    zoom.set_title("zoom on the crossing")
    return save_figure(fig, path)


def _crossing_row(quantity: str, x: np.ndarray, a: xr.DataArray, b: xr.DataArray, mode: dict,
                  rng: np.random.Generator, n_boot: int) -> Row:
    """Crossing of two sizes' curves; curves that do not cross give a row with value NaN."""
    params = {"d": 3, "E": 0.0, "L": [int(a["L"]), int(b["L"])]}
    try:
        c = crossing(x, a.values, b.values, rng=rng, degree=mode["degree"], n_boot=n_boot)
    except InputError as exc:
        return Row(quantity, float("nan"), None, REFERENCE[0], f"{REFERENCE[2]}; {exc}",
                   params=params, reference_error=REFERENCE[1])
    return Row(quantity, c.x, c.error, REFERENCE[0], REFERENCE[2], params=params,
               interval=c.interval, reference_error=REFERENCE[1])


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    start = time.perf_counter()
    mode = MODES[quick]
    base = Path(out) / NAME / ("quick" if quick else "full")
    W = {"start": mode["W"][0], "stop": mode["W"][1], "num": mode["W"][2]}
    curves = {}
    for L, samples in mode["samples"].items():
        ds = run_builtin_study(_config(L, samples, W, mode), base / f"L{L}", workers=workers,
                               progress=progress)
        curves[L] = ds["r_mean"].assign_coords(L=L)
    limits = run_builtin_study(_config(LIMIT_L, mode["limit_samples"], [5.0, 100.0], mode),
                               base / "limits", workers=workers, progress=progress)
    x = curves[min(curves)]["W"].values
    rng = np.random.default_rng(SEED)
    sizes = sorted(curves)
    rows = [_crossing_row("W_c", x, curves[sizes[0]], curves[sizes[-1]], mode, rng, 2000)]
    for a, b in zip(sizes[:-1], sizes[1:], strict=True):
        rows.append(_crossing_row("W_cross", x, curves[a], curves[b], mode, rng, 1000))
    for Wl, ref, src in ((5.0, R_GOE, ATAS), (100.0, R_POISSON, POISSON)):
        mean, err = mean_and_error(limits["r_mean"].sel(W=Wl).values[None, :])
        rows.append(Row("r_mean", float(mean[0]), float(err[0]), float(ref), src,
                        params={"d": 3, "L": LIMIT_L, "W": Wl}))
    fig = _figure(curves, rows[0], base / f"{NAME}.png")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)], rows)
