"""One task on a worker: the picklable spec, its outcome, and the function the executors run."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from typing import Any

from mbl._core.memory import peak_rss
from mbl._core.seeds import seed_model, task_rng


@dataclass(frozen=True)
class TaskSpec:
    """Everything a worker needs for one (point, sample): plain picklable data.

    ``seed_keys`` are the model keys the study's seeds hash (frozen when it was created);
    None hashes every model value. ``scratch`` is the study's folder for the checkpoints of
    long solves (:func:`mbl.solvers.checkpoints_in`): a task whose Krylov evolution or
    POLFED solve runs longer than the solver's checkpoint interval (60 s and 300 s), and
    whose worker then dies, resumes from there when it is retried.
    """

    kind: str
    point: str
    sample: int
    seed: int
    task: dict[str, Any]
    seed_keys: tuple[str, ...] | None = None
    scratch: str | None = None

    def rng(self):
        """The generator of this task's disorder realization."""
        keys = None if self.seed_keys is None else list(self.seed_keys)
        return task_rng(self.seed, seed_model(self.task["model"], keys), self.sample)


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
    from mbl.solvers import checkpoints_in
    from mbl.study.kinds import KINDS

    start = time.perf_counter()
    try:
        with checkpoints_in(spec.scratch):
            data = KINDS[spec.kind].task(spec.task, spec.rng())
        return TaskOutcome(spec, data, time.perf_counter() - start, peak_rss())
    except Exception as exc:  # recorded in the store's failures table
        return TaskOutcome(spec, None, time.perf_counter() - start, peak_rss(),
                           f"{type(exc).__name__}: {exc}", traceback.format_exc())


def lost(spec: TaskSpec, why: str) -> TaskOutcome:
    """The outcome of a task whose worker process died under it (killed, out of memory)."""
    return TaskOutcome(spec, None, 0.0, 0, f"WorkerLost: {why}", "")
