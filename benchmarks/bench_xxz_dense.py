"""The whole dense many-body pipeline against bare LAPACK ``eigh``, and its peak memory.

At L = 14 (S^z = 0, N = 3432), one BLAS thread: (1) LAPACK ``dsyevd`` with vectors on the
dense Hamiltonian, called directly; (2) the mbl study task: build H, dense eigh with vectors,
gap ratios, half-chain entanglement and participation entropies for ALL eigenstates. Prints
the overhead (2)/(1) - 1 and the peak RSS of a fresh process running (2) against 8 N^2 bytes.
Not a test.

Usage: python3 benchmarks/bench_xxz_dense.py [L]
"""

from __future__ import annotations

import subprocess
import sys
import time

from scipy.linalg import lapack
from threadpoolctl import threadpool_limits

from mbl.study.config import parse_config
from mbl.study.execute import TaskSpec, execute


def spec(L: int) -> TaskSpec:
    cfg = parse_config({
        "study": {"kind": "spectrum", "seed": 1, "samples": 1},
        "model": {"name": "xxz", "L": L, "W": 3.0},
        "solver": {"method": "dense", "energy_density": 0.5},
        "observables": {"names": ["gap_ratio", "entanglement", "participation_entropy"],
                        "energy_window": 1.0}})
    p = cfg.points()[0]
    return TaskSpec("spectrum", p.key, 0, cfg.seed, p.as_task())


PEAK = """
import resource, sys
sys.path[:0] = {path!r}
from bench_xxz_dense import spec
from mbl.study.execute import execute
from threadpoolctl import threadpool_limits
task = spec({L})
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with threadpool_limits(1):
    out = execute(task)
assert out.error is None, out.error
print(base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def main(L: int = 14) -> None:
    from mbl._core.seeds import task_rng
    from mbl.study.models import model_params

    # first, while this process is small: a forked child inherits the parent's peak RSS
    base, peak = (int(v) / 1024 for v in subprocess.run(
        [sys.executable, "-c", PEAK.format(path=sys.path[:1], L=L)], capture_output=True,
        text=True, check=True).stdout.split()[-2:])
    s = spec(L)
    H = model_params(s.task["model"]).hamiltonian(task_rng(s.seed, s.task["model"], 0)).toarray()
    n = H.shape[0]
    with threadpool_limits(1):
        execute(s)  # warm-up (numba cache)
        t0 = time.perf_counter()
        lapack.dsyevd(H, compute_v=1)
        t_lapack = time.perf_counter() - t0
        t0 = time.perf_counter()
        out = execute(s)
        t_task = time.perf_counter() - t0
    assert out.error is None, out.error
    dense = 8 * n * n / 2**20
    print(f"XXZ L = {L}, S^z = 0, N = {n}, 1 BLAS thread, observables on all {n} eigenstates")
    print(f"  LAPACK dsyevd (vectors)   {t_lapack:7.2f} s")
    print(f"  mbl pipeline              {t_task:7.2f} s   overhead {t_task / t_lapack - 1:+.1%}")
    print(f"  peak RSS {peak:.0f} MiB (interpreter+imports {base:.0f} MiB): "
          f"{(peak - base) / dense:.2f} x 8 N^2 ({dense:.0f} MiB) above the baseline")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
