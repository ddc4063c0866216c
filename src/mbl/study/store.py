"""The result store: one SQLite database per study directory (DESIGN §4).

Tables: ``meta`` (resolved config, its hash, creation provenance), ``results`` keyed by
(point, sample) with the observables as an ``.npz`` blob plus runtime and peak memory,
``failures`` (the error and traceback of each failed attempt), and ``runs`` (one row per
invocation with its provenance and start/end times). One transaction per finished task;
writes are idempotent (``INSERT OR IGNORE``), so a task computed twice is stored once.
"""

from __future__ import annotations

import io
import json
import sqlite3
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mbl._core.errors import InputError

DB_NAME = "study.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (
    point TEXT NOT NULL, sample INTEGER NOT NULL, data BLOB NOT NULL,
    seconds REAL, peak_rss INTEGER, finished REAL, run_id INTEGER,
    PRIMARY KEY (point, sample));
CREATE TABLE IF NOT EXISTS failures (
    point TEXT NOT NULL, sample INTEGER NOT NULL, error TEXT, traceback TEXT,
    time REAL, run_id INTEGER);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT, started REAL, ended REAL, workers INTEGER,
    provenance TEXT, status TEXT);
"""


def encode(data: Mapping[str, Any]) -> bytes:
    """Observables dict -> ``.npz`` bytes (no pickle)."""
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in data.items()})
    return buf.getvalue()


def decode(blob: bytes) -> dict[str, np.ndarray]:
    """Inverse of :func:`encode`."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


@dataclass(frozen=True)
class StoredResult:
    point: str
    sample: int
    data: dict[str, np.ndarray]
    seconds: float | None
    peak_rss: int | None


class Store:
    """A study's SQLite store. Only the driver process writes."""

    def __init__(self, directory: str | Path, *, create: bool = False) -> None:
        self.directory = Path(directory)
        self.path = self.directory / DB_NAME
        if not self.path.exists() and not create:
            raise InputError(f"'{self.directory}' holds no study ({DB_NAME} not found); "
                             "run 'mbl run STUDY.toml --out DIR' first")
        if create:
            self.directory.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    @staticmethod
    def exists(directory: str | Path) -> bool:
        return (Path(directory) / DB_NAME).exists()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- meta -----------------------------------------------------------------
    def get_meta(self, key: str) -> Any:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_meta(self, **items: Any) -> None:
        with self._db:
            self._db.execute("BEGIN")
            for k, v in items.items():
                self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (k, json.dumps(v)))

    # -- runs -----------------------------------------------------------------
    def begin_run(self, workers: int, provenance: Mapping[str, Any]) -> int:
        cur = self._db.execute(
            "INSERT INTO runs (started, workers, provenance, status) VALUES (?, ?, ?, 'running')",
            (time.time(), workers, json.dumps(provenance)))
        return int(cur.lastrowid)

    def end_run(self, run_id: int, status: str) -> None:
        self._db.execute("UPDATE runs SET ended = ?, status = ? WHERE run_id = ?",
                         (time.time(), status, run_id))

    def runs(self) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT run_id, started, ended, workers, provenance, status FROM runs ORDER BY run_id")
        return [dict(run_id=r[0], started=r[1], ended=r[2], workers=r[3],
                     provenance=json.loads(r[4]), status=r[5]) for r in rows]

    # -- results --------------------------------------------------------------
    def add_result(self, point: str, sample: int, data: Mapping[str, Any], *,
                   seconds: float, peak_rss: int, run_id: int | None = None) -> None:
        """Store one finished task in its own transaction (idempotent)."""
        self._db.execute(
            "INSERT OR IGNORE INTO results VALUES (?, ?, ?, ?, ?, ?, ?)",
            (point, sample, encode(data), seconds, peak_rss, time.time(), run_id))

    def add_failure(self, point: str, sample: int, error: str, traceback: str,
                    run_id: int | None = None) -> None:
        self._db.execute("INSERT INTO failures VALUES (?, ?, ?, ?, ?, ?)",
                         (point, sample, error, traceback, time.time(), run_id))

    def done(self) -> set[tuple[str, int]]:
        """Keys (point, sample) of every stored result."""
        return {(p, s) for p, s in self._db.execute("SELECT point, sample FROM results")}

    def n_results(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def results(self) -> Iterator[StoredResult]:
        rows = self._db.execute(
            "SELECT point, sample, data, seconds, peak_rss FROM results ORDER BY point, sample")
        for p, s, blob, sec, rss in rows:
            yield StoredResult(p, s, decode(blob), sec, rss)

    def failures(self, run_id: int | None = None) -> list[dict[str, Any]]:
        q = "SELECT point, sample, error, traceback, time, run_id FROM failures"
        args: tuple = ()
        if run_id is not None:
            q += " WHERE run_id = ?"
            args = (run_id,)
        return [dict(point=r[0], sample=r[1], error=r[2], traceback=r[3], time=r[4], run_id=r[5])
                for r in self._db.execute(q, args)]

    def failed_tasks(self) -> list[dict[str, Any]]:
        """Tasks with failure records and no stored result: (point, sample), the number of
        failed attempts, and the error and traceback of the latest, oldest task first."""
        rows = self._db.execute(
            "SELECT point, sample, COUNT(*), error, traceback, MAX(time) FROM failures f "
            "WHERE NOT EXISTS (SELECT 1 FROM results r WHERE r.point = f.point AND "
            "r.sample = f.sample) GROUP BY point, sample ORDER BY MAX(time)")
        return [dict(point=r[0], sample=r[1], attempts=r[2], error=r[3], traceback=r[4])
                for r in rows]

    def timing(self) -> tuple[float, float, int]:
        """(mean seconds per task, max peak RSS in bytes, count) over stored results."""
        row = self._db.execute(
            "SELECT AVG(seconds), MAX(peak_rss), COUNT(*) FROM results").fetchone()
        return float(row[0] or 0.0), int(row[1] or 0), int(row[2])
