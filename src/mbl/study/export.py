"""Export a study's store to an xarray Dataset (netCDF) or a CSV table (DESIGN §4)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from mbl._core.seeds import canonical_json
from mbl.study.kinds import KINDS
from mbl.study.runner import open_study


def to_dataset(directory: str | Path) -> xr.Dataset:
    """Dataset with one dimension per grid axis, ``sample``, and each array output's own axis.

    Missing tasks are NaN; per-level arrays whose length varies along the grid are padded with
    NaN along their own axis. Provenance and the resolved config are in ``attrs``.
    """
    store, cfg = open_study(directory)
    with store:
        axes = list(cfg.grid)
        coords = {a: np.asarray(cfg.grid[a]) for a in axes}
        shape = tuple(len(cfg.grid[a]) for a in axes)
        ns = cfg.study.samples
        index = {canonical_json(p.coords): np.unravel_index(i, shape) if shape else ()
                 for i, p in enumerate(cfg.points())}
        rows = [(index[r.point], r.sample, r.data) for r in store.results()
                if r.point in index and r.sample < ns]
        names: dict[str, int] = {}
        for _, _, data in rows:
            for k, v in data.items():
                names[k] = max(names.get(k, -1), v.size if v.ndim else -1)
        kind_axes = KINDS[cfg.study.kind].axes
        data_vars = {}
        for name, length in sorted(names.items()):
            own = [] if length < 0 else [length]
            arr = np.full(shape + (ns,) + tuple(own), np.nan)
            for idx, s, data in rows:
                if name in data:
                    v = np.asarray(data[name], dtype=float)
                    arr[tuple(idx) + (s,) + ((slice(0, v.size),) if own else ())] = v
            dims = axes + ["sample"] + ([kind_axes.get(name, f"{name}_index")] if own else [])
            data_vars[name] = (dims, arr)
        runs = store.runs()
        attrs = {
            "study_name": Path(directory).resolve().name,
            "config": json.dumps(cfg.resolved()),
            "config_hash": store.get_meta("config_hash") or "",
            "provenance": json.dumps(runs[-1]["provenance"] if runs else {}),
            "tasks_stored": len(rows),
        }
    coords["sample"] = np.arange(ns)
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def write_netcdf(ds: xr.Dataset, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.to_netcdf(path, engine="h5netcdf")
    return path


def write_csv(ds: xr.Dataset, path: str | Path) -> Path:
    """One row per (grid point, sample) with every scalar observable."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    scalars = [v for v in ds.data_vars if ds[v].dims[-1] == "sample"]
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
