"""``anderson-1d-2d-localized``: participation ratios saturate in d = 1, 2 at strong disorder.

In one and two dimensions every state of the Anderson model is localized (Abrahams et al.
1979; MacKinnon & Kramer 1983), so the participation ratio PR = 1 / sum |psi_i|^4 of states
near the band centre saturates at a size-independent value once L exceeds the localization
length, while clean standing waves on an open lattice occupy a fixed fraction of it:
PR = (2 (L + 1) / 3)^d exactly. We measure PR(L) at W = 8 and 12 (2D localization lengths
at weaker disorder exceed the reachable sizes), fit the exponent D in PR ~ N^D over the
largest sizes (D -> 0 for localized states, D = 1 for extended ones), and check the clean
chain against the exact formula.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import xarray as xr

from mbl.plot import save_figure
from mbl.reproduce.base import Report, Row, run_builtin_study
from mbl.scaling import mean_and_error
from mbl.study.runner import Progress

NAME = "anderson-1d-2d-localized"
SEED = 19790301
SIZES = {True: {1: [24, 50, 100, 200, 400], 2: [6, 8, 12, 16, 24]},
         False: {1: [50, 100, 200, 400, 800, 1600], 2: [8, 12, 16, 24, 32, 40]}}
DISORDER = [0.0, 8.0, 12.0]
SOURCE_LOC = "Abrahams et al. PRL 42, 673 (1979); MacKinnon & Kramer 1983: PR saturates"
SOURCE_CLEAN = "standing waves on an open lattice: PR = (2(L+1)/3)^d [exact]"


def _config(d: int, quick: bool) -> dict:
    return {
        "study": {"kind": "spectrum", "seed": SEED + d, "samples": 24 if quick else 100},
        "model": {"name": "anderson", "d": d, "bc": "open"},
        "grid": {"L": SIZES[quick][d], "W": DISORDER if d == 1 else DISORDER[1:]},
        "solver": {"method": "dense", "energy": 0.0},
        "observables": {"names": ["participation_ratio"], "energy_window": 0.2},
    }


def clean_pr(L: np.ndarray, d: int) -> np.ndarray:
    """Exact PR of the standing waves of an open clean lattice of L^d sites."""
    return (2.0 * (np.asarray(L, dtype=float) + 1) / 3.0) ** d


def exponent(ds: xr.Dataset, W: float, n_largest: int = 3) -> tuple[float, float]:
    """Slope D of ln <PR> vs ln N over the largest sizes, weighted, with its standard error."""
    d = int(ds.attrs["d"])
    sub = ds["pr_mean"].sel(W=W)
    L = sub["L"].values[-n_largest:]
    mean, err = mean_and_error(sub.values[-n_largest:])
    x, y, s = d * np.log(L), np.log(mean), err / mean
    w = 1.0 / np.maximum(s, 1e-12) ** 2
    A = np.stack([np.ones_like(x), x], axis=1)
    cov = np.linalg.inv(A.T @ (A * w[:, None]))
    coef = cov @ (A.T @ (w * y))
    return float(coef[1]), float(np.sqrt(cov[1, 1]))


def _figure(sets: dict[int, xr.Dataset], path: Path) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.4), layout="tight")
    ax = fig.add_subplot()
    markers = {1: "o", 2: "s"}
    for d, ds in sets.items():
        L = ds["L"].values
        N = L.astype(float) ** d
        ax.plot(N, clean_pr(L, d), ls="--", color="gray" if d == 1 else "black", lw=1,
                label=f"clean, exact $(2(L+1)/3)^{d}$ (d = {d})")
        for W in ds["W"].values:
            mean, err = mean_and_error(ds["pr_mean"].sel(W=W).values)
            ax.errorbar(N, mean, yerr=err, marker=markers[d], capsize=3, ls="-" if W else "none",
                        mfc="none" if W == 0 else None, label=f"d = {d}, W = {W:g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("number of sites $N = L^d$")
    ax.set_ylabel(r"participation ratio $\langle 1/\sum_i |\psi_i|^4\rangle$, $|E| \approx 0$")
    ax.set_title("Anderson model, open boundaries: localized states saturate")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    start = time.perf_counter()
    base = Path(out) / NAME / ("quick" if quick else "full")
    sets = {}
    for d in (1, 2):
        ds = run_builtin_study(_config(d, quick), base / f"d{d}", workers=workers,
                               progress=progress)
        ds.attrs["d"] = d
        sets[d] = ds
    rows = []
    for d, ds in sets.items():
        for W in ds["W"].values:
            if W == 0:
                continue
            D, err = exponent(ds, float(W))
            rows.append(Row("D", D, err, 0.0, SOURCE_LOC, params={"d": d, "W": float(W)}))
            mean, sem = mean_and_error(ds["pr_mean"].sel(W=W).values[-1:])
            rows.append(Row("PR", float(mean[0]), float(sem[0]), None, "saturated value",
                            params={"d": d, "W": float(W), "L": int(ds["L"].values[-1])}))
    clean = sets[1]["pr_mean"].sel(W=0.0)
    L_big = int(clean["L"].values[-1])
    pr_clean = float(np.nanmean(clean.values[-1]))
    rows.append(Row("PR", pr_clean, 0.0, float(clean_pr(L_big, 1)), SOURCE_CLEAN,
                    params={"d": 1, "W": 0.0, "L": L_big}, reference_error=0.0))
    D0, e0 = exponent(sets[1], 0.0)
    rows.append(Row("D", D0, e0, 1.0, "extended states fill the lattice [exact]",
                    params={"d": 1, "W": 0.0}))
    fig = _figure(sets, base / f"{NAME}.png")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)], rows)
