"""Eigensolvers (dense LAPACK and shift-invert windows, behind one :func:`solve`) and time
evolution (:func:`evolve`: Krylov or dense)."""

from mbl.solvers._checkpoint import checkpoints_in
from mbl.solvers.api import METHODS, solve, target_energy
from mbl.solvers.dense import dense
from mbl.solvers.krylov import Evolution, evolve
from mbl.solvers.polfed import polfed
from mbl.solvers.result import Eigenpairs
from mbl.solvers.shift_invert import shift_invert, spectral_bounds

__all__ = [
    "METHODS",
    "Eigenpairs",
    "Evolution",
    "checkpoints_in",
    "dense",
    "evolve",
    "polfed",
    "shift_invert",
    "solve",
    "spectral_bounds",
    "target_energy",
]
