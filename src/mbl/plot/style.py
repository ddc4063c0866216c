"""Shared figure style of :mod:`mbl.plot`: sizes, resolution and the axis-label table."""

from __future__ import annotations

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
"""Axis labels (with units) for the common dimension and observable names."""


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
