"""Random resistor and heat networks (docs/architecture.md §1): one Kirchhoff engine, two physical
models.

- :mod:`~mbl.transport.network`: conductance between two electrodes of any bond list or of a
  hypercubic bar (sparse LU, or CG with Ruge–Stuben algebraic multigrid).
- :mod:`~mbl.transport.emt`: effective-medium theory (second order, Kirkpatrick) and the
  bar's finite-size factor.
- :mod:`~mbl.transport.hopping`, :mod:`~mbl.transport.vrh`: Miller–Abrahams networks, the
  critical path and Mott's law (docs/theory/hopping.md §8.1).
- :mod:`~mbl.transport.kinetic_bonds`, :mod:`~mbl.transport.kinetic`: the BAA kinetic network
  of cells, sigma, kappa and the Lorentz number (docs/theory/metal.md §4.4).
"""

from mbl.transport.emt import bar_factor, kirkpatrick_emt, second_order_emt
from mbl.transport.hopping import MillerAbrahams, critical_path, hopping_sample, mott_scale
from mbl.transport.kinetic import (
    KineticNetwork,
    kinetic_points,
    kinetic_realization,
    kinetic_sweep,
    lorenz_ratio,
)
from mbl.transport.network import graph_conductance, lattice_conductivity
from mbl.transport.vrh import fit_mott, mott_sweep

__all__ = ["KineticNetwork", "MillerAbrahams", "bar_factor", "critical_path", "fit_mott",
           "graph_conductance", "hopping_sample", "kinetic_points", "kinetic_realization",
           "kinetic_sweep", "kirkpatrick_emt",
           "lattice_conductivity", "lorenz_ratio", "mott_scale", "mott_sweep",
           "second_order_emt"]
