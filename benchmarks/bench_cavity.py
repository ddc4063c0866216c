"""Cavity-pool speed: updates per second (one new pool member from K = 2 children) on 1 and 2
numba threads, for the real pool (eta = 0), the weighted pool (lambda(1/2)) and the complex
finite-eta pool, next to a bare numba loop with an inline xorshift generator measured in the
same run (the issue's reference point: about 4e7 updates/s on 2 threads). Not a test.

Each engine is timed twice: "old" is the kernel as it was before the stream counters moved
into registers (copied below: every draw read and wrote ``st[s]``), "new" is the package's.
Both draw the same numbers (the first line checks it). The contenders are interleaved, one
sweep each per round, best of ``rounds``; one thread is timed in CPU time, two in wall time.
"step" adds what ``RealPool.sweep`` does per generation besides the kernel (the mean and the
normalization of the weights).

Usage: python3 benchmarks/bench_cavity.py [pool [rounds]]
"""

from __future__ import annotations

import math
import sys
import time

import numba
import numpy as np

from mbl.cavity import _random as rnd
from mbl.cavity import bethe
from mbl.cavity._kernels import sweep
from mbl.cavity._pool import N_SLICES
from mbl.cavity._random import slice_states
from mbl.cavity.stability import _pow, sweep_real
from mbl.cavity.tree import coupling2, n_children, onsite


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


# --- the previous kernels (counters in memory, st[s] on every draw), kept for comparison ---

@numba.njit(cache=True, inline="always")
def _old_node(g, st, s, extra, br, K, dis, W, cp, V):
    m = n_children(st, s, br, K) + extra
    eps = onsite(st, s, dis, W)
    sigma = g[0] * 0.0
    for _ in range(m):
        j = rnd.index(st, s, g.size)
        sigma += coupling2(st, s, cp, V) * g[j]
    return eps, sigma


@numba.njit(parallel=True, cache=True)
def old_sweep(g_old, g_new, st, br, K, dis, W, cp, V, z):
    n = g_old.size
    n_s = st.size
    for s in numba.prange(n_s):
        for a in range(s * n // n_s, (s + 1) * n // n_s):
            eps, sigma = _old_node(g_old, st, s, 0, br, K, dis, W, cp, V)
            g_new[a] = 1.0 / (z - eps - sigma)


@numba.njit(parallel=True, cache=True)
def old_sweep_real(g_old, g_new, y_old, y_new, betas, st, br, K, dis, W, cp, V, E):
    n = g_old.size
    n_s = st.size
    nb = betas.size
    for s in numba.prange(n_s):
        acc = np.empty(nb)
        for a in range(s * n // n_s, (s + 1) * n // n_s):
            m = n_children(st, s, br, K)
            eps = onsite(st, s, dis, W)
            tot = 0.0
            for b in range(nb):
                acc[b] = 0.0
            for _ in range(m):
                j = rnd.index(st, s, n)
                v2 = coupling2(st, s, cp, V)
                tot += v2 * g_old[j]
                for b in range(nb):
                    acc[b] += y_old[b, j] if cp == 0 else _pow(v2, betas[b]) * y_old[b, j]
            gn = 1.0 / (E - eps - tot)
            g_new[a] = gn
            x = abs(gn) * (V if cp == 0 else 1.0)
            for b in range(nb):
                y_new[b, a] = _pow(x, 2.0 * betas[b]) * acc[b]


def _same_numbers(n: int) -> bool:
    """Old and new kernels give bit-identical pools (and counters) on every law."""
    ok = True
    for codes in (bethe(2, 18.0).codes(), (1, 3.0, 1, 5.0, 1, 0.3), (1, 12.0, 2, 4.0, 0, 1.0)):
        rng = np.random.default_rng(1)
        st = slice_states(rng, N_SLICES)
        g = rng.standard_normal(n)
        y = rng.random((2, n))
        out = []
        for f, betas in ((old_sweep_real, [0.5]), (sweep_real, [0.5]),
                         (old_sweep_real, [0.3, 0.5]), (sweep_real, [0.3, 0.5])):
            s2, g2, y2 = st.copy(), np.empty(n), np.empty((len(betas), n))
            f(g, g2, y[:len(betas)].copy(), y2, np.array(betas), s2, *codes, 0.1)
            out.append((s2, g2, y2))
        c = g + 0.01j
        for f in (old_sweep, sweep):
            s2, c2 = st.copy(), np.empty(n, dtype=complex)
            f(c, c2, s2, *codes, 0.1 + 1e-3j)
            out.append((s2, c2))
        for i in (0, 2, 4):
            ok &= all(np.array_equal(u, v) for u, v in zip(out[i], out[i + 1], strict=True))
    return ok


def main(n: int, rounds: int) -> None:
    codes = bethe(2, 18.0).codes()
    rng = np.random.default_rng(0)
    st = slice_states(rng, N_SLICES)
    g, g2 = rng.standard_normal(n) * 0.1, np.empty(n)
    y, y2 = np.ones((1, n)), np.empty((1, n))
    half = np.array([0.5])
    c, c2 = g + 0.01j, np.empty(n, dtype=complex)

    def step(kernel):
        kernel(g, g2, y, y2, half, st, *codes, 0.0)
        growth = y2.mean(axis=1)
        np.divide(y2, growth[:, None], out=y2)
        return math.log(growth[0])

    cases = {
        "bare loop (reference)": lambda: _bare(g, g2, st, 18.0),
        "real pool, old": lambda: old_sweep(g, g2, st, *codes, 0.0),
        "real pool, new": lambda: sweep(g, g2, st, *codes, 0.0),
        "weighted pool, old": lambda: old_sweep_real(g, g2, y, y2, half, st, *codes, 0.0),
        "weighted pool, new": lambda: sweep_real(g, g2, y, y2, half, st, *codes, 0.0),
        "weighted step, old": lambda: step(old_sweep_real),
        "weighted step, new": lambda: step(sweep_real),
        "complex pool, old": lambda: old_sweep(c, c2, st, *codes, 1e-6j),
        "complex pool, new": lambda: sweep(c, c2, st, *codes, 1e-6j),
    }
    print(f"old and new kernels draw the same numbers: {_same_numbers(5000)}")
    print(f"pool N = {n}, K = 2, W = 18, {N_SLICES} slices; updates per second, best of "
          f"{rounds} interleaved rounds")
    cpu, wall = {}, {}
    for threads in (1, 2):
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        best_cpu, best_wall = dict.fromkeys(cases, np.inf), dict.fromkeys(cases, np.inf)
        for f in cases.values():
            f()  # compile / warm up
        for _ in range(rounds):
            for name, f in cases.items():
                t0, c0 = time.perf_counter(), time.process_time()
                f()
                best_cpu[name] = min(best_cpu[name], time.process_time() - c0)
                best_wall[name] = min(best_wall[name], time.perf_counter() - t0)
        cpu[threads] = {name: n / t for name, t in best_cpu.items()}
        wall[threads] = {name: n / t for name, t in best_wall.items()}
    ref = "bare loop (reference)"
    print("1 thread: updates per CPU second (a shared machine disturbs CPU time far less than "
          "wall time); 2 threads: updates per wall second")
    print(f"{'kernel':<24} {'1 thread':>10} {'of bare':>8} {'new/old':>8} {'2 threads':>10} "
          f"{'of bare':>8} {'new/old':>8}")
    for name in cases:
        r1, r2 = cpu[1][name], wall[2][name]
        old = name[:-3] + "old" if name.endswith("new") else None
        line = f"{name:<24} {r1:>10.3g} {r1 / cpu[1][ref]:>8.2f} "
        line += f"{r1 / cpu[1][old]:>8.2f} " if old else " " * 9
        line += f"{r2:>10.3g} {r2 / wall[2][ref]:>8.2f}"
        line += f" {r2 / wall[2][old]:>8.2f}" if old else ""
        print(line)


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(float(args[0])) if args else 1_000_000, int(args[1]) if len(args) > 1 else 5)
