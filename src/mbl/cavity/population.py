"""Finite-eta population dynamics: the law of the complex cavity Green's function
(docs/theory/bethe-lattice.md §6.6).

A pool of N complex G at z = E + i eta is updated generation by generation,
G <- 1 / (z - eps - sum_k V_k^2 G_k), the children drawn at random from the previous
generation. Convergence control: every ``check_every`` generations the mean of ln Gamma, its
median and the mean of ln rho are measured in each of ``pools`` independent pools; the run
is converged when none of them moved by more than twice its standard error across pools (plus
``atol``). Then ``measure`` more generations are measured, each on a full-graph node (K + 1
neighbours on the Bethe lattice): Gamma = -Im sum_k V_k^2 G_k and the local density of
states rho = -Im G_loc / pi. Errors are standard errors over the independent pools.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
from scipy.optimize import minimize_scalar

from mbl._core.errors import ConvergenceError, InputError
from mbl.cavity import _random as rnd
from mbl.cavity._kernels import node, sweep
from mbl.cavity._pool import N_SLICES, check_common, positive_int
from mbl.cavity.tree import Tree


@numba.njit(parallel=True, cache=True)
def _measure(g, st, extra, br, K, dis, W, cp, V, z, gamma, rho):
    """Gamma and rho of N full-graph nodes built on the pool."""
    n = g.size
    n_s = st.size
    for s in numba.prange(n_s):
        x = st[s]
        for a in range(s * n // n_s, (s + 1) * n // n_s):
            x, eps, sigma = node(g, x, extra, br, K, dis, W, cp, V)
            gamma[a] = -sigma.imag
            rho[a] = -(1.0 / (z - eps - sigma)).imag / np.pi
        st[s] = x


@dataclass(frozen=True)
class PopulationResult:
    """Typical and mean local density of states and the law of Gamma, with errors.

    Attributes
    ----------
    rho_typ, rho_typ_error : float
        exp<ln rho> and its standard error over pools.
    rho_mean, rho_mean_error : float
        <rho> and its standard error.
    gamma_typ, gamma_typ_error : float
        exp<ln Gamma> and its standard error.
    gamma_edges : ndarray
        Logarithmic bin edges of Gamma.
    gamma_density, gamma_density_error : ndarray
        P(Gamma) per unit Gamma in each bin and its standard error.
    gamma_counts : ndarray
        Counts per pool and bin (pools x bins), out of ``samples`` per pool.
    samples : int
        Gamma values measured per pool.
    generations : int
        Generations run (equilibration + measurement).
    """

    rho_typ: float
    rho_typ_error: float
    rho_mean: float
    rho_mean_error: float
    gamma_typ: float
    gamma_typ_error: float
    gamma_edges: np.ndarray
    gamma_density: np.ndarray
    gamma_density_error: np.ndarray
    gamma_counts: np.ndarray
    samples: int
    generations: int


def _mean_se(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return x.mean(axis=0), x.std(axis=0, ddof=1) / np.sqrt(x.shape[0])


class _Pools:
    """Independent pools advanced together, each with its own slice streams."""

    def __init__(self, tree: Tree, z: complex, pool: int, pools: int,
                 rng: np.random.Generator) -> None:
        self.codes, self.z, self.extra = tree.codes(), z, tree.root_extra
        self.g = np.full((pools, pool), -1j / tree.V)
        self._g = np.empty_like(self.g)
        self.st = [rnd.slice_states(rng, N_SLICES) for _ in range(pools)]
        self.gamma, self.rho = np.empty(pool), np.empty(pool)

    def sweep(self) -> None:
        for p, st in enumerate(self.st):
            sweep(self.g[p], self._g[p], st, *self.codes, self.z)
        self.g, self._g = self._g, self.g

    def measure(self, p: int) -> tuple[np.ndarray, np.ndarray]:
        _measure(self.g[p], self.st[p], self.extra, *self.codes, self.z, self.gamma, self.rho)
        return self.gamma, self.rho

    def stats(self) -> np.ndarray:
        out = []
        for p in range(len(self.st)):
            lg, lr = (np.log(v) for v in self.measure(p))
            out.append((lg.mean(), np.median(lg), lr.mean()))
        return np.array(out)


def population(tree: Tree, *, eta: float, E: float = 0.0, pool: int = 100_000,
               pools: int = 4, check_every: int = 20, max_generations: int = 5000,
               measure: int = 20, atol: float = 1e-3, bins_per_decade: int = 5,
               rng: np.random.Generator) -> PopulationResult:
    """Population dynamics at z = E + i eta on the tree of ``tree``.

    Parameters
    ----------
    tree : Tree
        Children sampler, e.g. ``bethe(K=2, W=10)``.
    eta : float
        Bath width (> 0).
    E : float
        Energy.
    pool, pools : int
        Members per pool and independent pools (>= 2: the errors come from their spread).
    check_every, max_generations : int
        Convergence check period, and the limit beyond which ConvergenceError is raised.
    measure : int
        Generations measured after convergence.
    atol : float
        Tolerance on the logarithmic statistics added to twice their standard error.
    bins_per_decade : int
        Resolution of the logarithmic histogram of Gamma.
    rng : numpy.random.Generator
    """
    check_common(tree, E, pool, rng)
    if not (np.isfinite(eta) and eta > 0):
        raise InputError(f"eta must be finite and > 0, got {eta}; the eta -> 0 limit is "
                         "lambda_kernel / lambda_pool")
    if positive_int(pools, "pools") < 2:
        raise InputError("pools must be >= 2: errors come from independent pools")
    state = _Pools(tree, complex(E, eta), pool, pools, rng)
    prev, gens = state.stats(), 0
    while True:
        for _ in range(positive_int(check_every, "check_every")):
            state.sweep()
        gens += check_every
        now = state.stats()
        _, se = _mean_se(now)
        if np.all(np.abs(now.mean(axis=0) - prev.mean(axis=0)) <= 2 * se + atol):
            break
        if gens >= max_generations:
            raise ConvergenceError(f"the pool did not converge in {max_generations} "
                                   "generations; raise max_generations or atol")
        prev = now
    return _measure_all(state, positive_int(measure, "measure"), bins_per_decade, gens)


def _measure_all(state: _Pools, measure: int, bins_per_decade: int,
                 gens: int) -> PopulationResult:
    """Measure ``measure`` generations of every pool; histogram ln Gamma on common bins."""
    n_pools = len(state.st)
    lo = np.floor(np.log10(state.measure(0)[0].min())) - 2
    hi = np.ceil(np.log10(state.gamma.max())) + 2
    edges = 10.0 ** np.linspace(lo, hi, int(hi - lo) * bins_per_decade + 1)
    per_pool = np.zeros((n_pools, 3))
    counts = np.zeros((n_pools, edges.size - 1), dtype=np.int64)
    for _ in range(measure):
        state.sweep()
        for p in range(n_pools):
            gamma, rho = state.measure(p)
            per_pool[p] += (np.log(gamma).mean(), np.log(rho).mean(), rho.mean())
            counts[p] += np.histogram(gamma, edges)[0]
    per_pool /= measure
    samples = measure * state.gamma.size
    (lg, lr, rm), (lg_e, lr_e, rm_e) = _mean_se(per_pool)
    d, d_e = _mean_se(counts / (samples * np.diff(edges)))
    return PopulationResult(float(np.exp(lr)), float(np.exp(lr) * lr_e), float(rm),
                            float(rm_e), float(np.exp(lg)), float(np.exp(lg) * lg_e), edges,
                            d, d_e, counts, samples, gens + measure)

def tail_exponent(result: PopulationResult, lo: float, hi: float) -> tuple[float, float]:
    """Exponent a of P(Gamma) ~ Gamma^(-a) on [lo, hi] and its standard error.

    Each pool gives a maximum-likelihood estimate from its binned counts (a truncated power
    law over the bins inside [lo, hi]); the result is their mean and standard error.
    """
    e = result.gamma_edges
    use = (e[:-1] >= lo) & (e[1:] <= hi)
    if use.sum() < 3:
        raise InputError(f"fewer than 3 bins inside [{lo:g}, {hi:g}]; widen the range")
    b_lo, b_hi = e[:-1][use], e[1:][use]

    def nll(a: float, counts: np.ndarray) -> float:
        mass = (b_lo ** (1 - a) - b_hi ** (1 - a)) / (a - 1)
        return -float(counts @ np.log(mass / mass.sum()))

    est = np.array([minimize_scalar(nll, bounds=(1.001, 4.0), args=(c,), method="bounded").x
                    for c in result.gamma_counts[:, use]])
    return float(est.mean()), float(est.std(ddof=1) / np.sqrt(est.size))
