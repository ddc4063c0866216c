"""Eigensolvers: dense LAPACK and shift-invert windows, behind one :func:`solve`."""

from mbl.solvers.api import METHODS, solve, target_energy
from mbl.solvers.dense import dense
from mbl.solvers.result import Eigenpairs
from mbl.solvers.shift_invert import shift_invert, spectral_bounds

__all__ = [
    "METHODS",
    "Eigenpairs",
    "dense",
    "shift_invert",
    "solve",
    "spectral_bounds",
    "target_energy",
]
