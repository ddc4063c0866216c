"""The result store: one SQLite database per study directory (see ``docs/studies.md``).

Tables: ``meta`` (resolved config, its hash, the model keys the seeds hash, the schema
version), ``results`` keyed by (point, sample) with the observables as an ``.npz`` payload,
its SHA-256 and the runtime and peak memory, ``failures`` (error and traceback of the latest
failed attempts of a task that has no result) and ``runs`` (one row per invocation).

Integrity: every payload carries its own (point, sample) key, and its checksum is stored
beside it; :meth:`Store.verify` reads every row from the table itself (never through an index)
and names each row whose bytes or key do not match. Creation is atomic (the database is built
under a temporary name and linked into place holding its config), and a copy of the config
sits beside it (``study-config.json``) so that a destroyed database can be rebuilt
(:mod:`mbl.study.repair`). Every commit is checkpointed into the main file, so deleting the
``-wal`` file never loses a stored result; a driver whose database file is deleted or replaced
under it writes it back from its open connection.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mbl._core.errors import InputError, StoreError
from mbl._core.seeds import canonical_json
from mbl.study.lock import holder

DB_NAME = "study.sqlite"
CONFIG_NAME = "study-config.json"
CREATING = f".{DB_NAME}.creating-"
SCHEMA_VERSION = 2
_KEY = "__key__"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (
    point TEXT NOT NULL, sample INTEGER NOT NULL, data BLOB NOT NULL,
    seconds REAL, peak_rss INTEGER, finished REAL, run_id INTEGER, checksum TEXT,
    PRIMARY KEY (point, sample));
CREATE TABLE IF NOT EXISTS failures (
    point TEXT NOT NULL, sample INTEGER NOT NULL, error TEXT, traceback TEXT,
    time REAL, run_id INTEGER);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT, started REAL, ended REAL, workers INTEGER,
    provenance TEXT, status TEXT);
"""

REPAIR_HINT = ("'mbl check {d}' names the damage; 'mbl check {d} --repair' salvages every "
               "verifiable result into a fresh store, after which 'mbl run' resumes")


def encode(data: Mapping[str, Any], key: tuple[str, int] | None = None) -> bytes:
    """Observables dict -> ``.npz`` bytes (no pickle), with the task's key inside."""
    arrays = {k: np.asarray(v) for k, v in data.items()}
    if key is not None:
        arrays[_KEY] = np.asarray(json.dumps([key[0], int(key[1])]))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def decode(blob: bytes) -> dict[str, np.ndarray]:
    """Inverse of :func:`encode` (the key is dropped)."""
    return _decode(blob)[0]


def _decode(blob: bytes) -> tuple[dict[str, np.ndarray], list | None]:
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        data = {k: z[k] for k in z.files}
    key = data.pop(_KEY, None)
    return data, (None if key is None else json.loads(str(key)))


def checksum(blob: bytes) -> str:
    """SHA-256 (hex) of a payload."""
    return hashlib.sha256(blob).hexdigest()


def config_digest(config: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a resolved config (the study's ``config_hash``)."""
    return hashlib.sha256(canonical_json(config).encode()).hexdigest()


@dataclass(frozen=True)
class StoredResult:
    point: str
    sample: int
    data: dict[str, np.ndarray]
    seconds: float | None
    peak_rss: int | None


@dataclass(frozen=True)
class BadRow:
    """A stored row that failed verification: where it claims to be, and why it is refused."""

    point: str
    sample: int
    reason: str
    rowid: int | None = None

    def __str__(self) -> str:
        return f"{self.point} sample {self.sample}: {self.reason}"


@dataclass(frozen=True)
class Verification:
    """What :meth:`Store.verify` found: the verified results (one per task, in (point,
    sample) order), the rows refused, and the rowids of second copies of a verified task."""

    results: list[StoredResult]
    bad: list[BadRow]
    duplicates: list[int]


def check_row(point: str, sample: int, blob: bytes | None, digest: str | None
              ) -> tuple[dict[str, np.ndarray] | None, str | None]:
    """(data, None) for a row whose checksum and key match, else (None, the reason)."""
    if not isinstance(blob, bytes):
        return None, "the payload is missing"
    if digest is not None and checksum(blob) != digest:
        return None, "checksum mismatch: the stored bytes changed"
    try:
        data, key = _decode(blob)
    except Exception as exc:  # noqa: BLE001 - any decoding failure is damage
        return None, f"the payload cannot be decoded ({type(exc).__name__})"
    if digest is not None and key != [point, sample]:
        return None, f"the payload belongs to task {key}, not to this row"
    return data, None


def fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, fsync and rename."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    fsync_dir(path.parent)


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


class Store:
    """A study's SQLite store. Only the driver process, holding the directory's lock, writes.

    Parameters
    ----------
    directory
        The study directory (``DIR/study.sqlite``).
    readonly
        Open without writing anything (``mbl status``, ``export``, ``plot``, ``check``); works
        on read-only storage.
    """

    def __init__(self, directory: str | Path, *, readonly: bool = False) -> None:
        self.directory = Path(directory)
        self.path = self.directory / DB_NAME
        self.readonly = readonly
        self.events: list[str] = []
        if not self.path.exists():
            raise InputError(f"'{self.directory}' holds no study ({DB_NAME} not found); "
                             "run 'mbl run STUDY.toml --out DIR' first")
        self._inodes: dict[str, int] = {}
        with self._guard():
            self._db = self._connect()
            try:
                self._config = self._read_config()
                if not readonly:
                    self._migrate()
            except BaseException:
                self._db.close()
                raise

    # -- opening ----------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self.readonly:
            # A store no driver writes, closed cleanly (no -wal), is read as immutable: SQLite
            # then creates no -wal/-shm beside it. Else the live WAL is read (mode=ro), and on
            # read-only storage that lacks the -shm file, the main file alone.
            uri = self.path.resolve().as_uri()
            if not Path(f"{self.path}-wal").exists() and holder(self.directory) is None:
                return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
            try:
                db = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None,
                                     timeout=60)
                db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError:
                db = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
            return db
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA wal_autocheckpoint=1")  # every commit reaches the main file
        self._inodes = self._stat()
        return db

    def _read_config(self) -> dict[str, Any]:
        if self.path.stat().st_size == 0:
            raise StoreError(f"'{self.path}' is empty (0 bytes): it was truncated; "
                             + REPAIR_HINT.format(d=self.directory))
        row = self._db.execute("SELECT value FROM meta WHERE key = 'config'").fetchone()
        if row is None:
            raise StoreError(f"'{self.path}' holds no config: the database was damaged; "
                             + REPAIR_HINT.format(d=self.directory))
        try:
            config = json.loads(row[0])
            stored_hash = self.get_meta("config_hash")
        except ValueError:
            config, stored_hash = None, None
        if not isinstance(config, dict) or stored_hash != config_digest(config):
            raise StoreError(f"the config stored in '{self.path}' does not match its checksum: "
                             "the database was damaged; " + REPAIR_HINT.format(d=self.directory))
        return config

    def _migrate(self) -> None:
        """Bring a store of an earlier mbl (no checksums) to this schema, in one transaction."""
        if self.get_meta("schema_version") == SCHEMA_VERSION:
            return
        with self._transaction():
            cols = {r[1] for r in self._db.execute("PRAGMA table_info(results)")}
            if "checksum" not in cols:
                self._db.execute("ALTER TABLE results ADD COLUMN checksum TEXT")
            rows = self._db.execute("SELECT rowid, point, sample, data FROM results "
                                    "NOT INDEXED WHERE checksum IS NULL").fetchall()
            for rowid, point, sample, blob in rows:
                data, reason = check_row(point, sample, blob, None)
                if reason is not None:
                    self._db.execute("DELETE FROM results WHERE rowid = ?", (rowid,))
                    self.events.append(f"dropped undecodable result {point} sample {sample}")
                    continue
                new = encode(data, (point, sample))
                self._db.execute("UPDATE results SET data = ?, checksum = ? WHERE rowid = ?",
                                 (new, checksum(new), rowid))
            self._set(schema_version=SCHEMA_VERSION)

    @classmethod
    def create(cls, directory: str | Path, *, rows: Iterable[tuple] = (), **meta: Any) -> Store:
        """Create a store holding ``meta`` (``config`` and ``config_hash`` at least), atomically:
        a kill or a full disk at any instant leaves either this store or no store at all.

        ``rows`` are verified results to start with, as (point, sample, payload, seconds,
        peak_rss, finished, run_id, checksum) (:func:`mbl.study.repair.repair`)."""
        directory = Path(directory)
        path = directory / DB_NAME
        tmp = directory / f"{CREATING}{os.getpid()}"
        try:
            for stale in directory.glob(f"{CREATING}*"):  # an earlier creation that died
                _remove_db(stale)
            for stale in directory.glob(f".{CONFIG_NAME}.tmp-*"):
                stale.unlink()
            write_atomic(directory / CONFIG_NAME, json.dumps(meta))
            db = sqlite3.connect(tmp, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
                db.execute("BEGIN")
                for k, v in {**meta, "schema_version": SCHEMA_VERSION}.items():
                    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (k, json.dumps(v)))
                db.executemany("INSERT OR IGNORE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               rows)
                db.execute("COMMIT")
            finally:
                db.close()
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.link(tmp, path)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot create the study store in '{directory}' ({_reason(exc)}); "
                             "nothing was computed: free space or choose another --out") from None
        finally:
            _remove_db(tmp)
        fsync_dir(directory)
        return cls(directory)

    @staticmethod
    def exists(directory: str | Path) -> bool:
        return (Path(directory) / DB_NAME).exists()

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error, AttributeError):
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- guarding -----------------------------------------------------------------
    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """SQLite and OS faults become a :class:`StoreError` naming the damage and the fix."""
        try:
            yield
        except sqlite3.Error as exc:
            if isinstance(exc, sqlite3.OperationalError) and "full" in str(exc):
                raise StoreError(f"no space left for '{self.path}' ({exc}); every result "
                                 "stored before is safe: free space, then run the same command "
                                 "to resume") from None
            if isinstance(exc, sqlite3.OperationalError) and "readonly" in str(exc):
                raise StoreError(f"'{self.path}' is on read-only storage ({exc}); run from a "
                                 "writable copy of the study directory") from None
            raise StoreError(f"the store '{self.path}' is damaged or unreadable "
                             f"({type(exc).__name__}: {exc}); "
                             + REPAIR_HINT.format(d=self.directory)) from None
        except OSError as exc:
            raise StoreError(f"cannot use '{self.path}' ({_reason(exc)})") from None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        self._watch()

    def _stat(self) -> dict[str, int]:
        out = {}
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                out[suffix] = os.stat(f"{self.path}{suffix}").st_ino
        return out

    def _watch(self) -> None:
        """After a commit: a database file deleted or replaced under the driver is written
        back from the open connection; a deleted ``-wal``/``-shm`` gets a fresh connection."""
        now = self._stat()
        if now.get("") != self._inodes.get(""):
            with self._guard():
                tmp = self.directory / f"{CREATING}{os.getpid()}"
                _remove_db(tmp)
                copy = sqlite3.connect(tmp)
                self._db.backup(copy)
                copy.close()
                self._db.close()
                _remove_db(self.path)
                os.replace(tmp, self.path)
                self._db = self._connect()
            self.events.append(f"'{self.path}' was deleted or replaced during the run; it was "
                               "written back with every result stored so far")
        elif any(k in self._inodes and now.get(k) != self._inodes[k] for k in ("-wal", "-shm")):
            with self._guard():
                self._db.close()  # checkpoints the (unlinked) WAL into the main file
                self._db = self._connect()
        else:
            self._inodes.update(now)

    # -- meta -----------------------------------------------------------------
    @property
    def config(self) -> dict[str, Any]:
        """The verified resolved config of the study."""
        return self._config

    def get_meta(self, key: str) -> Any:
        with self._guard():
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def _set(self, **items: Any) -> None:
        for k, v in items.items():
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (k, json.dumps(v)))

    def set_meta(self, **items: Any) -> None:
        """Set meta keys in one transaction; a new ``config`` also rewrites the config copy."""
        with self._transaction():
            self._set(**items)
        if "config" in items:
            self._config = items["config"]
            meta = {k: self.get_meta(k) for k in ("config", "config_hash", "seed_keys",
                                                   "source")}
            with self._guard():
                write_atomic(self.directory / CONFIG_NAME, json.dumps(meta))

    # -- runs -----------------------------------------------------------------
    def begin_run(self, workers: int, provenance: Mapping[str, Any]) -> int:
        with self._transaction():
            cur = self._db.execute(
                "INSERT INTO runs (started, workers, provenance, status) "
                "VALUES (?, ?, ?, 'running')", (time.time(), workers, json.dumps(provenance)))
        return int(cur.lastrowid)

    def end_run(self, run_id: int, status: str) -> None:
        with self._transaction():
            self._db.execute("UPDATE runs SET ended = ?, status = ? WHERE run_id = ?",
                             (time.time(), status, run_id))

    def runs(self) -> list[dict[str, Any]]:
        with self._guard():
            rows = self._db.execute("SELECT run_id, started, ended, workers, provenance, status "
                                    "FROM runs ORDER BY run_id").fetchall()
        out = []
        for r in rows:
            try:
                prov = json.loads(r[4]) if r[4] else {}
            except ValueError:
                prov = {}
            out.append(dict(run_id=r[0], started=r[1], ended=r[2], workers=r[3],
                            provenance=prov if isinstance(prov, dict) else {}, status=r[5]))
        return out

    # -- results --------------------------------------------------------------
    def add_result(self, point: str, sample: int, data: Mapping[str, Any], *,
                   seconds: float, peak_rss: int, run_id: int | None = None) -> None:
        """Store one finished task in its own transaction (idempotent); the failure records
        of its earlier runs go (those of this run stay: they tell it took several attempts)."""
        blob = encode(data, (point, sample))
        with self._transaction():
            self._db.execute(
                "INSERT OR IGNORE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (point, sample, blob, seconds, peak_rss, time.time(), run_id, checksum(blob)))
            self._db.execute("DELETE FROM failures WHERE point = ? AND sample = ? AND "
                             "run_id IS NOT ?", (point, sample, run_id))

    def add_failure(self, point: str, sample: int, error: str, traceback: str,
                    run_id: int | None = None) -> None:
        """Record a failed attempt; the attempts of earlier runs of the same task are dropped."""
        with self._transaction():
            self._db.execute("DELETE FROM failures WHERE point = ? AND sample = ? AND "
                             "run_id IS NOT ?", (point, sample, run_id))
            self._db.execute("INSERT INTO failures VALUES (?, ?, ?, ?, ?, ?)",
                             (point, sample, error, traceback, time.time(), run_id))

    def _rows(self) -> Iterator[tuple]:
        """Every row of ``results`` read from the table itself (NOT INDEXED: a damaged index
        cannot hide, add or move a row)."""
        with self._guard():
            cur = self._db.execute("SELECT rowid, point, sample, data, checksum, seconds, "
                                   "peak_rss FROM results NOT INDEXED ORDER BY rowid")
            yield from cur

    def verify(self, *, data: bool = True) -> Verification:
        """Check every stored row (checksum, key inside the payload); see :class:`Verification`.

        With ``data=False`` the results carry no arrays (a cheap list of what is stored).
        """
        good: dict[tuple[str, int], StoredResult] = {}
        bad: list[BadRow] = []
        duplicates: list[int] = []
        for rowid, point, sample, blob, digest, sec, rss in self._rows():
            if not isinstance(point, str) or not isinstance(sample, int):
                bad.append(BadRow(str(point), sample if isinstance(sample, int) else -1,
                                  "the row's key is damaged", rowid))
                continue
            arrays, reason = check_row(point, sample, blob, digest)
            if reason is not None:
                bad.append(BadRow(point, sample, reason, rowid))
            elif (point, sample) in good:
                duplicates.append(rowid)
            else:
                good[(point, sample)] = StoredResult(point, sample, arrays if data else {},
                                                     sec, rss)
        return Verification([good[k] for k in sorted(good)], bad, duplicates)

    def drop(self, found: Verification, run_id: int | None = None) -> None:
        """Delete the bad and duplicate rows of ``found`` by rowid (so their tasks are
        recomputed) and rebuild the indexes; each bad row is recorded as a failure."""
        with self._transaction():
            for rowid in [b.rowid for b in found.bad] + found.duplicates:
                self._db.execute("DELETE FROM results WHERE rowid = ?", (rowid,))
            self._db.execute("REINDEX")
        for row in found.bad:
            self.add_failure(row.point, row.sample, f"stored result refused: {row.reason}",
                             "", run_id)

    def results(self) -> Iterator[StoredResult]:
        """Every verified result; a store with bad rows raises (use :meth:`verify`)."""
        found = self.verify()
        if found.bad:
            raise StoreError(f"{len(found.bad)} stored result(s) of '{self.path}' fail "
                             f"verification ({found.bad[0]}); 'mbl run' recomputes them")
        yield from found.results

    def done(self) -> set[tuple[str, int]]:
        """Keys (point, sample) of every verified result."""
        return {(r.point, r.sample) for r in self.verify(data=False).results}

    def n_results(self) -> int:
        with self._guard():
            return int(self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def integrity(self) -> list[str]:
        """SQLite's own ``integrity_check`` messages (empty when the database is sound)."""
        with self._guard():
            msgs = [r[0] for r in self._db.execute("PRAGMA integrity_check")]
        return [] if msgs == ["ok"] else msgs

    def failures(self, run_id: int | None = None) -> list[dict[str, Any]]:
        q = "SELECT point, sample, error, traceback, time, run_id FROM failures"
        args: tuple = ()
        if run_id is not None:
            q += " WHERE run_id = ?"
            args = (run_id,)
        with self._guard():
            rows = self._db.execute(q, args).fetchall()
        return [dict(point=r[0], sample=r[1], error=r[2], traceback=r[3], time=r[4], run_id=r[5])
                for r in rows]

    def failed_tasks(self) -> list[dict[str, Any]]:
        """Tasks with failure records and no stored result: (point, sample), the number of
        failed attempts, and the error and traceback of the latest, oldest task first."""
        with self._guard():
            rows = self._db.execute(
                "SELECT point, sample, COUNT(*), error, traceback, MAX(time) FROM failures f "
                "WHERE NOT EXISTS (SELECT 1 FROM results r WHERE r.point = f.point AND "
                "r.sample = f.sample) GROUP BY point, sample ORDER BY MAX(time)").fetchall()
        return [dict(point=r[0], sample=r[1], attempts=r[2], error=r[3], traceback=r[4])
                for r in rows]

    def timing(self) -> tuple[float, float, int]:
        """(mean seconds per task, max peak RSS in bytes, count) over stored results."""
        with self._guard():
            row = self._db.execute(
                "SELECT AVG(seconds), MAX(peak_rss), COUNT(*) FROM results").fetchone()
        return float(row[0] or 0.0), int(row[1] or 0), int(row[2])


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc)
