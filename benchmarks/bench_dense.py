"""Time of a dense Anderson study task relative to bare LAPACK on the same matrix.

Runs, in one process with BLAS pinned to one thread (as a study worker does):

1. bare LAPACK ``dsyevr`` (values only) on the dense Hamiltonian, called directly through
   ``scipy.linalg.lapack``;
2. ``numpy.linalg.eigvalsh`` on the same matrix;
3. the whole study task (``mbl.study.execute.execute``): draw the disorder, build the sparse
   Hamiltonian, densify, diagonalize, gap ratios in the window.

and prints the ratios task / LAPACK. Not a test: timings never gate CI.

Usage: python3 benchmarks/bench_dense.py [L] [repeats]
"""

from __future__ import annotations

import sys
import time

import numpy as np
import scipy
from scipy.linalg import lapack
from threadpoolctl import threadpool_limits

from mbl.study.config import parse_config
from mbl.study.execute import TaskSpec, execute


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(L: int = 16, repeats: int = 3) -> None:
    cfg = parse_config({"study": {"kind": "spectrum", "seed": 1, "samples": 1},
                        "model": {"name": "anderson", "d": 3, "L": L, "W": 16.5},
                        "solver": {"method": "dense", "energy": 0.0},
                        "observables": {"names": ["gap_ratio"], "energy_window": 0.2}})
    point = cfg.points()[0]
    spec = TaskSpec("spectrum", point.key, 0, cfg.seed, point.as_task())
    from mbl._core.seeds import task_rng
    from mbl.study.models import model_params

    H = model_params(point.model).build().hamiltonian(
        rng=task_rng(cfg.seed, point.model, 0)).toarray()
    with threadpool_limits(1):
        t_lapack = best_of(lambda: lapack.dsyevr(H, compute_v=0), repeats)
        t_numpy = best_of(lambda: np.linalg.eigvalsh(H), repeats)
        t_task = best_of(lambda: execute(spec), repeats)
    w_task = execute(spec)
    assert w_task.error is None, w_task.error
    print(f"dense Anderson task, d = 3, L = {L}, N = {L**3}, 1 BLAS thread, best of {repeats}")
    print(f"scipy {scipy.__version__}, numpy {np.__version__}")
    print(f"  LAPACK dsyevr (values)    {t_lapack:8.3f} s   1.00")
    print(f"  numpy.linalg.eigvalsh     {t_numpy:8.3f} s   {t_numpy / t_lapack:.2f}")
    print(f"  mbl study task            {t_task:8.3f} s   {t_task / t_lapack:.2f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
