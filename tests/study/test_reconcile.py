"""A store written before a new key existed still resumes when the key is at its default."""

from __future__ import annotations

import pytest

from mbl._core.errors import StoreMismatchError
from mbl.study.config import parse_config
from mbl.study.runner import run_study
from mbl.study.store import Store, config_digest

RAW = {"study": {"kind": "spectrum", "seed": 3, "samples": 2},
       "model": {"name": "anderson", "d": 1, "L": 8, "W": 2.0}}


def _drop_stored_key(directory, section, key):
    with Store(directory) as store:
        config = store.get_meta("config")
        del config[section][key]
        store.set_meta(config=config, config_hash=config_digest(config))


def test_new_key_at_its_default_resumes(tmp_path):
    cfg = parse_config(RAW)
    run_study(cfg, tmp_path / "s")
    _drop_stored_key(tmp_path / "s", "solver", "rel_error")  # as an older mbl wrote it
    summary = run_study(cfg, tmp_path / "s")
    assert summary.computed == 0 and summary.skipped == 2


def test_new_key_away_from_its_default_is_refused(tmp_path):
    run_study(parse_config(RAW), tmp_path / "s")
    _drop_stored_key(tmp_path / "s", "solver", "rel_error")
    changed = parse_config({**RAW, "solver": {"rel_error": 0.01}})
    with pytest.raises(StoreMismatchError, match="solver.rel_error"):
        run_study(changed, tmp_path / "s")


def test_a_tmm_store_of_an_earlier_mbl_still_opens_and_resumes(tmp_path):
    """Before kinds declared their observables, a tmm study recorded the schema default
    ``names = ["gap_ratio"]``; such a store exports and resumes without recomputing."""
    from mbl.study.export import to_dataset

    raw = {"study": {"kind": "tmm", "seed": 5, "samples": 1},
           "model": {"name": "anderson_bar", "d": 1, "W": 2.0}, "solver": {"rel_error": 0.05}}
    cfg = parse_config(raw)
    run_study(cfg, tmp_path / "t")
    with Store(tmp_path / "t") as store:
        config = store.get_meta("config")
        config["observables"]["names"] = ["gap_ratio"]
        store.set_meta(config=config, config_hash=config_digest(config))
    assert float(to_dataset(tmp_path / "t")["gamma"].values.ravel()[0]) > 0
    summary = run_study(cfg, tmp_path / "t")
    assert (summary.computed, summary.skipped) == (0, 1)
