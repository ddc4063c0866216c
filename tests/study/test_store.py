"""The SQLite result store: payloads, idempotent writes, checksums, atomic creation."""

from __future__ import annotations

import json
import sqlite3
import subprocess

import numpy as np
import pytest

from mbl._core.errors import InputError, StoreError
from mbl.study.store import Store, config_digest, decode, encode

META = {"config": {"a": [1, 2]}, "config_hash": config_digest({"a": [1, 2]})}


@pytest.fixture
def store(tmp_path):
    (tmp_path / "s").mkdir()
    with Store.create(tmp_path / "s", **META) as s:
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


def test_payload_carries_its_key_and_checksum(store):
    store.add_result("p", 2, {"x": np.arange(4.0)}, seconds=0.0, peak_rss=0)
    found = store.verify()
    assert [(r.point, r.sample) for r in found.results] == [("p", 2)] and not found.bad
    # the row is moved onto another key: the key inside the payload refuses it
    store._db.execute("UPDATE results SET sample = 5")
    found = store.verify()
    assert not found.results and "belongs to task ['p', 2]" in found.bad[0].reason


def test_a_flipped_bit_in_a_payload_is_named(store):
    store.add_result("p", 0, {"x": np.arange(64.0)}, seconds=0.0, peak_rss=0)
    blob = bytearray(store._db.execute("SELECT data FROM results").fetchone()[0])
    blob[len(blob) // 2] ^= 0x10
    store._db.execute("UPDATE results SET data = ?", (bytes(blob),))
    (bad,) = store.verify().bad
    assert (bad.point, bad.sample) == ("p", 0) and "checksum mismatch" in bad.reason
    with pytest.raises(StoreError, match="fail verification"):
        list(store.results())


def test_creation_is_atomic_under_a_full_disk(tmp_path):
    """A store is created whole or not at all: a 64 KiB tmpfs (or, where mounting is not
    allowed, a meta value too large for the free space) fails cleanly and leaves no store."""
    big = {"config": {"x": "y" * 200_000}, "config_hash": config_digest({"x": "y" * 200_000})}
    directory = tmp_path / "full"
    directory.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", directory],
                             capture_output=True).returncode == 0
    try:
        if not mounted:
            pytest.skip("cannot mount a small tmpfs here (not root)")
        with pytest.raises(StoreError, match="cannot create the study store"):
            Store.create(directory, **big)
        assert not (directory / "study.sqlite").exists()
        assert [p.name for p in directory.iterdir() if "creating" in p.name] == []
    finally:
        if mounted:
            subprocess.run(["umount", directory], check=True)


def test_store_of_an_earlier_mbl_is_migrated(tmp_path):
    """A store written before checksums (schema 1) keeps its results, now verified."""
    d = tmp_path / "old"
    d.mkdir()
    db = sqlite3.connect(d / "study.sqlite")
    db.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE results (point TEXT NOT NULL, sample INTEGER NOT NULL, data BLOB NOT NULL,
            seconds REAL, peak_rss INTEGER, finished REAL, run_id INTEGER,
            PRIMARY KEY (point, sample));
        CREATE TABLE failures (point TEXT NOT NULL, sample INTEGER NOT NULL, error TEXT,
            traceback TEXT, time REAL, run_id INTEGER);
        CREATE TABLE runs (run_id INTEGER PRIMARY KEY AUTOINCREMENT, started REAL, ended REAL,
            workers INTEGER, provenance TEXT, status TEXT);""")
    db.executemany("INSERT INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in META.items()])
    db.execute("INSERT INTO results VALUES ('p', 0, ?, 1.0, 1, 0.0, 1)", (encode({"x": 3.0}),))
    db.commit()
    db.close()
    with Store(d) as s:
        (r,) = s.verify().results
        assert float(r.data["x"]) == 3.0 and s.get_meta("schema_version") == 2
