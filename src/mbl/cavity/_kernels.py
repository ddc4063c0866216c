"""The cavity update shared by the real (eta = 0) and complex (finite eta) pools.

numba compiles one version per pool dtype: float64 for the real pool, complex128 for
z = E + i eta.

The laws of a node are those of :mod:`mbl.cavity.tree` (:func:`~mbl.cavity.tree.n_children`,
:func:`~mbl.cavity.tree.onsite`, :func:`~mbl.cavity.tree.coupling2`), drawn in the same order
from the same stream, but on a counter held in a local variable for a whole slice
(:func:`mbl.cavity._random.next_uniform`): through ``st[s]`` every draw is a store and a reload
(the compiler cannot tell that the pool writes do not alias the counters), which made the
weighted pool several times slower than the bare update.
"""

from __future__ import annotations

import math

import numba

from mbl.cavity import _random as rnd


@numba.njit(cache=True, inline="always")
def children(x, branching, K):
    """(counter, number of children of one node): ``tree.n_children`` on a local counter."""
    if branching == 0:
        return x, int(K)
    return rnd.next_poisson(x, K)


@numba.njit(cache=True, inline="always")
def onsite(x, disorder, W):
    """(counter, one on-site energy): ``tree.onsite`` on a local counter."""
    if disorder == 0:
        x, u = rnd.next_uniform(x)
        return x, W * (u - 0.5)
    if disorder == 1:
        x, v = rnd.next_normal(x)
        return x, W / math.sqrt(12.0) * v
    x, u = rnd.next_uniform(x)
    return x, 0.5 * W * math.tan(math.pi * (u - 0.5))


@numba.njit(cache=True, inline="always")
def coupling2(x, coupling, V):
    """(counter, squared coupling V_k^2 to one child): ``tree.coupling2`` on a local counter."""
    if coupling == 0:
        return x, V * V
    x, v = rnd.next_normal(x)
    v = V * v
    return x, v * v


@numba.njit(cache=True, inline="always")
def node(g, x, extra, br, K, dis, W, cp, V):
    """(counter, on-site energy, self-energy sum_k V_k^2 G_k) of a node with random children."""
    x, m = children(x, br, K)
    m += extra
    x, eps = onsite(x, dis, W)
    sigma = g[0] * 0.0
    for _ in range(m):
        x, j = rnd.next_index(x, g.size)
        x, v2 = coupling2(x, cp, V)
        sigma += v2 * g[j]
    return x, eps, sigma


@numba.njit(cache=True, inline="always")
def _slots(g_old, g_new, x, lo, hi, br, K, dis, W, cp, V, z):
    """Slots lo..hi-1 of the new pool from the counter ``x``; returns the advanced counter."""
    for a in range(lo, hi):
        x, eps, sigma = node(g_old, x, 0, br, K, dis, W, cp, V)
        g_new[a] = 1.0 / (z - eps - sigma)
    return x


@numba.njit(parallel=True, cache=True)
def sweep(g_old, g_new, st, br, K, dis, W, cp, V, z):
    """One generation; slice s of the new pool uses stream s only (thread-count free).

    The Bethe lattice with box disorder (all laws code 0) gets its own copy of the loop, the
    law codes constants in it, so that the compiler drops the law branches (~20% faster)."""
    n = g_old.size
    n_s = st.size
    for s in numba.prange(n_s):
        lo, hi = s * n // n_s, (s + 1) * n // n_s
        if br == 0 and dis == 0 and cp == 0:
            st[s] = _slots(g_old, g_new, st[s], lo, hi, 0, K, 0, W, 0, V, z)
        else:
            st[s] = _slots(g_old, g_new, st[s], lo, hi, br, K, dis, W, cp, V, z)
