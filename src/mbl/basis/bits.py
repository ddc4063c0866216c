"""Bit kernels shared by the basis and operator layers (numba, ``cache=True``).

Basis states are ``int64`` bit patterns: bit ``i`` is site ``i`` (site 0 least significant),
bit 1 means spin up / site occupied (docs/conventions.md §3). States of a sector with ``n`` set bits
are ranked by the combinadic number system,

    rank(state) = sum_k C(p_k, k),   p_1 < p_2 < ... < p_n the set bits, k = 1 .. n,

which orders the states as their integer values do (Knuth, TAOCP 7.2.1.3). The binomial table
:data:`BINOM` covers every ``L <= 62``; :data:`RANK_TABLE` sums it byte by byte.

The scalar kernels (:func:`popcount`, :func:`rank_state`, :func:`parity_between`,
:func:`parity_below`) are meant to be called from other numba kernels; the array functions
wrap them for Python callers.

Notes
-----
numba's on-disk cache of a kernel is keyed on the file that defines it: after editing this
file, delete the ``__pycache__`` entries of the kernels that call into it
(:mod:`mbl.operators._kernels`) or they keep the old code.
"""

from __future__ import annotations

import numba as nb
import numpy as np

#: Largest number of sites: states must fit in a signed 64-bit integer with room for 2**L.
MAX_SITES = 62


def binomial_table(n_max: int = MAX_SITES + 1) -> np.ndarray:
    """Exact binomial coefficients ``C(n, k)`` for ``0 <= n, k <= n_max`` as ``int64``.

    Parameters
    ----------
    n_max : int
        Largest ``n`` (and ``k``); ``C(63, 31) < 2**63`` so the default is exact.

    Returns
    -------
    numpy.ndarray
        ``(n_max + 1, n_max + 1)`` table, zero where ``k > n``.
    """
    table = np.zeros((n_max + 1, n_max + 1), dtype=np.int64)
    for n in range(n_max + 1):
        table[n, 0] = 1
        for k in range(1, n + 1):
            table[n, k] = table[n - 1, k - 1] + (table[n - 1, k] if k <= n - 1 else 0)
    table.setflags(write=False)
    return table


#: ``BINOM[n, k] = C(n, k)`` for ``n, k <= 63`` (read-only, ``int64``).
BINOM = binomial_table()


@nb.njit(cache=True, inline="always")
def popcount(x: int) -> int:
    """Number of set bits of a non-negative ``int64`` (SWAR bit count)."""
    x = x - ((x >> 1) & 0x5555555555555555)
    x = (x & 0x3333333333333333) + ((x >> 2) & 0x3333333333333333)
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0F
    return (x * 0x0101010101010101) >> 56


@nb.njit(cache=True, inline="always")
def parity_below(state: int, p: int) -> int:
    """Parity (0 or 1) of the occupied sites ``< p``: the Jordan-Wigner string of site ``p``."""
    return popcount(state & ((np.int64(1) << p) - 1)) & 1


@nb.njit(cache=True, inline="always")
def parity_between(state: int, i: int, j: int) -> int:
    """Parity (0 or 1) of the occupied sites strictly between ``min(i, j)`` and ``max(i, j)``."""
    lo = min(i, j)
    hi = max(i, j)
    if hi - lo < 2:
        return 0
    mask = ((np.int64(1) << hi) - 1) & ~((np.int64(1) << (lo + 1)) - 1)
    return popcount(state & mask) & 1


def rank_table(binom: np.ndarray | None = None) -> np.ndarray:
    """Byte-wise combinadic table: ``T[m, c, b]`` is the rank contribution of byte ``m``.

    ``T[m, c, b] = sum_t C(8 m + q_t, c + t)`` over the set bits ``q_1 < q_2 < ...`` of the
    byte value ``b``, for ``c`` set bits in the lower bytes, so that :func:`rank_state` adds
    one entry per byte instead of one per bit.

    Parameters
    ----------
    binom : numpy.ndarray, optional
        Binomial table (default :func:`binomial_table`).

    Returns
    -------
    numpy.ndarray
        ``int64`` array of shape ``(8, 64, 256)`` (1 MiB), read-only.
    """
    binom = BINOM if binom is None else binom
    wide = np.zeros((72, 72), dtype=np.int64)
    wide[: binom.shape[0], : binom.shape[1]] = binom
    byte = np.arange(256)
    m = np.arange(8)[:, None, None]
    c = np.arange(64)[None, :, None]
    table = np.zeros((8, 64, 256), dtype=np.int64)
    below = np.zeros(256, dtype=np.int64)  # set bits of the byte below bit q
    for q in range(8):
        bit = (byte >> q) & 1
        table += bit * wide[np.minimum(8 * m + q, 71), np.minimum(c + below + 1, 71)]
        below = below + bit
    table.setflags(write=False)
    return table


#: ``RANK_TABLE[m, c, b]``: see :func:`rank_table`.
RANK_TABLE = rank_table()


@nb.njit(cache=True, inline="always")
def rank_state(state: int, table: np.ndarray) -> int:
    """Combinadic rank of one state among the states with the same number of set bits.

    ``table`` is :data:`RANK_TABLE`; one lookup per byte of the state.
    """
    r = 0
    c = 0
    m = 0
    x = state
    while x:
        b = x & 255
        r += table[m, c, b]
        c += popcount(b)
        x >>= 8
        m += 1
    return r


@nb.njit(cache=True)
def _rank_array(states, L, n_up, table, out):  # pragma: no cover - numba
    limit = np.int64(1) << L
    for t in range(states.size):
        s = states[t]
        if s < 0 or s >= limit or (n_up >= 0 and popcount(s) != n_up):
            out[t] = -1
        elif n_up < 0:
            out[t] = s
        else:
            out[t] = rank_state(s, table)


@nb.njit(cache=True)
def _unrank_array(ranks, n_up, binom, out):  # pragma: no cover - numba
    for t in range(ranks.size):
        r = ranks[t]
        s = np.int64(0)
        p = MAX_SITES
        for k in range(n_up, 0, -1):
            while binom[p, k] > r:
                p -= 1
            r -= binom[p, k]
            s |= np.int64(1) << p
            p -= 1
        out[t] = s


@nb.njit(cache=True)
def sector_states(L: int, n_up: int, dim: int) -> np.ndarray:  # pragma: no cover - numba
    """The ``dim = C(L, n_up)`` states with ``n_up`` set bits, ascending (Gosper's hack)."""
    out = np.empty(dim, dtype=np.int64)
    v = (np.int64(1) << n_up) - 1
    if dim > 0:
        out[0] = v
    for t in range(1, dim):
        c = v & -v
        r = v + c
        v = (((r ^ v) >> 2) // c) | r
        out[t] = v
    return out


@nb.njit(cache=True)
def _sign_array(states, i, j, out):  # pragma: no cover - numba
    for t in range(states.size):
        out[t] = 1 - 2 * parity_between(states[t], i, j)


def rank(states: np.ndarray, L: int, n_up: int | None) -> np.ndarray:
    """Position of each state in the sorted basis of ``L`` sites with ``n_up`` set bits.

    Parameters
    ----------
    states : array_like of int
        Bit patterns.
    L : int
        Number of sites.
    n_up : int or None
        Number of set bits of the sector; ``None`` for the full space (a state is its index).

    Returns
    -------
    numpy.ndarray
        ``int64`` ranks of the same shape as ``states``; ``-1`` where a state lies outside the
        space (negative, ``>= 2**L`` or with the wrong number of set bits).
    """
    s = np.ascontiguousarray(states, dtype=np.int64)
    out = np.empty(s.size, dtype=np.int64)
    _rank_array(s.ravel(), np.int64(L), np.int64(-1 if n_up is None else n_up), RANK_TABLE,
                out)
    return out.reshape(s.shape)


def unrank(ranks: np.ndarray, n_up: int) -> np.ndarray:
    """Inverse of :func:`rank` in a sector: the state with each combinadic rank.

    Parameters
    ----------
    ranks : array_like of int
        Ranks, each in ``[0, C(L, n_up))`` for the sector's ``L`` (not checked here).
    n_up : int
        Number of set bits.

    Returns
    -------
    numpy.ndarray
        ``int64`` states of the same shape as ``ranks``.
    """
    r = np.ascontiguousarray(ranks, dtype=np.int64)
    out = np.empty(r.size, dtype=np.int64)
    _unrank_array(r.ravel(), np.int64(n_up), BINOM, out)
    return out.reshape(r.shape)


def fermion_sign(states: np.ndarray, i: int, j: int) -> np.ndarray:
    """Jordan-Wigner sign of ``c†_i c_j`` (or ``c†_j c_i``) acting on each state.

    With fermion operators ordered by increasing site index, ``c†_i c_j |s>`` carries
    ``(-1)**m`` with ``m`` the number of occupied sites strictly between ``min(i, j)`` and
    ``max(i, j)``, for either order of ``i`` and ``j`` (so also across a periodic boundary).

    Parameters
    ----------
    states : array_like of int
        Bit patterns (only the bits strictly between ``i`` and ``j`` matter).
    i, j : int
        Sites.

    Returns
    -------
    numpy.ndarray
        ``int8`` array of ``+1`` / ``-1`` of the shape of ``states``.
    """
    s = np.ascontiguousarray(states, dtype=np.int64)
    out = np.empty(s.size, dtype=np.int8)
    _sign_array(s.ravel(), np.int64(i), np.int64(j), out)
    return out.reshape(s.shape)
