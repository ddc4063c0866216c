"""Metallic phase from the SCBA: <Gamma_in>, var(Gamma_in)/<Gamma_in>^2 and the T_in crossing.

docs/theory/metal.md §4.1-§4.3: for T >> M delta, <Gamma_in> = pi lam^2 M T (Poisson cell levels;
level repulsion lowers it by about (M - 2)/M), and var(Gamma_in)/<Gamma_in>^2 = 1 at T = T_in =
delta/(6 pi M lam). Statistics are pooled over the levels with |xi| < window T (Gamma_in does not
depend on eps there to O((M/T)^2)); errors are jackknife errors over cells, which are the
independent units (levels of one cell share their partners).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from mbl._core.errors import InputError
from mbl.baa.parameters import BAAParameters, RegimeWarning
from mbl.baa.scba import Statistics, draw_cells, levels_for, solve


@dataclass(frozen=True)
class WidthStatistics:
    """Pooled statistics of one width (units of delta) near the Fermi energy.

    ``mean`` and ``rel_var`` = var/mean^2 with their one-standard-error jackknife errors over
    cells; ``n_levels`` levels from ``n_cells`` cells entered.
    """

    mean: float
    mean_error: float
    rel_var: float
    rel_var_error: float
    n_levels: int
    n_cells: int


def _pooled(values: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    v = values[mask]
    m = float(v.mean())
    return m, float(v.var() / m**2)


def width_statistics(xi: np.ndarray, width: np.ndarray, T: float,
                     window: float = 2.0) -> WidthStatistics:
    """Mean and relative variance of ``width`` over levels with |xi| < window T.

    ``xi`` and ``width`` have shape (n_cells, n_levels); at least two cells are needed for the
    jackknife error.
    """
    xi, width = np.asarray(xi, dtype=float), np.asarray(width, dtype=float)
    if xi.shape != width.shape or xi.ndim != 2 or xi.shape[0] < 2:
        raise InputError("xi and width must have the same shape (n_cells >= 2, n_levels).")
    if not (math.isfinite(T) and T > 0 and math.isfinite(window) and window > 0):
        raise InputError(f"T and window must be finite and > 0, got {T!r}, {window!r}.")
    mask = np.abs(xi) < window * T
    if np.count_nonzero(mask.any(axis=1)) < 2:
        raise InputError("fewer than two cells hold a level inside the window; widen it.")
    mean, rv = _pooled(width, mask)
    n = xi.shape[0]
    keep = np.ones(n, dtype=bool)
    jack = []
    for k in range(n):
        keep[k] = False
        jack.append(_pooled(width[keep], mask[keep]))
        keep[k] = True
    jack = np.array(jack)
    err = np.sqrt((n - 1) / n * np.sum((jack - jack.mean(axis=0)) ** 2, axis=0))
    return WidthStatistics(mean, float(err[0]), rv, float(err[1]), int(mask.sum()), n)


@dataclass(frozen=True)
class MetallicScan:
    """SCBA inelastic-width statistics vs temperature (T in units of delta)."""

    params: BAAParameters
    T: np.ndarray
    stats: tuple[WidthStatistics, ...]
    statistics: str
    converged: np.ndarray

    @property
    def mean_ratio(self) -> np.ndarray:
        """<Gamma_in> / (pi lam^2 M T)."""
        return np.array([s.mean for s in self.stats]) / self.params.gamma_in_mean(self.T)

    @property
    def mean_ratio_error(self) -> np.ndarray:
        return np.array([s.mean_error for s in self.stats]) / self.params.gamma_in_mean(self.T)

    @property
    def rel_var(self) -> np.ndarray:
        return np.array([s.rel_var for s in self.stats])

    @property
    def rel_var_error(self) -> np.ndarray:
        return np.array([s.rel_var_error for s in self.stats])


def metallic_scan(params: BAAParameters, T, *, n_cells: int, rng: np.random.Generator,
                  statistics: Statistics = "goe", eta: float = 1e-6, window: float = 2.0,
                  level_window: float = 8.0, tol: float = 1e-2,
                  max_iter: int = 30) -> MetallicScan:
    """Solve the SCBA at each temperature of ``T`` and collect the Gamma_in statistics.

    Cells are nearly independent for I << 1; ``n_cells`` cells form one periodic chain
    (d of ``params`` is ignored here: the elastic part only adds I^2-small widths). Each cell
    holds :func:`~mbl.baa.scba.levels_for` (T, M, level_window) levels; statistics are over
    the levels with |xi| < window T. The cost grows like n_cells T^2 M^2 per iteration.
    """
    temps = np.atleast_1d(np.asarray(T, dtype=float))
    if temps.ndim != 1 or not np.all(np.isfinite(temps) & (temps > 0)):
        raise InputError(f"T must be positive temperatures, got {T!r}.")
    if isinstance(n_cells, bool) or not isinstance(n_cells, int) or n_cells < 3:
        raise InputError(f"n_cells must be an integer >= 3, got {n_cells!r}.")
    with warnings.catch_warnings():  # params already warned about its regime
        warnings.simplefilter("ignore", RegimeWarning)
        chain = BAAParameters(params.lambda_, params.I, params.M, 1, params.delta)
    stats, ok = [], []
    for t in temps:
        cells = draw_cells(chain, n_cells, levels_for(t, params.M, level_window), rng,
                           statistics=statistics)
        res = solve(cells, float(t), eta, tol=tol, max_iter=max_iter)
        stats.append(width_statistics(cells.xi, res.gamma_in, float(t), window))
        ok.append(res.converged)
    return MetallicScan(params, temps, tuple(stats), statistics, np.array(ok))


def crossing(T: np.ndarray, y: np.ndarray, y_err: np.ndarray,
             level: float = 1.0) -> tuple[float, float]:
    """Temperature where a decreasing ``y(T)`` crosses ``level`` and its error.

    Log-log linear interpolation between the bracketing points; the error propagates the two
    points' errors through the interpolation. Raises InputError when no bracket exists.
    """
    T, y, e = (np.asarray(a, dtype=float) for a in (T, y, y_err))
    order = np.argsort(T)
    T, y, e = T[order], y[order], e[order]
    idx = np.nonzero((y[:-1] >= level) & (y[1:] < level))[0]
    if idx.size == 0:
        raise InputError(f"y does not cross {level} inside the scanned T; extend the scan.")
    k = int(idx[0])
    lt, ly = np.log(T[k:k + 2]), np.log(y[k:k + 2])
    slope = (ly[1] - ly[0]) / (lt[1] - lt[0])
    lt_c = lt[0] + (math.log(level) - ly[0]) / slope
    # |d lt_c / d ly_j| (signs drop out in quadrature), with d ly = e / y
    w0 = (lt_c - lt[1]) / (ly[1] - ly[0])
    w1 = (lt_c - lt[0]) / (ly[1] - ly[0])
    err_lt = math.hypot(w0 * e[k] / y[k], w1 * e[k + 1] / y[k + 1])
    tc = math.exp(lt_c)
    return tc, tc * err_lt
