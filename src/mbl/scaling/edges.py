"""Where a measured difference changes sign along a grid (e.g. ln Lambda_M2 - ln Lambda_M1
against energy: extended where it is positive, localized where negative), with a parametric
bootstrap error from the points' standard errors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mbl._core.errors import InputError

__all__ = ["SignChange", "last_sign_change"]


@dataclass(frozen=True)
class SignChange:
    """``x`` of the last + to - change (NaN if none), its bootstrap standard error and 95%
    interval, and the fraction of replicas with no change."""

    x: float
    error: float
    interval: tuple[float, float]
    missing: float


def _last_change(x: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Batch (..., nx): the largest x where d goes from >= 0 to < 0, linearly interpolated."""
    change = (d[..., :-1] >= 0) & (d[..., 1:] < 0)
    last = np.where(change.any(axis=-1), change.shape[-1] - 1 - np.argmax(change[..., ::-1],
                                                                          axis=-1), -1)
    i = np.maximum(last, 0)
    d0 = np.take_along_axis(d, i[..., None], -1)[..., 0]
    d1 = np.take_along_axis(d, i[..., None] + 1, -1)[..., 0]
    step = np.where(last >= 0, d0 - d1, 1.0)  # > 0 at a change
    return np.where(last >= 0, x[i] + d0 / step * (x[i + 1] - x[i]), np.nan)


def last_sign_change(x: np.ndarray, d: np.ndarray, d_error: np.ndarray, *,
                     rng: np.random.Generator, n_boot: int = 1000) -> SignChange:
    """The last + to - sign change of ``d(x)``; replicas redraw d with its errors."""
    x, d, err = (np.asarray(a, float) for a in (x, d, d_error))
    if x.ndim != 1 or x.size < 2 or d.shape != x.shape or err.shape != x.shape:
        raise InputError("x, d and d_error must be 1-D arrays of the same length >= 2")
    if np.any(np.diff(x) <= 0):
        raise InputError("x must be strictly increasing; sort the grid")
    x0 = float(_last_change(x, d))
    reps = _last_change(x, d + err * rng.standard_normal((n_boot, x.size)))
    ok = reps[np.isfinite(reps)]
    if ok.size < 2:
        return SignChange(x0, np.nan, (np.nan, np.nan), 1 - ok.size / n_boot)
    lo, hi = np.percentile(ok, [2.5, 97.5])
    return SignChange(x0, float(ok.std(ddof=1)), (float(lo), float(hi)), 1 - ok.size / n_boot)
