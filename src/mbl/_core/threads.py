"""Thread pools: those of a worker process (BLAS/OpenMP and numba limited together, and the
worker's ties to its driver: signals, the driver's death), and those inside a solver call
(:class:`solver_threads`, :func:`no_oversubscription`).

Inside a solver call the rule is: the threads that run at once never exceed the cores that
other processes leave free. :func:`free_cores` measures them (the machine's CPU use over 50 ms
less this process's own, niced processes counted as free since they yield). A solver whose
numba-parallel kernels alternate with BLAS calls (POLFED on a real CSR matrix, Krylov time
evolution) runs numba on the free cores and BLAS on ``max(1, free // numba threads)`` (1 with
numba's default pool): OpenBLAS's threads otherwise spin against numba's workers after every
BLAS call (measured at L = 14: POLFED 3.8-4.8 s against 0.96 s, Krylov evolution 29 s against
0.3 s, on 2 cores). A solver where BLAS dominates and numba is not used (dense ``eigh``,
shift-invert) runs BLAS on the free cores (shift-invert on one thread below
:data:`mbl.solvers.shift_invert.SMALL_FACTORIZATION`). Threads beyond the free cores are what
costs most beside another CPU-bound process: measured at L = 16 on 2 cores beside one, POLFED
58.9 s with two threads against 25.7 s with one, shift-invert 3.47 s against 1.68 s. The
user's settings are restored when the call returns, and they are never overridden: nothing is
changed in BLAS when a BLAS thread variable (``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``,
``MKL_NUM_THREADS``, ``BLIS_NUM_THREADS``, ``VECLIB_MAXIMUM_THREADS``) is set, or when a BLAS
library runs fewer threads than it did when :mod:`mbl.solvers` was imported (an outer
``threadpoolctl.threadpool_limits``, ``mbl run --threads``), and nothing in numba when
``NUMBA_NUM_THREADS`` is set or its threads were lowered. ``mbl info`` reports the rule in
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
_depth = 0  # solver calls inside solver_threads now, all threads together
_saved: list[tuple[Any, int]] = []  # (BLAS library controller, its thread count before)
_numba_saved: int | None = None  # numba's thread count before, where the call lowered it
_share_now: int | None = None  # the BLAS count set by the call in progress, if it set one
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


def adopt_new_blas() -> None:
    """BLAS libraries loaded since :func:`blas_defaults` first looked (MUMPS's, which loads on
    first use) join the rule, their present counts as defaults; inside a solver call that
    limited BLAS they are limited the same way, and restored with the others."""
    from threadpoolctl import ThreadpoolController

    with _lock:
        libs = blas_defaults()
        known = {lib.filepath for lib, _ in libs}
        for lib in ThreadpoolController().select(user_api="blas").lib_controllers:
            if lib.filepath in known:
                continue
            libs.append((lib, lib.num_threads))
            if _share_now is not None and lib.num_threads > _share_now:
                _saved.append((lib, lib.num_threads))
                lib.set_num_threads(_share_now)


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


#: How long a measurement of the other processes' CPU use is reused, and its window.
BUSY_CACHE_S = 5.0
BUSY_WINDOW_S = 0.05
_busy: tuple[float, int] | None = None  # (when measured, free cores then)


def _cpu_ticks() -> tuple[int, int] | None:
    """(CPU ticks of the whole machine spent busy at normal priority, ticks of this process),
    from /proc; None where the platform has no /proc. Niced processes (a background campaign
    at nice 19) are not counted: they yield to this one."""
    try:
        with open("/proc/stat") as f:
            user, nice, system, idle, iowait, irq, softirq, steal = map(
                int, f.readline().split()[1:9])
        with open("/proc/self/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, ValueError):
        return None
    own = int(fields[11]) + int(fields[12])  # utime + stime, all threads
    busy = user + system + irq + softirq + steal + (nice if os.nice(0) > 0 else 0)
    return busy, own


def free_cores(refresh: bool = False) -> int:
    """Cores not used by other processes now: :func:`cores` less the CPU the rest of the
    machine used over ``BUSY_WINDOW_S`` (this process's own threads, spinning ones included,
    are not counted), at least 1; measured at most every ``BUSY_CACHE_S`` seconds."""
    global _busy
    now = time.monotonic()
    if _busy is not None and not refresh and now - _busy[0] < BUSY_CACHE_S:
        return _busy[1]
    total = cores()
    a = _cpu_ticks()
    if a is None:
        free = total
    else:
        t0 = time.monotonic()
        time.sleep(BUSY_WINDOW_S)
        b = _cpu_ticks()
        elapsed = time.monotonic() - t0
        hz = os.sysconf("SC_CLK_TCK")  # /proc is there: so is sysconf
        others = ((b[0] - a[0]) - (b[1] - a[1])) / (hz * elapsed) if b else 0.0
        free = max(1, min(total, total - int(max(0.0, others) + 0.5)))
    _busy = (now, free)
    return free


def _numba_fixed() -> bool:
    """Whether the user fixed numba's threads (the variable, or a lower count than its pool)."""
    numba = sys.modules.get("numba")
    return (numba is None or bool(os.environ.get("NUMBA_NUM_THREADS"))
            or numba.get_num_threads() < numba.config.NUMBA_NUM_THREADS)


def _pools(numba: bool, free: int) -> tuple[int, int]:
    """(numba threads, BLAS threads) of a call on ``free`` cores: numba lowered to them unless
    the user fixed it; BLAS at ``max(1, free // numba threads)`` beside numba kernels, else
    ``free``."""
    nt = _numba_threads() if _numba_fixed() else min(_numba_threads(), free)
    return nt, (max(1, free // max(1, nt)) if numba else free)


def _enter(numba: bool, limit: int | None) -> None:
    global _depth, _numba_saved, _share_now
    with _lock:
        _depth += 1
        if _depth > 1:  # nested, or another thread's solver: the limit is already in force
            return
        libs = blas_defaults()
        blas_mine = bool(libs) and pinned_by(libs) is None
        numba_mine = numba and not _numba_fixed()
        if not blas_mine and not numba_mine:
            return
        free = free_cores()
        if limit is not None:
            free = max(1, min(free, limit))
        nt, share = _pools(numba, free)
        if numba_mine and _numba_threads() > nt:
            _numba_saved = _numba_threads()
            sys.modules["numba"].set_num_threads(nt)
        if not blas_mine:
            return
        _share_now = share
        for lib, _ in libs:
            now = lib.num_threads
            if now > share:
                _saved.append((lib, now))
                lib.set_num_threads(share)


def _exit() -> None:
    global _depth, _numba_saved, _share_now
    with _lock:
        _depth -= 1
        if _depth == 0:
            _share_now = None
            while _saved:
                lib, n = _saved.pop()
                lib.set_num_threads(n)
            if _numba_saved is not None:
                sys.modules["numba"].set_num_threads(_numba_saved)
                _numba_saved = None


class solver_threads:  # noqa: N801 (a context manager, used like a function)
    """Thread pools for the duration of a solver call (the rule of the module docstring).

    Inside ``with solver_threads(numba=True):`` numba runs on at most the free cores
    (:func:`free_cores`) and BLAS on ``max(1, free // numba threads)``; with ``numba=False``
    (BLAS dominates, numba unused) BLAS runs on at most the free cores. ``limit`` lowers the
    count further (a solver that knows its problem is too small to gain from threads). A pool
    the user fixed is never changed; the previous counts are restored on exit. Nested and
    concurrent uses share one setting, made by the first to enter and lifted by the last to
    leave. The cost is a few microseconds per call, plus a ``BUSY_WINDOW_S`` measurement at
    most every ``BUSY_CACHE_S`` seconds.
    """

    __slots__ = ("limit", "numba")

    def __init__(self, numba: bool = True, limit: int | None = None) -> None:
        self.numba = bool(numba)
        self.limit = limit

    def __enter__(self) -> solver_threads:
        _enter(self.numba, self.limit)
        return self

    def __exit__(self, *exc: object) -> None:
        _exit()


def no_oversubscription(numba: bool | Callable[..., bool] = True,
                        limit: Callable[..., int | None] | None = None) -> Callable:
    """Decorator: each call of the function runs inside :class:`solver_threads`.

    ``numba`` is a bool, or a function of the call's arguments saying whether this call
    alternates numba-parallel kernels with BLAS, e.g.
    ``@no_oversubscription(numba=lambda H, *a, method="krylov", **kw: method == "krylov")``;
    ``limit``, a function of the same arguments giving the call's thread limit (or None).
    Always called with parentheses.
    """
    if not isinstance(numba, bool) and not callable(numba):
        raise TypeError("no_oversubscription(numba=...) takes a bool or a predicate")

    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            use = numba(*args, **kwargs) if callable(numba) else numba
            with solver_threads(use, limit(*args, **kwargs) if limit is not None else None):
                return fn(*args, **kwargs)
        return call
    return wrap


def solver_thread_rule() -> dict[str, Any]:
    """The rule in force inside solvers: cores, free cores now, whether the user's BLAS setting
    is kept (and why), and the threads of each pool for numba-kernel solvers and for BLAS-only
    ones."""
    libs = blas_defaults()
    reason = pinned_by(libs)
    blas_now = max((lib.num_threads for lib, _ in libs), default=None)
    free = free_cores()
    nt, share = _pools(True, free)
    mine = reason is None and blas_now is not None
    return {"cores": cores(), "free_cores": free, "pinned_by": reason,
            "numba_kernels": {"numba_threads": nt,
                              "blas_threads": min(blas_now, share) if mine else blas_now},
            "blas_only": {"numba_threads": 0,
                          "blas_threads": min(blas_now, _pools(False, free)[1]) if mine
                          else blas_now},
            "rule": "inside a solver call, threads only on the cores other processes leave "
                    "free (measured; niced ones count as free); numba-parallel solvers "
                    "(POLFED on real CSR, Krylov evolution): numba on the free cores, BLAS at "
                    "max(1, free // numba threads); BLAS-only (dense, shift-invert): BLAS on "
                    "the free cores, one thread for shift-invert below "
                    "SMALL_FACTORIZATION; never changed where the user set a pool's threads "
                    "(a *_NUM_THREADS variable, or an outer limit)"}
