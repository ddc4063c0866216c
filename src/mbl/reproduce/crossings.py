"""Shared machinery of the level-statistics reproductions: one study per size, crossings.

Each size L runs as its own study so that cheap small sizes get more samples (the crossing
error is dominated by the noisiest curve). The crossing of the smallest and largest size is
reported as ``W_c`` (largest difference of slopes), consecutive pairs as ``W_cross`` so the
drift with L is visible. Curves that do not cross give a row whose value is NaN (null in JSON).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from mbl._core.errors import InputError
from mbl.observables import R_GOE, R_POISSON
from mbl.reproduce.base import Report, Row, output_directory, run_builtin_study
from mbl.scaling import crossing, mean_and_error
from mbl.study.runner import Progress


def size_studies(config: Callable[[int, int], dict], samples: Mapping[int, int], base: Path, *,
                 workers: int, progress: Progress | None) -> dict[int, xr.Dataset]:
    """Run (or resume) ``config(L, samples)`` for every size into ``base / f"L{L}"``."""
    return {L: run_builtin_study(config(L, n), base / f"L{L}", workers=workers,
                                 progress=progress).assign_coords(L=L)
            for L, n in samples.items()}


def crossing_row(quantity: str, x: np.ndarray, a: xr.DataArray, b: xr.DataArray, *,
                 degree: int, rng: np.random.Generator, n_boot: int,
                 reference: tuple[float | None, float | None, str], params: dict[str, Any]) -> Row:
    """The crossing of two sizes' curves (per-sample data along ``sample``) as a result row."""
    params = {**params, "L": [int(a["L"]), int(b["L"])]}
    value, ref_err, source = reference
    try:
        c = crossing(x, a.values, b.values, rng=rng, degree=degree, n_boot=n_boot)
    except InputError as exc:
        return Row(quantity, float("nan"), None, value, f"{source}; {exc}", params=params,
                   reference_error=ref_err)
    return Row(quantity, c.x, c.error, value, source, params=params, interval=c.interval,
               reference_error=ref_err)


def crossing_rows(curves: Mapping[int, xr.DataArray], *, degree: int, seed: int,
                  reference: tuple[float | None, float | None, str],
                  params: dict[str, Any]) -> list[Row]:
    """``W_c`` from the smallest and largest size, then ``W_cross`` of consecutive sizes."""
    sizes = sorted(curves)
    x = curves[sizes[0]]["W"].values
    rng = np.random.default_rng(seed)
    kw = dict(degree=degree, rng=rng, reference=reference, params=params)
    rows = [crossing_row("W_c", x, curves[sizes[0]], curves[sizes[-1]], n_boot=2000, **kw)]
    rows += [crossing_row("W_cross", x, curves[a], curves[b], n_boot=1000, **kw)
             for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    return rows


def crossing_figure(curves: Mapping[int, xr.DataArray], wc: Row, path: Path, *,
                    reference_label: str, ylabel: str, title: str, unit: str,
                    limits: bool = True) -> Path:
    """Overview (with the GOE and Poisson values) and a zoom on the crossing, side by side;
    ``unit`` is the model's energy unit in TeX (``"$t$"``, ``"$J$"``), which W is measured in."""
    from matplotlib.figure import Figure

    from mbl.plot import save_figure

    fig = Figure(figsize=(11.0, 4.4), layout="tight")
    overview, zoom = fig.subplots(1, 2)
    for ax in (overview, zoom):
        for i, (L, da) in enumerate(sorted(curves.items())):
            mean, err = mean_and_error(da.values)
            ax.errorbar(da["W"].values, mean, yerr=err, marker="o", ms=4, capsize=3,
                        color=f"C{i}", label=f"L = {L} ({da.sizes['sample']} samples)")
        if wc.error is not None and np.isfinite(wc.value):
            ax.axvspan(wc.value - wc.error, wc.value + wc.error, color="C3", alpha=0.15,
                       label=f"crossing $W^* = {wc.value:.2f} \\pm {wc.error:.2f}$")
        if wc.reference is not None:
            ax.axvline(wc.reference, color="k", lw=1, label=reference_label)
        ax.set_xlabel(f"disorder strength $W$ (units of {unit})")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    if limits:
        overview.axhline(R_GOE, ls="--", color="0.3", lw=1, label=f"GOE {R_GOE}")
        overview.axhline(R_POISSON, ls=":", color="0.3", lw=1, label=f"Poisson {R_POISSON:.4f}")
    overview.set_title(title)
    overview.legend(fontsize=8)
    if wc.error is not None and np.isfinite(wc.value):
        zoom.set_xlim(wc.value - 6 * wc.error - 0.5, wc.value + 6 * wc.error + 0.5)
    zoom.set_title("zoom on the crossing")
    return save_figure(fig, path)


EdgeFunction = Callable[[xr.DataArray, xr.DataArray, int], list[Row]]
EdgeFigure = Callable[[xr.DataArray, xr.DataArray, list[Row], Path], Path]


def edge_report(name: str, config: Callable[[int, int], dict], samples: Mapping[int, int], *,
                seed: int, edge: EdgeFunction, figure: EdgeFigure, quick: bool, out: Path,
                workers: int, progress: Progress | None) -> Report:
    """A mobility-edge reproduction: two sizes' ``r_eps``, crossings per eps window, a map."""
    import time

    start = time.perf_counter()
    base = output_directory(out, name, quick)
    sets = size_studies(config, samples, base, workers=workers, progress=progress)
    small, large = (sets[n]["r_eps"] for n in sorted(sets))
    rows = edge(small, large, seed)
    fig = figure(small, large, rows, base / f"{name}.png")
    return Report(name, quick, time.perf_counter() - start, [str(fig)], rows)
