"""Crossing points of finite-size observable curves, with bootstrap error bars.

An observable measured at two system sizes on a grid of a control parameter (e.g. the gap
ratio r_L(W) versus disorder W) gives two curves that cross near the critical point. Each
curve is fitted by a weighted least-squares polynomial, the crossing is a real root of the
difference polynomial, and its error comes from resampling the disorder samples.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.polynomial import polynomial as P

from mbl._core.errors import InputError

__all__ = ["Crossing", "crossing", "mean_and_error", "pairwise_crossings"]


@dataclass(frozen=True)
class Crossing:
    """Crossing point of two curves and its bootstrap uncertainty.

    Attributes
    ----------
    x : float
        Crossing abscissa estimated from the full data.
    error : float
        Bootstrap standard error (std, ddof=1, of the successful replica crossings); NaN when
        fewer than two replicas crossed.
    interval : tuple of float
        95% percentile bootstrap interval (2.5th and 97.5th percentiles); NaN when no replica
        crossed.
    n_boot : int
        Number of bootstrap replicas requested.
    n_failed : int
        Replicas whose fitted curves did not cross inside the search range (excluded).
    degree : int
        Degree of the fitted polynomials.
    """

    x: float
    error: float
    interval: tuple[float, float]
    n_boot: int
    n_failed: int
    degree: int


def mean_and_error(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row mean and standard error of the mean, ignoring NaN samples.

    Parameters
    ----------
    y : ndarray, shape (nx, n_samples)
        Samples of the observable; NaN marks a missing sample.

    Returns
    -------
    mean, stderr : ndarray, shape (nx,)
        Sample mean and ``std(ddof=1) / sqrt(n)`` over the valid samples of each row.
    """
    y = np.asarray(y, dtype=float)
    if y.ndim != 2:
        raise InputError(f"samples must be a 2-D array (nx, n_samples); got shape {y.shape}")
    n = np.sum(~np.isnan(y), axis=1)
    if np.any(n < 2):
        raise InputError(
            f"rows {np.flatnonzero(n < 2).tolist()} have fewer than 2 valid (non-NaN) samples; "
            "a standard error needs at least 2 samples per grid point"
        )
    mean = np.nansum(y, axis=1) / n
    var = np.nansum((y - mean[:, None]) ** 2, axis=1) / (n - 1)
    return mean, np.sqrt(var / n)


def _compact(y: np.ndarray, nx: int, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate samples; move each row's valid values to the front (order kept), zero-pad."""
    y = np.asarray(y, dtype=float)
    if y.ndim != 2 or y.shape[0] != nx:
        raise InputError(f"{name} must have shape (nx={nx}, n_samples); got shape {y.shape}")
    if np.any(np.isinf(y)):
        raise InputError(f"{name} contains infinite values; use NaN for missing samples")
    valid = ~np.isnan(y)
    order = np.argsort(~valid, axis=1, kind="stable")
    return np.nan_to_num(np.take_along_axis(y, order, axis=1)), valid.sum(axis=1)


def _check_n_boot(n_boot: int) -> None:
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 2:
        raise InputError(f"n_boot must be an integer >= 2; got {n_boot!r}")


def _fit(t: np.ndarray, mean: np.ndarray, err: np.ndarray, degree: int) -> np.ndarray:
    """Weighted polynomial fits in t for a batch of curves: (..., nx) -> (..., degree + 1)."""
    positive = np.where(err > 0, err, np.inf).min(axis=-1, keepdims=True)
    sigma = np.where(err > 0, err, np.where(np.isfinite(positive), positive, 1.0))
    w = 1.0 / sigma**2
    v = P.polyvander(t, degree)  # (nx, p)
    lhs = np.einsum("...i,ij,ik->...jk", w, v, v)
    rhs = np.einsum("...i,ij,...i->...j", w, v, mean)
    return np.linalg.solve(lhs, rhs[..., None])[..., 0]


def _pick_root(coef: np.ndarray, diff: np.ndarray, t: np.ndarray, lo: float, hi: float) -> float:
    """Real root of ``coef`` in [lo, hi] nearest the sign change of ``diff`` (NaN if none)."""
    roots = P.polyroots(coef) if np.any(coef != 0) else np.empty(0)
    real = roots[np.abs(roots.imag) <= 1e-8 * np.maximum(1.0, np.abs(roots))].real
    real = real[(real >= lo) & (real <= hi)]
    if real.size == 0:
        return np.nan
    changes = []
    for i in np.flatnonzero(diff[:-1] * diff[1:] <= 0):
        step = diff[i + 1] - diff[i]
        changes.append(t[i] if step == 0 else t[i] - diff[i] * (t[i + 1] - t[i]) / step)
    middle = 0.5 * (lo + hi)
    ref = min(changes, key=lambda c: abs(c - middle)) if changes else middle
    return float(real[np.argmin(np.abs(real - ref))])


def _root(t: np.ndarray, data: list[tuple[np.ndarray, np.ndarray]], degree: int,
          t_lo: float, t_hi: float) -> float:
    """Crossing (in the scaled variable t; NaN if none) of two compacted curves. The means
    come from the compacted samples, so that where the NaNs sat cannot change even the
    rounding of the sums."""
    full = [mean_and_error(np.where(np.arange(v.shape[1]) < n[:, None], v, np.nan))
            for v, n in data]
    coef = _fit(t, full[0][0], full[0][1], degree) - _fit(t, full[1][0], full[1][1], degree)
    return _pick_root(coef, full[0][0] - full[1][0], t, t_lo, t_hi)


def _scaled(x: np.ndarray, degree: int, x_range: tuple[float, float] | None
            ) -> tuple[np.ndarray, float, float, float, float]:
    """Validate the grid; the scaled grid t in [-1, 1], the scaled search range, and the
    centre and half-width that map t back to x."""
    if isinstance(degree, bool) or not isinstance(degree, int | np.integer) or degree < 1:
        raise InputError(f"degree must be an integer >= 1; got {degree!r}")
    if x.ndim != 1 or x.size < degree + 2:
        raise InputError(
            f"x must be 1-D with at least degree + 2 = {degree + 2} points; got shape {x.shape}; "
            "add grid points or lower the degree"
        )
    if not np.all(np.isfinite(x)) or np.any(np.diff(x) <= 0):
        raise InputError("x must be finite and strictly increasing; sort the grid")
    lo, hi = (x[0], x[-1]) if x_range is None else (float(x_range[0]), float(x_range[1]))
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise InputError(f"x_range must be two finite numbers (lo < hi); got {x_range!r}")
    mid, half = 0.5 * (x[0] + x[-1]), 0.5 * (x[-1] - x[0])
    return (x - mid) / half, (lo - mid) / half, (hi - mid) / half, mid, half


def _crossing(
    x: np.ndarray,
    y_a: np.ndarray,
    y_b: np.ndarray,
    rng: np.random.Generator,
    degree: int,
    n_boot: int,
    x_range: tuple[float, float] | None,
) -> Crossing | None:
    """Shared implementation of :func:`crossing`; returns None when the curves do not cross."""
    x = np.asarray(x, dtype=float)
    _check_n_boot(n_boot)
    t, t_lo, t_hi, mid, half = _scaled(x, degree, x_range)

    data = [_compact(y, x.size, name) for y, name in ((y_a, "y_a"), (y_b, "y_b"))]
    t0 = _root(t, data, degree, t_lo, t_hi)
    if np.isnan(t0):
        return None

    boot = []  # per curve: resampled means and standard errors, shape (n_boot, nx)
    for values, n in data:
        idx = rng.integers(0, n[:, None], size=(n_boot, x.size, values.shape[1]))
        used = np.arange(values.shape[1]) < n[:, None]
        draws = np.take_along_axis(values[None], idx, axis=2) * used
        mean = draws.sum(axis=2) / n
        var = (((draws - mean[..., None]) * used) ** 2).sum(axis=2) / (n - 1)
        boot.append((mean, np.sqrt(var / n)))
    coefs = _fit(t, *boot[0], degree) - _fit(t, *boot[1], degree)
    diffs = boot[0][0] - boot[1][0]
    tb = np.array([_pick_root(c, d, t, t_lo, t_hi) for c, d in zip(coefs, diffs, strict=True)])
    xb = mid + half * tb[~np.isnan(tb)]
    error = float(np.std(xb, ddof=1)) if xb.size >= 2 else np.nan
    pct = np.percentile(xb, [2.5, 97.5]) if xb.size else (np.nan, np.nan)
    return Crossing(
        x=float(mid + half * t0),
        error=error,
        interval=(float(pct[0]), float(pct[1])),
        n_boot=int(n_boot),
        n_failed=int(n_boot - xb.size),
        degree=int(degree),
    )


def crossing(
    x: np.ndarray,
    y_a: np.ndarray,
    y_b: np.ndarray,
    *,
    rng: np.random.Generator,
    degree: int = 2,
    n_boot: int = 1000,
    x_range: tuple[float, float] | None = None,
) -> Crossing:
    """Crossing point of two sampled curves with a bootstrap standard error.

    At each grid point the sample mean and standard error are formed; each curve is fitted by
    a polynomial of ``degree`` in the centred (and, for conditioning, rescaled) variable
    ``x - x_mid`` with weights ``1 / stderr`` (zero errors are replaced by the smallest
    positive one), and the real roots of the difference inside the search range are found.
    Of several roots, the one nearest the sign change of the difference of the means (or the
    middle of the range if it does not change sign) is taken. The bootstrap resamples the
    samples of every grid point and curve independently with replacement and repeats this.

    Parameters
    ----------
    x : ndarray, shape (nx,)
        Strictly increasing grid, ``nx >= degree + 2``.
    y_a, y_b : ndarray, shape (nx, n_samples)
        Per-sample values of the two curves (sample counts may differ; NaN = missing).
    rng : numpy.random.Generator
        Source of randomness for the bootstrap.
    degree : int, default 2
        Degree of the fitted polynomials.
    n_boot : int, default 1000
        Number of bootstrap replicas (at least 2).
    x_range : tuple of float, optional
        Search range for the crossing; defaults to ``[x.min(), x.max()]``.

    Returns
    -------
    Crossing

    Raises
    ------
    InputError
        On invalid input, or when the fitted curves do not cross inside the range.
    """
    result = _crossing(x, y_a, y_b, rng, degree, n_boot, x_range)
    if result is None:
        lo, hi = (np.min(x), np.max(x)) if x_range is None else x_range
        raise InputError(f"curves do not cross inside [{lo:g}, {hi:g}]; widen the grid")
    return result


def pairwise_crossings(
    x: np.ndarray,
    curves: Mapping[Hashable, np.ndarray],
    *,
    rng: np.random.Generator,
    degree: int = 2,
    n_boot: int = 1000,
) -> dict[tuple[Hashable, Hashable], Crossing]:
    """Crossings of consecutive curves, labels taken in sorted order (e.g. sizes 8-10, 10-12).

    Parameters
    ----------
    x : ndarray, shape (nx,)
        Common grid of all curves.
    curves : Mapping
        Label (e.g. system size) to samples of shape (nx, n_samples).
    rng, degree, n_boot
        As in :func:`crossing`.

    Returns
    -------
    dict
        ``(label_a, label_b) -> Crossing`` for each consecutive pair that crosses inside the
        grid; pairs that do not cross are omitted (empty for fewer than two curves).
    """
    labels = sorted(curves)
    result = {}
    for a, b in zip(labels[:-1], labels[1:], strict=True):
        found = _crossing(x, curves[a], curves[b], rng, degree, n_boot, None)
        if found is not None:
            result[(a, b)] = found
    return result
