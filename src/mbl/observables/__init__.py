"""Observables of spectra and eigenstates."""

from mbl.observables.dos import density_of_states
from mbl.observables.eigenstates import ipr, participation_ratio
from mbl.observables.levels import (
    R_GOE,
    R_GUE,
    R_POISSON,
    gap_ratios,
    mean_gap_ratio,
    window,
)

__all__ = [
    "R_GOE",
    "R_GUE",
    "R_POISSON",
    "density_of_states",
    "gap_ratios",
    "ipr",
    "mean_gap_ratio",
    "participation_ratio",
    "window",
]
