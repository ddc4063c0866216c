"""Level statistics: the gap ratio and the selection of an energy window."""

from __future__ import annotations

import numpy as np

from mbl._core.errors import InputError

#: Mean gap ratio of Poisson levels, 2 ln 2 - 1 (exact).
R_POISSON = 2 * np.log(2) - 1
#: Mean gap ratio of large GOE matrices (Atas et al., PRL 110, 084101 (2013)).
R_GOE = 0.5307
#: Mean gap ratio of large GUE matrices (same source).
R_GUE = 0.5996


def gap_ratios(energies: np.ndarray) -> np.ndarray:
    """r_n = min(s_n, s_{n-1}) / max(s_n, s_{n-1}) for sorted levels (length n - 2).

    Pairs of zero spacings (exact degeneracies) give NaN and are skipped by nan-aware means.
    """
    e = np.asarray(energies, dtype=float)
    if e.ndim != 1:
        raise InputError(f"energies must be one-dimensional, got shape {e.shape}")
    if e.size < 3:
        return np.empty(0)
    if np.any(np.diff(e) < 0):
        e = np.sort(e)
    s = np.diff(e)
    lo = np.minimum(s[1:], s[:-1])
    hi = np.maximum(s[1:], s[:-1])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(hi > 0, lo / np.where(hi > 0, hi, 1.0), np.nan)


def window(energies: np.ndarray, target: float, fraction: float) -> slice:
    """Slice of the sorted ``energies``: ``fraction`` of all levels centred on ``target``.

    The window holds round(fraction * n) levels (at least 3), centred on the level nearest
    ``target`` and shifted inwards where it would cross an end of the spectrum.
    """
    if not 0 < fraction <= 1:
        raise InputError(f"energy window must be a fraction in (0, 1], got {fraction}")
    n = len(energies)
    size = min(n, max(3, int(round(fraction * n))))
    centre = int(np.searchsorted(energies, target))  # first level >= target
    if centre == n or (centre > 0 and target - energies[centre - 1] < energies[centre] - target):
        centre -= 1  # the level below is nearer
    start = min(max(0, centre - size // 2), n - size)
    return slice(start, start + size)


def mean_gap_ratio(energies: np.ndarray, target: float, fraction: float) -> float:
    """Mean r over the levels of :func:`window` (the ratios whose three levels lie inside)."""
    e = np.sort(np.asarray(energies, dtype=float))
    sel = e[window(e, target, fraction)]
    return float(np.nanmean(gap_ratios(sel)))
