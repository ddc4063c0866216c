"""mbl: localization in disordered electron systems, from Anderson to many-body localization.

The layers, bottom to top: :mod:`mbl.lattice`, :mod:`mbl.models`, :mod:`mbl.solvers`,
:mod:`mbl.transfer`, :mod:`mbl.cavity`, :mod:`mbl.observables`, :mod:`mbl.scaling`,
:mod:`mbl.study`, :mod:`mbl.plot`, :mod:`mbl.reproduce` and the command line :mod:`mbl.cli`.
"""

from importlib.metadata import PackageNotFoundError, version

from mbl import cavity, errors, lattice, models, observables, solvers, transfer

try:
    __version__ = version("mbl")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0+unknown"

__all__ = ["__version__", "cavity", "errors", "lattice", "models", "observables", "solvers",
           "transfer"]
