"""Disordered models: specifications that build Hamiltonians of one realization."""

from mbl.models.anderson import Anderson
from mbl.models.baa_cells import BAACells, BAADisorder
from mbl.models.chains import AubryAndre, SpinlessFermions, XXZChain
from mbl.models.disorder import DISTRIBUTIONS, draw_onsite
from mbl.models.dot import DotDisorder, QuantumDot
from mbl.models.goe import goe_levels

__all__ = ["DISTRIBUTIONS", "Anderson", "AubryAndre", "BAACells", "BAADisorder", "DotDisorder",
           "QuantumDot", "SpinlessFermions", "XXZChain", "draw_onsite", "goe_levels"]
