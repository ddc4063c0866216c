"""mbl: localization in disordered electron systems, from Anderson to many-body localization.

The layers, bottom to top: :mod:`mbl.lattice`, :mod:`mbl.models`, :mod:`mbl.solvers`,
:mod:`mbl.transfer`, :mod:`mbl.cavity`, :mod:`mbl.observables`, :mod:`mbl.scaling`,
:mod:`mbl.study`, :mod:`mbl.plot`, :mod:`mbl.reproduce` and the command line :mod:`mbl.cli`.

``import mbl`` is cheap: the public names below are imported on first use (PEP 562), so
``mbl --help`` and ``import mbl`` load neither numpy nor scipy nor numba.
"""

import importlib as _importlib
import typing as _typing

# Public name -> (module, attribute); attribute None: the name is the submodule itself.
# To add a public function, add one line here and its name to __all__.
_LAZY: dict[str, tuple[str, str | None]] = {
    "baa": ("mbl.baa", None),
    "basis": ("mbl.basis", None),
    "cavity": ("mbl.cavity", None),
    "errors": ("mbl.errors", None),
    "lattice": ("mbl.lattice", None),
    "models": ("mbl.models", None),
    "observables": ("mbl.observables", None),
    "operators": ("mbl.operators", None),
    "plot": ("mbl.plot", None),
    "scaling": ("mbl.scaling", None),
    "solvers": ("mbl.solvers", None),
    "transfer": ("mbl.transfer", None),
    "transport": ("mbl.transport", None),
    "load": ("mbl.study.export", "load"),
}

__all__ = ["__version__", "baa", "basis", "cavity", "errors", "lattice", "load", "models",
           "observables", "operators", "plot", "scaling", "solvers", "transfer", "transport"]

if _typing.TYPE_CHECKING:  # for type checkers and IDEs: the names as eager imports would give them
    __version__: str
    from mbl import (
        baa,
        basis,
        cavity,
        errors,
        lattice,
        models,
        observables,
        operators,
        plot,
        scaling,
        solvers,
        transfer,
        transport,
    )
    from mbl.study.export import load


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mbl")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.1.0+unknown"


def __getattr__(name: str) -> _typing.Any:
    if name == "__version__":  # (reading the package metadata costs an import: on demand)
        globals()[name] = value = _version()
        return value
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'mbl' has no attribute {name!r}") from None
    value = _importlib.import_module(module)
    if attribute is not None:
        value = getattr(value, attribute)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(name for name in set(globals()) | set(_LAZY) | {"__version__"}
                  if not name.startswith("_")
                  or name in ("__all__", "__version__", "__doc__", "__name__", "__path__",
                              "__file__"))
