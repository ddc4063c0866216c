"""Seconds per Kirchhoff solve vs number of nodes: sparse LU against AMG-preconditioned CG.

Networks: 2D and 3D hypercubic bars with random bonds exp(-c u), u uniform (contrast e^c),
and 3D Miller–Abrahams point networks (:mod:`mbl.transport.hopping`, m(T) = 6, boxes of 16,
32, 56 Mott lengths). A lattice row times one solve of
:func:`mbl.transport.network.lattice_conductivity`; a point row one whole
:func:`mbl.transport.hopping.hopping_sample` (sites, pair search, critical path, solve); the
nodes column counts the potentials solved for. The ratio column is LU time / AMG time
(> 1: AMG faster). The LU is skipped above ``--max-direct`` lattice nodes (its fill grows
like N^(3/2) in 2D and N^2 in 3D) and for the largest point network. Not a test: timings
depend on the machine and its load.

    python benchmarks/bench_network.py [--max-nodes 1000000] [--max-direct 300000] [--only 3D]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from mbl.errors import ConvergenceError
from mbl.transport.hopping import MillerAbrahams, hopping_sample
from mbl.transport.network import lattice_bond_counts, lattice_conductivity

CONTRAST = 10.0


def _lattice(shape: tuple[int, ...], solver: str, rng: np.random.Generator):
    g = np.exp(-CONTRAST * rng.random(sum(lattice_bond_counts(shape))))
    start = time.perf_counter()
    sigma, sol = lattice_conductivity(g, shape, solver=solver, rtol=1e-10)
    return time.perf_counter() - start, sigma, sol.kirchhoff_residual, sol.free_nodes


def _points(box: float, solver: str, rng: np.random.Generator):
    spec = MillerAbrahams(d=3)
    T = spec.delta_xi / 6.0**4
    start = time.perf_counter()
    smp = hopping_sample(spec, T, (box,) * 3, rng, solver=solver)
    return time.perf_counter() - start, smp.ln_sigma, smp.kirchhoff_residual, smp.nodes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-nodes", type=float, default=1e6)
    parser.add_argument("--max-direct", type=float, default=3e5)
    parser.add_argument("--max-amg", type=float, default=float("inf"),
                        help="skip AMG-CG above this many lattice nodes")
    parser.add_argument("--only", default="", help="run only the rows whose label contains "
                        "this (e.g. '3D lattice', 'points')")
    args = parser.parse_args()
    cases = [("2D lattice", _lattice, (n, n)) for n in (100, 316, 1000)]
    cases += [("3D lattice", _lattice, (n, n, n)) for n in (22, 46, 100)]
    cases += [("3D MA points, m=6", _points, b) for b in (16.0, 32.0, 56.0)]
    print(f"{'network':<20} {'nodes':>9} {'LU s':>9} {'AMG-CG s':>9} {'LU/AMG':>7} "
          f"{'resid LU':>9} {'resid AMG':>9} {'rel diff':>9}")
    for label, run, size in (c for c in cases if args.only in c[0]):
        nodes = int(np.prod(size)) if label.endswith("lattice") else None
        if nodes is not None and nodes > args.max_nodes:
            continue
        out = {}
        for solver in ("direct", "amg"):
            too_big = nodes > args.max_direct if nodes is not None else size > 40.0
            if solver == "direct" and too_big:
                continue
            if solver == "amg" and nodes is not None and nodes > args.max_amg:
                continue
            # the same seed for both solvers: the same network
            try:
                out[solver] = run(size, solver, np.random.default_rng(1))
            except ConvergenceError as err:  # CG_MAXITER iterations were not enough
                print(f"{label:<20} {solver}: {err}", flush=True)
        if not out:
            continue
        nan = (float("nan"),) * 4
        lu, amg = out.get("direct", nan), out.get("amg", nan)
        free = (out.get("direct") or out["amg"])[3]
        diff = abs(amg[1] - lu[1]) / abs(lu[1])
        print(f"{label:<20} {free:>9d} {lu[0]:>9.2f} {amg[0]:>9.2f} {lu[0] / amg[0]:>7.2f} "
              f"{lu[2]:>9.1e} {amg[2]:>9.1e} {diff:>9.1e}", flush=True)


if __name__ == "__main__":
    main()
