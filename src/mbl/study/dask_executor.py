"""The ``dask`` executor: a study's tasks on a Dask ``distributed`` cluster (docs/studies.md).

Workers compute; results stream back to the driver, which alone writes the store. At most
``max_in_flight`` futures exist at once, each a batch of tasks worth about ``TARGET_S`` seconds,
so a study of 10^6 tasks floods neither the scheduler nor the driver, and short tasks do not
drown in scheduling overhead. A worker that dies mid-task has its batch recomputed elsewhere by
the scheduler (up to ``distributed.scheduler.allowed-failures`` deaths per future); a batch
lost beyond that is handed back as lost tasks, which the runner records and retries like failed
ones. A cluster that had workers and has had none for ``NO_WORKERS_S`` seconds
(``LOCAL_NO_WORKERS_S`` for a local cluster of this driver's) ends the run with a message,
never a hang. A task that raises is not an executor fault: ``execute`` returns it as data.

This module imports ``distributed`` at load; :func:`mbl.study.executors.make_executor` imports
it only when a Dask run is asked for, so ``import mbl`` never needs Dask.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import dask
from distributed import Client, Future, LocalCluster, wait
from distributed.comm.core import CommClosedError
from distributed.diagnostics.plugin import WorkerPlugin

from mbl._core.errors import InputError, MBLError
from mbl._core.threads import pin_threads, thread_env

T = TypeVar("T")
R = TypeVar("R")

CONNECT_TIMEOUT = "10s"
RECOUNT_S = 10.0
TARGET_S = 0.5
MAX_BATCH = 64
POLL_S = 2.0
NO_WORKERS_S = 60.0
LOCAL_NO_WORKERS_S = 10.0
_END: Any = object()


class PinThreads(WorkerPlugin):
    """Pins BLAS/OpenMP/numba threads on every worker, those that join later included."""

    name = "mbl-pin-threads"

    def __init__(self, threads: int) -> None:
        self.threads = threads

    def setup(self, worker: Any) -> None:
        pin_threads(self.threads)


def _register(client: Client, plugin: WorkerPlugin, attempts: int = 3) -> None:
    """Registers ``plugin`` with the scheduler, which keeps it for workers that join later.

    The scheduler stores the plugin and then sends it to every current worker; a worker that
    leaves during that broadcast (a cluster scaling down, a SLURM job ending) makes the
    scheduler drop the connection, although the plugin is stored. Registering again on a fresh
    connection reaches the workers that remain; ``attempts`` failures in a row are a fault.
    """
    for attempt in range(attempts):
        try:
            client.register_plugin(plugin)
            return
        except (CommClosedError, OSError) as exc:
            if attempt == attempts - 1:
                raise MBLError(f"the Dask scheduler dropped the connection {attempts} times "
                               f"while installing the thread pinning on its workers ({exc}); "
                               "check that the scheduler is alive and its workers are not "
                               "being restarted, then run again") from None
            time.sleep(0.5 * (attempt + 1))


class DaskExecutor:
    """Runs tasks on the workers of a Dask ``Client``; owns (and closes) what it started.

    ``workers`` is the number of worker threads (one future each), counted again every
    ``RECOUNT_S`` seconds during a run, since a cluster grows and shrinks (SLURM jobs start,
    end); unless ``max_in_flight`` is given, at most four futures per worker thread are in
    flight. A future carries a batch of up to ``max_batch`` tasks of one grid point, sized to
    take about ``TARGET_S`` seconds (see :class:`_Batches`). Build it with :meth:`local` or
    :meth:`connect`, or wrap a client of your own.
    """

    def __init__(self, client: Client, threads: int = 1, max_in_flight: int | None = None,
                 max_batch: int = MAX_BATCH, *, cluster: LocalCluster | None = None,
                 owns_client: bool = False) -> None:
        self.client = client
        self.max_batch = max_batch
        self._max_in_flight = max_in_flight
        self._cluster = cluster
        self._owns_client = owns_client
        self._count_workers()
        self._seen_workers = bool(client.nthreads())
        _quiet_abandoned_gathers(client)
        _register(client, PinThreads(threads))

    def _count_workers(self) -> None:
        self.workers = max(1, sum(self.client.nthreads().values()))
        self._counted = time.monotonic()

    @property
    def max_in_flight(self) -> int:
        if self._max_in_flight is not None:
            return self._max_in_flight
        if time.monotonic() > self._counted + RECOUNT_S:
            self._count_workers()
        return 4 * self.workers

    @classmethod
    def local(cls, workers: int, threads: int = 1) -> DaskExecutor:
        """Start a ``LocalCluster`` of ``workers`` processes with one task thread each."""
        # Set before the workers start (so before numpy loads): threads pinned, and glibc's own
        # malloc trimming rather than Dask's eager MALLOC_TRIM_THRESHOLD_ = 64 KiB, which makes
        # the large short-lived arrays of a dense diagonalization ~10% slower (measured, L = 8).
        env = {k: v for k, v in dask.config.get("distributed.nanny.pre-spawn-environ").items()
               if k != "MALLOC_TRIM_THRESHOLD_"} | thread_env(threads)
        try:
            with dask.config.set({"distributed.nanny.pre-spawn-environ": env}):
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=logging.CRITICAL)
        except (RuntimeError, OSError, TimeoutError) as exc:  # the nannies died starting
            raise MBLError(f"the local Dask cluster failed to start ({exc}); its worker "
                           "processes died while starting: check memory and process limits, "
                           "or run with --workers N instead") from None
        try:
            client = Client(cluster)
        except BaseException:
            cluster.close()
            raise
        return cls._owning(client, threads, cluster)

    @classmethod
    def connect(cls, address: str, threads: int = 1) -> DaskExecutor:
        """Connect to the running scheduler at ``address`` (e.g. ``tcp://host:8786``)."""
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, ValueError, TypeError) as exc:
            raise InputError(
                f"cannot reach a Dask scheduler at {address!r} ({type(exc).__name__}: {exc}); "
                "check the address (tcp://host:8786) and that the scheduler runs "
                "('dask scheduler', or a dask-jobqueue cluster's scheduler_address)") from None
        return cls._owning(client, threads)

    @classmethod
    def _owning(cls, client: Client, threads: int,
                cluster: LocalCluster | None = None) -> DaskExecutor:
        """An executor that closes ``client`` (and ``cluster``), also if it fails to start."""
        try:
            return cls(client, threads, cluster=cluster, owns_client=True)
        except BaseException:
            client.close()
            if cluster is not None:
                cluster.close()
            raise

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T], *,
                      lost: Callable[[T, str], R] | None = None) -> Iterator[tuple[T, R]]:
        batches = _Batches(items, self.max_batch)
        pending: dict[Future, list[T]] = {}
        workerless_since: float | None = None

        def top_up() -> None:
            while len(pending) < self.max_in_flight and (batch := batches.take()):
                pending[self.client.submit(_run_batch, fn, batch, pure=False)] = batch

        top_up()
        while pending:
            try:
                finished = wait(list(pending), timeout=POLL_S, return_when="FIRST_COMPLETED").done
            except TimeoutError:
                finished = set()
            if not finished:
                workerless_since = self._check_workers(workerless_since)
                continue
            workerless_since = None
            for future in finished:
                batch = pending.pop(future)
                try:
                    results, seconds = self._fetch(future)
                except TimeoutError:
                    raise
                except Exception as exc:  # the cluster lost the batch (its workers died)
                    if lost is None:
                        raise MBLError(_lost_message(exc)) from exc
                    yield from ((item, lost(item, _lost_message(exc))) for item in batch)
                    continue
                batches.timed(batch, seconds)
                yield from zip(batch, results, strict=True)
            top_up()

    def _fetch(self, future: Future) -> Any:
        """The future's result; a result lost with its worker is recomputed by the scheduler,
        so the wait is bounded by the same no-worker rule."""
        since: float | None = None
        while True:
            with contextlib.suppress(TimeoutError):
                wait([future], timeout=POLL_S)
                return future.result(timeout=POLL_S)  # lost again between wait and fetch
            since = self._check_workers(since)

    def _check_workers(self, since: float | None) -> float | None:
        """Raise once a cluster that had workers has had none for ``no_workers_s`` seconds
        (a cluster still waiting for its first worker, a batch queue, is left to wait)."""
        if self.client.nthreads():  # workers registered with the scheduler
            self._seen_workers = True
            return None
        now = time.monotonic()
        limit = NO_WORKERS_S if self._cluster is None else LOCAL_NO_WORKERS_S
        if self._seen_workers and since is not None and now - since > limit:
            raise MBLError(
                f"the Dask cluster has had no workers for {limit:.0f} s (they died or were "
                "stopped, and none joined); every finished task is stored: restart the workers "
                "(or check their memory limits) and run the same command to resume")
        return now if since is None else since

    def close(self) -> None:
        """Close the client, then the cluster this executor started (never a foreign one)."""
        if self._owns_client:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()


class _Batches:
    """Cuts the items into batches, each of one grid point (the items' ``point``, if any), sized
    so that a batch takes about ``TARGET_S`` by that point's measured seconds per item; a
    point's first batch is one item. Short tasks then cost the scheduler one future per
    ``TARGET_S``, not one each, and long ones go alone."""

    def __init__(self, items: Iterable[T], max_batch: int) -> None:
        self._it = iter(items)
        self._next = next(self._it, _END)
        self.max_batch = max_batch
        self.per_item: dict[Any, float] = {}

    def take(self) -> list:
        if self._next is _END:
            return []
        key = _point(self._next)
        per_item = self.per_item.get(key)
        size = 1 if per_item is None else int(TARGET_S / max(per_item, 1e-9))
        size = min(max(size, 1), self.max_batch)
        batch = []
        while self._next is not _END and _point(self._next) == key and len(batch) < size:
            batch.append(self._next)
            self._next = next(self._it, _END)
        return batch

    def timed(self, batch: list, seconds: float) -> None:
        self.per_item[_point(batch[0])] = seconds / len(batch)


def _point(item: Any) -> Any:
    return getattr(item, "point", None)


def _run_batch(fn: Callable[[T], R], batch: list[T]) -> tuple[list[R], float]:
    """On a worker: ``fn`` on each item, and the seconds they took together."""
    start = time.perf_counter()
    results = [fn(item) for item in batch]
    return results, time.perf_counter() - start


def _quiet_abandoned_gathers(client: Client) -> None:
    """A fetch given up after its timeout leaves a gather task that fails with ``AllExit``
    when the client closes; asyncio would print its traceback."""
    loop = getattr(client.loop, "asyncio_loop", None)
    if loop is None:
        return

    def handler(loop: Any, context: dict) -> None:
        if type(context.get("exception")).__name__ != "AllExit":
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)


def _lost_message(exc: BaseException) -> str:
    return (f"the Dask cluster lost the task ({type(exc).__name__}: {exc}); a task that kills "
            "its worker repeatedly usually exceeds the worker's memory limit")
