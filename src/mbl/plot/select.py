"""What a plot draws: the variable an observable's name stands for, and fixed coordinates.

An exported study (:func:`mbl.study.export.to_dataset`) maps each observable of its kind to
the variable that the observable's name stands for in ``attrs["observable_variables"]``
(``entanglement`` -> ``entropy_mean`` for spectra, ``entropy_t`` for quenches; the table is in
docs/results.md), so ``mbl plot --y entanglement`` and ``plot_curves(ds, y="entanglement")``
draw that variable.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import xarray as xr

from mbl._core.errors import InputError


def _names(names: Iterable[Any]) -> str:
    return ", ".join(repr(str(n)) for n in names) or "(none)"


def observable_variables(ds: xr.Dataset) -> dict[str, str]:
    """Observable name -> the variable it stands for (empty for a dataset without the map)."""
    try:
        mapping = json.loads(ds.attrs.get("observable_variables") or "{}")
    except (TypeError, ValueError):
        return {}
    return mapping if isinstance(mapping, dict) else {}


def variable_for(ds: xr.Dataset, y: str, x: str | None = None) -> str:
    """The data variable that ``y`` names.

    An observable's name picks the variable it stands for (``ipr`` -> ``ipr_mean``), except
    that a variable of the same name wins when only it has the dimension ``x`` (``--x level
    --y ipr`` plots the per-level ``ipr``); any other name must be a data variable.

    Raises
    ------
    InputError
        When ``y`` is neither, naming the variables and observables there are.
    """
    mapping = observable_variables(ds)
    target = mapping.get(y)
    if target in ds.data_vars:
        literal_fits = y in ds.data_vars and x is not None and x in ds[y].dims
        if not literal_fits or x in ds[target].dims:
            return target
    if y in ds.data_vars:
        return y
    measured = [o for o, v in mapping.items() if v in ds.data_vars]
    if target is not None:
        raise InputError(f"observable {y!r} was not measured in this study (no {target!r}); "
                         f"measured: {_names(measured)}")
    raise InputError(f"unknown y {y!r}; available data variables: {_names(ds.data_vars)}"
                     + (f"; observables: {_names(measured)}" if measured else ""))


def parse_selection(specs: Iterable[str]) -> dict[str, str]:
    """``["L=8", "method=dense"]`` -> ``{"L": "8", "method": "dense"}`` (``--sel``)."""
    out = {}
    for spec in specs:
        dim, sep, value = spec.partition("=")
        if not sep or not dim.strip() or not value.strip():
            raise InputError(f"--sel {spec!r}: write DIMENSION=VALUE, e.g. --sel L=8")
        out[dim.strip()] = value.strip()
    return out


def select(ds: xr.Dataset, sel: Mapping[str, Any]) -> xr.Dataset:
    """``ds`` at one value of each dimension of ``sel`` (the dimension dropped).

    Values may be given as text (from the command line); numbers match to rounding.
    """
    index = {}
    for dim, value in sel.items():
        if dim not in ds.dims or dim == "sample":
            raise InputError(f"--sel {dim}=...: {dim!r} is not a dimension to fix; choose one "
                             f"of {_names(d for d in ds.dims if d != 'sample')}")
        coord = ds[dim].values
        found = _position(coord, value)
        if found is None:
            raise InputError(f"--sel {dim}={value}: not a value of {dim!r}; its values: "
                             + ", ".join(_short(v) for v in coord))
        index[dim] = found
    return ds.isel(index)


def _position(coord: np.ndarray, value: Any) -> int | None:
    if coord.dtype.kind in "iuf":
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        hits = np.flatnonzero(np.isclose(coord.astype(float), number, rtol=1e-9, atol=0.0))
    else:
        hits = np.flatnonzero(coord.astype(str) == str(value))
    return int(hits[0]) if hits.size else None


def _short(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{float(value):g}"
    return str(value.item() if isinstance(value, np.generic) else value)
