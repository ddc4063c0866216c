"""Transfer-matrix speed: slices per second at M = 8, 12, 16 (3D bars) and the flop rate
achieved, as a fraction of this machine's single-thread dgemm rate measured in the same run.

Per slice: the sparse slice product (~ 2 m k (z + 1) flops, z = 4 transverse neighbours) and,
every ``qr_every`` slices, a Householder QR of the 2m x k block (~ 2 (2m) k^2 - 2/3 k^3 flops),
with m = k = M^2. Rows: the previous version (numba Householder QR every 8 slices), the current
kernel (Cholesky QR on BLAS-3 above 32 columns) every 8 slices, and with the automatic interval
(``auto_qr_every``: as seldom as the spread of the exponents allows), at W = 16.5, E = 0.
For orientation (issue 5): a simple numba kernel with a QR every 8 slices took 169 us per
slice at M = 12 here. Not a test.

Usage: python3 benchmarks/bench_tmm.py [M ...]
"""

from __future__ import annotations

import sys
import time

import numpy as np
import scipy.linalg  # noqa: F401  (load scipy's BLAS, which numba's QR uses, before pinning)
from threadpoolctl import threadpool_limits

from mbl.transfer.lyapunov import (
    WARMUP_QR_EVERY,
    _block,
    _block_numba,
    _neighbours,
    auto_qr_every,
)


def dgemm_rate(n: int = 1024) -> float:
    a = np.random.default_rng(0).standard_normal((n, n))
    a @ a
    t = time.perf_counter()
    a @ a
    return 2 * n**3 / (time.perf_counter() - t)


def main(sizes: list[int]) -> None:
    with threadpool_limits(1):
        peak = dgemm_rate()
        print(f"single-thread dgemm: {peak / 1e9:.1f} GFlop/s")
        print(f"{'M':>3} {'m':>5} {'kernel':>16} {'QR every':>8} {'us/slice':>9} {'slices/s':>9} "
              f"{'GFlop/s':>8} {'of dgemm':>9}")
        for M in sizes:
            m = M * M
            ptr, idx = _neighbours(3, M, "periodic")
            rng = np.random.default_rng(M)
            q, _ = np.linalg.qr(rng.standard_normal((2 * m, m)))
            A, B = np.ascontiguousarray(q[:m]), np.ascontiguousarray(q[m:])
            n = max(512, 40000 // m)
            eps = rng.uniform(-8.25, 8.25, (n, m))
            A, B, logs = _block(A, B, eps, 0.0, ptr, idx, WARMUP_QR_EVERY)  # warm-up
            runs = [("previous (numba)", _block_numba, 8), ("current", _block, 8),
                    ("current, auto q", _block, auto_qr_every(logs / n))]
            for label, kernel, qr_every in runs:
                kernel(A, B, eps[:qr_every], 0.0, ptr, idx, qr_every)  # compiled, warm
                t = time.perf_counter()
                kernel(A, B, eps, 0.0, ptr, idx, qr_every)
                dt = (time.perf_counter() - t) / n
                flops = 2 * m * m * 5 + (2 * (2 * m) * m * m - 2 / 3 * m**3) / qr_every
                print(f"{M:>3} {m:>5} {label:>16} {qr_every:>8} {dt * 1e6:>9.1f} {1 / dt:>9.0f} "
                      f"{flops / dt / 1e9:>8.2f} {flops / dt / peak:>9.1%}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [8, 12, 16])
