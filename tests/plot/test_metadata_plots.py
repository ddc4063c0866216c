"""Plots of exported studies take their labels, log axes, variables and errors from the
metadata the export writes (docs/results.md)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402
from tests.study.kind_studies import kind_study  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

import mbl.plot  # noqa: E402
from mbl._core.errors import InputError  # noqa: E402
from mbl.cli import app  # noqa: E402
from mbl.plot import plot_curves, variable_for  # noqa: E402
from mbl.study.export import to_dataset  # noqa: E402


@pytest.fixture(scope="module")
def studies(tmp_path_factory):
    base = tmp_path_factory.mktemp("kinds")
    return {name: kind_study(base, name) for name in ("spectrum", "tmm", "dynamics")}


@pytest.fixture
def plotted(monkeypatch, tmp_path):
    """Run ``mbl plot ARGS`` in-process; return (exit code, output, the figure, its path)."""
    saved = {}

    def keep(fig, path):
        saved["fig"], saved["path"] = fig, path
        return path

    monkeypatch.setattr(mbl.plot, "save_figure", keep)

    def run(*args):
        result = CliRunner().invoke(app, ["plot", *map(str, args)])
        return result.exit_code, result.output, saved.get("fig"), saved.get("path")

    return run


def _errorbars(ax):
    return [c for c in ax.containers if isinstance(c, ErrorbarContainer)]


def test_cli_plot_against_time_uses_the_times_on_a_log_axis(studies, plotted):
    code, out, fig, path = plotted(studies["dynamics"], "--x", "time", "--y", "imbalance")
    assert code == 0, out
    (ax,) = fig.axes
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == "time after the quench [1/(2t)]"
    assert ax.get_ylabel() == "imbalance I(t)"
    times = to_dataset(studies["dynamics"])["time"].values
    curves = _errorbars(ax)
    assert len(curves) == 2  # hue W, chosen by itself
    for c in curves:
        np.testing.assert_allclose(c.lines[0].get_xdata(), times[1:])  # t = 0 is off a log axis
    assert path.name == "imbalance_vs_time.png"


@pytest.mark.parametrize(("study", "x", "variable"), [
    ("dynamics", "time", "entropy_t"), ("spectrum", "W", "entropy_mean")])
def test_cli_plot_takes_an_observable_name(studies, plotted, study, x, variable):
    code, out, fig, path = plotted(studies[study], "--x", x, "--y", "entanglement")
    assert code == 0, out
    ds = to_dataset(studies[study])
    assert fig.axes[0].get_ylabel() == ds[variable].attrs["long_name"]
    assert path.name == f"{variable}_vs_{x}.png"


def test_cli_plot_fixes_a_dimension_with_sel(studies, plotted):
    code, out, fig, _ = plotted(studies["dynamics"], "--x", "time", "--y", "imbalance",
                                "--sel", "W=5")
    assert code == 0, out
    assert len(_errorbars(fig.axes[0])) == 1
    code, out, _, _ = plotted(studies["dynamics"], "--x", "time", "--y", "imbalance",
                              "--sel", "W=3")
    assert code == 2 and "its values: 1, 5" in out


def test_labels_and_log_axes_come_from_the_metadata(studies):
    ds = to_dataset(studies["spectrum"])
    ax = plot_curves(ds, x="W", y="gap_ratio").axes[0]
    assert ax.get_xlabel() == "disorder strength [J]" and ax.get_ylabel() == "mean gap ratio <r>"
    assert ax.get_xscale() == "linear" and ax.get_yscale() == "linear"
    ax = plot_curves(ds, x="W", y="participation_ratio").axes[0]
    assert ax.get_ylabel() == "mean participation ratio" and ax.get_yscale() == "log"
    ax = plot_curves(ds, x="eps_bin", y="dos", hue="W").axes[0]
    assert ax.get_ylabel() == "density of states per level [1/J]"
    assert ax.get_xlabel().startswith("energy density")


def test_tmm_with_one_sample_shows_the_lambda_error(studies):
    ds = to_dataset(studies["tmm"])
    assert ds.sizes["sample"] == 1
    (bars,) = _errorbars(plot_curves(ds, x="W", y="Lambda").axes[0])
    (segments,) = bars.lines[2]
    half = [abs(s[1, 1] - s[0, 1]) / 2 for s in segments.get_segments()]
    np.testing.assert_allclose(half, ds["Lambda_error"].values[:, 0])
    assert plot_curves(ds, x="W", y="Lambda").axes[0].get_yscale() == "log"


def test_observable_names_resolve(studies):
    spec, dyn = to_dataset(studies["spectrum"]), to_dataset(studies["dynamics"])
    assert variable_for(spec, "gap_ratio") == "r_mean"
    assert variable_for(spec, "ipr", "W") == "ipr_mean"
    assert variable_for(spec, "ipr", "level") == "ipr"  # only the per-level array has levels
    assert variable_for(dyn, "imbalance") == "imbalance"
    with pytest.raises(InputError, match=r"observable 'return_probability'|unknown y"):
        variable_for(spec, "return_probability")
    with pytest.raises(InputError, match=r"'quasiparticle' was not measured.*'gap_ratio'"):
        variable_for(spec, "quasiparticle")
