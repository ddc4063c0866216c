"""Finite-size scaling analysis: crossings of observable curves with bootstrap errors."""

from mbl.scaling.crossing import Crossing, crossing, mean_and_error, pairwise_crossings

__all__ = ["Crossing", "crossing", "mean_and_error", "pairwise_crossings"]
