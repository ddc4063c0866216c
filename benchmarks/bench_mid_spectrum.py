"""Mid-spectrum eigenpairs: shift-invert (MUMPS or SuperLU) against POLFED, same realization.

For each L: the random-field XXZ chain (W = 3, periodic, S^z = 0, seed fixed), k pairs nearest
eps = 0.5. Each (method, L) runs in a fresh Python process so its peak RSS is its own; the
table lists wall seconds, peak memory, the largest residual ||Hv - Ev|| / ||H||, the largest
energy difference between the methods (also relative to ||H||), and for POLFED its products
with H and their rate.

``--polfed-only L k_small``: at a size where shift-invert cannot fit, time one pass of the
filter's block product (the throughput) and project POLFED's run as (products at the largest
size measured) x N ratio / throughput -- its product count grows like N whatever k is -- and
run it for ``k_small`` pairs only when the projection is under ``--budget`` seconds.

Usage: python3 benchmarks/bench_mid_spectrum.py [--only mumps|polfed|superlu] [k] L [L ...]
       python3 benchmarks/bench_mid_spectrum.py --dense-check L [k]
       python3 benchmarks/bench_mid_spectrum.py --polfed-only L k_small MATVECS N_MEASURED
                                                [--budget SECONDS]
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

def _timed(op, X, c):
    from mbl.solvers.polfed import _apply_filter
    t = time.perf_counter()
    _apply_filter(op, X, c, 0.0, 10.0)
    return time.perf_counter() - t

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
kernel = None
if method == "polfed":  # the filter kernel alone, same process and threads: best of 3
    from mbl.operators import fastest_form
    from mbl.solvers.polfed import _apply_filter
    op, X = fastest_form(H), np.random.default_rng(0).standard_normal((H.shape[0], 8))
    c = np.ones(41) / 41
    with threadpool_limits(1):
        best = min(_timed(op, X, c) for _ in range(3))
    kernel = 40 * 8 / best
print(json.dumps(dict(seconds=dt, rss=rss, n=H.shape[0], energies=res.energies.tolist(),
                      residual=res.residual / max(abs(bounds[0]), abs(bounds[1])),
                      norm=max(abs(bounds[0]), abs(bounds[1])),
                      matvecs=res.matvecs, kernel=kernel)))
"""

THROUGHPUT = r"""
import json, sys, time
import numpy as np
from threadpoolctl import threadpool_limits
from mbl.models import XXZChain
from mbl.operators import fastest_form
from mbl.solvers.polfed import _apply_filter
L, block = int(sys.argv[1]), 8
H = XXZChain(L=L, W=3.0).hamiltonian(sz=0, rng=np.random.default_rng(L))
nnz = H.nnz
H = fastest_form(H)  # the kernel POLFED runs
X = np.random.default_rng(0).standard_normal((H.shape[0], block))
c = np.ones(21) / 21
with threadpool_limits(1):
    _apply_filter(H, X, c[:3], 0.0, 10.0)  # compile the kernel first
    t = time.perf_counter()
    _apply_filter(H, X, c, 0.0, 10.0)
    dt = time.perf_counter() - t
print(json.dumps(dict(n=H.shape[0], nnz=nnz, per_product=dt / (20 * block))))
"""


def run(method: str, L: int, k: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, method, str(L), str(k)],
                         capture_output=True, text=True)
    if out.returncode != 0:  # show why (a ConvergenceError names its cause), not just the code
        sys.exit(f"{method} at L = {L} failed (exit {out.returncode}):\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(k: int, sizes: list[int], methods: tuple[str, ...] = ("mumps", "polfed")) -> None:
    print(f"k = {k} pairs nearest eps = 0.5, XXZ W = 3, one thread")
    print(f"{'L':>3} {'N':>8} {'method':>8} {'seconds':>9} {'peak MiB':>9} {'residual':>9} "
          f"{'dE/||H||':>9}")
    for L in sizes:
        results = {m: run(m, L, k) for m in methods}
        ref = results[methods[0]]["energies"]
        for m, r in results.items():
            dE = max(abs(a - b) for a, b in zip(r["energies"], ref, strict=True)) / r["norm"]
            print(f"{L:>3} {r['n']:>8} {m:>8} {r['seconds']:>9.1f} {r['rss'] / 2**20:>9.0f} "
                  f"{r['residual']:>9.1e} {dE:>9.1e}")
        if "polfed" in results:
            pf = results["polfed"]
            rate = pf["matvecs"] / pf["seconds"]
            print(f"{'':>3} POLFED: {pf['matvecs']} products with H, {rate:.0f} per s "
                  f"overall; its filter kernel alone {pf['kernel']:.0f} per s (whole run / "
                  f"kernel {rate / pf['kernel']:.2f})")
        if len(results) < 2:
            continue
        ratio = results["polfed"]["seconds"] / results["mumps"]["seconds"]
        mem = results["polfed"]["rss"] / results["mumps"]["rss"]
        print(f"{'':>3} POLFED / shift-invert: time {ratio:.2f}, memory {mem:.2f}")


def polfed_projection(L: int, k: int, matvecs: int, n_measured: int, budget: float) -> None:
    """Throughput of the blocked filter at L, the projected POLFED time, and the run itself
    when the projection fits ``budget`` seconds."""
    out = subprocess.run([sys.executable, "-c", THROUGHPUT, str(L)], capture_output=True,
                         text=True, check=True)
    tp = json.loads(out.stdout.strip().splitlines()[-1])
    projected = matvecs * tp["n"] / n_measured * tp["per_product"]
    print(f"L = {L}, N = {tp['n']}, nnz = {tp['nnz']}: {1 / tp['per_product']:.0f} products/s "
          f"(block of 8, the kernel POLFED runs); projected POLFED time {projected:.0f} s "
          f"({matvecs} products at N = {n_measured}, scaled by N)")
    if projected > budget:
        print(f"  not run: the projection exceeds the budget of {budget:.0f} s")
        return
    r = run("polfed", L, k)
    print(f"  ran k = {k}: {r['seconds']:.0f} s, peak {r['rss'] / 2**20:.0f} MiB, residual "
          f"{r['residual']:.1e}, {r['matvecs']} products")


def dense_check(L: int, k: int) -> None:
    """Both window methods against the dense spectrum of the same matrix at size L."""
    import numpy as np

    from mbl.models import XXZChain
    from mbl.solvers import polfed, shift_invert

    H = XXZChain(L=L, W=3.0).hamiltonian(sz=0, rng=np.random.default_rng(L))
    w = np.linalg.eigvalsh(H.toarray())
    norm = max(abs(w[0]), abs(w[-1]))
    sigma = 0.5 * (w[0] + w[-1])
    exact = np.sort(w[np.argsort(np.abs(w - sigma))[:k]])
    for name, solver in (("shift_invert", shift_invert), ("polfed", polfed)):
        res = solver(H, sigma=sigma, k=k, bounds=(w[0], w[-1]))
        print(f"L = {L}, {name}: max |E - E_dense| / ||H|| = "
              f"{np.abs(res.energies - exact).max() / norm:.1e}, residual / ||H|| = "
              f"{res.residual / norm:.1e}, orthogonality {res.orthogonality:.1e}")


if __name__ == "__main__" and sys.argv[1:2] == ["--dense-check"]:
    dense_check(int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 100)
elif __name__ == "__main__" and sys.argv[1:2] == ["--polfed-only"]:
    L, k, mv, nm = (int(a) for a in sys.argv[2:6])
    budget = float(sys.argv[7]) if sys.argv[6:7] == ["--budget"] else 7200.0
    polfed_projection(L, k, mv, nm, budget)
elif __name__ == "__main__":
    argv = sys.argv[1:]
    only = ("mumps", "polfed")
    if argv[:1] == ["--only"]:  # one method, e.g. shift-invert where POLFED takes hours
        only, argv = (argv[1],), argv[2:]
    args = [int(a) for a in argv]
    main(args[0] if len(args) > 1 else 100, args[1:] or [14, 16], only)
