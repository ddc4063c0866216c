"""The ``dynamics`` study kind: quenches through the study engine."""

from __future__ import annotations

import numpy as np
import pytest

from mbl.errors import ConfigError, InputError
from mbl.study.config import parse_config
from mbl.study.tasks.dynamics import dynamics_task

BASE = {
    "study": {"kind": "dynamics", "seed": 5, "samples": 2},
    "model": {"name": "xxz", "L": 8, "W": 5.0, "Delta": 0.0, "bc": "open", "sz": 0.0},
    "solver": {"t_min": 0.1, "t_max": 50.0, "n_times": 9, "initial": "neel"},
    "observables": {"names": ["entanglement", "imbalance", "return_probability"]},
}


def _task(**solver):
    cfg = parse_config({**BASE, "solver": {**BASE["solver"], **solver}})
    (point,) = cfg.points()
    return dynamics_task(point.as_task(), np.random.default_rng(3))


def test_neel_quench_starts_at_full_imbalance_and_unit_return():
    out = _task()
    assert out["times"][0] == 0.0 and out["times"].size == 10
    assert out["imbalance"][0] == pytest.approx(1.0)
    assert out["return_probability"][0] == pytest.approx(1.0)
    assert out["entropy_t"][0] == pytest.approx(0.0, abs=1e-12)
    assert np.all(out["entropy_t"][1:] > 0)


def test_dense_and_krylov_agree_through_the_kind():
    a, b = _task(method="dense"), _task(method="krylov")
    for key in ("imbalance", "return_probability", "entropy_t"):
        np.testing.assert_allclose(a[key], b[key], atol=1e-8)


def test_neel_needs_its_sector():
    cfg = parse_config({**BASE, "model": {**BASE["model"], "sz": 1.0}})
    (point,) = cfg.points()
    with pytest.raises(InputError, match="Néel"):
        dynamics_task(point.as_task(), np.random.default_rng(0))


def test_unknown_initial_state_is_a_config_error():
    with pytest.raises(ConfigError, match="initial"):
        parse_config({**BASE, "solver": {**BASE["solver"], "initial": "domain_wall"}})
