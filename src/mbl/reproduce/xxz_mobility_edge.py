"""``xxz-mobility-edge``: the many-body mobility edge of the random-field Heisenberg chain.

The mean gap ratio resolved by energy density eps = (E - E_min)/(E_max - E_min) over the
whole spectrum, on a grid of W, for the two largest dense sizes. The colour map is the larger
size; on it, the crossing W*(eps) of the two sizes in each eps window traces the mobility
edge: states in the middle of the spectrum delocalize up to larger W than those near its
edges (Luitz, Laflorencie & Alet, PRB 91, 081103(R) (2015): W_c = 3.72(6) at eps = 0.5).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from mbl.observables import R_GOE, R_POISSON
from mbl.plot import save_figure
from mbl.reproduce.base import Report, Row
from mbl.reproduce.crossings import crossing_row, edge_report
from mbl.scaling import mean_and_error
from mbl.study.runner import Progress

NAME = "xxz-mobility-edge"
SEED = 20150213
REFERENCE = (3.72, 0.06, "Luitz, Laflorencie & Alet, PRB 91, 081103(R) (2015), eps = 0.5")
W_GRID = [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0]
EPS_BINS = 9  # odd: one window is centred on eps = 0.5
# The full mode was 200 chains of L = 14 and 40 of L = 16: 400 dense L = 16 spectra (about 4
# minutes each on one core here, 27 core-hours) for crossings whose error is set by the 40
# samples of the larger size. It is lowered to L = 12 and 14 with 10 and 25 times the quick
# mode's samples (about 4 core-hours): the quick mode's errors of +-1.3 scale to about 0.3.
MODES = {True: dict(samples={12: 200, 14: 16}), False: dict(samples={12: 2000, 14: 400})}


def _config(L: int, samples: int) -> dict:
    return {
        "study": {"kind": "spectrum", "seed": SEED, "samples": samples},
        "model": {"name": "xxz", "L": L, "bc": "periodic", "sz": 0.0},
        "grid": {"W": W_GRID},
        "solver": {"method": "dense", "energy_density": 0.5},
        "observables": {"names": ["r_eps"], "eps_bins": EPS_BINS},
    }


def edge(small: xr.DataArray, large: xr.DataArray, seed: int) -> list[Row]:
    """Crossing W*(eps) of two sizes in every eps window (NaN where they do not cross)."""
    rng = np.random.default_rng(seed)
    x = small["W"].values
    rows = []
    for b in range(small.sizes["eps_bin"]):
        eps = (b + 0.5) / small.sizes["eps_bin"]
        ref = REFERENCE if abs(eps - 0.5) < 0.5 / small.sizes["eps_bin"] + 1e-9 else \
            (None, None, "many-body mobility edge")
        rows.append(crossing_row("W_c", x, small.isel(eps_bin=b), large.isel(eps_bin=b),
                                 degree=2, rng=rng, n_boot=500, reference=ref,
                                 params={"eps": round(eps, 3)}))
    return rows


def _figure(small: xr.DataArray, large: xr.DataArray, rows: list[Row], path: Path) -> Path:
    from matplotlib.figure import Figure

    L = int(large["L"])
    mean = np.stack([mean_and_error(large.isel(eps_bin=b).values)[0]
                     for b in range(large.sizes["eps_bin"])])  # (eps, W)
    nb = large.sizes["eps_bin"]
    eps = (np.arange(nb) + 0.5) / nb
    fig = Figure(figsize=(6.6, 4.6), layout="tight")
    ax = fig.add_subplot()
    W = large["W"].values
    mesh = ax.pcolormesh(W, eps, mean, shading="nearest", cmap="RdYlBu_r", vmin=R_POISSON,
                         vmax=R_GOE)
    fig.colorbar(mesh, ax=ax, label=rf"mean gap ratio $\langle r\rangle$, L = {L}")
    mid = 0.5 * (R_GOE + R_POISSON)
    ax.contour(W, eps, mean, levels=[mid], colors="k", linestyles="--", linewidths=1)
    ok = [(r.params["eps"], r.value, r.error) for r in rows
          if r.error is not None and np.isfinite(r.value)]
    if ok:
        e, w, err = np.array(ok).T
        ax.errorbar(w, e, xerr=err, fmt="o", color="k", mfc="w", capsize=3,
                    label="crossing $W^*(\\epsilon)$ of the two sizes")
    ax.plot([], [], "k--", lw=1, label=rf"$\langle r\rangle = {mid:.3f}$ (midpoint)")
    ax.set_xlabel("disorder strength $W$ (units of $J$)")
    ax.set_ylabel(r"energy density $\epsilon = (E - E_{\min})/(E_{\max} - E_{\min})$")
    ax.set_title(r"XXZ chain, $\Delta = 1$, $S^z = 0$: many-body mobility edge")
    ax.legend(fontsize=8, loc="lower right")
    return save_figure(fig, path)


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    return edge_report(NAME, _config, MODES[quick]["samples"], seed=SEED, edge=edge,
                       figure=_figure, quick=quick, out=out, workers=workers,
                       progress=progress)
