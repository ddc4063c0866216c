"""Linear stability of the localized solution: the real-energy pool with positive weights.

At eta -> 0+ the cavity Green's functions are real, G = 1 / (E - eps - sum_k V_k^2 G_k), and
the imaginary parts obey the linear recursion Im G = G^2 sum_k V_k^2 Im G_k
(docs/theory/bethe-lattice.md §6.2). Each pool member carries a positive weight y updated as

    y_new = |G_new|^(2 beta) sum_k |V_k|^(2 beta) y_k,

(weights add along branches, docs/theory/bethe-lattice.md §6.6); the growth of the pool mean per
generation is lambda(beta), the largest eigenvalue of the transfer operator, and localization is
stable while lambda(1/2) < 1. A finite pool underestimates lambda(1/2) near the transition (the
weights freeze onto few paths; the bias decays only like 1/ln^2 N): for a precise critical point on
the Bethe lattice use :func:`mbl.cavity.lambda_kernel`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from mbl._core.errors import InputError
from mbl.cavity import _random as rnd
from mbl.cavity._kernels import children, coupling2, onsite, sweep
from mbl.cavity._pool import N_SLICES, check_common, positive_int
from mbl.cavity.tree import Tree


@numba.njit(cache=True)
def _pow(x, p):
    """x**p with the exponents of beta = 1/2 taken without exp/log."""
    if p == 1.0:
        return x
    if p == 0.5:
        return math.sqrt(x)
    return x**p


@numba.njit(cache=True, inline="always")
def _slots_one(g_old, g_new, y_old, y_new, beta, x, lo, hi, br, K, dis, W, cp, V, E):
    """Slots lo..hi-1 with one weight array (1-D ``y_old``, ``y_new``), the stream's counter
    ``x`` and the accumulator in registers; returns the advanced counter."""
    n = g_old.size
    for a in range(lo, hi):
        x, m = children(x, br, K)
        x, eps = onsite(x, dis, W)
        tot = 0.0
        acc = 0.0
        for _ in range(m):
            x, j = rnd.next_index(x, n)
            x, v2 = coupling2(x, cp, V)
            tot += v2 * g_old[j]
            acc += y_old[j] if cp == 0 else _pow(v2, beta) * y_old[j]
        gn = 1.0 / (E - eps - tot)
        g_new[a] = gn
        y_new[a] = _pow(abs(gn) * (V if cp == 0 else 1.0), 2.0 * beta) * acc
    return x


@numba.njit(cache=True)
def _slots(g_old, g_new, y_old, y_new, betas, x, lo, hi, br, K, dis, W, cp, V, E):
    """Slots lo..hi-1 with any number of weight arrays; returns the advanced counter."""
    n = g_old.size
    nb = betas.size
    acc = np.empty(nb)
    for a in range(lo, hi):
        x, m = children(x, br, K)
        x, eps = onsite(x, dis, W)
        tot = 0.0
        for b in range(nb):
            acc[b] = 0.0
        for _ in range(m):
            x, j = rnd.next_index(x, n)
            x, v2 = coupling2(x, cp, V)
            tot += v2 * g_old[j]
            for b in range(nb):  # a fixed coupling enters once, below
                acc[b] += y_old[b, j] if cp == 0 else _pow(v2, betas[b]) * y_old[b, j]
        gn = 1.0 / (E - eps - tot)
        g_new[a] = gn
        xg = abs(gn) * (V if cp == 0 else 1.0)
        for b in range(nb):
            y_new[b, a] = _pow(xg, 2.0 * betas[b]) * acc[b]
    return x


@numba.njit(parallel=True, cache=True)
def sweep_real(g_old, g_new, y_old, y_new, betas, st, br, K, dis, W, cp, V, E):
    """One generation of the real pool (and of one weight array per exponent in ``betas``).

    Slot a of the new pool is built from randomly chosen members of the old one; slice s of
    the slots uses stream s only, so the result is the same for any number of threads. The
    numbers are those of the tree's samplers in :mod:`mbl.cavity.tree`, drawn in the same
    order (see :mod:`mbl.cavity._kernels`).
    """
    n = g_old.size
    n_s = st.size
    for s in numba.prange(n_s):
        lo, hi = s * n // n_s, (s + 1) * n // n_s
        if betas.size == 1 and br == 0 and dis == 0 and cp == 0:
            # lambda(1/2) on the Bethe lattice, box disorder: the law codes are constants in
            # this copy of the loop, so the compiler drops their branches
            st[s] = _slots_one(g_old, g_new, y_old[0], y_new[0], betas[0], st[s], lo, hi,
                               0, K, 0, W, 0, V, E)
        elif betas.size == 1:  # one weight array: scalar accumulator
            st[s] = _slots_one(g_old, g_new, y_old[0], y_new[0], betas[0], st[s], lo, hi,
                               br, K, dis, W, cp, V, E)
        else:
            st[s] = _slots(g_old, g_new, y_old, y_new, betas, st[s], lo, hi, br, K, dis, W,
                           cp, V, E)


class RealPool:
    """A real cavity pool at eta = 0 with optional weight arrays, advanced generation by
    generation (double-buffered)."""

    def __init__(self, tree: Tree, E: float, pool: int, rng: np.random.Generator,
                 betas: np.ndarray | None = None) -> None:
        check_common(tree, E, pool, rng)
        self.codes = tree.codes()
        self.E = float(E)
        self.betas = np.zeros(0) if betas is None else np.asarray(betas, dtype=float)
        self.st = rnd.slice_states(rng, N_SLICES)
        self.g, self._g = np.zeros(pool), np.empty(pool)
        self.y, self._y = np.ones((self.betas.size, pool)), np.empty((self.betas.size, pool))

    def sweep(self) -> np.ndarray:
        """Advance one generation; returns the growth of each weight array's mean."""
        if self.betas.size:
            sweep_real(self.g, self._g, self.y, self._y, self.betas, self.st, *self.codes,
                       self.E)
        else:  # the plain update is several times faster without the weight loops
            sweep(self.g, self._g, self.st, *self.codes, self.E)
        self.g, self._g = self._g, self.g
        self.y, self._y = self._y, self.y
        growth = self.y.mean(axis=1)
        self.y /= growth[:, None]
        return growth


def stationary_pool(tree: Tree, *, E: float = 0.0, pool: int = 10**6, sweeps: int = 60,
                    rng: np.random.Generator) -> np.ndarray:
    """Members of the stationary law of the real cavity G at eta = 0 (after ``sweeps``)."""
    state = RealPool(tree, E, pool, rng)
    for _ in range(positive_int(sweeps, "sweeps")):
        state.sweep()
    return state.g


@dataclass(frozen=True)
class GrowthResult:
    """lambda(beta) from the weighted pool, with standard errors from independent blocks."""

    betas: np.ndarray
    lam: np.ndarray
    error: np.ndarray
    generations: int


def lambda_pool(tree: Tree, betas=(0.5,), *, E: float = 0.0, pool: int = 10**5,
                equilibrate: int = 50, blocks: int = 10, block_sweeps: int = 20,
                rng: np.random.Generator) -> GrowthResult:
    """lambda(beta) of ``tree`` from the real-energy pool with positive weights.

    Parameters
    ----------
    tree : Tree
        Children sampler (:func:`bethe`, :func:`agkl_tree`, :func:`baa_pair_tree`).
    betas : sequence of float
        Exponents in (0, 1); lambda(1/2) = 1 is the localization threshold.
    E : float
        Energy.
    pool : int
        Pool size N (the estimate is biased low near the threshold, ~1/ln^2 N).
    equilibrate, blocks, block_sweeps : int
        Discarded generations, then ``blocks`` blocks of ``block_sweeps`` generations; the
        error is the standard error of the per-block mean of ln(growth).
    rng : numpy.random.Generator
    """
    b = np.atleast_1d(np.asarray(betas, dtype=float))
    if b.ndim != 1 or not np.all((b > 0) & (b < 1)):
        raise InputError(f"betas must lie in (0, 1), got {betas}")
    blocks = positive_int(blocks, "blocks")
    if blocks < 2:
        raise InputError("blocks must be >= 2 to estimate an error")
    state = RealPool(tree, E, pool, rng, b)
    for _ in range(positive_int(equilibrate, "equilibrate")):
        state.sweep()
    logs = np.array([np.mean([np.log(state.sweep()) for _ in range(
        positive_int(block_sweeps, "block_sweeps"))], axis=0) for _ in range(blocks)])
    mean = logs.mean(axis=0)
    err = logs.std(axis=0, ddof=1) / np.sqrt(blocks)
    return GrowthResult(b, np.exp(mean), np.exp(mean) * err, blocks * block_sweeps)
