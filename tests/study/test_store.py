"""The SQLite result store (DESIGN §4)."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from mbl._core.errors import InputError
from mbl.study.store import Store, decode, encode


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "s", create=True) as s:
        yield s


@pytest.mark.parametrize("data", [
    {"r_mean": 0.53, "n": 7, "flag": True},
    {"r": np.array([0.1, np.nan, 0.9]), "e": np.float32(1.5), "empty": np.zeros(0)},
    {"m": np.arange(6, dtype=np.int16).reshape(2, 3), "z": np.array([1 + 2j, np.inf])},
    {},
], ids=["scalars", "arrays-nan-empty", "2d-int-complex", "empty"])
def test_encode_decode_round_trip(data):
    back = decode(encode(data))
    assert set(back) == set(data)
    for k, v in data.items():
        v = np.asarray(v)
        assert back[k].dtype == v.dtype and back[k].shape == v.shape
        np.testing.assert_array_equal(back[k], v)


def test_decode_refuses_pickled_objects():
    with pytest.raises(ValueError):
        decode(encode({"obj": np.array([{"a": 1}], dtype=object)}))


def test_writes_are_idempotent(store):
    store.add_result('{"W":1.0}', 0, {"x": 1.0}, seconds=0.1, peak_rss=10)
    store.add_result('{"W":1.0}', 0, {"x": 2.0}, seconds=0.2, peak_rss=20)
    store.add_result('{"W":1.0}', 1, {"x": 3.0}, seconds=0.3, peak_rss=30)
    assert store.n_results() == 2
    assert store.done() == {('{"W":1.0}', 0), ('{"W":1.0}', 1)}
    first = next(store.results())
    assert (first.sample, float(first.data["x"]), first.seconds) == (0, 1.0, 0.1)


def test_primary_key_forbids_duplicates(store):
    store.add_result("p", 0, {"x": 1.0}, seconds=0.0, peak_rss=0)
    with pytest.raises(sqlite3.IntegrityError):
        store._db.execute("INSERT INTO results (point, sample, data) VALUES ('p', 0, x'00')")


def test_wal_mode_and_reopen(tmp_path, store):
    store.set_meta(config={"a": [1, 2]}, config_hash="abc")
    run = store.begin_run(2, {"mbl": "x"})
    store.add_result("p", 3, {"x": np.arange(3.0)}, seconds=1.5, peak_rss=2048, run_id=run)
    store.end_run(run, "complete")
    db = sqlite3.connect(store.path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()
    with Store(store.directory) as again:
        assert again.get_meta("config") == {"a": [1, 2]} and again.get_meta("nope") is None
        assert [(r["workers"], r["status"]) for r in again.runs()] == [(2, "complete")]
        assert again.timing() == (1.5, 2048, 1)
        (res,) = again.results()
        np.testing.assert_array_equal(res.data["x"], np.arange(3.0))


def test_failures_are_recorded_per_run(store):
    store.add_failure("p", 0, "ValueError: x", "Traceback ...", run_id=1)
    store.add_failure("p", 1, "ValueError: y", "Traceback ...", run_id=2)
    assert [f["sample"] for f in store.failures()] == [0, 1]
    assert [f["error"] for f in store.failures(run_id=2)] == ["ValueError: y"]
    assert store.n_results() == 0


def test_opening_a_directory_without_store_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="holds no study"):
        Store(tmp_path)
    assert not (tmp_path / "study.sqlite").exists()
