"""Thread pools of a worker process: BLAS/OpenMP and numba limited together, and the
worker's ties to its driver (signals, the driver's death)."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import threading
import time

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
