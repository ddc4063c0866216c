"""Plotting of exported study datasets: disorder-averaged curves with error bars.

The plot layer does no physics; it reduces an :class:`xarray.Dataset` over its ``sample``
dimension and draws the result with matplotlib's object API.
"""

from mbl.plot.curves import CurveData, curve_data, plot_curves, save_figure

__all__ = ["CurveData", "curve_data", "plot_curves", "save_figure"]
