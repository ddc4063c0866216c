"""Shared fixtures: tiny study files and the ``mbl`` command run in a subprocess."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from threadpoolctl import threadpool_limits

#: A small 3D Anderson spectrum study: 2 x 2 grid points x 3 samples, dense, about 1 s.
TINY: dict[str, dict[str, Any]] = {
    "study": {"kind": "spectrum", "seed": 20261123, "samples": 3},
    "model": {"name": "anderson", "d": 3, "bc": "periodic"},
    "grid": {"L": [4, 6], "W": [12.0, 16.5]},
    "solver": {"method": "dense"},
    "observables": {"names": ["gap_ratio", "ipr"]},
}


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")


def write_study(path: Path, sections: dict[str, dict[str, Any]]) -> Path:
    """Write ``sections`` as a TOML study file."""
    lines = []
    for name, body in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {_toml(v)}" for k, v in body.items()]
        lines.append("")
    path.write_text("\n".join(lines))
    return path


def tiny_study(directory: Path, name: str = "tiny", **overrides: dict[str, Any] | None) -> Path:
    """Write ``directory/name.toml``: :data:`TINY` with each section updated by ``overrides``.

    ``section={key: value}`` sets keys (a value None deletes the key, e.g. ``study={"seed":
    None}``); ``section=None`` drops the whole section; new sections are added.
    """
    sections = {k: dict(v) for k, v in TINY.items()}
    for section, body in overrides.items():
        if body is None:
            sections.pop(section, None)
            continue
        target = sections.setdefault(section, {})
        for k, v in body.items():
            if v is None:
                target.pop(k, None)
            else:
                target[k] = v
    return write_study(Path(directory) / f"{name}.toml", sections)


@pytest.fixture(name="tiny_study")
def tiny_study_fixture():
    """The :func:`tiny_study` writer: ``tiny_study(tmp_path, study={"samples": 5})``."""
    return tiny_study


class Cli:
    """Runs ``python -m mbl.cli`` in a subprocess (cwd ``cwd``, matplotlib headless)."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = Path(cwd)
        self.env = {**os.environ, "MPLBACKEND": "Agg"}

    @staticmethod
    def argv(*args: Any) -> list[str]:
        return [sys.executable, "-m", "mbl.cli", *(str(a) for a in args)]

    def run(self, *args: Any, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.argv(*args), cwd=self.cwd, env=self.env, capture_output=True,
                              text=True, timeout=timeout)

    def ok(self, *args: Any) -> subprocess.CompletedProcess[str]:
        """Run, expect exit 0 and clean (no ANSI escapes) output on a non-terminal."""
        proc = self.run(*args)
        assert proc.returncode == 0, f"{args} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        assert "\x1b[" not in proc.stdout + proc.stderr, "escape codes on a non-terminal"
        assert "Traceback" not in proc.stderr
        return proc

    def bad(self, *args: Any, code: int = 2) -> str:
        """Run, expect ``code`` and one paragraph ``mbl: error: ...`` on stderr; return it."""
        proc = self.run(*args)
        err = proc.stderr
        assert proc.returncode == code, f"mbl {args} -> {proc.returncode}\n{proc.stdout}\n{err}"
        assert err.startswith("mbl: error:"), err
        assert "Traceback" not in err + proc.stdout, err
        assert "\n\n" not in err.strip(), f"more than one paragraph:\n{err}"
        assert proc.stdout.strip() == "", proc.stdout
        return err

    def run_study(self, study: Path, out: Path, *extra: Any) -> tuple[int, int]:
        """``mbl run``; return (computed, already stored) from its summary line."""
        proc = self.ok("run", study, "--out", out, *extra)
        m = re.search(r"(\d+) computed, (\d+) already stored, 0 failed", proc.stdout)
        assert m, proc.stdout
        return int(m[1]), int(m[2])

    def export(self, directory: Path, path: Path | None = None):
        """``mbl export DIR -o FILE`` and the dataset, loaded into memory."""
        import xarray as xr

        path = path or directory.with_suffix(".nc")
        self.ok("export", directory, "-o", path)
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            return ds.load()

    @staticmethod
    def snapshot(directory: Path) -> dict[str, bytes]:
        """Every file under ``directory`` (relative path -> bytes), but the driver lock, whose
        holder's details each driver rewrites."""
        return {str(p.relative_to(directory)): p.read_bytes()
                for p in sorted(Path(directory).rglob("*")) if p.is_file() and p.name != ".lock"}

    @staticmethod
    def rows(directory: Path) -> dict[tuple[str, int], tuple[bytes, float, int]]:
        """(point, sample) -> (blob, finished time, run id) of every stored result."""
        db = sqlite3.connect(Path(directory) / "study.sqlite")  # not read-only: leaves no -wal
        try:
            return {(p, s): (d, f, r) for p, s, d, f, r in
                    db.execute("SELECT point, sample, data, finished, run_id FROM results")}
        finally:
            db.close()

    @staticmethod
    def copy(directory: Path, to: Path) -> Path:
        """A copy of a study directory (for tests that change it)."""
        shutil.copytree(directory, to)
        return to


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


@pytest.fixture(scope="session")
def completed_study(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(study file, directory) of the :data:`TINY` study run to completion. Do not modify:
    copy it with ``Cli.copy`` first."""
    base = tmp_path_factory.mktemp("completed")
    study = tiny_study(base)
    Cli(base).run_study(study, base / "done")
    return study, base / "done"


@pytest.fixture(autouse=True)
def one_blas_thread():
    """One BLAS thread per test: ensembles of small dense problems run fastest that way, and a
    loaded machine is not oversubscribed (docs/conventions.md §7 pins BLAS the same way for
    ensembles)."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield
