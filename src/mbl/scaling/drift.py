"""The drift of consecutive-size crossings with the system size, with a joint bootstrap.

Curves r_L(W) of sizes L_1 < L_2 < ... give the crossings W*(L_i, L_{i+1}) of consecutive
pairs (each as in :func:`mbl.scaling.crossing`), and their drift: the slope dW*/dL of a
weighted straight line through the crossings against the pair's mean size (L_i + L_{i+1})/2.
Consecutive crossings share a curve, so their errors are correlated; every bootstrap replica
therefore resamples each size's disorder samples once and recomputes all crossings and the
slope from the same replica, and the errors are the standard deviations over replicas (the
slope's error includes the correlations). See docs/theory/xxz-chain.md §9.5.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from mbl._core.errors import InputError
from mbl.scaling.crossing import _check_n_boot, _compact, _root, _scaled

__all__ = ["Drift", "crossing_drift"]


@dataclass(frozen=True)
class Drift:
    """Crossings of consecutive sizes and their drift with the size.

    Attributes
    ----------
    pairs : list of (int, int)
        The consecutive size pairs, in increasing order.
    crossings, errors : ndarray
        Crossing of each pair (NaN where the fitted curves do not cross in the range) and its
        bootstrap standard error.
    slope, slope_error : float
        dW*/dL of the weighted line through the crossings that exist (at least two; NaN
        otherwise) against the pairs' mean sizes, and its joint-bootstrap standard error.
    intercept : float
        The line's value at L = 0.
    chi2 : float
        Chi-square of the line with the bootstrap errors (``dof = crossings - 2``).
    n_boot, n_failed : int
        Replicas drawn, and replicas excluded because a pair that crosses in the data did not
        cross in the replica.
    """

    pairs: list[tuple[int, int]]
    crossings: np.ndarray
    errors: np.ndarray
    slope: float
    slope_error: float
    intercept: float
    chi2: float
    n_boot: int
    n_failed: int

    @property
    def dof(self) -> int:
        """Degrees of freedom of the straight line (crossings that exist, less 2)."""
        return int(np.isfinite(self.crossings).sum()) - 2


def _line(L: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Weighted least-squares straight line y = a + b L: (b, a)."""
    W = w.sum()
    Lm, ym = (w * L).sum() / W, (w * y).sum() / W
    b = (w * (L - Lm) * (y - ym)).sum() / (w * (L - Lm) ** 2).sum()
    return float(b), float(ym - b * Lm)


def crossing_drift(x: np.ndarray, curves: Mapping[int, np.ndarray], *,
                   rng: np.random.Generator, degree: int = 2, n_boot: int = 1000,
                   x_range: tuple[float, float] | None = None) -> Drift:
    """Crossings of consecutive sizes and the drift dW*/dL, errors from a joint bootstrap.

    Parameters
    ----------
    x : ndarray, shape (nx,)
        Common grid of all curves (strictly increasing, ``nx >= degree + 2``).
    curves : Mapping
        Size L -> per-sample values of shape (nx, n_samples) (NaN = missing); at least two.
    rng : numpy.random.Generator
        Source of randomness for the bootstrap.
    degree, x_range
        Polynomial degree and search range, as in :func:`mbl.scaling.crossing`.
    n_boot : int
        Bootstrap replicas (at least 2).

    Returns
    -------
    Drift
    """
    x = np.asarray(x, dtype=float)
    _check_n_boot(n_boot)
    t, t_lo, t_hi, mid, half = _scaled(x, degree, x_range)
    sizes = sorted(curves)
    if len(sizes) < 2:
        raise InputError(f"need curves of at least two sizes; got {sizes}")
    data = {L: _compact(curves[L], x.size, f"curves[{L}]") for L in sizes}
    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    Lmid = np.array([0.5 * (a + b) for a, b in pairs])

    def roots(d: Mapping[int, tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        return mid + half * np.array([_root(t, [d[a], d[b]], degree, t_lo, t_hi)
                                      for a, b in pairs])

    point = roots(data)
    ok = np.isfinite(point)
    replicas = np.empty((n_boot, len(pairs)))
    for i in range(n_boot):
        drawn = {}
        for L, (values, n) in data.items():
            idx = rng.integers(0, n[:, None], size=values.shape)
            used = np.arange(values.shape[1]) < n[:, None]
            drawn[L] = (np.where(used, np.take_along_axis(values, idx, axis=1), 0.0), n)
        replicas[i] = roots(drawn)
    good = np.all(np.isfinite(replicas[:, ok]), axis=1)
    errors = np.full(len(pairs), np.nan)
    if good.sum() >= 2:
        errors[ok] = np.std(replicas[good][:, ok], axis=0, ddof=1)
    slope = slope_error = intercept = chi2 = np.nan
    if ok.sum() >= 2 and good.sum() >= 2 and np.all(errors[ok] > 0):
        w = 1.0 / errors[ok] ** 2
        slope, intercept = _line(Lmid[ok], point[ok], w)
        chi2 = float((w * (point[ok] - intercept - slope * Lmid[ok]) ** 2).sum())
        boot = [_line(Lmid[ok], r[ok], w)[0] for r in replicas[good]]
        slope_error = float(np.std(boot, ddof=1))
    return Drift(pairs=pairs, crossings=point, errors=errors, slope=slope,
                 slope_error=slope_error, intercept=intercept, chi2=chi2, n_boot=int(n_boot),
                 n_failed=int(n_boot - good.sum()))
