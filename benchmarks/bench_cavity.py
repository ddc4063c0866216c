"""Cavity-pool speed: updates per second (one new pool member from K = 2 children) on 1 and 2
numba threads, for the real pool (eta = 0), the weighted pool (lambda(1/2)) and the complex
finite-eta pool, next to a bare numba loop with an inline xorshift generator measured in the
same run (the issue's reference point: about 4e7 updates/s on 2 threads). Not a test.

Usage: python3 benchmarks/bench_cavity.py [pool]
"""

from __future__ import annotations

import sys
import time

import numba
import numpy as np

from mbl.cavity import bethe
from mbl.cavity._kernels import sweep
from mbl.cavity._pool import N_SLICES
from mbl.cavity._random import slice_states
from mbl.cavity.stability import sweep_real


@numba.njit(parallel=True, cache=True)
def _bare(old, new, seeds, W):
    """The simplest correct update: xorshift64 per slice, box disorder, K = 2."""
    n, n_s = old.size, seeds.size
    for s in numba.prange(n_s):
        x = seeds[s]
        for a in range(s * n // n_s, (s + 1) * n // n_s):
            tot = 0.0
            for _ in range(2):
                x ^= x << np.uint64(13)
                x ^= x >> np.uint64(7)
                x ^= x << np.uint64(17)
                tot += old[(x >> np.uint64(11)) % np.uint64(n)]
            x ^= x << np.uint64(13)
            x ^= x >> np.uint64(7)
            x ^= x << np.uint64(17)
            eps = W * ((x >> np.uint64(11)) * (1.0 / 9007199254740992.0) - 0.5)
            new[a] = 1.0 / (-eps - tot)
        seeds[s] = x


def _rate(step, n: int, sweeps: int = 8) -> float:
    step()  # compile / warm up
    t = time.perf_counter()
    for _ in range(sweeps):
        step()
    return n * sweeps / (time.perf_counter() - t)


def main(n: int) -> None:
    codes = bethe(2, 18.0).codes()
    rng = np.random.default_rng(0)
    st = slice_states(rng, N_SLICES)
    g, g2 = rng.standard_normal(n) * 0.1, np.empty(n)
    y, y2 = np.ones((1, n)), np.empty((1, n))
    half = np.array([0.5])
    c, c2 = g + 0.01j, np.empty(n, dtype=complex)
    cases = {
        "bare loop (reference)": lambda: _bare(g, g2, st, 18.0),
        "real pool, eta = 0": lambda: sweep(g, g2, st, *codes, 0.0),
        "weighted pool, beta = 1/2": lambda: sweep_real(g, g2, y, y2, half, st, *codes, 0.0),
        "complex pool, finite eta": lambda: sweep(c, c2, st, *codes, 1e-6j),
    }
    print(f"pool N = {n}, K = 2, W = 18, {N_SLICES} slices; updates per second")
    print(f"{'kernel':<28} {'1 thread':>12} {'2 threads':>12} {'speed-up':>9}")
    for name, step in cases.items():
        rates = []
        for threads in (1, 2):
            numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
            rates.append(_rate(step, n))
        print(f"{name:<28} {rates[0]:>12.3g} {rates[1]:>12.3g} {rates[1] / rates[0]:>9.2f}")


if __name__ == "__main__":
    main(int(float(sys.argv[1])) if len(sys.argv) > 1 else 1_000_000)
