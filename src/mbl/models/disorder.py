"""Random on-site energies with the conventions of docs/conventions.md §2.

All three distributions are parametrized by the width W:

- ``box``: uniform on [-W/2, W/2];
- ``gaussian``: normal with standard deviation W / sqrt(12) (the box's variance);
- ``cauchy``: Lorentzian with half width at half maximum W/2 (the Lloyd model).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from mbl._core.errors import InputError

Distribution = Literal["box", "gaussian", "cauchy"]
DISTRIBUTIONS: tuple[str, ...] = ("box", "gaussian", "cauchy")


def draw_onsite(
    kind: Distribution, W: float, size: int, rng: np.random.Generator
) -> np.ndarray:
    """Draw ``size`` independent on-site energies of width ``W`` from ``rng``."""
    if W < 0:
        raise InputError(f"disorder strength W must be >= 0, got {W}")
    if not isinstance(rng, np.random.Generator):
        raise InputError(
            f"rng must be a numpy.random.Generator (e.g. np.random.default_rng(seed)), "
            f"got {type(rng).__name__}"
        )
    if kind == "box":
        return rng.uniform(-W / 2, W / 2, size)
    if kind == "gaussian":
        return rng.normal(0.0, W / np.sqrt(12.0), size)
    if kind == "cauchy":
        return (W / 2) * rng.standard_cauchy(size)
    raise InputError(f"unknown disorder distribution {kind!r}; choose one of {DISTRIBUTIONS}")
