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
    CSR matrix A for all columns."""
    n, b = cur.shape
    chunk = 256
    for c0 in nb.prange((n + chunk - 1) // chunk):
        acc = np.empty(b)
        for i in range(c0 * chunk, min(n, (c0 + 1) * chunk)):
            acc[:] = 0.0
            for k in range(indptr[i], indptr[i + 1]):
                row = cur[indices[k]]
                d = data[k]
                for c in range(b):
                    acc[c] += d * row[c]
            for c in range(b):
                v = scale * (acc[c] - centre * cur[i, c]) - prev[i, c]
                prev[i, c] = v
                out[i, c] += coef * v
