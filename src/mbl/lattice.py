"""Hypercubic lattices in d = 1, 2, 3 with open or periodic boundaries.

Sites are numbered in C (row-major) order of ``shape``: the last axis runs fastest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from mbl._core.errors import InputError

Boundary = Literal["open", "periodic"]


@dataclass(frozen=True)
class Hypercubic:
    """A hypercubic lattice.

    Parameters
    ----------
    shape : tuple of int
        Linear sizes along each of the d = len(shape) axes (1 <= d <= 3).
    bc : "open" or "periodic", or a tuple of those (one per axis)
        Boundary condition; periodic axes need at least 3 sites so that each bond is unique.
    """

    shape: tuple[int, ...]
    bc: Boundary | tuple[Boundary, ...] = "periodic"

    def __post_init__(self) -> None:
        shape = tuple(int(n) for n in self.shape)
        object.__setattr__(self, "shape", shape)
        if not 1 <= len(shape) <= 3:
            raise InputError(
                f"a hypercubic lattice has d = 1, 2 or 3 axes, got shape {shape} (d = {len(shape)})"
            )
        if min(shape) < 2:
            raise InputError(f"every linear size must be at least 2, got shape {shape}")
        bcs = self.boundaries
        for axis, (n, b) in enumerate(zip(shape, bcs, strict=True)):
            if b not in ("open", "periodic"):
                raise InputError(f"boundary condition must be 'open' or 'periodic', got {b!r}")
            if b == "periodic" and n < 3:
                raise InputError(
                    f"axis {axis} has {n} sites: periodic boundaries need at least 3 "
                    "(with 2 the same pair would be bonded twice); use bc='open' or a larger L"
                )

    @property
    def d(self) -> int:
        """Spatial dimension."""
        return len(self.shape)

    @property
    def n_sites(self) -> int:
        """Number of sites N = prod(shape)."""
        return int(np.prod(self.shape))

    @property
    def boundaries(self) -> tuple[str, ...]:
        """Boundary condition of each axis."""
        if isinstance(self.bc, str):
            return (self.bc,) * len(self.shape)
        if len(self.bc) != len(self.shape):
            raise InputError(f"bc has {len(self.bc)} entries but the lattice has {self.d} axes")
        return tuple(self.bc)

    def coordinates(self) -> np.ndarray:
        """Integer coordinates of every site, shape (N, d)."""
        grids = np.indices(self.shape).reshape(self.d, -1)
        return grids.T.copy()

    def bonds(self) -> tuple[np.ndarray, np.ndarray]:
        """Nearest-neighbour bonds (i, j), each unordered pair once, as two index arrays."""
        index = np.arange(self.n_sites).reshape(self.shape)
        first, second = [], []
        for axis, b in enumerate(self.boundaries):
            shifted = np.roll(index, -1, axis=axis)
            keep = np.ones(self.shape, dtype=bool)
            if b == "open":
                edge = [slice(None)] * self.d
                edge[axis] = -1
                keep[tuple(edge)] = False
            first.append(index[keep])
            second.append(shifted[keep])
        return np.concatenate(first), np.concatenate(second)
