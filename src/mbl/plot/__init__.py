"""Plotting of exported study datasets: disorder-averaged curves with error bars.

The plot layer does no physics; it reduces an :class:`xarray.Dataset` over its ``sample``
dimension and draws the result with matplotlib's object API. Labels and log axes come from the
data's metadata (``long_name``, ``units``, ``axis_scale``; docs/results.md).
"""

from mbl.plot.curves import CurveData, curve_data, plot_curves, save_figure
from mbl.plot.select import parse_selection, select, variable_for

__all__ = ["CurveData", "curve_data", "parse_selection", "plot_curves", "save_figure", "select",
           "variable_for"]
