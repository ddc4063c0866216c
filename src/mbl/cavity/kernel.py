"""lambda(beta) on the Bethe lattice as the largest eigenvalue of the AAT transfer operator.

The pool method of :mod:`mbl.cavity.stability` is biased near the transition. Following
Tikhonov & Mirlin (PRB 99, 214202 (2019)) the operator is instead discretized on a grid.
Choosing one of the K children of a node to carry the weight, the weighted law psi(G) of the
real cavity Green's function obeys (hopping V = 1, docs/theory/bethe-lattice.md §6.2, §6.6)

    lambda psi(G) = K |G|^(2 beta - 2) integral dg psi(g) h(1/G + g),

where h is the density of E - eps - S', S' the sum of the K - 1 other children's G drawn
from the stationary law (a large real pool). h enters only through its distribution function
H, tabulated from a histogram of S' convolved with the disorder law; g is integrated
exactly cell by cell, H(1/G + g_hi) - H(1/G + g_lo), so the sharp box edges of h never need
resolving by the g grid. The grid is uniform in G for 1 < |G| < L, uniform in x = 1/G for
1/L < |G| < 1 and logarithmic beyond (the eigenfunction decays like |G|^(2 beta - 2); cut
at e^-12 and e^14, which changes lambda by less than 1e-6).
"""

from __future__ import annotations

import numba
import numpy as np
from scipy.signal import fftconvolve
from scipy.sparse.linalg import eigs
from scipy.special import ndtr

from mbl._core.errors import InputError
from mbl.cavity._pool import positive_int
from mbl.cavity.stability import RealPool
from mbl.cavity.tree import bethe

S_MIN, S_MAX = -12.0, 14.0
DY = 2e-3  # cell of the tabulated H (halving it moves lambda by < 1e-7)


def _disorder_cells(disorder: str, W: float, dy: float, reach: float) -> np.ndarray:
    """Masses of the on-site law in cells of width dy centred on dy * k (tails lumped at
    the ends, so the masses sum to 1)."""
    if W == 0:
        return np.ones(1)
    if disorder == "box":
        half, cdf = W / 2, (lambda t: np.clip(t / W + 0.5, 0.0, 1.0))
    elif disorder == "gaussian":
        half, cdf = 8 * W / np.sqrt(12.0), (lambda t: ndtr(t * np.sqrt(12.0) / W))
    else:
        half, cdf = reach, (lambda t: 0.5 + np.arctan(2 * t / W) / np.pi)
    k = np.arange(-int(half / dy) - 2, int(half / dy) + 3)
    c = cdf(dy * (k + 0.5))
    mass = np.diff(np.concatenate([[0.0], c]))
    mass[-1] += 1.0 - c[-1]
    return mass


def _counts(s_rest: np.ndarray, dy: float, reach: float) -> np.ndarray:
    """Masses of S' in cells of width dy centred on dy * k, |k| <= reach/dy (ends lumped)."""
    m = int(reach / dy)
    edges = dy * np.arange(-m, m + 2) - dy / 2
    counts = np.histogram(s_rest, bins=edges)[0].astype(float)
    counts[0] += np.count_nonzero(s_rest < edges[0])
    counts[-1] += np.count_nonzero(s_rest >= edges[-1])
    return counts / s_rest.size


def cdf_table(counts: np.ndarray, disorder: str, W: float, E: float,
              dy: float) -> tuple[float, float, np.ndarray]:
    """Distribution function H of y = E - eps - S' on a uniform grid, from the cell masses
    of S' (:func:`_counts`): (y0, dy, H) with H[m] = P(y < y0 + m dy)."""
    reach = dy * (counts.size // 2)
    eps = _disorder_cells(disorder, W, dy, reach)
    # y = E - eps - s: the reversed law of s convolved with the (reversed) law of eps
    mass = fftconvolve(counts[::-1], eps[::-1])
    y_first = E - reach - dy * (eps.size // 2)
    cdf = np.concatenate([[0.0], np.cumsum(np.clip(mass, 0.0, None))])
    return y_first - dy / 2, dy, cdf / cdf[-1]


def grid(W: float, E: float, delta: float, dlog: float = 0.04) -> tuple[np.ndarray, np.ndarray]:
    """Grid points G (both signs, increasing) and the edges of their cells."""
    L = W / 2 + abs(E) + 10.0
    pos = np.concatenate([
        np.exp(np.arange(S_MIN, -np.log(L), dlog)),
        1.0 / np.arange(L, 1.0, -delta),
        np.arange(1.0, L, delta),
        np.exp(np.arange(np.log(L), S_MAX, dlog)),
    ])
    pos = np.unique(pos)
    G = np.concatenate([-pos[::-1], pos])
    mid = 0.5 * (G[1:] + G[:-1])
    edges = np.concatenate([[1.5 * G[0] - 0.5 * G[1]], mid, [1.5 * G[-1] - 0.5 * G[-2]]])
    return G, edges


@numba.njit(parallel=True, cache=True)
def _matrix(G, edges, y0, dy, cdf, K, beta):
    """A[i, j] = K |G_i|^(2 beta - 2) (H(1/G_i + e_(j+1)) - H(1/G_i + e_j))."""
    n = G.size
    A = np.empty((n, n))
    ymax = y0 + dy * (cdf.size - 1)
    lo_tail = cdf[0] * abs(y0)
    hi_tail = (1.0 - cdf[-1]) * ymax
    for i in numba.prange(n):
        x = 1.0 / G[i]
        pref = K * abs(G[i]) ** (2.0 * beta - 2.0)
        prev = 0.0
        for j in range(n + 1):
            y = x + edges[j]
            if y <= y0:
                h = lo_tail / -y
            elif y >= ymax:
                h = 1.0 - hi_tail / y
            else:
                t = (y - y0) / dy
                m = min(int(t), cdf.size - 2)
                f = t - m
                h = cdf[m] * (1.0 - f) + cdf[m + 1] * f
            if j > 0:
                A[i, j - 1] = pref * (h - prev)
            prev = h
    return A


def default_delta(W: float) -> float:
    """Default grid step inside the band: 0.002 max(W, 10)."""
    return 0.002 * max(W, 10.0)


def lambda_kernel(K: int, W: float, *, E: float = 0.0, beta: float = 0.5,
                  disorder: str = "box", pool: int = 10**6, sweeps: int = 60,
                  delta: float | None = None, collect: int | None = None,
                  rng: np.random.Generator) -> float:
    """lambda(beta) of the Anderson model on the Bethe lattice (branching K, hopping 1).

    Parameters
    ----------
    K : int
        Branching number (coordination K + 1).
    W, E : float
        Disorder width and energy.
    beta : float
        Exponent in (0, 1); lambda(1/2) = 1 at the transition.
    disorder : "box", "gaussian" or "cauchy"
    pool, sweeps : int
        Size and generations of the real pool that samples the stationary law of G.
    delta : float, optional
        Grid step in G (and in 1/G) inside the band; default 0.002 max(W, 10) (halving it
        moves lambda(1/2) by ~1e-5 at K = 2, W = 18).
    collect : int, optional
        The law of S' is histogrammed over the last ``collect`` generations (default
        sweeps // 3): more samples, less noise in the kernel, and less of the eigenvalue's
        O(1/N) noise bias (noise raises the Perron eigenvalue).
    rng : numpy.random.Generator

    Examples
    --------
    >>> import numpy as np
    >>> lam = lambda_kernel(2, 25.0, pool=20000, rng=np.random.default_rng(1))
    >>> 0.8 < lam < 0.95
    True
    """
    if not 0 < beta < 1:
        raise InputError(f"beta must lie in (0, 1), got {beta}")
    if int(K) != K or K < 1:
        raise InputError(f"K must be an integer >= 1, got {K}")
    step = default_delta(W) if delta is None else delta
    if not step > 0:
        raise InputError(f"delta must be > 0, got {delta}")
    sweeps = positive_int(sweeps, "sweeps")
    collect = sweeps // 3 if collect is None else positive_int(collect, "collect")
    if collect > sweeps:
        raise InputError(f"collect = {collect} exceeds sweeps = {sweeps}")
    state = RealPool(bethe(int(K), W, disorder), E, pool, rng)
    reach = abs(E) + W + 100.0
    counts = 0.0
    for t in range(sweeps):
        state.sweep()
        if t >= sweeps - collect:
            s_rest = np.zeros(pool)
            for _ in range(int(K) - 1):
                s_rest += rng.permutation(state.g)
            counts = counts + _counts(s_rest, DY, reach)
    y0, dy, cdf = cdf_table(counts / collect, disorder, W, E, DY)
    G, edges = grid(W, E, step)
    A = _matrix(G, edges, y0, dy, cdf, float(K), float(beta))
    vals = eigs(A, k=1, which="LR", v0=np.ones(G.size), tol=1e-12,
                return_eigenvectors=False)
    return float(vals[0].real)
