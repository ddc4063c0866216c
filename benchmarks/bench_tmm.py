"""Transfer-matrix speed: microseconds per slice at M = 8, 12, 16 (3D bars, W = 16.5, E = 0),
the old and the new kernel side by side in one run, and the flop rate achieved as a fraction
of this machine's single-thread dgemm rate measured in the same run.

Per slice: the sparse slice product (~ 2 m k (z + 1) flops, z = 4 transverse neighbours) and,
every ``qr_every`` slices, a QR of the 2m x k block (~ 2 (2m) k^2 - 2/3 k^3 flops, the
Householder count, used for every row), with m = k = M^2. Rows:

- "old": the previous wide-bar kernel, copied below (slice loop with one store per neighbour;
  Cholesky QR with a second pass whenever diag R spread by more than 1e4, 97% of the calls at
  M = 12, and Householder where the Gram matrix was not definite), at its automatic interval
  (``auto_qr_every`` with ``QR_SPREAD``) and at the new one;
- "new": ``_block`` of the package at its automatic interval (``CHOLESKY_SPREAD``): fused
  slice loop, one Cholesky pass unless Q's orthogonality defect needs a second
  (see ``_cholesky_qr``).

Same slices for every row; the contenders are interleaved, best of ``rounds``. Times are the
CPU time of this (single-threaded) process, which a shared, oversubscribed machine disturbs
far less than wall time (also shown); "/ old" is each row's time over the old kernel's at
its own interval. For orientation
(issue 5): a simple numba kernel with a Householder QR every 8 slices took 169 us per slice at
M = 12 here. Not a test.

Usage: python3 benchmarks/bench_tmm.py [rounds [M ...]]
"""

from __future__ import annotations

import sys
import time

import numba
import numpy as np
import scipy.linalg  # noqa: F401  (load scipy's BLAS, which numba's QR uses, before pinning)
from threadpoolctl import threadpool_limits

from mbl.transfer.lyapunov import (
    CHOLESKY_SPREAD,
    WARMUP_QR_EVERY,
    _block,
    _neighbours,
    auto_qr_every,
)

_OLD_ONE_PASS_COND = 1e4


@numba.njit(cache=True)
def old_slices(A, B, eps, E, ptr, idx):
    """The previous slice loop (B's row stored once per neighbour), kept for comparison."""
    n_slices, m = eps.shape
    k = A.shape[1]
    for s in range(n_slices):
        for i in range(m):
            v = eps[s, i] - E
            for c in range(k):
                B[i, c] = v * A[i, c] - B[i, c]
            for p in range(ptr[i], ptr[i + 1]):
                j = idx[p]
                for c in range(k):
                    B[i, c] -= A[j, c]
        A, B = B, A
    return A, B


def old_cholesky_qr(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The previous QR (CholeskyQR2 when diag R spreads by more than 1e4), kept for comparison."""
    from scipy.linalg import blas, lapack

    logs = np.zeros(X.shape[1])
    XT = X.T
    for _ in range(2):
        R, info = lapack.dpotrf(blas.dsyrk(1.0, XT), lower=0, clean=1)
        if info != 0:
            Q, R = np.linalg.qr(XT.T)
            sign = np.sign(np.diag(R))
            return np.ascontiguousarray(Q * sign), logs + np.log(np.abs(np.diag(R)))
        d = np.diag(R)
        logs += np.log(d)
        XT = blas.dtrmm(1.0, lapack.dtrtri(R, lower=0)[0], XT, side=0, lower=0, trans_a=1)
        if d.max() < _OLD_ONE_PASS_COND * d.min():
            break
    return XT.T, logs


def old_block_blas(A, B, eps, E, ptr, idx, qr_every):
    """The previous wide-bar block kernel (numba slices, :func:`old_cholesky_qr`)."""
    n_slices, m = eps.shape
    logs = np.zeros(A.shape[1])
    for start in range(0, n_slices, qr_every):
        A, B = old_slices(A, B, eps[start:start + qr_every], E, ptr, idx)
        Q, d = old_cholesky_qr(np.concatenate((A, B)))
        logs += d
        A, B = Q[:m], Q[m:]
    return A, B, logs


def dgemm_rate(n: int = 1024, rounds: int = 3) -> float:
    a = np.random.default_rng(0).standard_normal((n, n))
    a @ a
    best = np.inf
    for _ in range(rounds):
        t = time.process_time()
        a @ a
        best = min(best, time.process_time() - t)
    return 2 * n**3 / best


def main(rounds: int, sizes: list[int]) -> None:
    with threadpool_limits(1):
        peak = dgemm_rate()
        print(f"single-thread dgemm: {peak / 1e9:.1f} GFlop/s; best of {rounds} interleaved "
              "rounds, CPU time (and wall time)")
        print(f"{'M':>3} {'m':>5} {'kernel':>12} {'QR every':>8} {'us/slice':>9} {'slices/s':>9} "
              f"{'GFlop/s':>8} {'of dgemm':>9} {'/ old':>6} {'wall us':>9} {'/ old':>6}")
        for M in sizes:
            m = M * M
            ptr, idx = _neighbours(3, M, "periodic")
            rng = np.random.default_rng(M)
            q, _ = np.linalg.qr(rng.standard_normal((2 * m, m)))
            A, B = np.ascontiguousarray(q[:m]), np.ascontiguousarray(q[m:])
            n = max(512, 40000 // m)
            eps = rng.uniform(-8.25, 8.25, (n, m))
            A, B, logs = _block(A, B, eps, 0.0, ptr, idx, WARMUP_QR_EVERY)  # warm-up
            q_old, q_new = auto_qr_every(logs / n), auto_qr_every(logs / n, CHOLESKY_SPREAD)
            runs = {"old": (old_block_blas, q_old), "old, new q": (old_block_blas, q_new),
                    "new": (_block, q_new)}
            best = dict.fromkeys(runs, np.inf)
            wall = dict.fromkeys(runs, np.inf)
            for kernel, qr_every in runs.values():
                kernel(A.copy(), B.copy(), eps[:qr_every], 0.0, ptr, idx, qr_every)  # warm
            for _ in range(rounds):
                for label, (kernel, qr_every) in runs.items():
                    a, b = A.copy(), B.copy()
                    t, c = time.perf_counter(), time.process_time()
                    kernel(a, b, eps, 0.0, ptr, idx, qr_every)
                    best[label] = min(best[label], (time.process_time() - c) / n)
                    wall[label] = min(wall[label], (time.perf_counter() - t) / n)
            for label, dt in best.items():
                qr_every = runs[label][1]
                flops = 2 * m * m * 5 + (2 * (2 * m) * m * m - 2 / 3 * m**3) / qr_every
                print(f"{M:>3} {m:>5} {label:>12} {qr_every:>8} {dt * 1e6:>9.1f} {1 / dt:>9.0f} "
                      f"{flops / dt / 1e9:>8.2f} {flops / dt / peak:>9.1%} "
                      f"{dt / best['old']:>6.2f} {wall[label] * 1e6:>9.1f} "
                      f"{wall[label] / wall['old']:>6.2f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 3, [int(a) for a in args[1:]] or [8, 12, 16])
