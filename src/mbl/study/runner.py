"""Run a study: lock its directory, open (or atomically create) and verify its store, compute
the missing tasks, write each as it finishes."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mbl._core.errors import InputError, StoreError, StoreMismatchError
from mbl.study.config import StudyConfig, parse_config
from mbl.study.estimate import check_memory, task_costs
from mbl.study.execute import TaskSpec, execute, lost
from mbl.study.executors import Executor, make_executor
from mbl.study.lock import LOCK_NAME, DriverLock
from mbl.study.provenance import provenance
from mbl.study.reconcile import identity, reconcile, upgrade
from mbl.study.store import CONFIG_NAME, CREATING, Store

Progress = Callable[[int, int, int], None]
"""Called as progress(done, total, failed) after each task (and once at the start). A progress
object with a method ``work(done, total)`` is also told, just before, the estimated cost of the
tasks done and of them all (:func:`mbl.study.estimate.task_costs`), to weight its ETA."""

#: The study's folder for the checkpoints of long solves (see :class:`TaskSpec`); removed when
#: a run leaves it empty.
CHECKPOINTS = "checkpoints"

#: Temporary files of a creation a kill interrupted (removed by the next creation).
_OURS = (CREATING, f".{CONFIG_NAME}.tmp-")

#: Index-only damage (SQLite's integrity_check) that a REINDEX repairs without losing a row.
_INDEX_DAMAGE = ("missing from index", "wrong # of entries in index", "non-unique entry in index")


@dataclass(frozen=True)
class RunSummary:
    directory: Path
    total: int
    computed: int
    skipped: int
    failed: int
    seconds: float
    warnings: list[str] = field(default_factory=list)


def default_directory(cfg: StudyConfig, name: str) -> Path:
    """``runs/<name>-<hash8>``, the hash of what identifies the study (not its seed, sample
    count or grid values: adding samples or grid values extends the same directory)."""
    return Path("runs") / f"{name}-{identity(cfg)[:8]}"


def _check_out(directory: Path) -> None:
    """Refuse an ``--out`` that exists and is neither empty nor a study directory."""
    if not directory.exists() or Store.exists(directory):
        return
    extra = [] if not directory.is_dir() else sorted(
        p.name for p in directory.iterdir()
        if p.name not in (LOCK_NAME, CONFIG_NAME) and not p.name.startswith(_OURS))
    if extra or not directory.is_dir():
        raise StoreMismatchError(f"'{directory}' exists and is not a study directory"
                                 + (f" (it holds {extra[:3]})" if extra else "")
                                 + "; choose an empty or new --out directory")


def _open(cfg: StudyConfig, directory: Path
          ) -> tuple[Store, StudyConfig, set[tuple[str, int]], list[str]]:
    """The verified store of ``directory`` (created if absent), the reconciled config, the keys
    of its verified results, and what was found and mended. Call holding the directory's
    lock."""
    if not Store.exists(directory):
        _check_out(directory)
        cfg = cfg.with_seed()
        keys = sorted(cfg.points()[0].model)
        store = Store.create(directory, config=cfg.resolved(), config_hash=cfg.config_hash(),
                             source=cfg.source, seed_keys=keys)
        return store, cfg, set(), []
    store = Store(directory)
    try:
        damage = store.integrity()
        if any(not any(m in msg for m in _INDEX_DAMAGE) for msg in damage):
            raise StoreError(f"the database '{store.path}' is damaged ({'; '.join(damage[:2])}"
                             f"); 'mbl check {directory} --repair' salvages every verifiable "
                             "result into a fresh store, then the same command resumes")
        cfg = reconcile(upgrade(store.config), cfg)
        notes = [f"rebuilt a damaged index ({damage[0]})"] if damage else []
        found = store.verify(data=False)
        if found.bad or found.duplicates or damage:
            store.drop(found)
            notes += [f"stored result refused and recomputed: {b}" for b in found.bad]
        if store.get_meta("seed_keys") is None:  # a store of an earlier mbl: all its keys
            fields = set(cfg.points()[0].model)
            keys = sorted(set(store.config["model"]) | set(store.config["grid"]) & fields)
            store.set_meta(seed_keys=keys)
        if cfg.resolved() != store.config:
            store.set_meta(config=cfg.resolved(), config_hash=cfg.config_hash(),
                           source=cfg.source)
        return store, cfg, {(r.point, r.sample) for r in found.results}, notes
    except BaseException:
        store.close()
        raise


def run_study(cfg: StudyConfig, directory: str | Path, *, workers: int = 1,
              dask: str | None = None, retries: int = 2, executor: Executor | None = None,
              progress: Progress | None = None) -> RunSummary:
    """Compute every (point, sample) of ``cfg`` not yet verified in the store at ``directory``.

    ``workers`` and ``dask`` choose the executor (see :func:`make_executor`), unless
    ``executor`` is given. The memory check applies to work on this machine only. A task that
    fails, or whose worker dies, is recorded with its error and run again, up to ``retries``
    more times, after every other task has had its turn. One driver per directory: a second
    is refused (:class:`~mbl._core.errors.StoreLockedError`).
    """
    directory = Path(directory)
    if workers < 1:  # before the store is created or touched
        raise InputError(f"--workers must be >= 1, got {workers}")
    if retries < 0:
        raise InputError(f"--retries must be >= 0, got {retries}")
    if dask in (None, "local"):
        check_memory(cfg, workers)
    _check_out(directory)
    start = time.time()
    with DriverLock(directory), contextlib.ExitStack() as stack:
        store, cfg, done, notes = _open(cfg, directory)
        stack.enter_context(store)
        keys = tuple(store.get_meta("seed_keys"))
        scratch = str((directory / CHECKPOINTS).resolve())
        specs = [TaskSpec(cfg.study.kind, p.key, s, cfg.seed, p.as_task(), keys, scratch)
                 for p in cfg.points() for s in range(cfg.study.samples)
                 if (p.key, s) not in done]
        total = len(specs) + len(done)
        work = getattr(progress, "work", None)
        cost = task_costs(cfg) if callable(work) else {}
        all_cost = sum(cost.get(p.key, 0.0) for p in cfg.points()) * cfg.study.samples
        done_cost = [sum(cost.get(point, 0.0) for point, _ in done)]

        def report(computed: int, failed: int, spec: TaskSpec | None = None) -> None:
            if spec is not None:
                done_cost[0] += cost.get(spec.point, 0.0)
            if callable(work):
                work(done_cost[0], all_cost)
            if progress:
                progress(len(done) + computed, total, failed)

        ex = executor or make_executor(min(workers, max(1, len(specs))), cfg.study.threads,
                                       dask=dask if specs else None)
        if executor is None:
            stack.callback(ex.close)
        run_id = store.begin_run(ex.workers, provenance())
        status = "interrupted"
        try:
            computed, failed = _compute(ex, specs, store, run_id, retries, report)
            status = "failed" if failed else "complete"
        finally:
            with contextlib.suppress(StoreError):
                store.end_run(run_id, status)
            with contextlib.suppress(OSError):  # only when no solve left a checkpoint
                (directory / CHECKPOINTS).rmdir()
    return RunSummary(directory, total, computed, len(done), failed, time.time() - start,
                      notes + store.events)


def _compute(ex: Executor, specs: list[TaskSpec], store: Store, run_id: int, retries: int,
             progress: Callable[..., None]) -> tuple[int, int]:
    """Run ``specs``, then the failed ones again (``retries`` rounds at most), storing each
    outcome as it arrives; return (computed, still failed). ``progress(computed, failed,
    spec)`` after each, ``spec`` the task computed (None if it failed)."""
    computed = 0
    progress(0, 0)
    for _ in range(retries + 1):
        failed: list[TaskSpec] = []
        for _, out in ex.map_unordered(execute, specs, lost=lost):
            sp = out.spec
            if out.error is None:
                store.add_result(sp.point, sp.sample, out.data, seconds=out.seconds,
                                 peak_rss=out.peak_rss, run_id=run_id)
                computed += 1
            else:
                store.add_failure(sp.point, sp.sample, out.error, out.traceback or "", run_id)
                failed.append(sp)
            progress(computed, len(failed), sp if out.error is None else None)
        if not failed:
            break
        specs = failed
    return computed, len(failed)


def open_study(directory: str | Path) -> tuple[Store, StudyConfig]:
    """Open a study directory read-only: its store and its (stored, verified) config."""
    store = Store(directory, readonly=True)
    try:
        return store, parse_config(upgrade(store.config),
                                   source=str(Path(directory) / "study.sqlite"))
    except BaseException:
        store.close()
        raise
