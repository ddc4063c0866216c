"""Progress reports of long runs: a rich bar on a terminal, a plain line every few seconds
elsewhere (a batch job's log), both with an ETA weighted by each task's estimated cost."""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from mbl._core.errors import InputError
from mbl._core.memory import format_seconds

#: Seconds between plain progress lines off a terminal (``--progress-every``,
#: ``MBL_PROGRESS_EVERY``); 0 prints none.
DEFAULT_EVERY = 30.0
ENV_EVERY = "MBL_PROGRESS_EVERY"
_settings: dict[str, float | None] = {"every": None}


def set_progress_every(seconds: float | None) -> None:
    """Set the interval of plain progress lines (None: ``MBL_PROGRESS_EVERY`` or 30 s)."""
    if seconds is not None and (not math.isfinite(seconds) or seconds < 0):
        raise InputError(f"--progress-every must be >= 0 seconds (0: no progress lines), got "
                         f"{seconds}")
    _settings["every"] = seconds


def progress_every() -> float:
    """The interval of plain progress lines now in force, in seconds (0: none)."""
    if _settings["every"] is not None:
        return float(_settings["every"])
    raw = os.environ.get(ENV_EVERY, "").strip()
    if not raw:
        return DEFAULT_EVERY
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"{ENV_EVERY} must be a number of seconds, got {raw!r}") from None
    if not math.isfinite(value) or value < 0:
        raise InputError(f"{ENV_EVERY} must be >= 0 seconds (0: no progress lines), got {raw!r}")
    return value


class Eta:
    """Remaining time of a run from the work done since its first update: (work left) x
    (seconds per unit of work so far). With work in estimated core-seconds per task, a run of
    cheap tasks then dear ones is not reported as nearly finished once the cheap ones are."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._start: tuple[float, float] | None = None

    def update(self, done: float, total: float) -> float:
        """Seconds left once ``done`` of ``total`` units of work are done (NaN: no rate yet)."""
        now = self.clock()
        if self._start is None:
            self._start = (now, done)
            return math.nan
        t0, d0 = self._start
        if done <= d0 or now <= t0:
            return math.nan
        return max(total - done, 0.0) * (now - t0) / (done - d0)

    def elapsed(self) -> float:
        """Seconds since the first update."""
        return 0.0 if self._start is None else self.clock() - self._start[0]

    def rate(self, done: float) -> float:
        """Units of work per second since the first update (0 before any)."""
        dt = self.elapsed()
        return (done - self._start[1]) / dt if self._start is not None and dt > 0 else 0.0


class _State:
    """One study's progress: task counts, the work (estimated cost) done, rate and ETA."""

    def __init__(self, total: int, done: int) -> None:
        self.total, self.done, self.failed = total, done, 0
        self.work: tuple[float, float] | None = None  # (done, total) estimated cost
        self.counts, self.costs = Eta(), Eta()
        self.counts.update(done, total)
        self.eta, self.eta_at = math.nan, time.monotonic()
        self.rate = 0.0

    def update(self, done: int, total: int, failed: int) -> None:
        self.done, self.total, self.failed = done, total, failed
        eta = self.counts.update(done, total)
        if self.work is not None:
            eta = self.costs.update(*self.work)
        self.rate = self.counts.rate(done)
        self.eta, self.eta_at = eta, time.monotonic()

    def fraction(self) -> float:
        if self.work is not None and self.work[1] > 0:
            return min(self.work[0] / self.work[1], 1.0)
        return self.done / self.total if self.total else 1.0

    def eta_now(self) -> float:
        """The last ETA, less the time since it was made (never below 0)."""
        return max(self.eta - (time.monotonic() - self.eta_at), 0.0)

    def line(self, label: str) -> str:
        failed = f", {self.failed} failed" if self.failed else ""
        rate = f"{self.rate:.3g} tasks/s" if self.rate else "no task done yet"
        return (f"mbl: {time.strftime('%H:%M:%S')} {label}: {self.done}/{self.total} tasks "
                f"({100 * self.fraction():.1f}% of the estimated work){failed}, {rate}, elapsed "
                f"{format_seconds(self.counts.elapsed())}, ETA {format_seconds(self.eta_now())}")


class _Bar:
    """Progress of a run, as the runner's ``progress`` callback: a rich bar (rate and ETA) on
    a terminal; off a terminal, a plain line on stderr every :func:`progress_every` seconds;
    nothing with ``quiet``. The bar's percentage and ETA are weighted by each task's estimated
    cost when the runner reports it (:meth:`work`)."""

    def __init__(self, label: str, quiet: bool) -> None:
        from rich.console import Console

        self.console = Console(stderr=True)
        self.label = label
        self.enabled = not quiet and self.console.is_terminal
        self.every = 0.0 if quiet or self.enabled else progress_every()
        self.progress: Any = None
        self.task: Any = None
        self.state: _State | None = None
        self._work: tuple[float, float] | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __enter__(self) -> _Bar:
        if self.enabled:
            self.progress = _rich_progress(self.console)
            self.progress.__enter__()
        elif self.every > 0:
            self._ticker = threading.Thread(target=self._tick, name="mbl-progress", daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self.progress is not None:
            self.progress.__exit__(*exc)

    def _tick(self) -> None:
        while not self._stop.wait(self.every):
            with self._lock:
                text = None if self.state is None else self.state.line(self.label)
            if text is not None:
                print(text, file=sys.stderr, flush=True)

    def work(self, done: float, total: float) -> None:
        """The estimated cost of the tasks done and of all (the runner calls this just
        before each ``progress(done, total, failed)``)."""
        self._work = (done, total)

    def __call__(self, done: int, total: int, failed: int) -> None:
        if not self.enabled and self.every <= 0:
            return
        with self._lock:
            if self.state is None or total != self.state.total:  # a new study: a new line
                self.state = _State(total, done)
                if self._work is not None:
                    self.state.costs.update(*self._work)
                if self.progress is not None:
                    self.task = self.progress.add_task(self.label, total=1.0, count="",
                                                       rate="", failed="", eta=math.nan,
                                                       eta_at=0.0)
            state = self.state
            state.work, self._work = self._work, None  # (a caller without work(): counts)
            state.update(done, total, failed)
        if self.progress is not None:
            self.progress.update(self.task, completed=state.fraction(),
                                 count=f"{done}/{total}",
                                 rate=f"{state.rate:.2f} tasks/s" if state.rate else "",
                                 failed=f"[red]{failed} failed" if failed else "",
                                 eta=state.eta, eta_at=state.eta_at)


def _rich_progress(console: Any) -> Any:
    """A rich Progress whose columns show tasks done, the work-weighted percentage and ETA."""
    from rich.progress import (
        BarColumn,
        Progress,
        ProgressColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text

    class EtaColumn(ProgressColumn):
        def render(self, task: Any) -> Text:
            eta = task.fields.get("eta", math.nan)
            if task.finished:
                return Text("")
            if not math.isfinite(eta):
                return Text("eta -:--:--", style="progress.remaining")
            left = max(eta - (time.monotonic() - task.fields.get("eta_at", 0.0)), 0.0)
            return Text(f"eta {format_seconds(left)}", style="progress.remaining")

    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[count]}"),
        TaskProgressColumn(), TextColumn("{task.fields[rate]}"),
        TextColumn("{task.fields[failed]}"), TimeElapsedColumn(), EtaColumn(), console=console,
        transient=False)
