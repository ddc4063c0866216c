"""Study kinds declare their models, observables, methods and axes; the config refuses the rest.

Every refusal here comes from :func:`parse_config` (so from ``mbl estimate`` and ``mbl run``
alike, which load the study through it) before any task runs, and names the kind, the value
and the allowed values.
"""

from __future__ import annotations

import typing

import numpy as np
import pytest
from tests.conftest import write_study

from mbl._core.errors import ConfigError
from mbl.study.config import (
    ObservablesSection,
    SolverSection,
    StudySection,
    apply_overrides,
    load_config,
    parse_config,
)
from mbl.study.kinds import KINDS, METHODS, OBSERVABLE_MODELS, OBSERVABLES, Kind, solver_method
from mbl.study.models import MODELS
from mbl.study.tasks.spectrum import spectrum_task

CHAIN = {"name": "xxz", "L": 8, "W": 3.0}
BAR = {"name": "anderson_bar", "d": 2, "M": 4, "W": 5.0}


def _raw(kind: str, model: dict, **sections) -> dict:
    return {"study": {"kind": kind, "seed": 1, "samples": 1}, "model": model, **sections}


def _literal(annotation) -> tuple:
    while typing.get_origin(annotation) is not typing.Literal:
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    return typing.get_args(annotation)


def test_schema_lists_come_from_the_declarations():
    assert _literal(StudySection.model_fields["kind"].annotation) == tuple(KINDS)
    assert set(_literal(SolverSection.model_fields["method"].annotation)) == set(METHODS)
    assert set(_literal(ObservablesSection.model_fields["names"].annotation)) == set(OBSERVABLES)
    for kind in KINDS.values():
        assert set(kind.models) <= set(MODELS)
        assert set(kind.default_observables) <= set(kind.observables)
    for models in OBSERVABLE_MODELS.values():
        assert set(models) <= set(MODELS)


@pytest.mark.parametrize(("raw", "named"), [
    (_raw("spectrum", CHAIN, observables={"names": ["imbalance"]}),
     ["'imbalance'", "'spectrum'", "'gap_ratio'", "'quasiparticle'"]),
    (_raw("dynamics", CHAIN, observables={"names": ["gap_ratio"]}),
     ["'gap_ratio'", "'dynamics'", "'imbalance'", "'return_probability'"]),
    (_raw("tmm", CHAIN), ["'xxz'", "'tmm'", "allowed: 'anderson_bar'"]),
    (_raw("spectrum", BAR), ["'anderson_bar'", "'spectrum'", "'anderson'", "'dot'"]),
    (_raw("dynamics", {"name": "anderson", "d": 1, "L": 8, "W": 1.0}),
     ["'anderson'", "'dynamics'", "'xxz'"]),
    (_raw("tmm", BAR, observables={"names": ["ipr"]}), ["'ipr'", "'tmm'", "allowed: none"]),
    (_raw("spectrum", CHAIN, solver={"method": "krylov"}),
     ["[solver] method = 'krylov'", "'spectrum'", "'shift_invert'", "'polfed'"]),
    (_raw("dynamics", CHAIN, grid={"method": ["dense", "polfed"]}),
     ["[grid] method = 'polfed'", "'dynamics'", "'krylov'"]),
    (_raw("tmm", BAR, solver={"method": "dense"}), ["'dense'", "'tmm'", "allowed: 'auto'"]),
    (_raw("spectrum", {"name": "baa_cells", "n_cells": 2, "levels": 3, "I": 0.1, "lam": 0.5,
                       "M": 3.0}, observables={"names": ["entanglement"]}),
     ["'entanglement'", "'baa_cells'", "'xxz', 'aubry_andre', 'fermions'"]),
    (_raw("spectrum", CHAIN, observables={"names": ["quasiparticle"]}),
     ["'quasiparticle'", "'xxz'", "'dot'"]),
])
def test_undeclared_combinations_are_refused_naming_the_allowed(raw, named):
    with pytest.raises(ConfigError) as info:
        parse_config(raw)
    for text in named:
        assert text in str(info.value)


def test_refused_from_the_study_file_before_any_task(tmp_path, monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("a task ran")

    monkeypatch.setattr(Kind, "task", property(lambda self: no_work))
    path = write_study(tmp_path / "bad.toml", _raw("tmm", CHAIN))
    with pytest.raises(ConfigError, match="'xxz' is not a model of study kind 'tmm'"):
        load_config(path)


def test_default_observables_follow_the_kind():
    assert parse_config(_raw("spectrum", CHAIN)).observables.names == ["gap_ratio"]
    assert parse_config(_raw("dynamics", CHAIN)).observables.names == ["imbalance"]
    assert parse_config(_raw("tmm", BAR)).observables.names == []


@pytest.mark.parametrize(("solver", "grid", "named"), [
    ({"method": "shift_invert", "k": 100}, {}, "[solver] k = 100: method 'shift_invert' finds "
     "at most 68 of the N = 70"),
    ({"method": "polfed", "k": 40}, {}, "method 'polfed' finds at most 34 of the N = 70"),
    ({"method": "polfed", "k": 50}, {"L": [12, 8]}, "[solver] k = 50 at grid point {'L': 8}"),
    ({"method": "shift_invert"}, {"L": [8], "k": [10, 80]}, "[grid] k = 80 at grid point"),
])
def test_k_beyond_the_sector_is_refused_at_parse(tmp_path, solver, grid, named):
    raw = _raw("spectrum", CHAIN if not grid else {"name": "xxz", "W": 3.0}, solver=solver,
               grid=grid)
    with pytest.raises(ConfigError) as info:
        parse_config(raw)
    assert named in str(info.value) and 'method = "dense"' in str(info.value)
    with pytest.raises(ConfigError):  # what mbl estimate and mbl run load
        load_config(write_study(tmp_path / "k.toml", raw))


def test_auto_never_asks_a_window_for_more_than_the_sector():
    cfg = parse_config(_raw("spectrum", CHAIN, solver={"k": 500, "dense_max": 10}))
    (point,) = cfg.points()
    assert solver_method(point.solver, 70, point.observables) == "dense"


@pytest.mark.parametrize("name", ["r_eps", "dos", "quasiparticle"])
def test_whole_spectrum_observables_refuse_a_window_method(name):
    model = ({"name": "dot", "n_orbitals": 8, "n_particles": 4, "g": 2.0}
             if name == "quasiparticle" else CHAIN)
    raw = _raw("spectrum", model, solver={"method": "shift_invert", "k": 10},
               observables={"names": [name]})
    with pytest.raises(ConfigError, match=f"'{name}' needs the whole spectrum"):
        parse_config(raw)
    parse_config({**raw, "solver": {"method": "dense"}})


def test_r_eps_under_auto_above_dense_max_is_refused():
    raw = _raw("spectrum", CHAIN, solver={"k": 10, "dense_max": 20},
               observables={"names": ["gap_ratio", "r_eps"]})
    with pytest.raises(ConfigError, match=r"method = 'auto' runs '(shift_invert|polfed)'"):
        parse_config(raw)


def test_a_model_point_off_the_corners_is_checked():
    raw = _raw("spectrum", {"name": "xxz", "W": 3.0}, grid={"L": [8, 9], "sz": [0.0, 0.5]},
               solver={"method": "shift_invert", "k": 4})
    with pytest.raises(ConfigError, match=r"grid point \{'L': 8, 'sz': 0.5\}"):
        parse_config(raw)


def _old_solver_method(solver, n, observables, factorizes):
    """The study's rule before the solvers owned it (kept here to pin old studies' results)."""
    method = solver["method"]
    if method != "auto":
        return method
    if "dos" in observables["names"] or n <= solver["dense_max"] or 2 * solver["k"] >= n:
        return "dense"
    return "shift_invert" if factorizes else "polfed"


@pytest.mark.parametrize("mumps", [True, False])
def test_study_resolution_is_the_old_rule(monkeypatch, mumps):
    monkeypatch.setattr("mbl.solvers.plan.has_mumps", lambda: mumps)
    monkeypatch.setattr("mbl.solvers.plan.SUPERLU_MAX", 1000)
    for n in (10, 11, 70, 999, 1000, 1001, 5000):
        for k in (1, 5, 35, 36, 100, 500):
            for dense_max in (1, 70, 8000):
                for names in (["gap_ratio"], ["dos"]):
                    solver = {"method": "auto", "k": k, "dense_max": dense_max}
                    obs = {"names": names}
                    old = _old_solver_method(solver, n, obs, mumps or n <= 1000)
                    if old == "polfed" and k >= n // 2:
                        old = "dense"  # POLFED refused these k: such tasks always failed
                    assert solver_method(solver, n, obs) == old, (n, k, dense_max, names)


def test_array_outputs_have_declared_axes():
    cases = [
        ("spectrum", CHAIN, [n for n in KINDS["spectrum"].observables if n != "quasiparticle"]),
        ("spectrum", {"name": "dot", "n_orbitals": 8, "n_particles": 4, "g": 2.0},
         ["quasiparticle"]),
        ("dynamics", CHAIN, list(KINDS["dynamics"].observables)),
        ("tmm", {**BAR, "M": 3}, []),
    ]
    for kind, model, names in cases:
        solver = {"method": "dense"} if kind != "tmm" else {"rel_error": 0.2}
        if kind == "dynamics":
            solver.update(t_max=10.0, n_times=4)
        cfg = parse_config(_raw(kind, model, solver=solver, observables={"names": names}))
        (point,) = cfg.points()
        out = KINDS[kind].task(point.as_task(), np.random.default_rng(0))
        arrays = {k for k, v in out.items() if np.ndim(v) > 0}
        assert arrays <= set(KINDS[kind].axes), (kind, arrays - set(KINDS[kind].axes))


def test_the_task_is_imported_lazily_and_is_the_module_function():
    assert KINDS["spectrum"].task is spectrum_task


@pytest.mark.parametrize(("override", "axis"), [
    ("model.W=5", "W"), ("model.W=5.0", "W"), ("solver.k=10", "k")])
def test_set_on_a_grid_axis_is_refused(override, axis):
    raw = _raw("spectrum", {"name": "xxz", "L": 8}, grid={"W": [1.0, 2.0], "k": [5, 6]})
    with pytest.raises(ConfigError) as info:
        apply_overrides(raw, [override])
    value = override.split("=")[1]
    assert f"{axis} is a [grid] axis" in str(info.value)
    assert f"--set grid.{axis}=[{value}]" in str(info.value)


def test_set_grid_axis_and_other_keys_still_work(tmp_path):
    path = write_study(tmp_path / "s.toml", _raw("spectrum", {"name": "xxz", "L": 8},
                                                 grid={"W": [1.0, 2.0]}))
    cfg = load_config(path, ["grid.W=[5.0]", "model.Delta=0.5", "solver.k=10"])
    assert cfg.grid["W"] == [5.0] and cfg.model["Delta"] == 0.5 and cfg.solver.k == 10
    with pytest.raises(ConfigError, match=r"--set grid.W=\[5.0\]"):
        load_config(path, ["model.W=5.0"])


@pytest.mark.parametrize(("kind", "model", "advice"), [
    ("spectrum", CHAIN, 'method = "polfed"'),  # the leanest: no factors
    ("dynamics", CHAIN, 'method = "krylov"'),
    ("tmm", BAR, "lower M"),
])
def test_every_kind_has_the_one_memory_refusal(monkeypatch, kind, model, advice):
    from mbl._core.errors import MemoryPlanError
    from mbl.study.estimate import check_memory

    solver = {"method": "dense", "k": 20} if kind != "tmm" else {}
    cfg = parse_config(_raw(kind, model, solver=solver))
    monkeypatch.setattr("mbl.study.estimate.available_memory", lambda: 1)
    with pytest.raises(MemoryPlanError, match="only 1 B is available") as info:
        check_memory(cfg, workers=1)
    assert advice in str(info.value)
