"""Observables of spectra and eigenstates."""

from mbl.observables.dos import density_of_states
from mbl.observables.dynamics import imbalance, magnetization, return_probability
from mbl.observables.eigenstates import ipr, participation_ratio
from mbl.observables.entanglement import (
    entanglement_entropy,
    page_entropy,
    page_entropy_fixed_number,
)
from mbl.observables.levels import (
    R_GOE,
    R_GUE,
    R_POISSON,
    gap_ratios,
    mean_gap_ratio,
    window,
)
from mbl.observables.participation import kl_divergence_neighbours, participation_entropies
from mbl.observables.spectral import (
    QuasiparticleSpectrum,
    fermi_sea_plus_one,
    quasiparticle_weights,
)

__all__ = [
    "QuasiparticleSpectrum",
    "fermi_sea_plus_one",
    "quasiparticle_weights",
    "R_GOE",
    "R_GUE",
    "R_POISSON",
    "density_of_states",
    "entanglement_entropy",
    "gap_ratios",
    "imbalance",
    "ipr",
    "kl_divergence_neighbours",
    "magnetization",
    "mean_gap_ratio",
    "page_entropy",
    "page_entropy_fixed_number",
    "participation_entropies",
    "participation_ratio",
    "return_probability",
    "window",
]
