"""Eigenstate measures: inverse participation ratio and participation ratio."""

from __future__ import annotations

import numpy as np


def ipr(vectors: np.ndarray) -> np.ndarray:
    """Inverse participation ratio ``sum_i |psi_i|^4`` of each normalized column."""
    p = np.abs(np.asarray(vectors)) ** 2
    norm = p.sum(axis=0)
    return (p**2).sum(axis=0) / norm**2


def participation_ratio(vectors: np.ndarray) -> np.ndarray:
    """Participation ratio 1 / IPR: the number of sites a state occupies (1 to N)."""
    return 1.0 / ipr(vectors)
