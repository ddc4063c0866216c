"""Executors run task functions and hand results back to the driver, which alone writes.

The interface is :class:`Executor`: ``map_unordered(fn, items)`` yields ``(item, outcome)``
pairs as tasks finish, in any order, with at most ``max_in_flight`` tasks submitted at once (so
an interruption loses little). :class:`LocalExecutor` is a process pool;
:class:`mbl.study.dask_executor.DaskExecutor` runs the same interface on a Dask cluster.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Protocol, TypeVar

from mbl._core.errors import InputError

T = TypeVar("T")
R = TypeVar("R")

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "BLIS_NUM_THREADS", "NUMBA_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")


class Executor(Protocol):
    """What the study runner needs from an executor."""

    workers: int

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[T, R]]:
        """Run ``fn`` on every item; yield (item, fn(item)) as each finishes."""
        ...

    def close(self) -> None:
        """Release workers."""
        ...


def thread_env(threads: int) -> dict[str, str]:
    """Environment variables that limit BLAS/OpenMP/numba threads (read when those load)."""
    return {var: str(threads) for var in _THREAD_VARS}


def pin_threads(threads: int) -> None:
    """Limit BLAS/OpenMP and numba threads of this process (call in each worker)."""
    from threadpoolctl import threadpool_limits

    if mp.parent_process() is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a worker: Ctrl-C is the driver's
    env = thread_env(threads)
    if "numba" in sys.modules:
        # numba's pool size is fixed once it is imported, and numba >= 0.61 re-reads
        # NUMBA_NUM_THREADS at every compilation and refuses a value that differs from it:
        # keep the variable at the pool size and limit the threads with set_num_threads.
        env["NUMBA_NUM_THREADS"] = str(sys.modules["numba"].config.NUMBA_NUM_THREADS)
    os.environ.update(env)
    threadpool_limits(limits=threads)
    try:
        import numba

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    except (ImportError, ValueError):
        pass


class SerialExecutor:
    """Runs tasks one by one in this process (``--workers 1``), threads pinned while it runs."""

    def __init__(self, threads: int = 1) -> None:
        self.workers = 1
        self.threads = threads

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[T, R]]:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=self.threads):
            for item in items:
                yield item, fn(item)

    def close(self) -> None:
        pass


class LocalExecutor:
    """A pool of ``workers`` processes (spawned, BLAS threads pinned to ``threads`` each)."""

    def __init__(self, workers: int, threads: int = 1, max_in_flight: int | None = None) -> None:
        self.workers = workers
        self.threads = threads
        self.max_in_flight = max_in_flight or 2 * workers
        env_backup = {v: os.environ.get(v) for v in _THREAD_VARS}
        os.environ.update(thread_env(threads))  # inherited by the workers before numpy loads
        try:
            self._pool = ProcessPoolExecutor(max_workers=workers,
                                             mp_context=mp.get_context("spawn"),
                                             initializer=pin_threads, initargs=(threads,))
        finally:
            for v, old in env_backup.items():
                if old is None:
                    os.environ.pop(v, None)
                else:
                    os.environ[v] = old

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[T, R]]:
        try:
            yield from self._drain(fn, iter(items), {})
        except BaseException:  # Ctrl-C or a driver error: stop the workers, do not wait
            self._terminate()
            raise

    def _drain(self, fn: Callable[[T], R], it: Iterator[T],
               pending: dict[Future, T]) -> Iterator[tuple[T, R]]:
        exhausted = False
        while True:
            while not exhausted and len(pending) < self.max_in_flight:
                try:
                    item = next(it)
                except StopIteration:
                    exhausted = True
                    break
                pending[self._pool.submit(fn, item)] = item
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield pending.pop(fut), fut.result()

    def _terminate(self) -> None:
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            proc.terminate()
        for proc in processes:
            proc.join(timeout=5)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def make_executor(workers: int, threads: int = 1, *, dask: str | None = None) -> Executor:
    """The executor of a run.

    ``dask=None``: ``workers == 1`` runs in this process, more make a local process pool.
    ``dask="local"``: a Dask ``LocalCluster`` of ``workers`` processes. Otherwise ``dask`` is the
    address of a running Dask scheduler (``tcp://host:8786``), whose workers run the tasks.
    """
    if workers < 1:
        raise InputError(f"--workers must be >= 1, got {workers}")
    if dask is None:
        return SerialExecutor(threads) if workers == 1 else LocalExecutor(workers, threads)
    try:
        from mbl.study.dask_executor import DaskExecutor
    except ModuleNotFoundError as exc:
        if exc.name not in ("dask", "distributed"):
            raise
        raise InputError(f"the Dask executor needs the '{exc.name}' package: "
                         "pip install 'mbl[dask]'") from None
    if dask == "local":
        return DaskExecutor.local(workers, threads)
    return DaskExecutor.connect(dask, threads)
