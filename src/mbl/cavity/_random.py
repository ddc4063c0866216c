"""Inline random numbers for the pool kernels: one SplitMix64 stream per pool slice.

numba's ``np.random`` keeps one hidden state per thread, so results would depend on the
number of threads and on global state (SPEC 7 forbids both). Instead every slice of the pool
owns a 64-bit counter drawn from the caller's :class:`numpy.random.Generator`; the SplitMix64
output function (Steele, Lea & Flood 2014; it passes BigCrush) turns the counter into
uniform 64-bit words. A slice is always processed by one thread, in order, so the numbers a
slot sees depend only on the seed and the slice layout, never on the thread count.

Each sampler comes twice with the same numbers: ``next_*(x, ...)`` takes the counter ``x`` by
value and returns the advanced counter with the variate (the pool kernels hold ``x`` in a local
variable for a whole slice), and ``uniform(st, s)`` etc. read and advance ``st[s]``.
"""

from __future__ import annotations

import math

import numba
import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


def slice_states(rng: np.random.Generator, n_slices: int) -> np.ndarray:
    """Independent 64-bit stream counters, one per slice, drawn from ``rng``."""
    return rng.integers(0, np.iinfo(np.uint64).max, size=n_slices, dtype=np.uint64,
                        endpoint=True)


@numba.njit(cache=True, inline="always")
def next_uniform(x):
    """The next uniform double in [0, 1) of the stream whose counter is ``x``: returns the
    advanced counter and the number. Kernels keep ``x`` in a local variable (a register) for a
    whole slice, which is several times faster than going through ``st[s]`` on every draw."""
    x = x + _GOLDEN
    z = (x ^ (x >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    z = z ^ (z >> _S31)
    return x, (z >> _S11) * _TO_UNIT


@numba.njit(cache=True, inline="always")
def next_index(x, n):
    """(counter, a uniform integer in [0, n))."""
    x, u = next_uniform(x)
    return x, min(int(u * n), n - 1)


@numba.njit(cache=True, inline="always")
def next_normal(x):
    """(counter, a standard normal variate): Box–Muller, one of the pair."""
    x, u = next_uniform(x)
    x, v = next_uniform(x)
    # 1 - u lies in (0, 1]: the logarithm stays finite
    return x, math.sqrt(-2.0 * math.log(1.0 - u)) * math.cos(2.0 * math.pi * v)


@numba.njit(cache=True)
def next_poisson(x, lam):
    """(counter, a Poisson variate of mean ``lam``): multiplication below 10, Hörmann's PTRS
    above."""
    if lam < 10.0:
        limit = math.exp(-lam)
        k = 0
        x, p = next_uniform(x)
        while p > limit:
            k += 1
            x, u = next_uniform(x)
            p *= u
        return x, k
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        x, u = next_uniform(x)
        u = u - 0.5
        x, v = next_uniform(x)
        us = 0.5 - abs(u)
        k = math.floor((2.0 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return x, int(k)
        if k < 0 or (us < 0.013 and v > us):
            continue
        if (math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b)
                <= -lam + k * loglam - math.lgamma(k + 1.0)):
            return x, int(k)


# The same numbers through the counter array, stream s advancing st[s] (tree.py's samplers).

@numba.njit(cache=True)
def uniform(st, s):
    """A uniform double in [0, 1) from stream ``s`` (advances ``st[s]``)."""
    st[s], u = next_uniform(st[s])
    return u


@numba.njit(cache=True)
def index(st, s, n):
    """A uniform integer in [0, n)."""
    st[s], j = next_index(st[s], n)
    return j


@numba.njit(cache=True)
def normal(st, s):
    """A standard normal variate (Box–Muller, one of the pair)."""
    st[s], v = next_normal(st[s])
    return v


@numba.njit(cache=True)
def poisson(st, s, lam):
    """A Poisson variate of mean ``lam`` (see :func:`next_poisson`)."""
    st[s], k = next_poisson(st[s], lam)
    return k
