"""The cavity update shared by the real (eta = 0) and complex (finite eta) pools.

numba compiles one version per pool dtype: float64 for the real pool, complex128 for
z = E + i eta.
"""

from __future__ import annotations

import numba

from mbl.cavity import _random as rnd
from mbl.cavity.tree import coupling2, n_children, onsite


@numba.njit(cache=True, inline="always")
def node(g, st, s, extra, br, K, dis, W, cp, V):
    """On-site energy and self-energy sum_k V_k^2 G_k of a node with random children."""
    m = n_children(st, s, br, K) + extra
    eps = onsite(st, s, dis, W)
    sigma = g[0] * 0.0
    for _ in range(m):
        j = rnd.index(st, s, g.size)
        sigma += coupling2(st, s, cp, V) * g[j]
    return eps, sigma


@numba.njit(parallel=True, cache=True)
def sweep(g_old, g_new, st, br, K, dis, W, cp, V, z):
    """One generation; slice s of the new pool uses stream s only (thread-count free)."""
    n = g_old.size
    n_s = st.size
    for s in numba.prange(n_s):
        for a in range(s * n // n_s, (s + 1) * n // n_s):
            eps, sigma = node(g_old, st, s, 0, br, K, dis, W, cp, V)
            g_new[a] = 1.0 / (z - eps - sigma)
