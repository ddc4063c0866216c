"""Throughput of the Dask executor with 1 and 2 workers, and its per-task overhead against the
local process pool, on a study of many short tasks (3D Anderson, L = 8, eigenvalues only:
about 13 ms a task on one core).

Each executor is started and its workers warmed (processes up, task code imported; reported
apart as start-up), then ``run_study`` computes the whole study into a fresh store; the driver
writes every result as it arrives, as in a real run.
Per-task overhead = (wall time x workers - summed task time) / tasks: the worker time per task
not spent computing (scheduling, transfer, the driver's store writes, idle slots). On a machine
with as many cores as workers, the driver and the Dask scheduler compete with the workers for
CPU, which shows up here as overhead; the driver's CPU time per task (for ``dask`` it includes
the scheduler, which a ``LocalCluster`` runs in the driver) is the part of it that other load
on the machine does not distort. Not a test: timings never gate CI.

Usage: python3 benchmarks/bench_dask.py [tasks] [L]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mbl.study.config import StudyConfig, parse_config
from mbl.study.dask_executor import DaskExecutor
from mbl.study.executors import Executor, LocalExecutor
from mbl.study.runner import run_study
from mbl.study.store import Store


def study(tasks: int, L: int) -> StudyConfig:
    points = 10
    return parse_config({
        "study": {"kind": "spectrum", "seed": 1, "samples": tasks // points},
        "model": {"name": "anderson", "d": 3, "L": L, "bc": "periodic"},
        "grid": {"W": [12.0 + 0.5 * i for i in range(points)]},
        "solver": {"method": "dense"},
        "observables": {"names": ["gap_ratio"]}})


def warm(seconds: float) -> None:
    """Import the task code and stay busy a moment, so that every worker starts and loads it."""
    import mbl.study.runner  # noqa: F401

    time.sleep(seconds)


def unbatched(ex: DaskExecutor) -> DaskExecutor:
    """One future per task (no batching), to show what batching saves."""
    ex.max_batch = 1
    return ex


def measure(start: Callable[[], Executor], cfg: StudyConfig, directory: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    ex = start()
    for _ in ex.map_unordered(warm, [0.5] * ex.workers):
        pass
    t1, cpu = time.perf_counter(), time.process_time()
    try:
        run_study(cfg, directory, executor=ex)
    finally:
        wall, cpu = time.perf_counter() - t1, time.process_time() - cpu
        ex.close()
    with Store(directory) as store:
        mean, _, count = store.timing()
    return {"workers": ex.workers, "startup": t1 - t0, "wall": wall, "rate": count / wall,
            "task_ms": 1e3 * mean, "overhead_ms": 1e3 * (wall * ex.workers - mean * count) / count,
            "driver_ms": 1e3 * cpu / count}


def main(tasks: int = 2000, L: int = 8) -> None:
    cfg = study(tasks, L)
    executors: dict[str, Callable[[], Executor]] = {
        "local 1": lambda: LocalExecutor(1), "local 2": lambda: LocalExecutor(2),
        "dask 1": lambda: DaskExecutor.local(1), "dask 2": lambda: DaskExecutor.local(2),
        "dask 2 *": lambda: unbatched(DaskExecutor.local(2))}
    print(f"{cfg.n_tasks} tasks, 3D Anderson L = {L} (N = {L**3}), dense, eigenvalues only; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before")
    print(f"{'executor':<9} {'start s':>8} {'wall s':>7} {'tasks/s':>8} {'task ms':>8} "
          f"{'overhead ms/task':>17} {'driver CPU ms/task':>19}")
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, start) in enumerate(executors.items()):
            rows[name] = r = measure(start, cfg, Path(tmp) / f"run{i}")
            print(f"{name:<9} {r['startup']:>8.2f} {r['wall']:>7.2f} {r['rate']:>8.1f} "
                  f"{r['task_ms']:>8.2f} {r['overhead_ms']:>17.3f} {r['driver_ms']:>19.3f}")
    print("* one future per task (batching off)")
    print(f"load average {os.getloadavg()[0]:.2f} after (other work on this machine slows the "
          "runs that overlap it)")
    for kind in ("local", "dask"):
        print(f"{kind}: throughput 2 workers / 1 worker = "
              f"{rows[f'{kind} 2']['rate'] / rows[f'{kind} 1']['rate']:.2f}")
    for n in (1, 2):
        extra = rows[f"dask {n}"]["overhead_ms"] - rows[f"local {n}"]["overhead_ms"]
        print(f"{n} worker(s): dask overhead - local overhead = {extra:+.3f} ms per task")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
