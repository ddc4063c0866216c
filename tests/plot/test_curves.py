"""Tests of :mod:`mbl.plot.curves`."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from mbl._core.errors import InputError  # noqa: E402
from mbl.plot import CurveData, curve_data, plot_curves, save_figure  # noqa: E402


@pytest.fixture
def ds() -> xr.Dataset:
    rng = np.random.default_rng(0)
    L, W, S = [8, 10, 12], [2.0, 0.5, 4.0, 8.0], 6
    r_mean = rng.uniform(0.38, 0.53, size=(len(L), len(W), S))
    r_mean[0, 1, 2] = np.nan
    r_mean[2, 3, :5] = np.nan  # a single valid sample
    r = rng.uniform(0.0, 1.0, size=(len(L), len(W), S, 5))
    r[..., 3:] = np.nan  # padding
    r[1, 0, 4, :] = np.nan  # a missing sample
    return xr.Dataset(
        {
            "r_mean": (("L", "W", "sample"), r_mean),
            "r": (("L", "W", "sample", "r_index"), r),
        },
        coords={"L": L, "W": W, "sample": np.arange(S)},
        attrs={"study_name": "toy"},
    )


def test_curve_data_statistics(ds: xr.Dataset) -> None:
    curves = curve_data(ds, x="W", y="r_mean", hue="L")
    assert [c.label for c in curves] == ["L = 8", "L = 10", "L = 12"]
    assert [c.hue_value for c in curves] == [8, 10, 12]
    order = np.argsort(ds["W"].values)
    for i, c in enumerate(curves):
        assert isinstance(c, CurveData)
        np.testing.assert_array_equal(c.x, [0.5, 2.0, 4.0, 8.0])
        vals = ds["r_mean"].values[i][order]
        n = np.sum(~np.isnan(vals), axis=-1)
        np.testing.assert_array_equal(c.n, n)
        np.testing.assert_allclose(c.mean, np.nanmean(vals, axis=-1))
        ok = n > 1
        expected = np.nanstd(vals[ok], axis=-1, ddof=1) / np.sqrt(n[ok])
        np.testing.assert_allclose(c.stderr[ok], expected)
        assert np.all(np.isnan(c.stderr[~ok]))
    assert curves[0].n[0] == 5  # W = 0.5 sorted first, one NaN sample
    assert curves[2].n[-1] == 1


def test_curve_data_averages_own_axis_per_sample(ds: xr.Dataset) -> None:
    (curve,) = curve_data(ds.sel(L=10), x="W", y="r")
    per_sample = ds["r"].sel(L=10).values[..., :3].mean(axis=-1)
    per_sample[0, 4] = np.nan
    order = np.argsort(ds["W"].values)
    np.testing.assert_allclose(curve.mean, np.nanmean(per_sample, axis=-1)[order])
    assert curve.n[1] == 5 and curve.label == "r" and curve.hue_value is None


def test_singleton_dims_are_squeezed(ds: xr.Dataset) -> None:
    one = ds.isel(L=[1])
    (curve,) = curve_data(one, x="W", y="r_mean")
    np.testing.assert_allclose(curve.mean, curve_data(ds, x="W", y="r_mean", hue="L")[1].mean)


def test_extra_dims_raise_naming_what_the_cli_has(ds: xr.Dataset) -> None:
    with pytest.raises(InputError, match=r"'L'.*--sel L=VALUE \(L: 8, 10, 12\).*--hue L") as info:
        curve_data(ds, x="W", y="r_mean")
    assert "ds.sel" not in str(info.value)


def test_sel_fixes_a_dimension(ds: xr.Dataset) -> None:
    (curve,) = curve_data(ds, x="W", y="r_mean", sel={"L": "10"})
    np.testing.assert_allclose(curve.mean, curve_data(ds, x="W", y="r_mean", hue="L")[1].mean)
    with pytest.raises(InputError, match=r"--sel L=9: not a value of 'L'; its values: 8, 10, 12"):
        curve_data(ds, x="W", y="r_mean", sel={"L": "9"})
    with pytest.raises(InputError, match=r"'N' is not a dimension to fix"):
        curve_data(ds, x="W", y="r_mean", sel={"N": "1"})


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"x": "W", "y": "nope"}, r"unknown y 'nope'.*'r_mean', 'r'"),
        ({"x": "E", "y": "r_mean"}, r"unknown x 'E'.*'L', 'W', 'sample'"),
        ({"x": "W", "y": "r_mean", "hue": "N"}, r"unknown hue 'N'.*'L', 'W'"),
        ({"x": "sample", "y": "r_mean", "hue": "L"}, r"x 'sample'.*'L', 'W'"),
        ({"x": "W", "y": "r_mean", "hue": "W"}, r"hue and x"),
    ],
)
def test_bad_names_raise(ds: xr.Dataset, kwargs: dict, pattern: str) -> None:
    with pytest.raises(InputError, match=pattern):
        curve_data(ds, **kwargs)


def test_plot_curves_and_save(ds: xr.Dataset, tmp_path) -> None:
    refs = {"Poisson 0.3863": 0.3863, "GOE 0.5307": 0.5307}
    fig = plot_curves(ds, x="W", y="r_mean", hue="L", references=refs, logx=True)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    containers = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(containers) == 3
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["L = 8", "L = 10", "L = 12", *refs]
    dashed = [ln for ln in ax.get_lines() if ln.get_label() in refs]
    assert len(dashed) == 2 and all(ln.get_linestyle() == "--" for ln in dashed)
    assert ax.get_xlabel() == "disorder strength $W$ (units of $t$)"
    assert ax.get_ylabel() == r"mean gap ratio $\langle r\rangle$"
    assert ax.get_title() == "toy" and ax.get_xscale() == "log"
    out = save_figure(fig, tmp_path / "sub" / "r.png")
    assert out.exists() and out.stat().st_size > 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_on_given_axes_falls_back_to_names(ds: xr.Dataset, tmp_path) -> None:
    fig, ax = plt.subplots()
    out = plot_curves(ds.sel(L=8), x="W", y="r", ax=ax, xlabel="custom", logy=True)
    assert out is fig
    assert ax.get_xlabel() == "custom" and ax.get_ylabel() == "r"
    save_figure(fig, tmp_path / "r.pdf")
    assert not plt.fignum_exists(fig.number)
