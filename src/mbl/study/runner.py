"""Run a study: plan, check the store, compute the missing tasks, write each as it finishes."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mbl._core.errors import InputError, MemoryPlanError, StoreMismatchError
from mbl._core.memory import available_memory, format_bytes, peak_rss
from mbl._core.seeds import task_rng
from mbl.solvers.shift_invert import SUPERLU_MAX, has_mumps
from mbl.study.config import StudyConfig, parse_config
from mbl.study.estimate import TaskPlan, method_bytes, plan, task_needs_vectors
from mbl.study.executors import Executor, make_executor
from mbl.study.kinds import KINDS
from mbl.study.models import model_params
from mbl.study.provenance import provenance
from mbl.study.store import Store

Progress = Callable[[int, int, int], None]
"""Called as progress(done, total, failed) after each task (and once at the start)."""


@dataclass(frozen=True)
class TaskSpec:
    """Everything a worker needs for one (point, sample): plain picklable data."""

    kind: str
    point: str
    sample: int
    seed: int
    task: dict[str, Any]


@dataclass(frozen=True)
class TaskOutcome:
    spec: TaskSpec
    data: dict[str, Any] | None
    seconds: float
    peak_rss: int
    error: str | None = None
    traceback: str | None = None


def execute(spec: TaskSpec) -> TaskOutcome:
    """Run one task in a worker; failures come back as data, never as a crash of the pool."""
    start = time.perf_counter()
    try:
        rng = task_rng(spec.seed, spec.task["model"], spec.sample)
        data = KINDS[spec.kind].task(spec.task, rng)
        return TaskOutcome(spec, data, time.perf_counter() - start, peak_rss())
    except Exception as exc:  # recorded in the store's failures table
        return TaskOutcome(spec, None, time.perf_counter() - start, peak_rss(),
                           f"{type(exc).__name__}: {exc}", traceback.format_exc())


@dataclass(frozen=True)
class RunSummary:
    directory: Path
    total: int
    computed: int
    skipped: int
    failed: int
    seconds: float


def default_directory(cfg: StudyConfig, name: str) -> Path:
    """``runs/<name>-<hash8>`` with the hash of the config without its seed."""
    return Path("runs") / f"{name}-{cfg.config_hash(with_seed=False)[:8]}"


def check_memory(cfg: StudyConfig, workers: int) -> None:
    """Refuse a study whose largest task, times the workers, exceeds available memory; the
    message names the methods that would fit that task, or the largest size that would."""
    tasks = plan(cfg)
    worst = max(tasks, key=lambda t: t.peak_bytes)
    concurrent = min(workers, cfg.n_tasks)
    need = worst.peak_bytes * concurrent
    have = available_memory()
    if need <= have:
        return
    raise MemoryPlanError(
        f"the largest task ({worst.coords}, N = {worst.dimension}, {worst.method}) needs about "
        f"{format_bytes(worst.peak_bytes)} per worker, {format_bytes(need)} with {workers} "
        f"worker(s), but only {format_bytes(have)} is available; "
        + alternatives(cfg, worst, have // concurrent))


def alternatives(cfg: StudyConfig, worst: TaskPlan, budget: int) -> str:
    """What would fit ``budget`` bytes per worker: other methods for the same task, else the
    largest chain length (or lattice side) with the same method."""
    point = next(p for p in cfg.points() if p.coords == worst.coords)
    params = model_params(point.model)
    vectors = task_needs_vectors(cfg.study.kind, point.observables)
    base = worst.peak_bytes - method_bytes(worst.method, params, point.solver, vectors=vectors,
                                           n_times=point.solver["n_times"])
    if cfg.study.kind == "spectrum" and 2 * point.solver["k"] < params.dimension():
        fits = []
        for method in ("shift_invert", "polfed"):
            if method == worst.method or (method == "shift_invert" and not has_mumps()
                                          and params.dimension() > SUPERLU_MAX):
                continue
            mem = base + method_bytes(method, params, point.solver, vectors=True)
            if mem <= budget:
                fits.append(f'[solver] method = "{method}" needs about {format_bytes(mem)}')
        if fits:
            return "these would fit: " + "; ".join(fits) + " (with k pairs near the target)"
    size = point.model.get("L")
    while isinstance(size, int) and size > 2:
        size -= 1
        try:
            smaller = model_params({**point.model, "L": size})
            smaller.dimension()
        except (InputError, ValueError):  # not a valid size (odd L at S^z = 0): the next one
            continue
        mem = base + method_bytes(worst.method, smaller, point.solver, vectors=vectors,
                                  n_times=point.solver["n_times"])
        if mem <= budget:
            return (f"L = {size} would fit with the same method ({format_bytes(mem)}); "
                    "lower L, use fewer workers, or a window method")
    return "lower L, use fewer workers, or a window method ([solver] method = \"polfed\")"


def _default(section: str, resolved: dict[str, Any], key: str) -> Any:
    """The schema default of ``section.key`` (a sentinel when the key is required)."""
    from mbl.study.config import ObservablesSection, SolverSection, StudySection
    from mbl.study.models import MODELS

    schema = {"study": StudySection, "solver": SolverSection,
              "observables": ObservablesSection}.get(section)
    if schema is None:
        schema = MODELS[resolved["model"]["name"]].schema
    field = schema.model_fields.get(key)
    return object() if field is None or field.is_required() else field.default


def reconcile(stored: dict[str, Any], cfg: StudyConfig) -> StudyConfig:
    """Compare a new config with the stored one: resume, extend, or refuse (naming keys).

    The new config may add grid values and raise the sample count; everything else must match.
    A new config without a seed adopts the stored seed.
    """
    new = cfg if cfg.study.seed is not None else cfg.with_seed(stored["study"]["seed"])
    res = new.resolved()
    diffs: list[str] = []
    for section in ("study", "model", "solver", "observables"):
        for key in sorted(set(stored[section]) | set(res[section])):
            if section == "study" and key == "samples":
                continue
            if key not in stored[section] and res[section][key] == _default(section, res, key):
                continue  # a key added by a newer mbl, at its default: the same study
            if stored[section].get(key) != res[section].get(key):
                diffs.append(f"{section}.{key}: {stored[section].get(key)!r} -> "
                             f"{res[section].get(key)!r}")
    if res["study"]["samples"] < stored["study"]["samples"]:
        diffs.append(f"study.samples: {stored['study']['samples']} -> {res['study']['samples']} "
                     "(samples can only grow)")
    if list(stored["grid"]) != list(res["grid"]):
        diffs.append(f"grid axes: {list(stored['grid'])} -> {list(res['grid'])}")
    else:
        for axis, values in stored["grid"].items():
            lost = [v for v in values if v not in res["grid"][axis]]
            if lost:
                diffs.append(f"grid.{axis} drops {lost} (values can only be added)")
    if diffs:
        raise StoreMismatchError(
            "the output directory holds a different study; differing keys: " + "; ".join(diffs)
            + ". Use another --out directory (nothing in this one was changed).")
    return new


def run_study(cfg: StudyConfig, directory: str | Path, *, workers: int = 1,
              dask: str | None = None, retries: int = 2, executor: Executor | None = None,
              progress: Progress | None = None) -> RunSummary:
    """Compute every (point, sample) of ``cfg`` not yet in the store at ``directory``.

    ``workers`` and ``dask`` choose the executor (see :func:`make_executor`), unless
    ``executor`` is given. The memory check applies to work on this machine only: a remote
    scheduler's workers have their own memory (and Dask's memory limits). A task that fails is
    recorded with its traceback and run again, up to ``retries`` more times, after every other
    task has had its turn.
    """
    directory = Path(directory)
    if workers < 1:  # before the store is created or touched
        raise InputError(f"--workers must be >= 1, got {workers}")
    if retries < 0:
        raise InputError(f"--retries must be >= 0, got {retries}")
    if dask in (None, "local"):
        check_memory(cfg, workers)
    done: set[tuple[str, int]] = set()
    if Store.exists(directory):
        with Store(directory) as store:
            cfg = reconcile(store.get_meta("config"), cfg)
            done = store.done()
    elif directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise StoreMismatchError(f"'{directory}' exists and is not a study directory; "
                                 "choose an empty or new --out directory")
    cfg = cfg.with_seed()
    specs = [TaskSpec(cfg.study.kind, p.key, s, cfg.seed, p.as_task())
             for p in cfg.points() for s in range(cfg.study.samples) if (p.key, s) not in done]
    total = len(specs) + len(done)
    start = time.time()

    def report(computed: int, failed: int) -> None:
        if progress:
            progress(len(done) + computed, total, failed)

    ex = executor or make_executor(min(workers, max(1, len(specs))), cfg.study.threads,
                                   dask=dask if specs else None)  # nothing to do: no cluster
    try:
        with Store(directory, create=True) as store:
            store.set_meta(config=cfg.resolved(), config_hash=cfg.config_hash(),
                           source=cfg.source)
            run_id = store.begin_run(ex.workers, provenance())
            status = "interrupted"
            try:
                computed, failed = _compute(ex, specs, store, run_id, retries, report)
                status = "failed" if failed else "complete"
            finally:
                store.end_run(run_id, status)
    finally:
        if executor is None:
            ex.close()
    return RunSummary(directory, total, computed, len(done), failed, time.time() - start)


def _compute(ex: Executor, specs: list[TaskSpec], store: Store, run_id: int, retries: int,
             progress: Callable[[int, int], None]) -> tuple[int, int]:
    """Run ``specs``, then the failed ones again (``retries`` rounds at most), storing each
    outcome as it arrives; return (computed, still failed)."""
    computed = 0
    progress(0, 0)
    for _ in range(retries + 1):
        failed: list[TaskSpec] = []
        for _, out in ex.map_unordered(execute, specs):
            sp = out.spec
            if out.error is None:
                store.add_result(sp.point, sp.sample, out.data, seconds=out.seconds,
                                 peak_rss=out.peak_rss, run_id=run_id)
                computed += 1
            else:
                store.add_failure(sp.point, sp.sample, out.error, out.traceback or "", run_id)
                failed.append(sp)
            progress(computed, len(failed))
        if not failed:
            break
        specs = failed
    return computed, len(failed)


def open_study(directory: str | Path) -> tuple[Store, StudyConfig]:
    """Open a study directory: its store and its (stored) config."""
    store = Store(directory)
    raw = store.get_meta("config")
    return store, parse_config(raw, source=str(Path(directory) / "study.sqlite"))
