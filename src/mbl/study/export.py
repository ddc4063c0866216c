"""Export a study's store to an xarray Dataset (netCDF) or a CSV table (docs/studies.md)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from mbl._core.seeds import canonical_json
from mbl.study.config import SolverSection, StudyConfig
from mbl.study.kinds import KINDS
from mbl.study.models import MODELS
from mbl.study.runner import open_study
from mbl.study.variables import (
    DIMENSIONS,
    PARAMETER_UNITS,
    Variable,
    energy_unit,
    primary_variables,
    resolve_units,
)

#: Values of the ``task_status`` variable (CF flag convention).
TASK_STATUS = {"ok": 0, "failed": 1, "missing": 2, "corrupt": 3}


def to_dataset(directory: str | Path) -> xr.Dataset:
    """Dataset with one dimension per grid axis, ``sample``, and each array output's own axis.

    Only verified results enter. ``task_status`` tells, per (point, sample), whether the task
    is ``ok``, ``failed`` (every attempt raised; ``mbl status`` shows why), ``missing`` (not
    run yet) or ``corrupt`` (its stored bytes failed verification), so that a NaN of a
    failed or missing task is never mistaken for a computed NaN. Per-level arrays whose length
    varies along the grid are padded with NaN along their own axis. Provenance and the
    resolved config are in ``attrs``.

    Every variable and coordinate carries ``long_name``, ``units`` and ``axis_scale`` (declared
    in :mod:`mbl.study.variables`; docs/results.md lists them). The own dimensions have
    coordinates: ``time`` the times of the quench, ``eps_bin`` the energy-density bin centres,
    ``level``, ``r_index`` and ``orbital`` an index (``level_energy`` holds the levels'
    energies). ``attrs["observable_variables"]`` maps each observable of the kind to the
    variable its name stands for (what ``mbl plot --y OBSERVABLE`` draws).
    """
    store, cfg = open_study(directory)
    with store:
        axes = list(cfg.grid)
        shape = tuple(len(cfg.grid[a]) for a in axes)
        ns = cfg.study.samples
        index = {canonical_json(p.coords): np.unravel_index(i, shape) if shape else ()
                 for i, p in enumerate(cfg.points())}
        found = store.verify()
        rows = [(index[r.point], r.sample, r.data) for r in found.results
                if r.point in index and r.sample < ns]
        status = np.full(shape + (ns,), TASK_STATUS["missing"], dtype=np.int8)
        for f in store.failed_tasks():
            if f["point"] in index and f["sample"] < ns:
                status[tuple(index[f["point"]]) + (f["sample"],)] = TASK_STATUS["failed"]
        for b in found.bad:
            if b.point in index and 0 <= b.sample < ns:
                status[tuple(index[b.point]) + (b.sample,)] = TASK_STATUS["corrupt"]
        for idx, s, _ in rows:
            status[tuple(idx) + (s,)] = TASK_STATUS["ok"]
        names: dict[str, int] = {}
        for _, _, data in rows:
            for k, v in data.items():
                names[k] = max(names.get(k, -1), v.size if v.ndim else -1)
        kind = KINDS[cfg.study.kind]
        kind_axes, energy = kind.axes, energy_unit(cfg.model, cfg.grid)
        data_vars = {}
        for name, length in sorted(names.items()):
            own = [] if length < 0 else [length]
            arr = np.full(shape + (ns,) + tuple(own), np.nan)
            for idx, s, data in rows:
                if name in data:
                    v = np.asarray(data[name], dtype=float)
                    arr[tuple(idx) + (s,) + ((slice(0, v.size),) if own else ())] = v
            dims = axes + ["sample"] + ([kind_axes.get(name, f"{name}_index")] if own else [])
            data_vars[name] = (dims, arr, _attrs(kind.outputs.get(name), name, energy))
        data_vars["task_status"] = (axes + ["sample"], status, {
            "long_name": "status of the task (point, sample)", "units": "1",
            "flag_values": np.array(list(TASK_STATUS.values()), dtype=np.int8),
            "flag_meanings": " ".join(TASK_STATUS)})
        runs = store.runs()
        attrs = {
            "study_name": Path(directory).resolve().name,
            "config": json.dumps(cfg.resolved()),
            "config_hash": store.get_meta("config_hash") or "",
            "provenance": json.dumps(runs[-1]["provenance"] if runs else {}),
            "tasks_stored": len(rows),
            "tasks_refused": "; ".join(str(b) for b in found.bad),
            "study_kind": cfg.study.kind,
            "energy_unit": energy,
            "observable_variables": json.dumps(primary_variables(kind.outputs)),
        }
        coords = _grid_coords(cfg, energy)
        coords.update(_own_coords(cfg, data_vars, rows, energy))
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def load(directory: str | Path) -> xr.Dataset:
    """The results of a study directory as an xarray Dataset (``mbl.load("runs/x")``).

    The same dataset as ``mbl export`` writes (:func:`to_dataset`): one dimension per grid
    axis, ``sample`` and each output's own axis, with ``long_name`` and ``units`` on every
    variable and coordinate, so ``mbl.load("runs/x")["r_mean"].mean("sample").plot()`` comes
    out labelled. docs/results.md lists the variables.
    """
    return to_dataset(directory)


def _attrs(var: Variable | None, name: str, energy: str) -> dict[str, str]:
    """The netCDF attributes of an output (an undeclared one gets its name, no units)."""
    if var is None:
        return {"long_name": name}
    out = {"long_name": var.long_name, "units": resolve_units(var.units, energy),
           "axis_scale": var.scale}
    if var.observable:
        out["observable"] = var.observable
    if var.error:
        out["ancillary_variables"] = var.error  # CF: the variable of its standard error
    return out


def _grid_coords(cfg: StudyConfig, energy: str) -> dict[str, Any]:
    """A coordinate per grid axis, with the long name of its [model] or [solver] key."""
    model = cfg.model["name"]
    schema = MODELS[model].schema.model_fields
    coords = {}
    for axis, values in cfg.grid.items():
        section = "model" if axis in schema else "solver"
        field = schema.get(axis) or SolverSection.model_fields[axis]
        units = PARAMETER_UNITS.get(model if section == "model" else "solver", {})
        coords[axis] = (axis, np.asarray(values), {
            "long_name": field.description or f"[{section}] {axis}",
            "units": resolve_units(units.get(axis, "1"), energy), "axis_scale": "linear"})
    return coords


def _own_coords(cfg: StudyConfig, data_vars: dict[str, tuple], rows: list,
                energy: str) -> dict[str, Any]:
    """``sample`` and each own dimension of the outputs: the stored times, the bin centres or
    an index, as :data:`mbl.study.variables.DIMENSIONS` declares."""
    sizes = {"sample": cfg.study.samples}
    for dims, arr, *_ in data_vars.values():
        sizes.update(zip(dims, np.shape(arr), strict=True))
    coords = {}
    for dim in [d for d in sizes if d not in cfg.grid]:
        decl = DIMENSIONS.get(dim)
        n = sizes[dim]
        attrs = {"long_name": decl.long_name if decl else f"index of {dim.removesuffix('_index')}",
                 "units": resolve_units(decl.units, energy) if decl else "1",
                 "axis_scale": decl.scale if decl else "linear"}
        values = np.arange(n)
        source = decl.values if decl else None
        if source == "times":
            times = [np.asarray(d["times"], dtype=float) for _, _, d in rows if "times" in d]
            if times and all(t.shape == (n,) and np.array_equal(t, times[0]) for t in times):
                values = times[0]
            else:  # t_min, t_max or n_times vary along the grid: no one time axis
                attrs.update(long_name="time step (the times vary: see the variable times)",
                             units="1", axis_scale="linear")
        elif source == "eps_bins" and n == cfg.observables.eps_bins:
            values = (np.arange(n) + 0.5) / n
        coords[dim] = (dim, values, attrs)
    return coords


def write_netcdf(ds: xr.Dataset, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.to_netcdf(path, engine="h5netcdf")
    return path


def write_csv(ds: xr.Dataset, path: str | Path) -> Path:
    """One row per (grid point, sample) with every scalar observable."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    scalars = [v for v in ds.data_vars if ds[v].dims[-1] == "sample"]  # task_status included
    frame = ds[scalars].to_dataframe().reset_index()
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(frame.columns)
        for row in frame.itertuples(index=False):
            w.writerow([_fmt(x) for x in row])
    return path


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return "" if np.isnan(x) else repr(x)
    return str(x)
