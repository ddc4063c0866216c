"""The block kernel against an AVX-512 reference and the machine's bandwidth (roofline).

For the random-field XXZ chain (W = 5, S^z = 0) at each L, one product Y = H X with a block
X of b vectors, best of interleaved rounds, every contender in the same run:

- ``mbl index-only``: :func:`mbl.operators.index_only` and its numba kernel (the one POLFED's
  filter and Krylov use);
- ``C AVX-512``: the same index-only layout in C with AVX-512 intrinsics and OpenMP, one
  ``__m512d`` (8 doubles) per row of the block, compiled here with ``gcc -O3 -march=native``
  (the reference of issue 21; written for this benchmark, never used by the package);
- ``mbl CSR``: the fused CSR Chebyshev kernel (the previous filter kernel, one pass);
- ``scipy CSR``: ``H @ X``.

Rates are in single-vector products per second (b per block product). The roofline column
divides each rate by the bound that the bytes the kernel must move impose: the diagonal, the
row pointers and the column indices once, X read once and Y written once (gathers assumed to
hit in cache), at the bandwidth of a STREAM triad measured in the same run (C, OpenMP).
Not a test; prints a table.

Usage: python3 benchmarks/bench_kernel.py [L ...]   (default 16 18 20)
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np

from mbl.models import XXZChain
from mbl.operators import _index_kernels, index_only
from mbl.solvers._kernels import chebyshev_step as csr_chebyshev_step

THREADS = 2
BLOCK = 8

C_SOURCE = r"""
#include <immintrin.h>
#include <stdint.h>
#include <omp.h>

/* Y = H X for H = diag(d) + t (P - M), X and Y (n, 8) row-major. */
void io_matmat8(int64_t n, const double *d, const int32_t *indptr, const int32_t *split,
                const int32_t *cols, double t, const double *X, double *Y) {
    #pragma omp parallel for schedule(static, 256)
    for (int64_t i = 0; i < n; i++) {
        __m512d acc = _mm512_setzero_pd();
        for (int32_t k = indptr[i]; k < split[i]; k++)
            acc = _mm512_add_pd(acc, _mm512_loadu_pd(X + 8 * (int64_t)cols[k]));
        for (int32_t k = split[i]; k < indptr[i + 1]; k++)
            acc = _mm512_sub_pd(acc, _mm512_loadu_pd(X + 8 * (int64_t)cols[k]));
        __m512d x = _mm512_loadu_pd(X + 8 * i);
        __m512d y = _mm512_fmadd_pd(_mm512_set1_pd(t), acc,
                                    _mm512_mul_pd(_mm512_set1_pd(d[i]), x));
        _mm512_storeu_pd(Y + 8 * i, y);
    }
}

/* STREAM triad a = b + s c; returns seconds of the best of `reps`. */
double triad(int64_t n, double *a, const double *b, const double *c, double s, int reps) {
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = omp_get_wtime();
        #pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < n; i++) a[i] = b[i] + s * c[i];
        double dt = omp_get_wtime() - t0;
        if (dt < best) best = dt;
    }
    return best;
}
"""


def _compile(directory: Path) -> ctypes.CDLL:
    src = directory / "ref.c"
    lib = directory / "ref.so"
    src.write_text(C_SOURCE)
    subprocess.run(["gcc", "-O3", "-march=native", "-fopenmp", "-shared", "-fPIC", str(src),
                    "-o", str(lib)], check=True)
    so = ctypes.CDLL(str(lib))
    p = ctypes.c_void_p
    so.io_matmat8.argtypes = [ctypes.c_int64, p, p, p, p, ctypes.c_double, p, p]
    so.triad.argtypes = [ctypes.c_int64, p, p, p, ctypes.c_double, ctypes.c_int]
    so.triad.restype = ctypes.c_double
    return so


def _ptr(a: np.ndarray) -> int:
    return a.ctypes.data


def bandwidth(so: ctypes.CDLL, n: int = 20_000_000) -> float:
    """Bytes per second of a STREAM triad (3 arrays of n doubles, 24 bytes per element)."""
    a, b, c = np.zeros(n), np.ones(n), np.full(n, 2.0)
    seconds = so.triad(n, _ptr(a), _ptr(b), _ptr(c), 3.0, 10)
    return 24.0 * n / seconds


def measure(L: int, so: ctypes.CDLL, rounds: int = 7, reps: int = 20) -> dict:
    H = XXZChain(L=L, W=5.0).hamiltonian(sz=0, rng=np.random.default_rng(L))
    op = index_only(H)
    if op.indptr.dtype != np.int32:
        raise SystemExit("the C reference takes 32-bit indices")
    n = H.shape[0]
    X = np.random.default_rng(0).standard_normal((n, BLOCK))
    Y = np.empty_like(X)
    prev, out = np.zeros_like(X), np.zeros_like(X)
    args = op.args

    def mbl_io():
        for _ in range(reps):
            _index_kernels.matmat(*args, X, Y)

    def c_ref():
        for _ in range(reps):
            so.io_matmat8(n, _ptr(op.diag), _ptr(op.indptr), _ptr(op.split), _ptr(op.cols),
                          op.t, _ptr(X), _ptr(Y))

    def mbl_csr():
        for _ in range(reps):
            csr_chebyshev_step(H.indptr, H.indices, H.data, X, prev, out, 0.0, 1.0, 0.0)

    def scipy_csr():
        for _ in range(reps):
            H @ X

    contenders = {"mbl index-only": mbl_io, "C AVX-512": c_ref, "mbl CSR (fused step)": mbl_csr,
                  "scipy CSR": scipy_csr}
    for fn in contenders.values():  # compile and warm the caches
        fn()
    c_ref()
    Yc = Y.copy()
    mbl_io()
    if not np.allclose(Y, Yc, rtol=1e-12, atol=1e-12) or not np.allclose(Y, H @ X):
        raise SystemExit("the kernels disagree")
    best = {name: np.inf for name in contenders}
    for _ in range(rounds):  # interleaved: every contender sees the same machine state
        for name, fn in contenders.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    rates = {name: reps * BLOCK / seconds for name, seconds in best.items()}
    moved = (op.diag.nbytes + op.indptr.nbytes + op.split.nbytes + op.cols.nbytes
             + 2 * X.nbytes)
    return {"L": L, "N": n, "nnz_off": op.n_offdiagonal, "rates": rates,
            "bytes_per_block": moved}


def main(sizes: list[int]) -> None:
    numba.set_num_threads(THREADS)
    os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))
    with tempfile.TemporaryDirectory() as tmp:
        so = _compile(Path(tmp))
        bw = bandwidth(so)
        print(f"STREAM triad ({THREADS} threads): {bw / 1e9:.1f} GB/s; block b = {BLOCK}, "
              f"{THREADS} threads (numba and OpenMP)")
        print(f"{'L':>3} {'N':>9}  {'kernel':<22} {'products/s':>11} {'vs C':>6} {'roofline':>8}")
        for L in sizes:
            m = measure(L, so)
            bound = bw / m["bytes_per_block"] * BLOCK
            ref = m["rates"]["C AVX-512"]
            for name, rate in m["rates"].items():
                print(f"{L:>3} {m['N']:>9,}  {name:<22} {rate:>11,.0f} {rate / ref:>6.2f} "
                      f"{rate / bound:>8.2f}")
            print(f"    bandwidth bound {bound:,.0f} products/s "
                  f"({m['bytes_per_block'] / 1e6:.1f} MB per block product)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [16, 18, 20])
