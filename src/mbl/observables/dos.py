"""Density of states."""

from __future__ import annotations

import numpy as np

from mbl._core.errors import InputError


def density_of_states(
    energies: np.ndarray, *, bins: int, e_min: float | None = None, e_max: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Histogram estimate of rho(E), normalized so that its integral is 1.

    Returns ``(centres, rho)``: bin centres in energy and rho per unit energy (per level).
    """
    e = np.asarray(energies, dtype=float)
    if bins < 1:
        raise InputError(f"bins must be >= 1, got {bins}")
    lo = float(e.min()) if e_min is None else e_min
    hi = float(e.max()) if e_max is None else e_max
    if hi <= lo:
        hi = lo + 1.0
    counts, edges = np.histogram(e, bins=bins, range=(lo, hi))
    rho = counts / (e.size * np.diff(edges))
    return 0.5 * (edges[1:] + edges[:-1]), rho
