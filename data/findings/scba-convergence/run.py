"""SCBA below T_c: are the unconverged points of baa-gamma-distribution a problem of iterations?

The same model as ``mbl reproduce baa-gamma-distribution`` (lambda = 2e-3, M = 5, I = 0.01,
d = 1, GOE cells) at T = 0.3 delta, lattices of 64, 256 and 1024 cells (one realization each,
shared by every eta and every iteration budget), eta from 1e-2 to 1e-10. For each budget of
iterations (60: the quick mode; 300: the full mode; 1000) and each damping exponent (0.5: the
default; 0.25 and 1.0) it records, per eta, whether the SCBA converged, the iterations taken,
the last residual, the largest change of a width inside the thermal window, and the fraction of
the window's levels broadened beyond g* = 1% of <Gamma_in> and beyond 10 eta.

python3 data/findings/scba-convergence/run.py  ->  result.json beside this file.
"""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path

import numpy as np

from mbl.baa.parameters import BAAParameters, RegimeWarning
from mbl.baa.scba import draw_cells, levels_for, solve
from mbl.study.provenance import provenance

SEED = 20050623
LAM, M, I, D, T = 2e-3, 5.0, 0.01, 1, 0.3  # noqa: E741
ETAS = tuple(10.0**-n for n in range(2, 11))
#: per lattice size, the (damping, iteration budget) pairs run (the largest lattice costs ~4x
#: the middle one per iteration: the default damping only)
PLAN = {64: [(a, n) for a in (0.5, 0.25, 1.0) for n in (60, 300, 1000)],
        256: [(a, n) for a in (0.5, 0.25, 1.0) for n in (60, 300, 1000)],
        1024: [(0.5, 60), (0.5, 300)]}
#: the order the runs are made in: the largest lattice's before the other dampings of the
#: middle one (the question is the size dependence). 1,024 cells with 1,000 iterations is not
#: run: at 256 cells that budget took 2,573 s, and the largest lattice costs ~4x per iteration.
ORDER = ([(64, p) for p in PLAN[64]] + [(256, p) for p in PLAN[256][:4]]
         + [(1024, p) for p in PLAN[1024]] + [(256, p) for p in PLAN[256][4:]])
TOL = 1e-4


def main() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RegimeWarning)
        params = BAAParameters(LAM, I, M, D)
    g_star = 0.01 * params.gamma_in_mean(T)
    n_levels = levels_for(T, params.M, 8.0)
    rng = np.random.default_rng(SEED)
    out = {"provenance": provenance(), "seed": SEED, "T": T, "lam": LAM, "M": M, "I": I,
           "d": D, "tol": TOL, "g_star": g_star, "etas": ETAS, "runs": []}
    path = Path(__file__).with_name("result.json")
    if path.exists():  # resume: keep the runs made (and the first run's provenance)
        old = json.loads(path.read_text())
        out["runs"], out["provenance"] = old["runs"], old["provenance"]
    done = {(r["cells"], r["damping"], r["max_iter"]) for r in out["runs"]}
    # every lattice drawn first, in PLAN's order, so each is the same realization however
    # many runs are skipped
    lattices = {size: draw_cells(params, size, n_levels, rng, statistics="goe")
                for size in PLAN}
    for size, (damping, budget) in ORDER:
        if (size, damping, budget) in done:
            continue
        cells = lattices[size]
        mask = np.abs(cells.xi) < max(T, params.delta)
        t0 = time.perf_counter()
        rows, start = [], None
        for eta in ETAS:  # the continuation of mbl.baa.limits: each from the last
            r = solve(cells, T, eta, damping=damping, tol=TOL, max_iter=budget,
                      gamma0=start)
            start = np.maximum(r.gamma, eta)
            g = r.gamma[mask]
            rows.append({"eta": eta, "converged": bool(r.converged),
                         "iterations": int(r.iterations),
                         "residual": float(r.residuals[-1]),
                         "window_change": float(r.change[mask].max()),
                         "broadened_fixed": float(np.mean(g > g_star)),
                         "broadened_ratio": float(np.mean(g > 10 * eta)),
                         "median_gamma_over_eta": float(np.median(g) / eta)})
        run = {"cells": size, "levels_in_window": int(mask.sum()), "damping": damping,
               "max_iter": budget, "seconds": time.perf_counter() - t0, "etas": rows,
               "provenance": provenance()}
        out["runs"].append(run)
        conv = "".join("y" if x["converged"] else "." for x in rows)
        frac = " ".join(f"{x['broadened_fixed']:.3f}" for x in rows)
        print(f"L={size:5d} a={damping:4} it<={budget:5d} {run['seconds']:7.1f}s "
              f"converged {conv}  broadened(g*) {frac}", flush=True)
        path.write_text(json.dumps(out, indent=1) + "\n")  # after every run
    print(path)


if __name__ == "__main__":
    main()
