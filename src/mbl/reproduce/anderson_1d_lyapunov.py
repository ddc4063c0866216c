"""``anderson-1d-lyapunov``: the Lyapunov exponent of the 1D Anderson chain across the band.

At weak box disorder the Born approximation gives gamma(E) = W^2 / (24 (4 - E^2)) (Thouless
1979). It fails at special energies where the clean wavelength is commensurate with the
lattice, above all at the band centre E = 0 (Kappus & Wegner 1981; Derrida & Gardner 1984:
gamma(0) = W^2 / 105.045, i.e. 0.9139 of the Born value). The exponents are computed by
transfer matrices to a target relative error; the deviations from Born are plotted, not
smoothed away.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import xarray as xr

from mbl.plot import save_figure
from mbl.reproduce.base import Report, Row, output_directory, run_builtin_study
from mbl.study.runner import Progress

NAME = "anderson-1d-lyapunov"
SEED = 19790101
W = 1.0
BORN = "Born approximation W^2/(24(4-E^2)), Thouless J. Phys. C 12 (1979)"
ANOMALY = (1 / 105.045, "band-centre anomaly W^2/105.045, Kappus & Wegner 1981; Derrida & "
           "Gardner 1984 (constant quoted from the literature, not re-derived here)")
MODES = {
    True: dict(E=[0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75], rel_error=5e-3),
    False: dict(E=[float(e) for e in np.round(np.linspace(0.0, 1.9, 39), 3)], rel_error=1e-3),
}


def born(W: float, E: np.ndarray) -> np.ndarray:
    """Thouless' weak-disorder exponent of the box-disorder chain."""
    return W**2 / (24 * (4 - np.asarray(E) ** 2))


def _figure(ds: xr.Dataset, path: Path) -> Path:
    from matplotlib.figure import Figure

    E = ds["E"].values
    g = ds["gamma"].isel(sample=0).values
    err = ds["gamma_error"].isel(sample=0).values
    fig = Figure(figsize=(6.4, 6.0), layout="tight")
    top, bottom = fig.subplots(2, 1, sharex=True)
    fine = np.linspace(0, E.max() + 0.1, 300)
    top.plot(fine, born(W, fine), "k-", lw=1, label="Born $W^2/24(4-E^2)$")
    top.errorbar(E, g, yerr=err, fmt="o", ms=4, capsize=3, label="transfer matrix")
    top.set_ylabel(r"Lyapunov exponent $\gamma$ (1/lattice spacing)")
    top.set_title(f"1D Anderson chain, box disorder $W = {W:g}$")
    top.legend(fontsize=8)
    ratio = g / born(W, E)
    bottom.axhline(1.0, color="k", lw=1)
    bottom.axhline(96 * ANOMALY[0], color="C3", ls="--", lw=1,
                   label="Kappus-Wegner $E = 0$: 96/105.045")
    bottom.errorbar(E, ratio, yerr=err / born(W, E), fmt="o", ms=4, capsize=3)
    bottom.set_xlabel("energy $E$ (units of $t$)")
    bottom.set_ylabel(r"$\gamma / \gamma_{\rm Born}$")
    bottom.legend(fontsize=8)
    for ax in (top, bottom):
        ax.grid(alpha=0.3)
    return save_figure(fig, path)


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    start = time.perf_counter()
    mode = MODES[quick]
    base = output_directory(out, NAME, quick)
    ds = run_builtin_study({
        "study": {"kind": "tmm", "seed": SEED, "samples": 1},
        "model": {"name": "anderson_bar", "d": 1, "M": 1, "W": W},
        "grid": {"E": mode["E"]},
        "solver": {"rel_error": mode["rel_error"]},
    }, base / "chain", workers=workers, progress=progress)
    rows = []
    for E in ds["E"].values:
        g = float(ds["gamma"].sel(E=E).isel(sample=0))
        err = float(ds["gamma_error"].sel(E=E).isel(sample=0))
        rows.append(Row("gamma", g, err, float(born(W, E)), BORN,
                        params={"d": 1, "W": W, "E": float(E)}))
        if E == 0.0:
            rows.append(Row("gamma", g, err, W**2 * ANOMALY[0], ANOMALY[1],
                            params={"d": 1, "W": W, "E": 0.0, "regime": "band centre"}))
    fig = _figure(ds, base / f"{NAME}.png")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)], rows)
