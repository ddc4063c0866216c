"""Finite-size scaling analysis: crossings of observable curves with bootstrap errors."""

from mbl.scaling.crossing import Crossing, crossing, mean_and_error, pairwise_crossings
from mbl.scaling.drift import Drift, crossing_drift

__all__ = ["Crossing", "Drift", "crossing", "crossing_drift", "mean_and_error",
           "pairwise_crossings"]
