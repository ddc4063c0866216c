"""The order of limits: P(Gamma) as the lattice grows, then as the bath width eta -> 0.

docs/theory/scba.md §2.4: insulator <=> lim_{eta->0} lim_{volume->inf} P(Gamma != 0) = 0. On a
finite lattice the SCBA is solved at fixed (lambda, I, M, T) for each linear size in ``sizes`` and
each bath width in ``etas`` (decreasing over decades): the largest eta from the metallic guess eta +
pi lam^2 M T, each smaller one continued from the previous solution (from above), so that a
broadened solution is found where one exists.

Evidence collected per (L, eta):

- ``fraction``: the fraction of levels with Gamma/eta > C (the working criterion of
  docs/theory/scba.md §2.4, C = ``ratio`` default 10). In a metal Gamma stays finite as eta -> 0, so
  the fraction rises to 1 and saturates; in an insulator Gamma ~ eta, so Gamma/eta keeps an
  eta-independent (heavy-tailed, P(Gamma) ~ sqrt(eta) Gamma^(-3/2) of §3.2) law and the fraction
  tends to a small constant (of order C^(-1/2) times the resonance density).
- ``fraction_fixed``: the fraction of levels broadened beyond a fixed width, Gamma > g*
  with g* = ``width_fraction`` x <Gamma_in>(T) = pi lam^2 M T (default 1%): BAA's own
  criterion P(Gamma != 0) at fixed Gamma. In an insulator it falls to 0 as eta -> 0 (like
  sqrt(eta) for the Levy law); in a metal it saturates at a finite value.
- ``median_ratio``: the median of Gamma/eta.
- ``slope``: d ln(median Gamma) / d ln eta between the two smallest eta on the largest lattice:
  about 1 in an insulator (Gamma proportional to eta), about 0 in a metal.

The verdict is "metal" when ``slope`` < 1/2 and "insulator" otherwise; a finite lattice with
a finite eta range cannot do better than this, so the evidence is returned with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mbl._core.errors import InputError
from mbl.baa.parameters import BAAParameters
from mbl.baa.scba import Statistics, draw_cells, levels_for, solve

#: slope d ln Gamma_typ / d ln eta below which the verdict is "metal".
SLOPE_THRESHOLD = 0.5


@dataclass(frozen=True)
class LimitsResult:
    """P(Gamma) in the order of limits at one (params, T); see the module docstring.

    Attributes
    ----------
    sizes, etas : numpy.ndarray
        Linear sizes (L^d cells) and bath widths (units of delta, decreasing).
    gamma : tuple of tuple of numpy.ndarray
        ``gamma[i][j]``: widths of the levels with |xi| < max(window T, delta) at sizes[i],
        etas[j].
    fraction, fraction_fixed, median_ratio : numpy.ndarray, shape (len(sizes), len(etas))
    width_threshold : float
        g* of ``fraction_fixed`` (units of delta).
    converged : numpy.ndarray of bool, same shape
        Whether every width of the lattice met ``tol``.
    window_change : numpy.ndarray, same shape
        Largest relative change of a collected width (the levels of ``gamma``) in one more
        iteration: the convergence of the evidence itself.
    slope : float
    verdict : "insulator" or "metal"
    """

    params: BAAParameters
    T: float
    sizes: np.ndarray
    etas: np.ndarray
    ratio: float
    gamma: tuple
    fraction: np.ndarray
    fraction_fixed: np.ndarray
    width_threshold: float
    median_ratio: np.ndarray
    converged: np.ndarray
    window_change: np.ndarray
    slope: float
    verdict: str


def broadened_fraction(gamma: np.ndarray, eta: float, ratio: float = 10.0) -> float:
    """Fraction of widths with gamma / eta > ratio."""
    g = np.asarray(gamma, dtype=float)
    if g.size == 0:
        raise InputError("no widths given.")
    return float(np.mean(g / eta > ratio))


def _check_axis(values, name: str, *, integer: bool) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values, dtype=np.int64 if integer else float))
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr) & (arr > 0)):
        raise InputError(f"{name} must be a non-empty list of positive numbers, got {values!r}.")
    return arr


def _eta_scan(cells, T: float, eta: np.ndarray, tol: float, max_iter: int) -> list:
    """Solutions at decreasing eta, the first from the metallic guess and each later one from
    the previous solution (widths at a larger eta, hence from above): a continuation that
    needs far fewer iterations than restarting near the marginal fixed points."""
    row: list = []
    for e in eta:
        start = None if not row else np.maximum(row[-1].gamma, float(e))
        row.append(solve(cells, T, float(e), tol=tol, max_iter=max_iter, gamma0=start))
    return row


def order_of_limits(params: BAAParameters, T: float, *, sizes, etas,
                    rng: np.random.Generator, statistics: Statistics = "goe",
                    ratio: float = 10.0, width_fraction: float = 0.01, window: float = 1.0,
                    level_window: float = 8.0, tol: float = 1e-4,
                    max_iter: int = 200) -> LimitsResult:
    """Solve the SCBA for every size in ``sizes`` and bath width in ``etas`` at temperature T.

    Each size gets an independent realization of ``L^d`` cells (``d`` of ``params``) with
    :func:`~mbl.baa.scba.levels_for` (T, M, level_window) levels per cell; the same
    realization serves every eta, so the eta dependence is not blurred by disorder. Widths are
    collected over the levels with |xi| < max(window T, delta) (at T < delta the thermal
    window holds no level of most cells). Temperatures are in units of delta.
    """
    if not (isinstance(T, (int, float)) and math.isfinite(T) and T > 0):
        raise InputError(f"T must be a finite positive temperature, got {T!r}.")
    L = _check_axis(sizes, "sizes", integer=True)
    eta = np.sort(_check_axis(etas, "etas", integer=False))[::-1]
    if eta.size < 2:
        raise InputError("give at least two bath widths: the verdict needs a slope in eta.")
    if not ratio > 1:
        raise InputError(f"ratio must be > 1, got {ratio!r}.")
    if not (isinstance(width_fraction, (int, float)) and 0 < width_fraction < 1):
        raise InputError(f"width_fraction must lie in (0, 1), got {width_fraction!r}.")
    g_star = width_fraction * params.gamma_in_mean(T)
    n_levels = levels_for(T, params.M, level_window)
    gam, frac, fixed, med, ok, window_change = [], [], [], [], [], []
    for size in L:
        cells = draw_cells(params, int(size), n_levels, rng, statistics=statistics)
        mask = np.abs(cells.xi) < max(window * T, params.delta)
        if not mask.any():
            raise InputError("no level lies inside the window; increase window.")
        row = _eta_scan(cells, float(T), eta, tol, max_iter)
        gam.append(tuple(r.gamma[mask] for r in row))
        frac.append([broadened_fraction(r.gamma[mask], e, ratio) for r, e in zip(row, eta,
                                                                              strict=True)])
        fixed.append([float(np.mean(r.gamma[mask] > g_star)) for r in row])
        med.append([float(np.median(r.gamma[mask]) / e) for r, e in zip(row, eta, strict=True)])
        ok.append([r.converged for r in row])
        # hot levels far outside the window (relaxing by pair creation) can cycle without
        # settling while the collected ones have converged: the evidence rests on the latter
        window_change.append([float(r.change[mask].max()) for r in row])
    typ = np.median(gam[-1][-1]), np.median(gam[-1][-2])
    slope = math.log(typ[0] / typ[1]) / math.log(eta[-1] / eta[-2])
    verdict = "metal" if slope < SLOPE_THRESHOLD else "insulator"
    return LimitsResult(params, float(T), L, eta, float(ratio), tuple(gam), np.array(frac),
                        np.array(fixed), float(g_star), np.array(med), np.array(ok),
                        np.array(window_change), float(slope), verdict)
