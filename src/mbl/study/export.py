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
    """
    store, cfg = open_study(directory)
    with store:
        axes = list(cfg.grid)
        coords = {a: np.asarray(cfg.grid[a]) for a in axes}
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
        data_vars["task_status"] = (axes + ["sample"], status, {
            "long_name": "status of the task (point, sample)",
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
