"""Exports describe themselves: long_name and units on every variable and coordinate of every
study kind, coordinates for the own dimensions, and all of it through a netCDF round trip."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import json  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402
from tests.study.kind_studies import STUDIES, kind_study  # noqa: E402

import mbl  # noqa: E402
from mbl.study.config import parse_config  # noqa: E402
from mbl.study.export import to_dataset, write_netcdf  # noqa: E402
from mbl.study.kinds import KINDS  # noqa: E402
from mbl.study.runner import run_study  # noqa: E402
from mbl.study.variables import (  # noqa: E402
    COUPLINGS_UNIT,
    energy_unit,
    resolve_units,
    variables_markdown,
    variables_table,
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """name -> (study directory, netCDF path) of every tiny study."""
    base = tmp_path_factory.mktemp("kinds")
    out = {}
    for name in STUDIES:
        directory = kind_study(base, name)
        out[name] = directory, write_netcdf(to_dataset(directory), base / f"{name}.nc")
    return out


def _opened(path):
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        return ds.load()


def _words(text: str) -> str:
    return " ".join(text.split())  # xarray wraps long labels over lines


@pytest.mark.parametrize("name", list(STUDIES))
def test_every_variable_and_coordinate_has_units_and_long_name(exported, name):
    directory, path = exported[name]
    ds, back = to_dataset(directory), _opened(path)
    assert set(ds.variables) == set(back.variables)
    for v in ds.variables:
        for attr in ("long_name", "units"):
            assert str(ds[v].attrs.get(attr, "")).strip(), (name, v, attr)
            assert back[v].attrs[attr] == ds[v].attrs[attr], (name, v, attr)
    for dim in ds.dims:
        assert dim in ds.coords, (name, dim)
        np.testing.assert_array_equal(back[dim].values, ds[dim].values)
    assert back.attrs["study_kind"] == STUDIES[name]["study"]["kind"]


@pytest.mark.parametrize("name", list(STUDIES))
def test_every_output_of_every_kind_is_declared(exported, name):
    ds = _opened(exported[name][1])
    outputs = KINDS[ds.attrs["study_kind"]].outputs
    undeclared = set(ds.data_vars) - set(outputs) - {"task_status"}
    assert not undeclared, undeclared
    for v in set(ds.data_vars) & set(outputs):
        decl = outputs[v]
        assert ds[v].attrs["axis_scale"] == decl.scale
        assert (decl.dim in ds[v].dims) if decl.dim else ds[v].dims[-1] == "sample"


@pytest.mark.parametrize(("name", "var", "dim"), [
    ("spectrum", "dos", "eps_bin"), ("quasiparticle", "qp_ipr", "orbital"),
    ("tmm", "gamma", "W"), ("dynamics", "imbalance", "time")])
def test_xarray_plot_is_labelled_from_the_netcdf(exported, name, var, dim):
    ds = _opened(exported[name][1])
    da = ds[var].isel({d: 0 for d in ds[var].dims if d != dim})
    fig = plt.figure()
    try:
        da.plot()
        ax = fig.axes[0]
        xlabel, ylabel = _words(ax.get_xlabel()), _words(ax.get_ylabel())
    finally:
        plt.close(fig)
    for label, of in ((xlabel, ds[dim]), (ylabel, ds[var])):
        assert of.attrs["long_name"] in label and f"[{of.attrs['units']}]" in label, label


def test_units_follow_each_model(exported):
    spectrum, tmm, dyn, dot = (_opened(exported[n][1]) for n in
                               ("spectrum", "tmm", "dynamics", "quasiparticle"))
    assert spectrum["W"].attrs["units"] == "J" and spectrum["e_min"].attrs["units"] == "J"
    assert spectrum["dos"].attrs["units"] == "1/J"
    assert tmm["W"].attrs["units"] == "t" and tmm["gamma"].attrs["units"] == "1/a"
    assert tmm["Lambda"].attrs["ancillary_variables"] == "Lambda_error"
    assert dyn["W"].attrs["units"] == "2t"  # fermions at the default t = 0.5 (J = 1)
    assert dyn["time"].attrs["units"] == "1/(2t)" and dyn.attrs["energy_unit"] == "2t"
    assert dot["qp_eps"].attrs["units"] == "Delta" and dot["g"].attrs["units"] == "1"


def test_own_dimensions_have_their_coordinates(exported):
    dyn = _opened(exported["dynamics"][1])
    times = dyn["times"].values
    np.testing.assert_array_equal(dyn["time"].values, times[0, 0])
    assert np.all(times == times[0, 0]) and dyn["time"].values[0] == 0.0
    np.testing.assert_allclose(dyn["time"].values[1:], np.geomspace(0.1, 10.0, 4))
    assert dyn["time"].attrs["axis_scale"] == "log"
    spec = _opened(exported["spectrum"][1])
    np.testing.assert_allclose(spec["eps_bin"].values, [0.125, 0.375, 0.625, 0.875])
    np.testing.assert_allclose(spec["eps"].values,
                               np.broadcast_to(spec["eps_bin"].values, spec["eps"].shape))
    np.testing.assert_array_equal(spec["level"].values, np.arange(spec.sizes["level"]))
    e = spec["level_energy"].values
    assert np.isfinite(e).all() and np.all(np.diff(e, axis=-1) > 0)
    assert np.all((e >= spec["e_min"].values[..., None]) & (e <= spec["e_max"].values[..., None]))
    assert json.loads(spec.attrs["observable_variables"])["entanglement"] == "entropy_mean"
    assert json.loads(dyn.attrs["observable_variables"])["entanglement"] == "entropy_t"


def test_varying_times_fall_back_to_an_honest_time_step(tmp_path):
    raw = {**STUDIES["dynamics"], "grid": {"t_max": [5.0, 10.0]},
           "model": {**STUDIES["dynamics"]["model"], "W": 2.0},
           "study": {"kind": "dynamics", "seed": 1, "samples": 1}}
    run_study(parse_config(raw), tmp_path / "d")
    ds = to_dataset(tmp_path / "d")
    assert ds["time"].attrs["units"] == "1" and "time step" in ds["time"].attrs["long_name"]
    assert ds["t_max"].attrs["units"] == "1/(2t)"
    np.testing.assert_allclose(ds["times"].sel(t_max=5.0, sample=0)[-1], 5.0)


def test_energy_unit_of_a_model_section():
    assert energy_unit({"name": "anderson", "t": 1.0}) == "t"
    assert energy_unit({"name": "fermions", "t": 0.5}) == "2t"
    assert energy_unit({"name": "xxz", "J": -1.0}) == "|J|"
    assert energy_unit({"name": "anderson_bar"}) == "t"
    assert energy_unit({"name": "xxz", "J": 1.0}, {"J": [1.0, 2.0]}) == COUPLINGS_UNIT
    assert resolve_units("1/{E}", "2t") == "1/(2t)" and resolve_units("1/{E}", "J") == "1/J"
    assert resolve_units("1/a", "J") == "1/a"


def test_load_is_the_export(exported):
    directory = exported["tmm"][0]
    xr.testing.assert_identical(mbl.load(directory), to_dataset(directory))


def test_the_variables_page_lists_every_declaration():
    page = variables_markdown()
    rows = variables_table()
    for kind, decl in KINDS.items():
        assert f"## Kind `{kind}`" in page
        for name in decl.outputs:
            assert f"| `{name}` |" in page
            assert any(r["kind"] == kind and r["name"] == name and r["long_name"] for r in rows)
