"""Thread pools: those of a worker process (BLAS/OpenMP and numba limited together, and the
worker's ties to its driver: signals, the driver's death), and those inside a solver call
(:class:`solver_threads`, :func:`no_oversubscription`).

Inside a solver call the rule is: the product of the thread pools that run at once never
exceeds the cores. A solver whose numba-parallel kernels alternate with BLAS calls (POLFED on
a real CSR matrix, Krylov time evolution) runs with BLAS limited to
``max(1, cores // numba threads)`` threads (1 with numba's default pool) for the duration of
the call, numba keeping its threads: OpenBLAS's threads otherwise spin against numba's
workers after every BLAS call (measured at L = 14: POLFED 3.8-4.8 s against 0.96 s, Krylov
evolution 29 s against 0.3 s, on 2 cores). A solver where BLAS dominates and numba is not
used (dense ``eigh``, shift-invert) leaves BLAS its threads. The user's settings are restored
when the call returns, and they are never overridden: nothing is changed when a BLAS thread
variable (``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``,
``BLIS_NUM_THREADS``, ``VECLIB_MAXIMUM_THREADS``) is set, or when a BLAS library runs fewer
threads than it did when :mod:`mbl.solvers` was imported (an outer
``threadpoolctl.threadpool_limits``, ``mbl run --threads``). ``mbl info`` reports the rule in
force.
"""

from __future__ import annotations

import functools
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "BLIS_NUM_THREADS", "NUMBA_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")


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


def _watch_parent(parent: int, interval: float) -> None:
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(1)  # the driver is gone: nobody will read what this worker computes


def pool_worker(threads: int) -> None:
    """Initializer of a local pool worker: threads pinned, the driver's signals left to the
    driver (it stops its workers itself), and the worker ends within a second of the driver's
    death, however the driver died (``kill -9`` included)."""
    pin_threads(threads)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(os.getppid(), 0.5), daemon=True,
                     name="mbl-parent-watch").start()


# --- thread pools inside a solver call -------------------------------------------------------

#: Environment variables through which a user fixes the BLAS/OpenMP thread count.
BLAS_VARS = tuple(v for v in _THREAD_VARS if v != "NUMBA_NUM_THREADS")

_lock = threading.Lock()
_depth = 0  # solver calls inside solver_threads(numba=True) now, all threads together
_saved: list[tuple[Any, int]] = []  # (BLAS library controller, its thread count before)
_libs: list[tuple[Any, int]] | None = None  # (BLAS library controller, its default count)


def cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform tells)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def blas_defaults(refresh: bool = False) -> list[tuple[Any, int]]:
    """The BLAS libraries loaded now (threadpoolctl controllers, found once and cached) and the
    thread count each had when first looked at: its default, unless a limit was already in
    force then. :mod:`mbl.solvers` looks at import, before any solver call; ``refresh``
    looks again (libraries loaded since, defaults read anew)."""
    global _libs
    if _libs is None or refresh:
        from threadpoolctl import ThreadpoolController

        found = ThreadpoolController().select(user_api="blas").lib_controllers
        _libs = [(lib, lib.num_threads) for lib in found]
    return _libs


def _numba_threads() -> int:
    numba = sys.modules.get("numba")
    return numba.get_num_threads() if numba is not None else cores()


def pinned_by(libs: list[tuple[Any, int]] | None = None) -> str | None:
    """Why the BLAS thread count counts as the user's (never overridden), or None."""
    for var in BLAS_VARS:
        if os.environ.get(var):
            return f"{var}={os.environ[var]}"
    for lib, default in blas_defaults() if libs is None else libs:
        now = lib.num_threads
        if now < default:
            return f"a limit in force ({lib.internal_api} at {now} of {default} threads)"
    return None


def _enter() -> None:
    global _depth
    with _lock:
        _depth += 1
        if _depth > 1:  # nested, or another thread's solver: the limit is already in force
            return
        libs = blas_defaults()
        if not libs or pinned_by(libs) is not None:
            return
        share = max(1, cores() // max(1, _numba_threads()))
        for lib, _ in libs:
            now = lib.num_threads
            if now > share:
                _saved.append((lib, now))
                lib.set_num_threads(share)


def _exit() -> None:
    global _depth
    with _lock:
        _depth -= 1
        if _depth == 0:
            while _saved:
                lib, n = _saved.pop()
                lib.set_num_threads(n)


class solver_threads:  # noqa: N801 (a context manager, used like a function)
    """Thread pools for the duration of a solver call (the rule of the module docstring).

    ``with solver_threads(numba=True):`` limits BLAS to ``max(1, cores // numba threads)``
    unless the user fixed its threads, and restores the previous counts on exit; with
    ``numba=False`` (BLAS dominates, numba unused) it changes nothing. Nested and concurrent
    uses share one limit, set by the first to enter and lifted by the last to leave. The cost
    is a few microseconds per call (the BLAS controllers are found once, see
    :func:`blas_defaults`).
    """

    __slots__ = ("numba",)

    def __init__(self, numba: bool = True) -> None:
        self.numba = bool(numba)

    def __enter__(self) -> solver_threads:
        if self.numba:
            _enter()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.numba:
            _exit()


def no_oversubscription(numba: bool | Callable[..., bool] = True) -> Callable:
    """Decorator: each call of the function runs inside :class:`solver_threads`.

    ``numba`` is a bool, or a function of the call's arguments saying whether this call
    alternates numba-parallel kernels with BLAS, e.g.
    ``@no_oversubscription(numba=lambda H, *a, method="krylov", **kw: method == "krylov")``.
    Always called with parentheses.
    """
    if not isinstance(numba, bool) and not callable(numba):
        raise TypeError("no_oversubscription(numba=...) takes a bool or a predicate")

    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            use = numba(*args, **kwargs) if callable(numba) else numba
            with solver_threads(use):
                return fn(*args, **kwargs)
        return call
    return wrap


def solver_thread_rule() -> dict[str, Any]:
    """The rule in force inside solvers: cores, whether the user's BLAS setting is kept (and
    why), and the threads of each pool for numba-kernel solvers and for BLAS-only ones."""
    libs = blas_defaults()
    reason = pinned_by(libs)
    blas_now = max((lib.num_threads for lib, _ in libs), default=None)
    nt = _numba_threads()
    share = max(1, cores() // max(1, nt))
    blas_numba = blas_now if reason is not None or blas_now is None else min(blas_now, share)
    return {"cores": cores(), "pinned_by": reason,
            "numba_kernels": {"numba_threads": nt, "blas_threads": blas_numba},
            "blas_only": {"numba_threads": 0, "blas_threads": blas_now},
            "rule": "numba-parallel solvers (POLFED on real CSR, Krylov evolution): BLAS at "
                    "max(1, cores // numba threads) for the call, numba unchanged; BLAS-only "
                    "(dense, shift-invert): unchanged; never changed when the user set BLAS "
                    "threads (a *_NUM_THREADS variable, or an outer limit)"}
