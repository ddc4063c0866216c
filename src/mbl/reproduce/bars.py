"""Transfer-matrix studies of Anderson bars, one study per cross-section M (each with its own
target precision), merged into one dataset of Lambda(M, grid...)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import xarray as xr

from mbl.reproduce.base import run_builtin_study
from mbl.study.runner import Progress


def bar_studies(sizes: Mapping[int, float], grid: Mapping[str, list[float]], base: Path, *,
                d: int, seed: int, model: Mapping[str, Any] | None = None, workers: int,
                progress: Progress | None) -> xr.Dataset:
    """Lambda, its error and the slices used on ``grid`` for every ``M: rel_error`` of
    ``sizes``, each size in ``base / f"M{M}"`` (resumable); a new dimension ``M``."""
    sets = []
    for M, rel in sizes.items():
        cfg = {"study": {"kind": "tmm", "seed": seed, "samples": 1},
               "model": {"name": "anderson_bar", "d": d, "M": M, "bc": "periodic",
                         **(model or {})},
               "grid": dict(grid),
               "solver": {"rel_error": rel}}
        ds = run_builtin_study(cfg, base / f"M{M}", workers=workers, progress=progress)
        sets.append(ds[["Lambda", "Lambda_error", "slices"]].isel(sample=0).expand_dims(M=[M]))
    return xr.concat(sets, dim="M")
