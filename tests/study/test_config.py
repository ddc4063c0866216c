"""Study configuration: schema, grid expansion, overrides (docs/studies.md)."""

from __future__ import annotations

import pytest

from mbl._core.errors import ConfigError
from mbl.study.config import apply_overrides, load_config, parse_config


def _raw(**sections):
    raw = {"study": {"kind": "spectrum", "seed": 5, "samples": 2},
           "model": {"name": "anderson", "d": 3},
           "grid": {"L": [4, 6], "W": [12.0, 16.5]}}
    for name, body in sections.items():
        raw[name] = body
    return raw


@pytest.mark.parametrize(("spec", "values"), [
    ({"start": 14.0, "stop": 19.0, "num": 11}, [14.0 + 0.5 * i for i in range(11)]),
    ({"start": 1.0, "stop": 2.0, "step": 0.25}, [1.0, 1.25, 1.5, 1.75, 2.0]),
    ({"start": 1.0, "stop": 1.0, "num": 1}, [1.0]),
    (3.0, [3.0]),
])
def test_grid_ranges_are_inclusive(spec, values):
    cfg = parse_config(_raw(grid={"L": [4], "W": spec}))
    assert cfg.grid["W"] == pytest.approx(values, abs=1e-12)


def test_points_last_axis_fastest_and_defaults_resolved():
    cfg = parse_config(_raw(grid={"L": [4, 6], "W": [12.0, 16.5], "method": ["dense"]}))
    assert [tuple(p.coords.values()) for p in cfg.points()] == [
        (4, 12.0, "dense"), (4, 16.5, "dense"), (6, 12.0, "dense"), (6, 16.5, "dense")]
    p = cfg.points()[1]
    assert p.model == {"name": "anderson", "d": 3, "L": 4, "W": 16.5, "bc": "periodic",
                       "disorder": "box", "t": 1.0}
    assert p.solver["method"] == "dense" and p.solver["energy_density"] == 0.5
    assert cfg.n_tasks == 8
    resolved = cfg.resolved()
    assert resolved["observables"]["names"] == ["gap_ratio"]
    assert resolved["model"]["bc"] == "periodic"  # defaults are part of the stored config


def test_config_hash_without_seed_ignores_seed():
    a, b = parse_config(_raw()), parse_config(_raw(study={"kind": "spectrum", "seed": 6,
                                                          "samples": 2}))
    assert a.config_hash() != b.config_hash()
    assert a.config_hash(with_seed=False) == b.config_hash(with_seed=False)


def test_seed_is_drawn_once_and_kept():
    cfg = parse_config(_raw(study={"kind": "spectrum"}))
    with pytest.raises(ConfigError):
        cfg.seed  # noqa: B018
    seeded = cfg.with_seed()
    assert 0 <= seeded.seed < 2**63 and seeded.with_seed() is seeded
    assert cfg.with_seed(42).seed == 42


def test_overrides_parse_toml_values():
    raw = apply_overrides(_raw(), ["study.samples=10", "grid.L=[8, 10]", "model.bc=open",
                                   "solver.energy_density=0.25", "observables.names=[\"ipr\"]"])
    assert raw["study"]["samples"] == 10 and raw["grid"]["L"] == [8, 10]
    assert raw["model"]["bc"] == "open"  # not TOML: taken as a string
    assert raw["solver"] == {"energy_density": 0.25}
    cfg = parse_config(raw)
    assert cfg.study.samples == 10 and cfg.observables.names == ["ipr"]


def test_load_config_applies_overrides(tiny_study, tmp_path):
    cfg = load_config(tiny_study(tmp_path), ["grid.W=[1.0]", "study.samples=7"])
    assert cfg.grid["W"] == [1.0] and cfg.study.samples == 7


@pytest.mark.parametrize(("sections", "named"), [
    ({"study": {"kind": "spectrum", "colour": 1}}, "[study] colour: unknown key"),
    ({"study": {"kind": "spectrum", "samples": 0}}, "[study] samples = 0"),
    ({"study": {"kind": "levels"}}, "[study] kind"),
    ({"study": {"kind": "spectrum", "seed": -1}}, "[study] seed = -1"),
    ({"model": {"name": "hubbard"}}, "hubbard"),
    ({"model": {"name": "anderson", "d": 3, "bc": "twisted"}}, "[model] bc"),
    ({"grid": {"L": [4, 1], "W": [1.0]}}, "[grid] L = 1"),
    ({"grid": {"L": [4], "W": [1.0, -2.0]}}, "[grid] W = -2.0"),
    ({"grid": {"L": [4], "W": [1.0, 1.0]}}, "repeats"),
    ({"grid": {"L": [4], "W": {"start": 1.0, "stop": 2.0}}}, "num"),
    ({"grid": {"L": [4], "W": {"start": 2.0, "stop": 1.0, "step": 0.5}}}, "empty"),
    ({"grid": {"L": [4], "W": [1.0], "name": ["anderson"]}}, "[grid] name: not a key"),
    ({"grid": {"L": [4], "W": [1.0, "x"]}}, "[grid] W = 'x'"),
    ({"solver": {"energy": 0.0, "energy_density": 0.5}}, "both energy and energy_density"),
    ({"solver": {"k": 0}}, "[solver] k = 0"),
    ({"observables": {"names": ["gap_ratio", "gap_ratio"]}}, "repeat"),
    ({"observables": {"energy_window": 0}}, "[observables] energy_window"),
    ({"extra": {}}, "[extra]"),
    ({"model": 3}, "model"),
])
def test_bad_configs_name_the_key(sections, named):
    with pytest.raises(ConfigError) as info:
        parse_config(_raw(**sections))
    assert named in str(info.value)


@pytest.mark.parametrize(("model", "observables", "named"), [
    ({"name": "xxz", "L": 9, "W": 1.0}, {}, "odd L needs a half-odd sz"),
    ({"name": "xxz", "L": 8, "W": 1.0}, {"names": ["entanglement"], "cut": 8},
     "cut = 8 is outside the chain"),
    ({"name": "anderson", "d": 1, "L": 8, "W": 1.0}, {"names": ["entanglement"]},
     "'entanglement' needs one of the models 'xxz', 'aubry_andre', 'fermions'"),
    ({"name": "xxz", "L": 31, "W": 1.0}, {}, "L"),
])
def test_many_body_refusals_before_any_work(model, observables, named):
    raw = {"study": {"kind": "spectrum", "seed": 1}, "model": model,
           "observables": observables}
    with pytest.raises(ConfigError, match=named):
        parse_config(raw)
