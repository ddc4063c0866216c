"""Linear stability of the insulator: the linearized SCBA as a growth rate on the e-h-pair tree.

docs/theory/insulator.md §3.1: at eta -> 0 the SCBA has the solution Gamma = 0; linearizing (A ->
delta + Gamma / (pi x^2)) makes each width a positive linear combination of the widths of the three
partners of every e-h-pair triple, one line at a time carrying the broadening:

    Gamma_l(eps) = eta + sum_{triples (a, b, c)} lam^2 F(xi_a, xi_b; xi_c) / x^2
                   * [Gamma_a(eps_a) + Gamma_b(eps_b) + Gamma_c(eps_c)],
    x = eps - xi_a - xi_b + xi_c,  eps_a - xi_a = eps_b - xi_b = -(eps_c - xi_c) = x,

with b in the interaction window of l (|xi_b - xi_l| <= M/2), a in the window of c, and the
triples with both Upsilon products equal to 1 removed (Y = 0). Energies are carried along the
path: a node is a level xi with its off-shell mismatch x, and a child's mismatch is the
parent's plus the on-shell mismatch of the triple, so successive mismatches are correlated
(the AAT structure, docs/theory/bethe-lattice.md §6.7). Iterating builds the Fock-space tree of
docs/theory/insulator.md §3.3.

Tree approximation [RECON]: every generation draws fresh Poisson levels of density 1/delta
(the levels of the cell are not re-used, so the finite Fock space of one cell does not appear,
and with it BAA's I-dependent factor exp(-kappa delta |ln I| / T) of the T_c equation); the
elastic (tunnelling) children are left out, since with Re Sigma dropped their sum over all
levels of the neighbouring cells diverges at large mismatch (it needs the real parts). Like the
SCBA of BAA, the real part of the self-energy is dropped; the tree therefore measures the
I-independent part of T_c, to be compared with delta / (12 lam M ln(1/lam)).

The criterion (branching random walk with positive weights c): the widths stay proportional
to eta (insulator) iff some beta in (0, 1/2) has lambda(beta) = lim_n [E sum_{paths of
length n} prod c^beta]^(1/n) < 1; lambda(beta) diverges as beta -> 1/2 (the density of
mismatches is finite at x = 0) and as beta -> 0 (infinitely many thermal partners), so the
growth rate is Lambda = min_beta lambda(beta), and T_c is where Lambda = 1.

Numerics: lambda(beta) is the largest eigenvalue of the moment operator, estimated by a
forward population of ``particles`` nodes (xi, x): each generation every node draws ``samples``
triples by importance sampling (xi_b uniform in the window, xi_c from a hyperbolic-secant law
broader than F^beta, x_child from the density |x|^(-2 beta) on its allowed interval, which
cancels the resonance singularity), its three children carry the weight c^beta / q, and N
nodes are resampled in proportion to the weights; the growth per generation is the mean total
child weight. Units: delta = 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mbl._core.errors import InputError
from mbl.baa.parameters import BAAParameters
from mbl.baa.scba import fermi, pair_factor

#: Exponents beta over which lambda(beta) is minimized.
BETAS = (0.4, 0.43, 0.45, 0.46, 0.47, 0.48, 0.49)


@dataclass(frozen=True)
class GrowthRate:
    """lambda(beta) at one temperature; Lambda = min over beta with its standard error."""

    T: float
    betas: np.ndarray
    lam: np.ndarray
    error: np.ndarray

    @property
    def growth(self) -> float:
        return float(self.lam.min())

    @property
    def growth_error(self) -> float:
        return float(self.error[np.argmin(self.lam)])

    @property
    def beta_min(self) -> float:
        return float(self.betas[np.argmin(self.lam)])


def _inverse_power_sample(lo, hi, p, u):
    """Samples of the density |x|^(p - 1) on [lo, hi] (p = 1 - 2 beta) and its integral."""
    def cdf(v):
        return np.sign(v) * np.abs(v) ** p / p

    a, z = cdf(lo), cdf(hi) - cdf(lo)
    v = a + u * z
    return np.sign(v) * (np.abs(v) * p) ** (1.0 / p), z


def _generation(xi, x, params: BAAParameters, T: float, beta: float, samples: int,
                rng: np.random.Generator):
    """Children (xi, x, weight) of every node, flattened; the weights sum to the growth."""
    M, lam2 = params.M / params.delta, params.lambda_**2
    n = xi.size
    shape = (samples, n)
    tau = T / (2.0 * beta) + 0.5 * M  # sech(xi_c / 2 tau) decays slower than F^beta
    xb = xi + M * (rng.random(shape) - 0.5)
    u = np.clip(rng.random(shape), 1e-12, 1 - 1e-12)
    xc = 2.0 * tau * np.log(np.tan(0.5 * math.pi * u))
    qc = 2.0 * math.pi * tau * np.cosh(xc / (2.0 * tau))  # 1 / (density of xc)
    m = x + xi - xb
    xch, z = _inverse_power_sample(m - 0.5 * M, m + 0.5 * M, 1.0 - 2.0 * beta,
                                   rng.random(shape))
    xa = xc + m - xch
    F = pair_factor(fermi(xa, T), fermi(xb, T), fermi(xc, T))
    w = M * qc * z * (lam2 * F) ** beta / samples
    w[(np.abs(xa - xi) <= 0.5 * M) & (np.abs(xb - xc) <= 0.5 * M)] = 0.0  # Y = 0
    kids_xi = np.concatenate([xa.ravel(), xb.ravel(), xc.ravel()])
    kids_x = np.concatenate([xch.ravel(), xch.ravel(), -xch.ravel()])
    kids_w = np.tile(w.ravel(), 3)
    return kids_xi, kids_x, kids_w


def _resample(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Systematic resampling: n indices drawn in proportion to ``weights``."""
    c = np.cumsum(weights)
    pos = (rng.random() + np.arange(n)) * (c[-1] / n)
    return np.minimum(np.searchsorted(c, pos, side="right"), weights.size - 1)


def _check(params, T, particles, generations, equilibrate, blocks, samples, rng) -> None:
    if not isinstance(params, BAAParameters):
        raise InputError("params must be a BAAParameters instance.")
    if not (isinstance(T, (int, float)) and math.isfinite(T) and T > 0):
        raise InputError(f"T must be a finite positive temperature, got {T!r}.")
    for name, v, least in (("particles", particles, 100), ("generations", generations, 1),
                           ("equilibrate", equilibrate, 1), ("blocks", blocks, 2),
                           ("samples", samples, 1)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < least:
            raise InputError(f"{name} must be an integer >= {least}, got {v!r}.")
    if not isinstance(rng, np.random.Generator):
        raise InputError("rng must be a numpy.random.Generator (numpy.random.default_rng).")


def growth_rate(params: BAAParameters, T: float, *, betas=BETAS, particles: int = 20_000,
                equilibrate: int = 20, blocks: int = 5, generations: int = 10,
                samples: int = 2, rng: np.random.Generator) -> GrowthRate:
    """lambda(beta) of the linearized SCBA on the e-h-pair tree at temperature ``T``.

    Parameters
    ----------
    params : BAAParameters
        lambda and M enter; I and d do not (see the module docstring).
    T : float
        Temperature (units of delta).
    betas : sequence of float
        Exponents in (0, 1/2).
    particles : int
        Population size N.
    equilibrate, blocks, generations : int
        Discarded generations, then ``blocks`` blocks of ``generations`` generations; the error
        is the standard error of the block means of ln(growth).
    samples : int
        Triples drawn per node and generation.
    rng : numpy.random.Generator
    """
    _check(params, T, particles, generations, equilibrate, blocks, samples, rng)
    b = np.atleast_1d(np.asarray(betas, dtype=float))
    if b.ndim != 1 or b.size == 0 or not np.all((b > 0) & (b < 0.5)):
        raise InputError(f"betas must lie in (0, 1/2), got {betas!r}.")
    lam, err = [], []
    for beta in b:
        xi, x = np.zeros(particles), np.zeros(particles)
        logs = []
        for gen in range(equilibrate + blocks * generations):
            kx, kxx, kw = _generation(xi, x, params, float(T), float(beta), samples, rng)
            total = kw.sum()
            if gen >= equilibrate:
                logs.append(math.log(total / particles))
            idx = _resample(kw, particles, rng)
            xi, x = kx[idx], kxx[idx]
        block = np.asarray(logs).reshape(blocks, generations).mean(axis=1)
        lam.append(math.exp(block.mean()))
        err.append(lam[-1] * block.std(ddof=1) / math.sqrt(blocks))
    return GrowthRate(float(T), b, np.array(lam), np.array(err))


@dataclass(frozen=True)
class StabilityTc:
    """T_c where the growth rate Lambda(T) = 1, with the scan it came from."""

    value: float
    error: float
    scan: tuple[GrowthRate, ...]

    @property
    def T(self) -> np.ndarray:
        return np.array([g.T for g in self.scan])

    @property
    def growth(self) -> np.ndarray:
        return np.array([g.growth for g in self.scan])

    @property
    def growth_error(self) -> np.ndarray:
        return np.array([g.growth_error for g in self.scan])


def stability_tc(params: BAAParameters, *, rng: np.random.Generator, factors=(0.5, 1.0, 2.0),
                 **kwargs) -> StabilityTc:
    """T_c of the tree: Lambda(T) on temperatures ``factors`` x the T_c asymptote, extended by
    doubling or halving until Lambda = 1 is bracketed, then log-log interpolation.

    The error propagates the two bracketing points' standard errors. ``kwargs`` go to
    :func:`growth_rate`.
    """
    f = np.sort(np.atleast_1d(np.asarray(factors, dtype=float)))
    if f.size < 2 or not np.all(f > 0):
        raise InputError(f"factors must be at least two positive numbers, got {factors!r}.")
    t0 = params.tc_asymptote()
    scan = {float(t): growth_rate(params, float(t), rng=rng, **kwargs) for t in t0 * f}
    for _ in range(6):
        temps = sorted(scan)
        g = [scan[t].growth for t in temps]
        if g[0] < 1.0 < g[-1]:
            break
        t_new = temps[0] / 2 if g[0] >= 1.0 else temps[-1] * 2
        scan[t_new] = growth_rate(params, t_new, rng=rng, **kwargs)
    temps = sorted(scan)
    res = tuple(scan[t] for t in temps)
    lt = np.log(temps)
    lg = np.log([r.growth for r in res])
    e = np.array([r.growth_error / r.growth for r in res])
    k = np.nonzero((lg[:-1] < 0) & (lg[1:] >= 0))[0]
    if k.size == 0:
        raise InputError("Lambda(T) = 1 was not bracketed; widen factors.")
    k = int(k[0])
    s = (lg[k + 1] - lg[k]) / (lt[k + 1] - lt[k])
    ltc = lt[k] - lg[k] / s
    # d ltc / d lg_k and d lg_{k+1}
    d0 = (lt[k + 1] - ltc) / (lg[k + 1] - lg[k])
    d1 = (ltc - lt[k]) / (lg[k + 1] - lg[k])
    tc = math.exp(ltc)
    return StabilityTc(tc, tc * math.hypot(d0 * e[k], d1 * e[k + 1]), res)
