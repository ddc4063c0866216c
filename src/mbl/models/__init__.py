"""Disordered models: specifications that build Hamiltonians of one realization."""

from mbl.models.anderson import Anderson
from mbl.models.chains import AubryAndre, SpinlessFermions, XXZChain
from mbl.models.disorder import DISTRIBUTIONS, draw_onsite

__all__ = ["DISTRIBUTIONS", "Anderson", "AubryAndre", "SpinlessFermions", "XXZChain",
           "draw_onsite"]
