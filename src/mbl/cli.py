"""The ``mbl`` command (DESIGN §5). Exit status: 0 ok, 2 bad input, 1 failure."""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from mbl._core.errors import InputError, MBLError

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True,
                  help="Localization in disordered electron systems: studies, reproductions.")


def _fail(message: str, code: int) -> None:
    typer.echo(f"mbl: error: {message}", err=True)
    raise typer.Exit(code)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: stops the run like Ctrl-C (workers stopped, the run recorded)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, frame: object) -> None:
    raise Terminated(signum)


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn mbl's errors, OS faults and signals into one paragraph on stderr and the
    documented exit status."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import signal

        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _terminate)
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            _fail(str(exc), 2)
        except MBLError as exc:
            _fail(str(exc), 1)
        except OSError as exc:
            where = f" '{exc.filename}'" if exc.filename else ""
            _fail(f"cannot write or read{where}: {exc.strerror or exc}; check the path, its "
                  "permissions and the free space, then run the same command again", 1)
        except Terminated as exc:
            name = signal.Signals(exc.signum).name
            _fail(f"stopped by {name}; every finished task is stored, run the same command to "
                  "resume", 128 + exc.signum)
        except KeyboardInterrupt:
            _fail("interrupted; every finished task is stored, run the same command to resume",
                  130)

    return wrapper


def _workers(n: int | None) -> int | None:
    if n is not None and n < 1:
        raise InputError(f"--workers must be >= 1, got {n}")
    return n


class _Bar:
    """A rich progress bar (rate and ETA) on a terminal; silent otherwise."""

    def __init__(self, label: str, quiet: bool) -> None:
        from rich.console import Console

        self.console = Console(stderr=True)
        self.enabled = not quiet and self.console.is_terminal
        self.progress = None
        self.label = label
        self.task = None
        self._total = -1

    def __enter__(self) -> _Bar:
        if self.enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TaskProgressColumn(), TextColumn("{task.fields[rate]}"),
                TextColumn("{task.fields[failed]}"), TimeElapsedColumn(), TextColumn("eta"),
                TimeRemainingColumn(), console=self.console, transient=False)
            self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.__exit__(*exc)

    def __call__(self, done: int, total: int, failed: int) -> None:
        if self.progress is None:
            return
        if self.task is None or total != self._total:  # a new study starts a new line
            self.task = self.progress.add_task(self.label, total=total, completed=done,
                                               rate="", failed="")
            self._t0, self._n0, self._total = time.perf_counter(), done, total
        dt = time.perf_counter() - self._t0
        rate = (done - self._n0) / dt if dt > 0 and done > self._n0 else 0.0
        self.progress.update(self.task, completed=done, total=total,
                             rate=f"{rate:.2f} tasks/s" if rate else "",
                             failed=f"[red]{failed} failed" if failed else "")


Sets = Annotated[list[str] | None, typer.Option("--set", help="override: section.key=value")]


@app.command()
@_guard
def run(study: Annotated[Path, typer.Argument(help="study TOML file")],
        out: Annotated[Path | None, typer.Option(help="study directory")] = None,
        workers: Annotated[int | None, typer.Option(
            help="parallel worker processes on this machine (default 1)")] = None,
        scheduler: Annotated[str | None, typer.Option(
            help="run on the Dask cluster of this scheduler, e.g. tcp://host:8786")] = None,
        cluster: Annotated[str | None, typer.Option(
            help="start a Dask cluster here: local:N for N worker processes")] = None,
        retries: Annotated[int, typer.Option(help="times a failed task is run again")] = 2,
        set_: Sets = None,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
        ) -> None:
    """Run (or resume, or extend) a study; results go to a SQLite store in OUT.

    Where tasks run: --workers N (a local pool), --cluster local:N or --scheduler ADDRESS (Dask).
    """
    from mbl.study.config import load_config
    from mbl.study.runner import default_directory, run_study

    n, dask = _executor_choice(_workers(workers), scheduler, cluster)
    cfg = load_config(study, set_ or [])
    directory = out or default_directory(cfg, study.stem)
    with _Bar(study.stem, quiet) as bar:
        summary = run_study(cfg, directory, workers=n, dask=dask, retries=retries, progress=bar)
    for note in summary.warnings:
        typer.echo(f"mbl: warning: {note}", err=True)
    typer.echo(f"{summary.directory}: {summary.computed} computed, {summary.skipped} already "
               f"stored, {summary.failed} failed of {summary.total} tasks "
               f"in {summary.seconds:.1f} s", err=quiet)
    if summary.failed:
        _fail(f"{summary.failed} task(s) failed; 'mbl status {directory}' shows why", 1)


def _executor_choice(workers: int | None, scheduler: str | None,
                     cluster: str | None) -> tuple[int, str | None]:
    """(workers, dask) for :func:`mbl.study.runner.run_study` from the three options."""
    if scheduler is not None and cluster is not None:
        raise InputError("give either --scheduler ADDRESS or --cluster local:N, not both")
    if workers is not None and (scheduler is not None or cluster is not None):
        raise InputError("--workers sizes the local pool; a Dask cluster brings its own workers "
                         "(--cluster local:N starts N): drop --workers")
    if scheduler is not None:
        return 1, scheduler
    if cluster is None:
        return (1 if workers is None else workers), None
    kind, _, count = cluster.partition(":")
    if kind != "local" or not count.isdigit() or int(count) < 1:
        raise InputError(f"--cluster must be local:N with N >= 1 worker processes, got "
                         f"{cluster!r}; to use a cluster started elsewhere (dask-jobqueue, "
                         "'dask scheduler'), pass its address with --scheduler tcp://host:8786")
    return int(count), "local"


@app.command()
@_guard
def status(directory: Annotated[Path, typer.Argument(help="study directory")],
           tracebacks: Annotated[bool, typer.Option(
               "--tracebacks", help="the traceback of every failed task")] = False) -> None:
    """Progress of a study: tasks stored, failures, time per task and an ETA."""
    from mbl._core.memory import format_bytes
    from mbl.study.lock import holder
    from mbl.study.runner import open_study

    store, cfg = open_study(directory)
    with store:
        total, stored = cfg.n_tasks, store.n_results()
        mean_s, peak, _ = store.timing()
        fails = store.failures()
        failed = store.failed_tasks()
        runs = store.runs()
    typer.echo(f"study     {directory}  (kind {cfg.study.kind}, model {cfg.model['name']}, "
               f"seed {cfg.seed})")
    typer.echo(f"tasks     {stored} / {total} stored ({100 * stored / max(total, 1):.1f}%), "
               f"{len(fails)} failure record(s)")
    typer.echo(f"per task  {mean_s:.3g} s mean, peak memory {format_bytes(peak)}")
    workers = runs[-1]["workers"] if runs else 1
    typer.echo(f"remaining {total - stored} task(s): ETA about "
               f"{(total - stored) * mean_s / max(workers, 1):.0f} s with {workers} worker(s)")
    if runs:
        last = runs[-1]
        state = last["status"]
        if state == "running" and holder(directory) is None:
            state = "interrupted (its driver is gone)"
        typer.echo(f"last run  #{last['run_id']} {state} with {last['workers']} "
                   f"worker(s), mbl {last['provenance'].get('mbl')} "
                   f"rev {last['provenance'].get('git_revision')}")
    if fails:
        typer.echo(f"failures  {len(failed)} task(s) failed in every attempt, "
                   f"{len({(f['point'], f['sample']) for f in fails}) - len(failed)} "
                   "succeeded on a later attempt")
    for f in failed if tracebacks else failed[:5]:
        typer.echo(f"failed    {f['point']} sample {f['sample']} ({f['attempts']} attempt(s)): "
                   f"{f['error']}")
        if tracebacks:
            typer.echo(f["traceback"].rstrip())
    if len(failed) > 5 and not tracebacks:
        typer.echo(f"          ... {len(failed) - 5} more; 'mbl status {directory} --tracebacks' "
                   "lists them all")


@app.command()
@_guard
def export(directory: Annotated[Path, typer.Argument(help="study directory")],
           format: Annotated[str, typer.Option(help="netcdf or csv")] = "netcdf",
           output: Annotated[Path | None, typer.Option("-o", "--output", help="file")] = None,
           ) -> None:
    """Export a study to netCDF (an xarray Dataset) or CSV (scalar observables)."""
    from mbl.study.export import to_dataset, write_csv, write_netcdf

    if format not in ("netcdf", "csv"):
        raise InputError(f"--format must be 'netcdf' or 'csv', got {format!r}")
    ds = to_dataset(directory)
    _warn_refused(ds)
    suffix = ".nc" if format == "netcdf" else ".csv"
    path = output or Path(directory) / f"{Path(directory).name}{suffix}"
    (write_netcdf if format == "netcdf" else write_csv)(ds, path)
    typer.echo(str(path))


def _warn_refused(ds: Any) -> None:
    refused = ds.attrs.get("tasks_refused", "")
    if refused:
        typer.echo(f"mbl: warning: stored results that fail verification are exported as NaN "
                   f"with task_status 'corrupt' ({refused}); 'mbl run' recomputes them", err=True)


@app.command()
@_guard
def check(directory: Annotated[Path, typer.Argument(help="study directory")],
          repair: Annotated[bool, typer.Option(
              "--repair", help="salvage every verifiable result into a fresh store")] = False,
          ) -> None:
    """Verify a study store (database, every result's checksum and key), changing nothing;
    with --repair, salvage every verifiable result of a damaged store into a fresh one."""
    from mbl.study import repair as fix

    report = fix.repair(directory) if repair else fix.check(directory)
    for line in report.lines():
        typer.echo(line)
    if report.repaired_into is not None:
        typer.echo(f"repaired  {report.verified} verified result(s) now in "
                   f"{report.repaired_into}; run the study again to compute the rest")
    elif report.damage:
        _fail(f"the store is damaged; 'mbl check {directory} --repair' salvages every "
              "verifiable result", 1)
    elif report.bad:
        _fail(f"{len(report.bad)} stored result(s) fail verification; 'mbl run' with the study "
              "file recomputes them", 1)


@app.command()
@_guard
def plot(directory: Annotated[Path, typer.Argument(help="study directory")],
         x: Annotated[str, typer.Option(help="grid axis on the x axis")] = "W",
         y: Annotated[str, typer.Option(help="observable")] = "r_mean",
         hue: Annotated[str | None, typer.Option(help="grid axis, one curve per value")] = None,
         output: Annotated[Path | None, typer.Option("-o", "--output", help="PNG file")] = None,
         ) -> None:
    """Plot an observable (mean over samples, standard-error bars) against a grid axis."""
    from mbl.plot import plot_curves, save_figure
    from mbl.study.export import to_dataset

    ds = to_dataset(directory)
    _warn_refused(ds)
    y = _ALIASES.get(y, y)
    if hue is None:
        others = [d for d in ds[y].dims if d not in (x, "sample") and ds.sizes[d] > 1] \
            if y in ds else []
        hue = others[0] if len(others) == 1 else None
    refs = _references(y)
    fig = plot_curves(ds, x=x, y=y, hue=hue, references=refs)
    typer.echo(str(save_figure(fig, output or Path(directory) / f"{y}_vs_{x}.png")))


_ALIASES = {"gap_ratio": "r_mean", "ipr": "ipr_mean", "participation_ratio": "pr_mean"}


def _references(y: str) -> dict[str, float] | None:
    from mbl.observables import R_GOE, R_POISSON

    if y == "r_mean":
        return {f"Poisson {R_POISSON:.4f}": R_POISSON, f"GOE {R_GOE:.4f}": R_GOE}
    return None


@app.command()
@_guard
def estimate(study: Annotated[Path, typer.Argument(help="study TOML file")],
             workers: Annotated[int, typer.Option(help="parallel worker processes")] = 1,
             set_: Sets = None) -> None:
    """Memory and time plan per task, before running."""
    import numpy as np

    from mbl._core.memory import available_memory, format_bytes
    from mbl.study.config import load_config
    from mbl.study.estimate import check_memory, plan

    _workers(workers)
    cfg = load_config(study, set_ or [])
    tasks = plan(cfg)
    typer.echo(f"{'point':<40} {'N':>9} {'method':>13} {'peak memory':>12} {'time/task':>10}")
    for t in tasks:
        coords = ", ".join(f"{k}={v}" for k, v in t.coords.items()) or "(single point)"
        when = "unknown" if np.isnan(t.seconds) else f"{t.seconds:.3g}s"
        typer.echo(f"{coords:<40} {t.dimension:>9} {t.method:>13} "
                   f"{format_bytes(t.peak_bytes):>12} {when:>10}")
    worst = max(t.peak_bytes for t in tasks)
    core_s = float(np.nansum([t.seconds for t in tasks])) * cfg.study.samples
    unknown = sum(bool(np.isnan(t.seconds)) for t in tasks)
    timed = (f"about {core_s:.0f} core-seconds ({core_s / max(workers, 1):.0f} s with "
             f"{workers} worker(s))")
    if unknown:
        timed += f", not counting the {unknown} point(s) of unknown time"
    have = available_memory()
    typer.echo(f"total: {cfg.n_tasks} tasks, {timed}; peak "
               f"{format_bytes(worst * min(workers, cfg.n_tasks))} of {format_bytes(have)} "
               "available")
    check_memory(cfg, workers)  # the refusal of 'mbl run': the same numbers and advice


@app.command()
@_guard
def info() -> None:
    """Versions, BLAS libraries and threads, cores, memory."""
    from mbl._core.memory import available_memory, format_bytes, total_memory
    from mbl.study.provenance import provenance

    p = provenance()
    for key in ("mbl", "git_revision", "python", "numpy", "scipy", "numba", "host", "platform",
                "cpu_count"):
        typer.echo(f"{key:<13} {p[key]}")
    typer.echo(f"{'memory':<13} {format_bytes(total_memory())} total, "
               f"{format_bytes(available_memory())} available")
    for lib in p["blas"]:
        typer.echo(f"{'threadpool':<13} {lib['internal_api']} {lib['version']} "
                   f"({lib['user_api']}, {lib['num_threads']} threads)")


@app.command()
@_guard
def reproduce(name: Annotated[str | None, typer.Argument(help="reproduction (none: list)")] = None,
              quick: Annotated[bool, typer.Option("--quick", help="the fast variant")] = False,
              json_: Annotated[bool, typer.Option("--json", help="one JSON object on stdout")]
              = False,
              out: Annotated[Path, typer.Option(help="where studies and figures go")]
              = Path("runs/reproduce"),
              workers: Annotated[int | None, typer.Option(help="workers (default: all cores)")]
              = None,
              quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False) -> None:
    """Reproduce a published result end to end: study, analysis, figure, table."""
    import os

    from mbl.reproduce import REPRODUCTIONS, get

    if name is None:
        for entry in REPRODUCTIONS.values():
            typer.echo(f"{entry.name:<28} {entry.title}")
        return
    entry = get(name)
    n = _workers(workers) or os.cpu_count() or 1
    with _Bar(name, quiet or json_) as bar:
        report = entry.run(quick=quick, out=out, workers=n, progress=bar)
    if json_:
        sys.stdout.write(json.dumps(report.as_json()) + "\n")
    else:
        typer.echo(report.table())


def main() -> None:
    """Console-script entry point: usage errors too become one paragraph and exit 2."""
    from typer.exceptions import TyperException

    try:
        code = app(standalone_mode=False)
    except TyperException as exc:
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        if message.strip():  # (no arguments at all: the help was printed, nothing to add)
            typer.echo(f"mbl: error: {message} (see 'mbl --help' or 'mbl COMMAND --help')",
                       err=True)
        sys.exit(getattr(exc, "exit_code", 2))
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
