"""Disorder-averaged curves: reduction over samples and error-bar plots."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from mbl._core.errors import InputError
from mbl.plot.select import select, variable_for
from mbl.plot.style import CAPSIZE, DPI, FIGSIZE, GRID_ALPHA, data_label, log_scale

SAMPLE = "sample"


@dataclass(frozen=True)
class CurveData:
    """One curve: sample mean and standard error of an observable along `x`.

    Attributes
    ----------
    label : str
        Legend label, e.g. ``"L = 8"``.
    hue_value : object
        Value of the hue coordinate of this curve, or None without hue.
    x : numpy.ndarray
        Coordinate values along the x dimension, sorted ascending when numeric.
    mean, stderr : numpy.ndarray
        Mean over samples and its standard error (NaN where fewer than 1 resp. 2 samples;
        with one sample, the sample's own error where the variable names one in
        ``ancillary_variables``, e.g. ``Lambda_error`` of a transfer-matrix study).
    n : numpy.ndarray
        Number of valid (non-NaN) samples per point.
    """

    label: str
    hue_value: Any
    x: np.ndarray
    mean: np.ndarray
    stderr: np.ndarray
    n: np.ndarray


def _names(names) -> str:
    return ", ".join(repr(str(n)) for n in names) or "(none)"


def _values(da: xr.DataArray) -> str:
    values = [_fmt(v.item() if isinstance(v, np.generic) else v) for v in da.values[:6]]
    return ", ".join(values) + (", ..." if da.size > 6 else "")


def _fmt(value: Any) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, float | np.floating):
        return f"{value:g}"
    return str(value)


def _nan_stats(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, standard error and count over the last axis, ignoring NaN, without warnings."""
    valid = np.isfinite(values)
    n = valid.sum(axis=-1)
    total = np.where(valid, values, 0.0).sum(axis=-1)
    mean = np.divide(total, n, out=np.full(n.shape, np.nan), where=n > 0)
    dev = np.where(valid, values - mean[..., None], 0.0)
    var = np.divide((dev**2).sum(axis=-1), n - 1, out=np.full(n.shape, np.nan), where=n > 1)
    stderr = np.sqrt(np.divide(var, n, out=np.full(n.shape, np.nan), where=n > 1))
    return mean, stderr, n


def _check_dim(ds: xr.Dataset, da: xr.DataArray, role: str, name: str) -> None:
    if name not in ds.dims and name not in ds.coords:
        raise InputError(f"unknown {role} {name!r}; available dimensions: {_names(ds.dims)}")
    if name == SAMPLE or name not in da.dims:
        raise InputError(
            f"{role} {name!r} is not a plottable dimension of {da.name!r}; choose one of "
            f"{_names(d for d in da.dims if d != SAMPLE)}"
        )


def curve_data(ds: xr.Dataset, *, x: str, y: str, hue: str | None = None,
               sel: Mapping[str, Any] | None = None) -> list[CurveData]:
    """Average an observable over disorder samples, one curve per hue value.

    Dimensions after ``sample`` in `y` (the observable's own axes, e.g. ``r_index``) are
    averaged within each sample first, ignoring NaN padding, unless used as `x` or `hue`.

    Parameters
    ----------
    ds : xarray.Dataset
        Exported study data with a ``sample`` dimension.
    x : str
        Dimension along the horizontal axis.
    y : str
        Data variable to average, or an observable's name (:func:`mbl.plot.select.variable_for`).
    hue : str, optional
        Dimension giving one curve per value.
    sel : mapping, optional
        Dimensions fixed at one value first, e.g. ``{"L": 8}`` (``mbl plot --sel L=8``).

    Returns
    -------
    list of CurveData
        One entry per hue value (a single entry without hue).

    Raises
    ------
    InputError
        On unknown names, or when `y` has other dimensions longer than 1.
    """
    if sel:
        ds = select(ds, sel)
    y = variable_for(ds, y, x)
    da = ds[y]
    _check_dim(ds, da, "x", x)
    if hue is not None:
        _check_dim(ds, da, "hue", hue)
        if hue == x:
            raise InputError(f"hue and x are both {x!r}; choose a different hue dimension")
    if SAMPLE not in da.dims:
        da = da.expand_dims(SAMPLE, axis=-1)
    keep = [hue, x] if hue is not None else [x]
    own = [d for d in da.dims[da.dims.index(SAMPLE) + 1 :] if d not in keep]
    extra = [d for d in da.dims if d not in [*keep, SAMPLE, *own]]
    too_long = [d for d in extra if da.sizes[d] > 1]
    if too_long:
        spec = ", ".join(f"{d!r} (length {da.sizes[d]})" for d in too_long)
        d0 = too_long[0]
        raise InputError(
            f"{y!r} has extra dimension(s) {spec} besides x={x!r}"
            + (f" and hue={hue!r}" if hue else "")
            + f"; fix one value with --sel {d0}=VALUE ({d0}: {_values(ds[d0])}) or draw one "
            f"curve per value with --hue {d0} (in Python: sel= or hue= of plot_curves)"
        )
    da = da.isel({d: 0 for d in extra}, drop=True)
    arr = da.transpose(*keep, SAMPLE, *own).values.astype(float)
    if own:
        arr = arr.reshape(*arr.shape[: len(keep) + 1], -1)
        arr = _nan_stats(arr)[0]
    mean, stderr, n = _nan_stats(arr)
    error = _own_error(ds, y, keep, extra, arr)
    if error is not None:  # one sample: its own standard error (transfer matrices)
        stderr = np.where(n == 1, error, stderr)
    xvals = np.asarray(da[x].values)
    order = np.argsort(xvals, kind="stable") if xvals.dtype.kind in "iuf" else slice(None)
    if hue is None:
        return [CurveData(y, None, xvals[order], mean[order], stderr[order], n[order])]
    values = [v.item() if isinstance(v, np.generic) else v for v in da[hue].values]
    return [
        CurveData(f"{hue} = {_fmt(v)}", v, xvals[order], m[order], e[order], k[order])
        for v, m, e, k in zip(values, mean, stderr, n, strict=True)
    ]


def _own_error(ds: xr.Dataset, y: str, keep: list[str], extra: list[str],
               arr: np.ndarray) -> np.ndarray | None:
    """The mean of ``y``'s per-sample error variable over its valid samples, or None."""
    name = ds[y].attrs.get("ancillary_variables")
    if name not in ds.data_vars or SAMPLE not in ds[y].dims or ds[name].dims != ds[y].dims:
        return None
    if set(ds[y].dims) - {*keep, *extra, SAMPLE}:  # arrays: their errors are not declared
        return None
    err = ds[name].isel({d: 0 for d in extra}, drop=True).transpose(*keep, SAMPLE)
    err = err.values.astype(float)
    if err.shape != arr.shape:
        return None
    return _nan_stats(np.where(np.isfinite(arr), err, np.nan))[0]


def _colors(k: int) -> list:
    if k <= 10:
        return [f"C{i}" for i in range(k)]
    from matplotlib import colormaps

    return list(colormaps["viridis"](np.linspace(0.0, 0.9, k)))


def plot_curves(
    ds: xr.Dataset,
    *,
    x: str,
    y: str,
    hue: str | None = None,
    ax: Axes | None = None,
    references: Mapping[str, float] | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    title: str | None = None,
    logx: bool | None = None,
    logy: bool | None = None,
    sel: Mapping[str, Any] | None = None,
) -> Figure:
    """Plot sample-averaged curves with standard-error bars.

    Parameters
    ----------
    ds, x, y, hue, sel
        As in :func:`curve_data`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new talk-sized figure is created when omitted.
    references : mapping of str to float, optional
        Horizontal dashed reference lines, legend label to value.
    xlabel, ylabel, title : str, optional
        Overrides; by default ``"long_name [units]"`` of the coordinate and the variable
        (:func:`mbl.plot.style.data_label`) and ``ds.attrs["study_name"]``.
    logx, logy : bool, optional
        Logarithmic axes; by default as the metadata prefers (``axis_scale``: times, IPRs,
        Lambda are logarithmic). A logarithmic x axis leaves out points at x <= 0 (t = 0).

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the axes.
    """
    if sel:
        ds = select(ds, sel)
    y = variable_for(ds, y, x)
    curves = curve_data(ds, x=x, y=y, hue=hue)
    logx = log_scale(ds[x]) if logx is None else logx
    logy = log_scale(ds[y]) if logy is None else logy
    if ax is None:
        fig = Figure(figsize=FIGSIZE, layout="tight")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    handles = []
    for c, color in zip(curves, _colors(len(curves)), strict=True):
        style = dict(color=color, marker="o", markersize=4, linestyle="-", capsize=CAPSIZE)
        keep = c.x > 0 if logx and c.x.dtype.kind in "iuf" else slice(None)
        handles.append(ax.errorbar(c.x[keep], c.mean[keep], yerr=c.stderr[keep], label=c.label,
                                   **style))
    for i, (label, value) in enumerate((references or {}).items()):
        grey = ("0.2", "0.45", "0.65")[i % 3]
        handles.append(ax.axhline(value, linestyle="--", linewidth=1.2, color=grey, label=label))
    ax.set_xlabel(xlabel if xlabel is not None else data_label(ds[x]))
    ax.set_ylabel(ylabel if ylabel is not None else data_label(ds[y]))
    title = title if title is not None else ds.attrs.get("study_name")
    if title:
        ax.set_title(str(title))
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.grid(True, alpha=GRID_ALPHA)
    if hue is not None or references:
        ax.legend(handles=handles, frameon=False)
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    return fig


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Save a figure at 150 dpi, creating parent directories, then close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Figure to save.
    path : str or pathlib.Path
        Output file; the format follows the suffix (``.png``, ``.pdf``, ...).

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI)
    if getattr(fig.canvas, "manager", None) is not None:
        import matplotlib.pyplot as plt

        plt.close(fig)
    return path
