"""``mbl check``: what a study store holds and what is wrong with it; ``--repair`` salvages
every verifiable result of a damaged database into a fresh store.

A result is verifiable when its payload matches its checksum and carries its own (point,
sample) key; the config is taken from the database when it matches its hash, else from the
copy beside it (``study-config.json``). Salvage reads a copy of the damaged file, first by a
scan of the results table, then, past a damaged page, row by row.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mbl._core.errors import InputError, StoreError
from mbl.study.config import parse_config
from mbl.study.lock import DriverLock
from mbl.study.store import CONFIG_NAME, DB_NAME, Store, check_row, config_digest

_COLUMNS = "point, sample, data, seconds, peak_rss, finished, run_id, checksum"


@dataclass
class Report:
    """What :func:`check` or :func:`repair` found."""

    directory: Path
    damage: list[str] = field(default_factory=list)
    verified: int = 0
    bad: list[str] = field(default_factory=list)
    tasks: int | None = None
    config_from: str | None = None
    repaired_into: Path | None = None

    @property
    def missing(self) -> int | None:
        return None if self.tasks is None else self.tasks - self.verified

    def lines(self) -> list[str]:
        out = [f"store     {self.directory / DB_NAME}",
               f"database  {'damaged: ' + '; '.join(self.damage[:3]) if self.damage else 'sound'}",
               f"config    {self.config_from or 'none verifiable'}",
               f"results   {self.verified} verified"
               + (f" of {self.tasks} tasks ({self.missing} missing)" if self.tasks else ""),
               f"refused   {len(self.bad)} stored result(s) fail verification"]
        out += [f"          {b}" for b in self.bad[:20]]
        if len(self.bad) > 20:
            out.append(f"          ... {len(self.bad) - 20} more")
        return out


def _config(directory: Path, db: sqlite3.Connection | None) -> tuple[dict[str, Any] | None, str]:
    """The study's meta (config, config_hash, seed_keys, source) from the database, else from
    its copy, whichever matches its hash."""
    if db is not None:
        with contextlib.suppress(sqlite3.Error, ValueError, TypeError):
            meta = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
            if config_digest(meta["config"]) == meta.get("config_hash"):
                return meta, "the database"
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        meta = json.loads((directory / CONFIG_NAME).read_text())
        if config_digest(meta["config"]) == meta.get("config_hash"):
            return meta, f"the copy {CONFIG_NAME} (the database's is damaged)"
    return None, ""


def _scan(db: sqlite3.Connection, bound: int) -> tuple[list[tuple], list[str]]:
    """Every readable row of ``results``: a table scan, then row-by-row probes past damage."""
    rows: dict[int, tuple] = {}
    damage: list[str] = []
    try:
        for r in db.execute(f"SELECT rowid, {_COLUMNS} FROM results NOT INDEXED"):
            rows[r[0]] = r[1:]
        return list(rows.values()), damage
    except sqlite3.DatabaseError as exc:
        damage.append(f"the results table cannot be read through ({exc})")
    for rowid in range(1, bound + 1):
        if rowid in rows:
            continue
        with contextlib.suppress(sqlite3.DatabaseError):
            r = db.execute(f"SELECT {_COLUMNS} FROM results WHERE rowid = ?", (rowid,)).fetchone()
            if r is not None:
                rows[rowid] = r
    return list(rows.values()), damage


def _examine(directory: Path, work: Path) -> tuple[Report, dict[str, Any] | None, list[tuple]]:
    """Read a copy of the store in ``work``: the report, the meta and the verified rows."""
    report = Report(directory)
    path = directory / DB_NAME
    if not path.exists():
        raise InputError(f"'{directory}' holds no study ({DB_NAME} not found)")
    copy = work / DB_NAME
    for suffix in ("", "-wal"):
        if Path(f"{path}{suffix}").exists():
            shutil.copyfile(f"{path}{suffix}", f"{copy}{suffix}")
    db = None
    try:
        db = sqlite3.connect(copy)
        msgs = [r[0] for r in db.execute("PRAGMA integrity_check")]
        report.damage = [] if msgs == ["ok"] else msgs
    except sqlite3.DatabaseError as exc:
        report.damage = [f"{exc} ({path.stat().st_size} bytes)"]
    meta, report.config_from = _config(directory, db)
    verified: dict[tuple[str, int], tuple] = {}
    if meta is not None:
        cfg = parse_config(meta["config"], source=str(path))
        report.tasks = cfg.n_tasks
        rows, more = ([], []) if db is None else _scan(db, 2 * cfg.n_tasks + 1000)
        report.damage += more
        for row in rows:
            point, sample, blob, digest = row[0], row[1], row[2], row[7]
            _, reason = check_row(point, sample, blob, digest)
            if reason is not None or digest is None:
                report.bad.append(f"{point} sample {sample}: {reason or 'no checksum'}")
            else:
                verified.setdefault((point, sample), row)
        report.verified = len(verified)
    if db is not None:
        db.close()
    return report, meta, list(verified.values())


def check(directory: str | Path) -> Report:
    """Report the state of a study store without changing anything (works read-only)."""
    directory = Path(directory)
    with tempfile.TemporaryDirectory(prefix="mbl-check-") as work:
        return _examine(directory, Path(work))[0]


def repair(directory: str | Path) -> Report:
    """Salvage every verifiable result of ``directory``'s store into a fresh store, which
    ``mbl run`` then resumes; the damaged file is kept beside it as
    ``study.sqlite.damaged-<time>``. Holds the directory's lock."""
    directory = Path(directory)
    with DriverLock(directory), tempfile.TemporaryDirectory(prefix="mbl-repair-") as work:
        report, meta, rows = _examine(directory, Path(work))
        if meta is None:
            raise StoreError(f"no verifiable config in '{directory}' (the database's and the copy "
                             f"{CONFIG_NAME} are both damaged or missing): the results cannot be "
                             "attributed; move the directory away and run the study again")
        kept = directory / f"{DB_NAME}.damaged-{time.strftime('%Y%m%d-%H%M%S')}"
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{directory / DB_NAME}{suffix}").rename(f"{kept}{suffix}")
        keep = {k: meta[k] for k in ("config", "config_hash", "seed_keys", "source") if k in meta}
        Store.create(directory, rows=rows, **keep).close()
        report.repaired_into = directory / DB_NAME
        report.damage.append(f"the damaged file is kept as {kept.name}")
        return report
