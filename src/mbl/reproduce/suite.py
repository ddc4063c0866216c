"""``mbl reproduce --all``: every reproduction run, or taken from stored results, failures kept.

A stored result is a folder ``DIR/NAME`` holding ``NAME.json`` (the ``mbl reproduce --json``
object), its figures and optionally ``provenance.json`` (how the run went: wall time,
core-hours, peak memory), the layout of the committed full modes in ``data/reproductions``.
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mbl.reproduce import verdict as v
from mbl.reproduce.base import Reproduction
from mbl.study.runner import Progress

RESULTS = Path(__file__).resolve().parents[3] / "data" / "reproductions"
"""The committed full-mode results of a source checkout (absent from an installed wheel)."""

OK, FAILED, NOT_RUN = "ok", "failed", "not run"


def default_results() -> Path | None:
    """``data/reproductions`` of the source tree mbl runs from, if there is one."""
    return RESULTS if RESULTS.is_dir() else None


@dataclass
class Entry:
    """One reproduction in a report: its result (computed or stored), or why there is none."""

    name: str
    title: str
    mode: str  # "quick" or "full"
    payload: dict[str, Any] | None = None  # the --json object
    figures: list[Path] = field(default_factory=list)
    origin: str = "computed"  # or "stored in DIR", or "" when not run
    error: str | None = None  # the failure: message, then traceback
    seconds: float | None = None  # run time (as reported by the run, or until it failed)
    record: dict[str, Any] = field(default_factory=dict)  # provenance.json of a stored result

    @property
    def status(self) -> str:
        return FAILED if self.error is not None else OK if self.payload is not None else NOT_RUN

    @property
    def rows(self) -> list[dict[str, Any]]:
        return list((self.payload or {}).get("results", []))

    def counts(self) -> dict[str, int]:
        return v.count(self.rows)

    @property
    def provenance(self) -> dict[str, Any]:
        """The run's provenance (schema 1 carries it) completed by ``provenance.json``."""
        prov = dict((self.payload or {}).get("provenance") or {})
        prov.update({k: x for k, x in self.record.items() if k not in ("name", "mode")})
        return prov


def load_stored(directory: Path, repro: Reproduction, quick: bool | None) -> Entry | None:
    """The stored result of ``repro`` in ``directory`` (of that mode; ``quick=None``: either)."""
    folder = Path(directory) / repro.name
    path = folder / f"{repro.name}.json"
    if not path.is_file():
        return None
    payload = json.loads(path.read_text())
    if quick is not None and bool(payload.get("quick")) != quick:
        return None
    record_path = folder / "provenance.json"
    record = json.loads(record_path.read_text()) if record_path.is_file() else {}
    figures = [_figure(folder, f) for f in payload.get("figures", [])]
    mode = "quick" if payload.get("quick") else "full"
    return Entry(repro.name, repro.title, mode, payload, figures, f"stored in {_shown(directory)}",
                 seconds=payload.get("seconds"), record=record)


def _shown(directory: Path) -> str:
    """``directory`` relative to the working directory where it lies below it."""
    try:
        return str(Path(directory).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(directory)


def _figure(folder: Path, name: str) -> Path:
    """A stored figure: beside the JSON (by its file name), else the path as written."""
    beside = folder / Path(name).name
    return beside if beside.exists() or not Path(name).exists() else Path(name)


def run_one(repro: Reproduction, *, quick: bool, out: Path, workers: int,
            progress: Progress | None = None) -> Entry:
    """Run ``repro``; an exception becomes a failed entry (the message and its traceback)."""
    mode = "quick" if quick else "full"
    start = time.perf_counter()
    try:
        report = repro.run(quick=quick, out=out, workers=workers, progress=progress)
    except Exception as exc:  # noqa: BLE001 (a failed reproduction is reported; the rest run)
        message = f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc()}"
        return Entry(repro.name, repro.title, mode, error=message, origin="",
                     seconds=time.perf_counter() - start)
    payload = report.as_json()
    return Entry(repro.name, repro.title, mode, payload, [Path(f) for f in report.figures],
                 seconds=report.seconds)


Bar = Callable[[str], AbstractContextManager[Progress | None]]


def collect(reproductions: Iterable[Reproduction], *, quick: bool, out: Path, workers: int,
            reuse: Path | None = None, run: bool = True, bar: Bar | None = None,
            echo: Callable[[str], None] | None = None) -> list[Entry]:
    """One entry per reproduction: taken from ``reuse`` where it holds this mode, else run
    (``run=False``: listed as not run); a failure is recorded and the next one runs."""
    entries = []
    for repro in reproductions:
        entry = load_stored(reuse, repro, quick) if reuse is not None else None
        if entry is None and run:
            with (bar(repro.name) if bar is not None else nullcontext()) as progress:
                entry = run_one(repro, quick=quick, out=out, workers=workers, progress=progress)
        if entry is None:
            entry = Entry(repro.name, repro.title, "quick" if quick else "full", origin="")
        if echo is not None:
            echo(summary_line(entry))
        entries.append(entry)
    return entries


def summary_line(entry: Entry) -> str:
    """``name  status  time  verdict counts`` (the error's first line for a failure)."""
    head = f"{entry.name:<28} {entry.status:<7} {format_seconds(entry.seconds):>8}"
    if entry.status == FAILED:
        return f"{head}  {(entry.error or '').splitlines()[0]}"
    if entry.status == NOT_RUN:
        return head
    counts = ", ".join(f"{n} {k}" for k, n in entry.counts().items() if n)
    where = f" [{entry.origin}]" if entry.origin != "computed" else ""
    return f"{head}  {counts or 'no rows'}{where}"


def format_seconds(seconds: float | None) -> str:
    """A time in human units (:func:`mbl._core.memory.format_seconds`); '?' when unknown."""
    from mbl._core.memory import format_seconds as human

    return "?" if seconds is None else human(seconds)


def typical_seconds(repro: Reproduction, results: Path | None = None
                    ) -> tuple[float | None, float | None, str]:
    """(quick, full, note): the declared times; a full mode without one takes the reported time
    of its stored run in ``results`` (note 'measured')."""
    full, note = repro.full_seconds, ""
    if full is None and results is not None:
        stored = load_stored(results, repro, quick=False)
        if stored is not None and stored.seconds is not None:
            full, note = float(stored.seconds), "measured"
    return repro.quick_seconds, full, note


def listing(reproductions: Sequence[Reproduction], results: Path | None = None) -> list[str]:
    """The lines of ``mbl reproduce`` (no name): name, typical quick and full time, title."""
    lines = [f"{'name':<28} {'quick':>8} {'full':>9}  title"]
    for repro in reproductions:
        quick, full, note = typical_seconds(repro, results)
        mark = "*" if note else " "
        lines.append(f"{repro.name:<28} {format_seconds(quick):>8} "
                     f"{format_seconds(full):>8}{mark}  {repro.title}")
    lines.append("times: typical wall time on 2 cores; * measured in the committed full run "
                 "(data/reproductions); ?: not timed yet")
    return lines



def run_many(name: str | None, *, all_: bool, quick: bool, out: Path, workers: int,
             reuse: Path | None = None, no_reuse: bool = False, no_run: bool = False,
             bar: Bar | None = None, echo: Callable[[str], None] | None = None) -> list[Entry]:
    """What ``mbl reproduce NAME|--all [--reuse DIR] [--no-reuse] [--no-run]`` collects.

    Stored results are taken from ``reuse``; with ``--all`` in full mode it defaults to
    ``data/reproductions`` (the committed full runs), unless ``no_reuse``.
    """
    from mbl._core.errors import InputError
    from mbl.reproduce import REPRODUCTIONS, get

    if all_ == (name is not None):
        raise InputError("give one reproduction NAME or --all, not both")
    if no_reuse and (reuse is not None or no_run):
        raise InputError("--no-reuse runs everything: drop --reuse and --no-run")
    if reuse is not None and not Path(reuse).is_dir():
        raise InputError(f"--reuse {reuse}: no such folder (it holds NAME/NAME.json results, "
                         "like data/reproductions)")
    if reuse is None and all_ and not quick and not no_reuse:
        reuse = default_results()
    if no_run and reuse is None:
        raise InputError("--no-run reports stored results only: give --reuse DIR")
    chosen = list(REPRODUCTIONS.values()) if all_ else [get(name)]  # type: ignore[arg-type]
    return collect(chosen, quick=quick, out=out, workers=workers, reuse=reuse, run=not no_run,
                   bar=bar, echo=echo)


def failure_message(entries: Sequence[Entry]) -> str | None:
    """The error for a run with failed reproductions (None: none failed)."""
    failed = [e.name for e in entries if e.status == FAILED]
    if not failed:
        return None
    return (f"{len(failed)} of {len(entries)} reproduction(s) failed: {', '.join(failed)}; "
            "the lines above (and the report's pages) say why; run the same command to resume")
