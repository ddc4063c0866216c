"""numba kernels of the solvers."""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True, parallel=True)
def csr_matvec_real_complex(indptr, indices, data, x, out):  # pragma: no cover - numba
    """``out = A x`` for a real CSR matrix A and a complex vector x, in one pass (scipy would
    first copy A to complex)."""
    for i in nb.prange(indptr.size - 1):
        re = 0.0
        im = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            v = x[indices[k]]
            re += data[k] * v.real
            im += data[k] * v.imag
        out[i] = complex(re, im)


@nb.njit(cache=True, parallel=True)
def chebyshev_step(indptr, indices, data, cur, prev, out, centre, scale,
                   coef):  # pragma: no cover - numba
    """One fused step of the Chebyshev recurrence on a block of vectors (rows of ``cur``):
    ``prev <- scale (A cur - centre cur) - prev`` and ``out += coef prev``, one pass over the
    CSR matrix A for all columns.

    Columns go in groups of 8 held in scalar accumulators (one AVX-512 register); the
    remainder of a block that is not a multiple of 8 goes through an array. A microbenchmark
    at L = 20 on a loaded machine gave 1.45 x the rate of an accumulator array, but the idle
    end-to-end POLFED run at L = 18 was not faster (3,009 against 3,111 products/s,
    docs/performance.md): the pass over the CSR matrix is memory-bound."""
    n, b = cur.shape
    groups = b // 8
    chunk = 256
    for c0 in nb.prange((n + chunk - 1) // chunk):
        acc = np.empty(b - 8 * groups)
        for i in range(c0 * chunk, min(n, (c0 + 1) * chunk)):
            start, stop = indptr[i], indptr[i + 1]
            for g in range(groups):
                c = 8 * g
                a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = 0.0
                for k in range(start, stop):
                    row = cur[indices[k]]
                    d = data[k]
                    a0 += d * row[c]
                    a1 += d * row[c + 1]
                    a2 += d * row[c + 2]
                    a3 += d * row[c + 3]
                    a4 += d * row[c + 4]
                    a5 += d * row[c + 5]
                    a6 += d * row[c + 6]
                    a7 += d * row[c + 7]
                sums = (a0, a1, a2, a3, a4, a5, a6, a7)
                for m in range(8):
                    v = scale * (sums[m] - centre * cur[i, c + m]) - prev[i, c + m]
                    prev[i, c + m] = v
                    out[i, c + m] += coef * v
            if acc.size == 0:
                continue
            acc[:] = 0.0
            for k in range(start, stop):
                row = cur[indices[k]]
                d = data[k]
                for m in range(acc.size):
                    acc[m] += d * row[8 * groups + m]
            for m in range(acc.size):
                c = 8 * groups + m
                v = scale * (acc[m] - centre * cur[i, c]) - prev[i, c]
                prev[i, c] = v
                out[i, c] += coef * v
