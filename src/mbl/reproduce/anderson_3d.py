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

from mbl.observables import R_GOE, R_POISSON
from mbl.reproduce.base import Report, Row, output_directory, run_builtin_study
from mbl.reproduce.crossings import crossing_figure, crossing_rows, size_studies
from mbl.scaling import mean_and_error
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


def run(*, quick: bool, out: Path, workers: int, progress: Progress | None) -> Report:
    start = time.perf_counter()
    mode = MODES[quick]
    base = output_directory(out, NAME, quick)
    W = {"start": mode["W"][0], "stop": mode["W"][1], "num": mode["W"][2]}
    sets = size_studies(lambda L, n: _config(L, n, W, mode), mode["samples"], base,
                        workers=workers, progress=progress)
    curves = {L: ds["r_mean"] for L, ds in sets.items()}
    limits = run_builtin_study(_config(LIMIT_L, mode["limit_samples"], [5.0, 100.0], mode),
                               base / "limits", workers=workers, progress=progress)
    rows = crossing_rows(curves, degree=mode["degree"], seed=SEED, reference=REFERENCE,
                         params={"d": 3, "E": 0.0})
    for Wl, ref, src in ((5.0, R_GOE, ATAS), (100.0, R_POISSON, POISSON)):
        mean, err = mean_and_error(limits["r_mean"].sel(W=Wl).values[None, :])
        rows.append(Row("r_mean", float(mean[0]), float(err[0]), float(ref), src,
                        params={"d": 3, "L": LIMIT_L, "W": Wl}))
    fig = crossing_figure(curves, rows[0], base / f"{NAME}.png",
                          reference_label=f"$W_c = {REFERENCE[0]}$ (Slevin & Ohtsuki 2014)",
                          ylabel=r"mean gap ratio $\langle r\rangle$ at $E \approx 0$",
                          unit="$t$", title="3D Anderson model, periodic cubes $L^3$")
    return Report(NAME, quick, time.perf_counter() - start, [str(fig)], rows)
