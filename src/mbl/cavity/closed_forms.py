"""Closed forms on the Bethe lattice: AAT's approximate thresholds and exact references.

- Upper-limit approximation (docs/theory/bethe-lattice.md §6.3): lambda(beta) = K (2/W)^(2 beta) /
  (1 - 2 beta) for the box at E = 0 (V = 1); its minimum over beta gives 2 e K / W ln(W/2) = 1.
- Large-K formula (docs/theory/bethe-lattice.md §6.4): 4 K / W ln(W/2) = 1.
- Kesten–McKay density of states of the clean lattice and the clean local Green's function;
  with Cauchy disorder of half-width gamma the averaged Green's function equals the clean one
  at z + i gamma (Lloyd), exactly, on any graph.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from mbl._core.errors import InputError


def _check_K(K: float) -> None:
    if not K >= 1:
        raise InputError(f"the branching K must be >= 1, got {K}")


def upper_limit_lambda(W: float, K: float) -> float:
    """min over beta of the upper-limit lambda(beta): 2 e K / W ln(W/2) (for W > 2e)."""
    _check_K(K)
    if not W > 2 * np.e:
        raise InputError(f"the upper-limit minimum needs W > 2e, got {W}")
    return 2 * np.e * K / W * np.log(W / 2)


def large_k_lambda(W: float, K: float) -> float:
    """AAT's large-K growth factor 4 K / W ln(W/2)."""
    _check_K(K)
    if not W > 2:
        raise InputError(f"the large-K formula needs W > 2, got {W}")
    return 4 * K / W * np.log(W / 2)


def upper_limit_wc(K: float) -> float:
    """Root of 2 e K / W ln(W/2) = 1 (29.12 at K = 2)."""
    return float(brentq(lambda w: np.log(upper_limit_lambda(w, K)), 2 * np.e + 1e-9, 1e6))


def large_k_wc(K: float) -> float:
    """The larger root of W = 4 K ln(W/2) (17.23 at K = 2)."""
    return float(brentq(lambda w: np.log(large_k_lambda(w, K)), 2 * np.e, 1e6))


def clean_local_green(z: complex | np.ndarray, K: float) -> np.ndarray:
    """Local Green's function of the clean Bethe lattice at Im z > 0 (hopping 1)."""
    _check_K(K)
    z = np.asarray(z, dtype=complex)
    root = np.sqrt(z * z - 4 * K)
    root = np.where((root / z).real < 0, -root, root)  # the branch with G_cav ~ 1/z
    g_cav = (z - root) / (2 * K)
    return 1.0 / (z - (K + 1) * g_cav)


def kesten_mckay_dos(E: float | np.ndarray, K: float) -> np.ndarray:
    """(K+1) sqrt(4K - E^2) / (2 pi ((K+1)^2 - E^2)) inside ``|E| < 2 sqrt(K)``, else 0."""
    _check_K(K)
    E = np.asarray(E, dtype=float)
    inside = np.abs(E) < 2 * np.sqrt(K)
    val = (K + 1) * np.sqrt(np.where(inside, 4 * K - E**2, 0.0)) / (
        2 * np.pi * ((K + 1) ** 2 - E**2))
    return np.where(inside, val, 0.0)
