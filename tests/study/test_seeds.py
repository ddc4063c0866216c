"""The disorder of task (point, sample) depends only on (root seed, model point, sample)."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import xarray as xr

from mbl.models.anderson import Anderson
from mbl.study.config import parse_config
from mbl.study.execute import TaskSpec, execute
from mbl.study.export import to_dataset
from mbl.study.runner import run_study

ROOT = 1234567


def _raw(grid_w, samples=2, **sections):
    raw = {"study": {"kind": "spectrum", "seed": ROOT, "samples": samples},
           "model": {"name": "anderson", "d": 3, "L": 6},
           "grid": {"W": grid_w},
           "solver": {"method": "dense"},
           "observables": {"names": ["gap_ratio"]}}
    for name, body in sections.items():
        raw[name] = {**raw[name], **body}
    return raw


@pytest.fixture
def onsite_log(monkeypatch):
    """Record every disorder realization drawn, keyed by the model's W."""
    log: list[tuple[float, np.ndarray]] = []
    original = Anderson.draw_onsite

    def spy(self, rng):
        eps = original(self, rng)
        log.append((self.W, eps.copy()))
        return eps

    monkeypatch.setattr(Anderson, "draw_onsite", spy)
    return log


def _run_tasks(raw, log):
    """Execute every task of a config in-process: {(W, sample): (onsite, outcome data)}."""
    cfg = parse_config(raw)
    out = {}
    for p in cfg.points():
        for s in range(cfg.study.samples):
            log.clear()
            outcome = execute(TaskSpec(cfg.study.kind, p.key, s, cfg.seed, p.as_task()))
            assert outcome.error is None, outcome.traceback
            ((w, eps),) = log
            out[(w, s)] = (eps, outcome.data)
    return out


def test_onsite_energies_follow_the_documented_seed_recipe(onsite_log):
    """docs/conventions.md §6: SeedSequence(root, spawn_key=(stable_hash(model), sample)), box
    U[-W/2, W/2], stable_hash = first 8 bytes (big-endian) of SHA-256 of the canonical model
    JSON."""
    drawn = _run_tasks(_raw([16.5], samples=2), onsite_log)
    model = {"name": "anderson", "d": 3.0, "L": 6.0, "W": 16.5, "bc": "periodic",
             "disorder": "box", "t": 1.0}
    text = json.dumps(model, sort_keys=True, separators=(",", ":"))
    key = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    for s in range(2):
        rng = np.random.default_rng(np.random.SeedSequence(ROOT, spawn_key=(key, s)))
        np.testing.assert_array_equal(drawn[(16.5, s)][0], rng.uniform(-8.25, 8.25, 216))


def test_disorder_ignores_solver_observables_samples_and_other_points(onsite_log):
    dense = _run_tasks(_raw([12.0, 16.5], samples=2), onsite_log)
    window = _run_tasks(_raw([12.0, 14.0, 16.5], samples=3,
                             solver={"method": "shift_invert", "k": 12, "energy_density": 0.3},
                             observables={"names": ["gap_ratio", "ipr"],
                                          "energy_window": 0.2}), onsite_log)
    for key, (eps, data) in dense.items():
        np.testing.assert_array_equal(window[key][0], eps)
        # the same matrices: the spectral bounds found by Lanczos match the dense ones
        for bound in ("e_min", "e_max"):
            np.testing.assert_allclose(window[key][1][bound], data[bound], rtol=1e-9)
    # and the realizations do differ between samples and between points
    assert not np.array_equal(dense[(12.0, 0)][0], dense[(12.0, 1)][0])
    assert not np.array_equal(dense[(12.0, 0)][0] / 12.0, dense[(16.5, 0)][0] / 16.5)


def test_root_seed_changes_the_disorder(onsite_log):
    a = _run_tasks(_raw([12.0], samples=1), onsite_log)
    b = _run_tasks(_raw([12.0], samples=1, study={"seed": ROOT + 1}), onsite_log)
    assert not np.array_equal(a[(12.0, 0)][0], b[(12.0, 0)][0])


def test_added_grid_points_leave_existing_points_unchanged(tmp_path):
    small = _raw([12.0, 16.5], samples=2, grid={"L": [4, 6]})
    large = _raw([12.0, 14.0, 16.5, 20.0], samples=2, grid={"L": [4, 6, 5]})
    for name, raw in (("small", small), ("large", large)):
        run_study(parse_config(raw), tmp_path / name, workers=1)
    a, b = to_dataset(tmp_path / "small"), to_dataset(tmp_path / "large")
    common = b.sel(L=a["L"], W=a["W"])
    common = common.isel({d: slice(0, a.sizes[d]) for d in ("r_index",)})
    assert np.isfinite(a["r_mean"]).all()
    xr.testing.assert_equal(a, common)
