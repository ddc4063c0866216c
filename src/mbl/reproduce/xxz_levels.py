"""``xxz-levels``: the MBL crossover of the random-field Heisenberg chain at eps = 0.5.

H = sum_i S_i . S_{i+1} + sum_i h_i S^z_i, h_i ~ U[-W, W], periodic, S^z = 0, the levels and
eigenstates in the central 20% of the spectrum (energy density eps = 0.5, "infinite
temperature"). The mean gap ratio goes from GOE (ergodic) to Poisson (localized) and the
half-chain entanglement from a volume law to an area law; the curves of different L cross
below the large-L estimates (Pal & Huse 2010: W_c ~ 3.5 from L = 8-16; Luitz, Laflorencie &
Alet 2015: 3.72(6) with L up to 22) and drift upwards with L, so the crossing rows carry no
reference (``xxz-crossing-drift`` tabulates the drift).
"""

from __future__ import annotations

import time
from pathlib import Path

import xarray as xr

from mbl.observables import R_GOE, R_POISSON, page_entropy_fixed_number
from mbl.plot import save_figure
from mbl.reproduce.base import Report, Row, output_directory
from mbl.reproduce.crossings import crossing_figure, crossing_rows, size_studies
from mbl.scaling import mean_and_error
from mbl.study.runner import Progress

NAME = "xxz-levels"
SEED = 20100719
# No published value exists for a crossing of these small sizes: the crossings drift upward
# with L (tabulated by xxz-crossing-drift), so the rows carry no reference, and the estimates
# extrapolated from larger sizes (Pal & Huse, PRB 82, 174411 (2010): 3.5 +- 1 from L = 8-16;
# Luitz et al. 2015: 3.72(6) from L <= 22) are not compared with an L = 8-12 crossing.
REFERENCE = (None, None, "no published value at these sizes: the crossings drift upward with "
             "L (mbl reproduce xxz-crossing-drift; docs/theory/xxz-chain.md §9.5)")
W_GRID = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 8.0]
CROSSING_RANGE = (2.0, 5.0)
MODES = {
    True: dict(samples={8: 1500, 10: 600, 12: 200}, window=0.2, degree=2),
    False: dict(samples={8: 5000, 10: 2000, 12: 1000, 14: 300, 16: 100}, window=0.2, degree=2),
}


def _config(L: int, samples: int, window: float) -> dict:
    return {
        "study": {"kind": "spectrum", "seed": SEED, "samples": samples},
        "model": {"name": "xxz", "L": L, "J": 1.0, "Delta": 1.0, "bc": "periodic", "sz": 0.0},
        "grid": {"W": W_GRID},
        "solver": {"method": "dense", "energy_density": 0.5},
        "observables": {"names": ["gap_ratio", "entanglement"], "energy_window": window},
    }


def _entropy_figure(sets: dict[int, xr.Dataset], path: Path) -> Path:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.4), layout="tight")
    ax = fig.add_subplot()
    for i, (L, ds) in enumerate(sorted(sets.items())):
        mean, err = mean_and_error(ds["entropy_mean"].values)
        page = page_entropy_fixed_number(L, L // 2, L // 2)
        ax.errorbar(ds["W"].values, mean / page, yerr=err / page, marker="o", ms=4, capsize=3,
                    color=f"C{i}", label=f"L = {L}  (Page value {page:.3f})")
    ax.set_xlabel("disorder strength $W$ (units of $J$)")
    ax.set_ylabel(r"half-chain entanglement $\langle S_{L/2}\rangle / S_{\rm Page}$")
    ax.set_title(r"XXZ chain, $\Delta = 1$, eigenstates at $\epsilon = 0.5$")
    ax.set_xscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    start = time.perf_counter()
    mode = MODES[quick]
    base = output_directory(out, NAME, quick)
    sets = size_studies(lambda L, n: _config(L, n, mode["window"]), mode["samples"], base,
                        workers=workers, progress=progress)
    curves = {L: ds["r_mean"] for L, ds in sets.items()}
    window = {L: c.sel(W=slice(*CROSSING_RANGE)) for L, c in curves.items()}
    rows = crossing_rows(window, degree=mode["degree"], seed=SEED, reference=REFERENCE,
                         params={"Delta": 1.0, "eps": 0.5})
    L_max = max(sets)
    r = curves[L_max]
    for W, ref, src in ((0.5, R_GOE, "GOE, Atas et al. PRL 110, 084101 (2013)"),
                        (8.0, R_POISSON, "Poisson, 2 ln 2 - 1 [exact]")):
        mean, err = mean_and_error(r.sel(W=W).values[None, :])
        rows.append(Row("r_mean", float(mean[0]), float(err[0]), float(ref), src,
                        params={"L": L_max, "W": W}))
    page = page_entropy_fixed_number(L_max, L_max // 2, L_max // 2)
    for W in (0.5, 8.0):
        mean, err = mean_and_error(sets[L_max]["entropy_mean"].sel(W=W).values[None, :])
        rows.append(Row("S_half", float(mean[0]), float(err[0]), page if W < 1 else None,
                        "random states at S^z = 0 (Page, Vidmar-Rigol): an upper bound"
                        if W < 1 else "area law (localized)", params={"L": L_max, "W": W}))
    figs = [crossing_figure(curves, rows[0], base / f"{NAME}.png",
                            reference_label="",
                            ylabel=r"mean gap ratio $\langle r\rangle$ at $\epsilon = 0.5$",
                            unit="$J$",
                            title=r"random-field XXZ chain, $\Delta = 1$, $S^z = 0$"),
            _entropy_figure(sets, base / f"{NAME}-entanglement.png")]
    return Report(NAME, quick, time.perf_counter() - start, [str(f) for f in figs], rows)
