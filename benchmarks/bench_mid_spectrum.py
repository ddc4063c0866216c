"""Mid-spectrum eigenpairs: shift-invert (MUMPS or SuperLU) against POLFED, same realization.

For each L: the random-field XXZ chain (W = 3, periodic, S^z = 0, seed fixed), k pairs nearest
eps = 0.5. Each (method, L) runs in a fresh Python process so its peak RSS is its own; the
table lists wall seconds, peak memory, the largest residual relative to max |E|, and the
largest energy difference between the methods. Not a test.

Usage: python3 benchmarks/bench_mid_spectrum.py [k] L [L ...]
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
import numpy as np
from threadpoolctl import threadpool_limits
from mbl.models import XXZChain
from mbl.solvers import polfed, shift_invert, spectral_bounds
method, L, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
H = XXZChain(L=L, W=3.0).hamiltonian(sz=0, rng=np.random.default_rng(L))
with threadpool_limits(1):
    t = time.perf_counter()
    bounds = spectral_bounds(H)
    sigma = 0.5 * (bounds[0] + bounds[1])
    if method == "polfed":
        res = polfed(H, sigma=sigma, k=k, bounds=bounds)
    else:
        res = shift_invert(H, sigma=sigma, k=k, backend=method)
    dt = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps(dict(seconds=dt, rss=rss, n=H.shape[0], energies=res.energies.tolist(),
                      residual=res.residual / float(np.abs(res.energies).max()))))
"""


def run(method: str, L: int, k: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, method, str(L), str(k)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(k: int, sizes: list[int]) -> None:
    print(f"k = {k} pairs nearest eps = 0.5, XXZ W = 3, one thread")
    print(f"{'L':>3} {'N':>8} {'method':>8} {'seconds':>9} {'peak MiB':>9} {'residual':>9} "
          f"{'max dE':>9}")
    for L in sizes:
        results = {m: run(m, L, k) for m in ("mumps", "polfed")}
        ref = results["mumps"]["energies"]
        for m, r in results.items():
            dE = max(abs(a - b) for a, b in zip(r["energies"], ref, strict=True))
            print(f"{L:>3} {r['n']:>8} {m:>8} {r['seconds']:>9.1f} {r['rss'] / 2**20:>9.0f} "
                  f"{r['residual']:>9.1e} {dE:>9.1e}")
        ratio = results["polfed"]["seconds"] / results["mumps"]["seconds"]
        mem = results["polfed"]["rss"] / results["mumps"]["rss"]
        print(f"{'':>3} POLFED / shift-invert: time {ratio:.2f}, memory {mem:.2f}")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(args[0] if len(args) > 1 else 100, args[1:] or [14, 16])
