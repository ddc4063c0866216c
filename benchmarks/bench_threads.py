"""The thread rule of the solvers (docs/performance.md, "Thread pools inside the solvers"):
each solver called from Python with default settings against everything pinned to one
thread, on an idle machine and beside a CPU-bound process that this script starts.

Random-field XXZ chain (W = 3, Delta = 1, S^z = 0, periodic), k = 50 pairs at the middle of
the spectrum for shift-invert (its spectral bounds included) and POLFED, Krylov evolution of
the first basis state to 11 times up to t = 200. Every (solver, L, setting, machine state)
runs in a fresh process, so the defaults are those a user meets; the time is the best of
``--rounds`` calls after one warm-up call. Prints one row per solver and L with the ratio of
the default to the best of the two settings. Not a test.

Usage: python3 benchmarks/bench_threads.py [L ...] [--rounds 3] [--solvers si,polfed,evolve]
       [--no-busy]
(L defaults to 14 16; POLFED at L = 16 takes about 2 minutes per setting.)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

CHILD = r"""
import json, sys, time
import numpy as np
setting, L, what, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
if setting == "one":
    from mbl._core.threads import pin_threads
    pin_threads(1)
from mbl.models import XXZChain
from mbl.solvers import evolve, polfed, shift_invert, spectral_bounds
H = XXZChain(L=L, W=3.0).hamiltonian(sz=0, rng=np.random.default_rng(1))
def run():
    if what == "evolve":
        psi = np.zeros(H.shape[0], complex)
        psi[0] = 1
        evolve(H, psi, np.linspace(0, 200, 11))
        return
    lo, hi = spectral_bounds(H)
    if what == "si":
        shift_invert(H, sigma=0.5 * (lo + hi), k=50)
    else:
        polfed(H, sigma=0.5 * (lo + hi), k=50, bounds=(lo, hi), rng=np.random.default_rng(0))
run()
best = float("inf")
for _ in range(rounds):
    t = time.perf_counter()
    run()
    best = min(best, time.perf_counter() - t)
print(json.dumps(best))
"""


def _time(setting: str, L: int, what: str, rounds: int) -> float:
    out = subprocess.run([sys.executable, "-c", CHILD, setting, str(L), what, str(rounds)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("L", type=int, nargs="*", default=[14, 16])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--solvers", default="si,polfed,evolve")
    ap.add_argument("--no-busy", action="store_true", help="skip the busy-machine rows")
    args = ap.parse_args(argv)
    states = ["idle"] if args.no_busy else ["idle", "busy"]
    print(f"{'solver':<8} {'L':>3} {'machine':<6} {'default s':>10} {'one thread s':>13} "
          f"{'default/best':>13}")
    for state in states:
        hog = None
        if state == "busy":
            hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
            time.sleep(1.0)
        try:
            for what in args.solvers.split(","):
                for L in args.L:
                    d = _time("default", L, what, args.rounds)
                    one = _time("one", L, what, args.rounds)
                    print(f"{what:<8} {L:>3} {state:<6} {d:>10.3f} {one:>13.3f} "
                          f"{d / min(d, one):>13.2f}", flush=True)
        finally:
            if hog is not None:
                hog.kill()
                hog.wait()


if __name__ == "__main__":
    main(sys.argv[1:])
