"""``anderson-1d-2d-localized``: participation ratios saturate in d = 1, 2 at strong disorder.

In one and two dimensions every state of the Anderson model is localized (Abrahams et al.
1979; MacKinnon & Kramer 1983), so the participation ratio PR = 1 / sum |psi_i|^4 of states
near the band centre saturates at a size-independent value once L exceeds the localization
length, while clean standing waves on an open lattice occupy a fixed fraction of it:
PR = (2 (L + 1) / 3)^d exactly. We measure PR(L) at W = 8 and 12 (2D localization lengths
at weaker disorder exceed the reachable sizes), fit the exponent D in PR ~ N^D over the
largest sizes on periodic lattices (D -> 0 for localized states, D = 1 for extended
ones), and check the clean
chain against the exact formula.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import xarray as xr

from mbl.plot import save_figure
from mbl.reproduce.base import Report, Row, output_directory, run_builtin_study
from mbl.scaling import mean_and_error
from mbl.study.runner import Progress

NAME = "anderson-1d-2d-localized"
SEED = 19790301
SIZES = {True: {1: [25, 50, 100, 200, 400], 2: [8, 12, 16, 24, 32, 40]},
         False: {1: [50, 100, 200, 400, 800, 1600], 2: [8, 12, 16, 24, 32, 48, 64]}}
DISORDER = [8.0, 12.0]
CLEAN_SIZES = [24, 50, 100, 200, 400]
SOURCE_LOC = "Abrahams et al. PRL 42, 673 (1979); MacKinnon & Kramer 1983: PR saturates"
SOURCE_CLEAN = "standing waves on an open lattice: PR = (2(L+1)/3)^d [exact]"


def _config(d: int, L: list[int], W: list[float], bc: str, samples: int) -> dict:
    return {
        "study": {"kind": "spectrum", "seed": SEED + d, "samples": samples},
        "model": {"name": "anderson", "d": d, "bc": bc},
        "grid": {"L": L, "W": W},
        "solver": {"method": "dense", "energy": 0.0},
        "observables": {"names": ["participation_ratio"], "energy_window": 0.2},
    }


def clean_pr(L: np.ndarray, d: int) -> np.ndarray:
    """Exact PR of the standing waves of an open clean lattice of L^d sites."""
    return (2.0 * (np.asarray(L, dtype=float) + 1) / 3.0) ** d


def exponent(ds: xr.Dataset, d: int, W: float, n_largest: int = 3) -> tuple[float, float]:
    """Slope D of ln <PR> vs ln N over the largest sizes, weighted, with its standard error."""
    sub = ds["pr_mean"].sel(W=W)
    L = sub["L"].values[-n_largest:]
    mean, err = mean_and_error(sub.values[-n_largest:])
    x, y, s = d * np.log(L), np.log(mean), err / mean
    w = 1.0 / np.maximum(s, 1e-12) ** 2
    A = np.stack([np.ones_like(x), x], axis=1)
    cov = np.linalg.inv(A.T @ (A * w[:, None]))
    coef = cov @ (A.T @ (w * y))
    return float(coef[1]), float(np.sqrt(cov[1, 1]))


def _figure(sets: dict[int, xr.Dataset], clean: xr.Dataset, path: Path) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.6), layout="tight")
    ax = fig.add_subplot()
    for d, ds in sets.items():
        L = ds["L"].values
        N = L.astype(float) ** d
        ax.plot(N, clean_pr(L, d), ls="--", color="0.5" if d == 1 else "0.1", lw=1,
                label=f"clean, open, exact $(2(L+1)/3)^{d}$")
        for W in ds["W"].values:
            mean, err = mean_and_error(ds["pr_mean"].sel(W=W).values)
            ax.errorbar(N, mean, yerr=err, marker="o" if d == 1 else "s", ms=4, capsize=3,
                        label=f"d = {d}, W = {W:g}")
    Lc = clean["L"].values
    ax.plot(Lc, clean["pr_mean"].isel(W=0, sample=0).values, "x", color="0.5", ms=7,
            label="clean chain, computed")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("number of sites $N = L^d$")
    ax.set_ylabel(r"participation ratio $\langle 1/\sum_i |\psi_i|^4\rangle$ near $E = 0$")
    ax.set_title("Anderson model: localized states stop growing with $N$")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    start = time.perf_counter()
    base = output_directory(out, NAME, quick)
    samples = 24 if quick else 100
    sets = {d: run_builtin_study(_config(d, SIZES[quick][d], DISORDER, "periodic", samples),
                                 base / f"d{d}", workers=workers, progress=progress)
            for d in (1, 2)}
    clean = run_builtin_study(_config(1, CLEAN_SIZES, [0.0], "open", 1), base / "clean",
                              workers=workers, progress=progress)
    rows = []
    for d, ds in sets.items():
        for W in ds["W"].values:
            D, err = exponent(ds, d, float(W))
            rows.append(Row("D", D, err, 0.0, SOURCE_LOC, params={"d": d, "W": float(W)}))
            mean, sem = mean_and_error(ds["pr_mean"].sel(W=W).values[-1:])
            rows.append(Row("PR", float(mean[0]), float(sem[0]), None, "saturated value",
                            params={"d": d, "W": float(W), "L": int(ds["L"].values[-1])}))
    for L in CLEAN_SIZES[-2:]:
        pr = float(clean["pr_mean"].sel(L=L).isel(W=0, sample=0))
        rows.append(Row("PR", pr, None, float(clean_pr(L, 1)), SOURCE_CLEAN,
                        params={"d": 1, "W": 0.0, "L": L, "bc": "open"}, reference_error=0.0))
    fig = _figure(sets, clean, base / f"{NAME}.png")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)], rows)
