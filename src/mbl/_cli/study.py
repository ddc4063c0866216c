"""The study commands: ``run``, ``status``, ``check``, ``estimate``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mbl._cli.common import Json, Sets, _executor_choice, _fail, _guard, _workers, echo_json
from mbl._cli.progress import _Bar


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
    from mbl._core.memory import format_seconds
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
               f"in {format_seconds(summary.seconds)}", err=quiet)
    if summary.failed:
        _fail(f"{summary.failed} task(s) failed; 'mbl status {directory}' shows why", 1)


@_guard
def status(directory: Annotated[Path, typer.Argument(help="study directory")],
           tracebacks: Annotated[bool, typer.Option(
               "--tracebacks", help="the traceback of every failed task")] = False,
           json_: Json = False) -> None:
    """Progress of a study: tasks stored, failures, time per task and an ETA.

    --json keys: directory, kind, model, seed, tasks_total, tasks_stored, failure_records,
    failed_tasks (point, sample, attempts, error; traceback with --tracebacks),
    retried_then_succeeded, mean_task_seconds, peak_memory_bytes, tasks_remaining, workers,
    eta_seconds (null: no task stored yet), last_run (run_id, status, workers, mbl,
    git_revision; null: never run).
    """
    from mbl._core.memory import format_bytes, format_seconds
    from mbl.study.estimate import task_costs
    from mbl.study.lock import holder
    from mbl.study.runner import open_study

    store, cfg = open_study(directory)
    with store:
        total, stored = cfg.n_tasks, store.n_results()
        mean_s, peak, _ = store.timing()
        fails = store.failures()
        failed = store.failed_tasks()
        runs = store.runs()
        done = store.done()
    workers = runs[-1]["workers"] if runs else 1
    eta = remaining_seconds(task_costs(cfg), cfg.study.samples, done, mean_s * stored,
                            max(workers, 1))
    last = None
    if runs:
        state = runs[-1]["status"]
        if state == "running" and holder(directory) is None:
            state = "interrupted (its driver is gone)"
        last = {"run_id": runs[-1]["run_id"], "status": state, "workers": runs[-1]["workers"],
                "mbl": runs[-1]["provenance"].get("mbl"),
                "git_revision": runs[-1]["provenance"].get("git_revision")}
    retried = len({(f["point"], f["sample"]) for f in fails}) - len(failed)
    if json_:
        keep = ("point", "sample", "attempts", "error") + (("traceback",) if tracebacks else ())
        echo_json({"directory": str(directory), "kind": cfg.study.kind,
                   "model": cfg.model["name"], "seed": cfg.seed, "tasks_total": total,
                   "tasks_stored": stored, "failure_records": len(fails),
                   "failed_tasks": [{k: f[k] for k in keep} for f in failed],
                   "retried_then_succeeded": retried, "mean_task_seconds": mean_s,
                   "peak_memory_bytes": peak, "tasks_remaining": total - stored,
                   "workers": workers, "eta_seconds": eta, "last_run": last})
        return
    typer.echo(f"study     {directory}  (kind {cfg.study.kind}, model {cfg.model['name']}, "
               f"seed {cfg.seed})")
    typer.echo(f"tasks     {stored} / {total} stored ({100 * stored / max(total, 1):.1f}%), "
               f"{len(fails)} failure record(s)")
    typer.echo(f"per task  {format_seconds(mean_s)} mean, peak memory {format_bytes(peak)}")
    when = ("unknown until a task is stored ('mbl estimate' plans it)" if eta is None
            else f"about {format_seconds(eta)}")
    if stored >= total:
        typer.echo("remaining none: every task is stored")
    else:
        typer.echo(f"remaining {total - stored} task(s): ETA {when} with {workers} worker(s)")
    if last is not None:
        typer.echo(f"last run  #{last['run_id']} {last['status']} with {last['workers']} "
                   f"worker(s), mbl {last['mbl']} rev {last['git_revision']}")
    if fails:
        typer.echo(f"failures  {len(failed)} task(s) failed in every attempt, {retried} "
                   "succeeded on a later attempt")
    for f in failed if tracebacks else failed[:5]:
        typer.echo(f"failed    {f['point']} sample {f['sample']} ({f['attempts']} attempt(s)): "
                   f"{f['error']}")
        if tracebacks:
            typer.echo(f["traceback"].rstrip())
    if len(failed) > 5 and not tracebacks:
        typer.echo(f"          ... {len(failed) - 5} more; 'mbl status {directory} --tracebacks' "
                   "lists them all")


def remaining_seconds(costs: dict[str, float], samples: int, done: set[tuple[str, int]],
                      seconds_done: float, workers: int) -> float | None:
    """Wall seconds left: the estimated cost of the tasks not stored, at the seconds per unit
    of cost the stored ones took, over ``workers``; None before any task is stored."""
    cost_done = sum(costs.get(point, 0.0) for point, _ in done)
    if cost_done <= 0 or seconds_done <= 0:
        return None if not done else 0.0 if len(done) >= len(costs) * samples else None
    left = max(sum(costs.values()) * samples - cost_done, 0.0)
    return left * seconds_done / cost_done / workers


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


@_guard
def estimate(study: Annotated[Path, typer.Argument(help="study TOML file")],
             workers: Annotated[int, typer.Option(help="parallel worker processes")] = 1,
             set_: Sets = None, json_: Json = False) -> None:
    """Memory and time plan per task, before running.

    --json keys: study, tasks_total, samples, workers, points (coords, dimension, method,
    peak_memory_bytes, seconds_per_task: null where unknown), core_seconds, wall_seconds,
    unknown_time_points, peak_memory_bytes (the largest task times the workers at once),
    available_memory_bytes, fits (false: 'mbl run' refuses it, exit status 2).
    """
    import math

    from mbl._core.errors import MemoryPlanError
    from mbl._core.memory import available_memory, format_bytes, format_seconds
    from mbl.study.config import load_config
    from mbl.study.estimate import check_memory, plan

    _workers(workers)
    cfg = load_config(study, set_ or [])
    tasks = plan(cfg)
    worst = max(t.peak_bytes for t in tasks)
    core_s = sum(t.seconds for t in tasks if math.isfinite(t.seconds)) * cfg.study.samples
    unknown = sum(not math.isfinite(t.seconds) for t in tasks)
    need, have = worst * min(workers, cfg.n_tasks), available_memory()
    try:
        check_memory(cfg, workers)  # the refusal of 'mbl run': the same numbers and advice
        refusal = None
    except MemoryPlanError as exc:
        refusal = exc
    if json_:
        echo_json({"study": str(study), "tasks_total": cfg.n_tasks,
                   "samples": cfg.study.samples, "workers": workers,
                   "points": [{"coords": t.coords, "dimension": t.dimension, "method": t.method,
                               "peak_memory_bytes": t.peak_bytes,
                               "seconds_per_task": t.seconds if math.isfinite(t.seconds)
                               else None} for t in tasks],
                   "core_seconds": core_s, "wall_seconds": core_s / max(workers, 1),
                   "unknown_time_points": unknown, "peak_memory_bytes": need,
                   "available_memory_bytes": have, "fits": refusal is None})
    else:
        typer.echo(f"{'point':<40} {'N':>9} {'method':>13} {'peak memory':>12} "
                   f"{'time/task':>10}")
        for t in tasks:
            coords = ", ".join(f"{k}={v}" for k, v in t.coords.items()) or "(single point)"
            typer.echo(f"{coords:<40} {t.dimension:>9} {t.method:>13} "
                       f"{format_bytes(t.peak_bytes):>12} {format_seconds(t.seconds):>10}")
        timed = (f"about {format_seconds(core_s)} of core time ("
                 f"{format_seconds(core_s / max(workers, 1))} with {workers} worker(s))")
        if unknown:
            timed += f", not counting the {unknown} point(s) of unknown time"
        typer.echo(f"total: {cfg.n_tasks} tasks, {timed}; peak {format_bytes(need)} of "
                   f"{format_bytes(have)} available")
    if refusal is not None:
        raise refusal
