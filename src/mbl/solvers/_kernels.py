"""numba kernels of the solvers."""

from __future__ import annotations

import numba as nb
import numpy as np


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


# Lanczos kernels of the Krylov propagator (mbl.solvers.krylov). The basis is a preallocated
# complex array V of shape (m + 1, N), one Lanczos vector per row; step j turns row j + 1
# into the next vector in place. Real and imaginary parts travel together: a complex row is
# the interleaved two-column real block, so one pass over a real CSR matrix applies it to
# both in one pass. Row j may hold the Lanczos vector
# unnormalized, as u with v_j = s u: the normalization is folded into the two passes of the
# next step instead of costing a pass of its own.


@nb.njit(cache=True, parallel=True)
def lanczos_csr_apply(indptr, indices, data, V, j, s):  # pragma: no cover - numba
    """``V[j + 1] = A v`` with ``v = s V[j]`` for a real CSR matrix A, in one pass that also
    returns ``alpha = Re <v, A v>`` (the diagonal entry of the Lanczos matrix)."""
    u = V[j]
    w = V[j + 1]
    alpha = 0.0
    for i in nb.prange(indptr.size - 1):
        re = 0.0
        im = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            v = u[indices[k]]
            re += data[k] * v.real
            im += data[k] * v.imag
        re *= s
        im *= s
        w[i] = complex(re, im)
        alpha += u[i].real * re + u[i].imag * im
    return alpha * s


@nb.njit(cache=True, parallel=True)
def lanczos_alpha(V, j):  # pragma: no cover - numba
    """``Re <V[j], V[j + 1]>`` (the diagonal entry when ``V[j + 1] = H V[j]`` came from a
    generic product)."""
    x = V[j]
    w = V[j + 1]
    alpha = 0.0
    for i in nb.prange(x.size):
        alpha += x[i].real * w[i].real + x[i].imag * w[i].imag
    return alpha


@nb.njit(cache=True, parallel=True)
def lanczos_recurrence(V, j, s, alpha, beta_prev):  # pragma: no cover - numba
    """The three-term recurrence on ``V[j + 1] = H v_j``, fused into one pass: normalizes
    row j in place (``v_j = s V[j]``), forms ``z = V[j + 1] - alpha v_j - beta_prev
    V[j - 1]`` in row j + 1 and returns ``beta = |z|`` (the next vector is ``z / beta``; the
    caller passes ``1 / beta`` as ``s`` of the next step)."""
    u = V[j]
    w = V[j + 1]
    y = V[j - 1] if j > 0 else V[j]
    b = beta_prev if j > 0 else 0.0
    nrm = 0.0
    for i in nb.prange(u.size):
        x = s * u[i]
        u[i] = x
        z = w[i] - alpha * x - b * y[i]
        w[i] = z
        nrm += z.real * z.real + z.imag * z.imag
    return np.sqrt(nrm)
