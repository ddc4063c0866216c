"""Executors run task functions and hand results back to the driver, which alone writes.

The interface is :class:`Executor`: ``map_unordered(fn, items)`` yields ``(item, outcome)``
pairs as tasks finish, in any order, with at most ``max_in_flight`` tasks submitted at once (so
an interruption loses little). :class:`LocalExecutor` is a process pool;
:class:`mbl.study.dask_executor.DaskExecutor` runs the same interface on a Dask cluster.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol, TypeVar

from mbl._core.errors import InputError, MBLError
from mbl._core.threads import _THREAD_VARS, pool_worker, thread_env

_END = object()
T = TypeVar("T")
R = TypeVar("R")

class Executor(Protocol):
    """What the study runner needs from an executor."""

    workers: int

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T], *,
                      lost: Callable[[T, str], R] | None = None) -> Iterator[tuple[T, R]]:
        """Run ``fn`` on every item; yield (item, fn(item)) as each finishes. An item whose
        worker died yields ``lost(item, why)`` (without ``lost``, the loss raises)."""
        ...

    def close(self) -> None:
        """Release workers."""
        ...


class SerialExecutor:
    """Runs tasks one by one in this process (``--workers 1``), threads pinned while it runs."""

    def __init__(self, threads: int = 1) -> None:
        self.workers = 1
        self.threads = threads

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T], *,
                      lost: Callable[[T, str], R] | None = None) -> Iterator[tuple[T, R]]:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=self.threads):
            for item in items:
                yield item, fn(item)

    def close(self) -> None:
        pass


class LocalExecutor:
    """A pool of ``workers`` processes (spawned, BLAS threads pinned to ``threads`` each).

    A worker that dies (``kill -9``, the kernel's out-of-memory killer) breaks the pool: the
    items in flight are handed to ``lost`` and a new pool takes the rest. Workers end with
    the driver, however it ends.
    """

    def __init__(self, workers: int, threads: int = 1, max_in_flight: int | None = None) -> None:
        self.workers = workers
        self.threads = threads
        self.max_in_flight = max_in_flight or 2 * workers
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        env_backup = {v: os.environ.get(v) for v in _THREAD_VARS}
        os.environ.update(thread_env(self.threads))  # inherited by the workers before numpy
        try:
            return ProcessPoolExecutor(max_workers=self.workers,
                                       mp_context=mp.get_context("spawn"),
                                       initializer=pool_worker, initargs=(self.threads,))
        finally:
            for v, old in env_backup.items():
                if old is None:
                    os.environ.pop(v, None)
                else:
                    os.environ[v] = old

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T], *,
                      lost: Callable[[T, str], R] | None = None) -> Iterator[tuple[T, R]]:
        try:
            yield from self._drain(fn, iter(items), lost)
        except BaseException:  # Ctrl-C, SIGTERM or a driver error: stop the workers at once
            self._terminate()
            raise

    def _drain(self, fn: Callable[[T], R], it: Iterator[T],
               lost: Callable[[T, str], R] | None) -> Iterator[tuple[T, R]]:
        pending: dict[Future, T] = {}
        waiting: list[T] = []  # taken from ``it`` but refused by a pool found broken
        while True:
            broken = False
            while not broken and len(pending) < self.max_in_flight:
                if not waiting:
                    item = next(it, _END)
                    if item is _END:
                        break
                    waiting.append(item)
                try:
                    pending[self._pool.submit(fn, waiting[-1])] = waiting[-1]
                    waiting.pop()
                except BrokenProcessPool:
                    broken = True
            if not pending and not broken:
                return
            if not broken:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    item = pending.pop(fut)
                    try:
                        yield item, fut.result()
                    except BrokenProcessPool:
                        broken = True
                        yield item, self._lost(lost, item, "its worker process died (killed, "
                                               "or out of memory)")
            if broken:  # every future of a broken pool fails: hand them back, start afresh
                for fut, item in pending.items():
                    if fut.done() and not isinstance(fut.exception(), BrokenProcessPool):
                        yield item, fut.result()
                    else:
                        yield item, self._lost(lost, item, "a worker of its pool died")
                pending.clear()
                self._terminate()
                self._pool = self._start()

    @staticmethod
    def _lost(lost: Callable[[T, str], R] | None, item: T, why: str) -> R:
        if lost is None:
            raise MBLError(f"{why}; every finished task is stored: run the same command to "
                           "resume")
        return lost(item, why)

    def _terminate(self) -> None:
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            proc.kill()
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
