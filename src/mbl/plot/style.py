"""Shared figure style of :mod:`mbl.plot`: sizes, resolution and axis labels.

Labels come from the data's own metadata (``long_name`` and ``units``, which the export
writes on every variable and coordinate, docs/results.md); :data:`LABELS` serves datasets
without them.
"""

from __future__ import annotations

from typing import Any

FIGSIZE: tuple[float, float] = (6.4, 4.4)
"""Figure size in inches, suited to talk slides."""

DPI: int = 150
"""Resolution used when saving figures."""

GRID_ALPHA: float = 0.3
"""Opacity of the background grid."""

CAPSIZE: float = 3.0
"""Length of the error-bar caps in points."""

LABELS: dict[str, str] = {
    "W": "disorder strength $W$ (units of $t$)",
    "L": "linear size $L$",
    "N": "number of sites $N$",
    "E": "energy $E$ (units of $t$)",
    "r_mean": r"mean gap ratio $\langle r\rangle$",
    "pr_mean": "participation ratio",
    "ipr_mean": "IPR",
}
"""Axis labels (with units) for the common names, used where the data carry no ``long_name``."""


def axis_label(name: str) -> str:
    """Return the axis label of a dimension or observable.

    Parameters
    ----------
    name : str
        Dimension or data-variable name, e.g. ``"W"`` or ``"r_mean"``.

    Returns
    -------
    str
        The entry of :data:`LABELS`, or `name` itself when the table has none.
    """
    return LABELS.get(name, name)


def data_label(da: Any) -> str:
    """``"long_name [units]"`` of a variable or coordinate (no brackets when dimensionless).

    Parameters
    ----------
    da : xarray.DataArray
        Data variable or coordinate.

    Returns
    -------
    str
        Its label from ``attrs``, else :func:`axis_label` of its name.
    """
    name = da.attrs.get("long_name")
    if not name:
        return axis_label(str(da.name))
    units = str(da.attrs.get("units", "")).strip()
    return str(name) if units in ("", "1") else f"{name} [{units}]"


def log_scale(da: Any) -> bool:
    """Whether the metadata of ``da`` prefers a logarithmic axis (``axis_scale = "log"``)."""
    return da.attrs.get("axis_scale") == "log"
