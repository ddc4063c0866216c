"""BAA cells: the crossing at eps = 0.5 lies below the reproduction's lambda grid.

ED of 2 and 3 cells exactly as ``mbl reproduce baa-cells-mobility-edge`` full mode (same model,
seed, sample counts and eps windows), on a grid of smaller interactions lambda = 0.001 ... 0.035,
and the crossing lambda*(eps) of the two sizes per eps window by the reproduction's own
estimator (cubic fits in log10(lambda), bootstrap over samples). Resumable (study stores under
the directory given, default /tmp/baa-cells-small-lambda).

python3 data/findings/baa-cell-crossings/small_lambda.py [DIR]  ->  small_lambda.json beside
this file.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from mbl.reproduce import baa_cells_edge as rep
from mbl.reproduce.base import run_builtin_study
from mbl.scaling import mean_and_error
from mbl.study.provenance import provenance

GRID = [0.001, 0.002, 0.005, 0.01, 0.02, 0.035]


def main() -> None:
    base = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/baa-cells-small-lambda")
    t0 = time.perf_counter()
    sets = {}
    for n_cells, samples in rep.MODES[False]["samples"].items():
        cfg = rep._config(n_cells, samples)
        cfg["grid"] = {"lam": GRID}
        sets[n_cells] = run_builtin_study(cfg, base / f"cells{n_cells}", workers=1,
                                          progress=None)["r_eps"]
    small, large = (sets[n] for n in sorted(sets))
    rows = rep.edge(small.assign_coords(L=2), large.assign_coords(L=3), rep.SEED)
    curves = {}
    for n, da in sets.items():
        curves[n] = {f"{(b + 0.5) / da.sizes['eps_bin']:.1f}": {
            "mean": mean_and_error(da.isel(eps_bin=b).values)[0].tolist(),
            "error": mean_and_error(da.isel(eps_bin=b).values)[1].tolist()}
            for b in range(da.sizes["eps_bin"])}
    out = {"provenance": provenance(), "lam": GRID, "samples": rep.MODES[False]["samples"],
           "crossings": [r.as_json() for r in rows], "curves": curves,
           "seconds": time.perf_counter() - t0}
    path = Path(__file__).with_name("small_lambda.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    for r in rows:
        print(r.params["eps"], r.value, r.error)


if __name__ == "__main__":
    main()
