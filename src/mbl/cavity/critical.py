"""The localization threshold lambda(1/2) = 1: W_c(K, E) and the mobility edge E_c(W).

Each replica draws its own stationary pool; within a replica every evaluation reuses the same
seed (common random numbers), so ln lambda(1/2) is a smooth function of W (or E) and its
root is found by the secant method. The replicas are independent: the quoted error is their
standard error combined with the discretization shift measured by halving the grid step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mbl._core.errors import ConvergenceError, InputError
from mbl.cavity._pool import positive_int
from mbl.cavity.closed_forms import large_k_wc
from mbl.cavity.kernel import default_delta, lambda_kernel
from mbl.cavity.stability import lambda_pool
from mbl.cavity.tree import Tree


@dataclass(frozen=True)
class ThresholdResult:
    """A root of lambda(1/2) = 1 with its error.

    Attributes
    ----------
    value, error : float
        Mean over replicas and one standard error (statistical and discretization).
    statistical, discretization : float
        The two parts of ``error``.
    replicas : ndarray
        The root of each independent replica.
    slope : float
        d ln lambda(1/2) / dx at the root (x = W or E), from the last secant step.
    """

    value: float
    error: float
    statistical: float
    discretization: float
    replicas: np.ndarray
    slope: float


def _secant(f: Callable[[float], float], x0: float, x1: float, xtol: float,
            max_iter: int = 12) -> tuple[float, float]:
    """Root of f by the secant method; returns (root, slope)."""
    f0, f1 = f(x0), f(x1)
    for _ in range(max_iter):
        slope = (f1 - f0) / (x1 - x0)
        if slope == 0:
            break
        x2 = x1 - f1 / slope
        x2 = min(max(x2, x1 - 4 * abs(x1 - x0) - xtol), x1 + 4 * abs(x1 - x0) + xtol)
        if abs(x2 - x1) < xtol:
            return x2, slope
        x0, f0, x1, f1 = x1, f1, x2, f(x2)
    raise ConvergenceError(f"the secant search for lambda(1/2) = 1 did not converge near "
                           f"{x1:.4g}; give a better starting point")


def _threshold(ln_lam: Callable[[float, int, float | None], float], x0: float, x1: float,
               replicas: int, xtol: float, rng: np.random.Generator) -> ThresholdResult:
    """Roots of ln_lam(x, seed, delta) = 0 for independent seeds, and the grid shift."""
    replicas = positive_int(replicas, "replicas")
    seeds = [int(s) for s in rng.integers(0, 2**63 - 1, size=replicas)]
    roots, slope = [], 0.0
    for seed in seeds:
        root, slope = _secant(lambda x, s=seed: ln_lam(x, s, None), x0, x1, xtol)
        roots.append(root)
    roots_arr = np.array(roots)
    value = float(roots_arr.mean())
    stat = float(roots_arr.std(ddof=1) / np.sqrt(replicas)) if replicas > 1 else float("nan")
    coarse = ln_lam(roots[0], seeds[0], None)
    fine = ln_lam(roots[0], seeds[0], 0.5)
    disc = abs(fine - coarse) / abs(slope)
    return ThresholdResult(value, float(np.hypot(stat, disc)), stat, disc, roots_arr, slope)


def _ln_lambda(K: int, W: float, E: float, disorder: str, pool: int, sweeps: int,
               delta: float | None, seed: int, refine: float | None) -> float:
    """ln lambda(1/2) from a fresh generator seeded by ``seed`` (common random numbers);
    ``refine`` scales the grid step (for the discretization check)."""
    step = delta if refine is None else refine * (delta or default_delta(W))
    return float(np.log(lambda_kernel(K, W, E=E, disorder=disorder, pool=pool, sweeps=sweeps,
                                      delta=step, rng=np.random.default_rng(seed))))


def critical_disorder(K: int, *, E: float = 0.0, disorder: str = "box", replicas: int = 4,
                      pool: int = 10**6, sweeps: int = 60, delta: float | None = None,
                      xtol: float = 1e-3, rng: np.random.Generator) -> ThresholdResult:
    """W_c(K, E): the disorder at which lambda(1/2) = 1 on the Bethe lattice.

    Parameters
    ----------
    K : int
        Branching number.
    E : float
        Energy.
    disorder : "box", "gaussian" or "cauchy"
    replicas : int
        Independent replicas (>= 2 for a statistical error).
    pool, sweeps, delta : see :func:`lambda_kernel`.
    xtol : float
        Secant tolerance on W.
    rng : numpy.random.Generator
    """
    def ln_lam(W: float, seed: int, refine: float | None) -> float:
        return _ln_lambda(K, W, E, disorder, pool, sweeps, delta, seed, refine)

    w0 = large_k_wc(K)
    return _threshold(ln_lam, w0, 1.05 * w0, replicas, xtol, rng)


def mobility_edge(W: float, K: int = 2, *, disorder: str = "box", replicas: int = 4,
                  pool: int = 10**6, sweeps: int = 60, delta: float | None = None,
                  xtol: float = 1e-3, rng: np.random.Generator) -> ThresholdResult:
    """E_c(W) > 0: the energy beyond which states are localized (lambda(1/2) < 1).

    Only for W below W_c(K, E = 0), where the band centre is extended. Parameters as in
    :func:`critical_disorder`.
    """
    if not W > 0:
        raise InputError(f"W must be > 0, got {W}")

    def ln_lam(E: float, seed: int, refine: float | None) -> float:
        return _ln_lambda(K, W, E, disorder, pool, sweeps, delta, seed, refine)

    band = 2 * np.sqrt(K) + W / 2
    return _threshold(ln_lam, 0.6 * band, 0.7 * band, replicas, xtol, rng)


@dataclass(frozen=True)
class PoolThreshold:
    """Root x_c of lambda(1/2) = 1 from pool estimates at several x (log-log linear fit).

    ``lam``, ``lam_error`` hold the pool estimates at ``xs``; ``value``, ``error`` the root.
    """

    value: float
    error: float
    xs: np.ndarray
    lam: np.ndarray
    lam_error: np.ndarray


def pool_threshold(family: Callable[[float], Tree], xs, *, pool: int = 20000,
                   equilibrate: int = 40, blocks: int = 8, block_sweeps: int = 10,
                   rng: np.random.Generator) -> PoolThreshold:
    """Where lambda(1/2) of the tree ``family(x)`` crosses 1, for any children sampler.

    lambda(1/2) is estimated by :func:`lambda_pool` at each x of ``xs`` (independent
    streams), ln lambda is fitted linearly in ln x with the pool errors as weights, and the
    root's error is propagated from the fit covariance. The pool's finite-N bias (lambda
    too low near the threshold) is not corrected.
    """
    x = np.asarray(xs, dtype=float)
    if x.ndim != 1 or x.size < 3 or not np.all(x > 0):
        raise InputError(f"xs must hold at least 3 positive values, got {xs}")
    res = [lambda_pool(family(float(v)), [0.5], pool=pool, equilibrate=equilibrate,
                       blocks=blocks, block_sweeps=block_sweeps, rng=rng) for v in x]
    lam = np.array([r.lam[0] for r in res])
    err = np.array([r.error[0] for r in res])
    (b, a), cov = np.polyfit(np.log(x), np.log(lam), 1, w=lam / err, cov="unscaled")
    if b == 0 or not (lam.min() < 1 < lam.max()):
        raise ConvergenceError(f"lambda(1/2) = {np.round(lam, 3)} at x = {x} does not cross "
                               "1; move the x values")
    ln_root = -a / b
    grad = np.array([a / b**2, -1 / b])  # d ln_root / d(b, a)
    ln_err = float(np.sqrt(grad @ cov @ grad))
    root = float(np.exp(ln_root))
    return PoolThreshold(root, root * ln_err, x, lam, err)
