"""Pool bookkeeping shared by the cavity engines: slices, streams, argument checks."""

from __future__ import annotations

import math

import numpy as np

from mbl._core.errors import InputError
from mbl.cavity.tree import Tree

#: Slices per pool. Fixed (not the thread count) so results never depend on the threads.
N_SLICES = 64


def check_common(tree: Tree, E: float, pool: int, rng: np.random.Generator) -> None:
    """Refuse arguments every engine shares, with the fix in the message."""
    if not isinstance(tree, Tree):
        raise InputError("tree must be a mbl.cavity.Tree (e.g. mbl.cavity.bethe(K=2, W=10))")
    if not math.isfinite(E):
        raise InputError(f"the energy E must be finite, got {E}")
    if int(pool) != pool or pool < 2 * N_SLICES:
        raise InputError(f"pool = {pool}: use an integer pool of at least {2 * N_SLICES} "
                         "members (10^5 - 10^7 for physics)")
    if not isinstance(rng, np.random.Generator):
        raise InputError("rng must be a numpy.random.Generator (np.random.default_rng(seed))")


def positive_int(value: int, name: str) -> int:
    """``value`` as an int >= 1, or an InputError naming ``name``."""
    if int(value) != value or value < 1:
        raise InputError(f"{name} must be an integer >= 1, got {value}")
    return int(value)
