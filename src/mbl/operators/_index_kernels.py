"""numba kernels of the index-only operator (see :mod:`mbl.operators.index_only`).

The operator is ``H = diag(d) + t (P - M)``: a row ``i`` has its +t entries at
``cols[indptr[i]:split[i]]`` and its -t entries at ``cols[split[i]:indptr[i + 1]]``, so a row
sum is two loops of additions with no multiplications and no branch. Blocks of vectors are
the rows of a C-ordered ``(N, b)`` array; columns go in groups of 8, each one AVX-512 vector
(the intrinsics below), the remainder column by column. Rows are split into chunks of 256
for the thread pool; nothing is allocated inside the kernels.
"""

from __future__ import annotations

import numba as nb
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

_CHUNK = 256


# The 8 columns of a group are one ``<8 x double>`` (one AVX-512 register), written in LLVM IR:
# left to itself, LLVM vectorizes the loop over a row's entries instead, with gathers (under
# fastmath), or not at all, at 0.3-0.5 of this rate (benchmarks/bench_kernel.py). The arrays
# must be C-ordered with at least c + 8 columns (the callers guarantee it).
_VEC = ir.VectorType(ir.DoubleType(), 8)
_I64 = ir.IntType(64)


def _wide(builder, v):
    return builder.sext(v, _I64) if v.type.width < 64 else v


def _block_row(context, builder, array_type, value, row, c):
    """Pointer to ``A[row, c:c + 8]`` as ``<8 x double>*``, and A's row length."""
    arr = context.make_array(array_type)(context, builder, value)
    length = builder.extract_value(arr.shape, 1)
    offset = builder.add(builder.mul(_wide(builder, row), length), _wide(builder, c))
    return builder.bitcast(builder.gep(arr.data, [offset]), _VEC.as_pointer()), arr, length


def _signed_sum(context, builder, sig, args):
    """``sum_{k in [lo, mid)} X[cols[k], c:c + 8] - sum_{k in [mid, hi)} ...`` (args X, cols,
    lo, mid, hi, c lead the intrinsic's arguments). Two accumulators take alternate entries,
    so consecutive additions do not wait on each other."""
    x_val, cols_val, lo, mid, hi, c = args[:6]
    _, x_arr, length = _block_row(context, builder, sig.args[0], x_val, ir.Constant(_I64, 0), c)
    cols_arr = context.make_array(sig.args[1])(context, builder, cols_val)
    base = builder.gep(x_arr.data, [_wide(builder, c)])
    accs = [cgutils.alloca_once_value(builder, ir.Constant(_VEC, None)) for _ in range(2)]
    one, two = ir.Constant(_I64, 1), ir.Constant(_I64, 2)

    def add(acc, k, op):
        col = _wide(builder, builder.load(builder.gep(cols_arr.data, [k])))
        ptr = builder.bitcast(builder.gep(base, [builder.mul(col, length)]), _VEC.as_pointer())
        builder.store(op(builder.load(acc), builder.load(ptr, align=8)), acc)

    for start, stop, op in ((lo, mid, builder.fadd), (mid, hi, builder.fsub)):
        start, stop = _wide(builder, start), _wide(builder, stop)
        pairs = builder.add(start, builder.and_(builder.sub(stop, start),
                                                ir.Constant(_I64, -2)))
        with cgutils.for_range_slice(builder, start, pairs, two, inc=True) as (k, _):
            add(accs[0], k, op)
            add(accs[1], builder.add(k, one), op)
        with builder.if_then(builder.icmp_signed("<", pairs, stop)):
            add(accs[0], pairs, op)
    return builder.fadd(builder.load(accs[0]), builder.load(accs[1]))


def _broadcast(builder, scalar):
    v = builder.insert_element(ir.Constant(_VEC, ir.Undefined), scalar, ir.Constant(_I64, 0))
    return builder.shuffle_vector(v, ir.Constant(_VEC, ir.Undefined),
                                  ir.Constant(ir.VectorType(ir.IntType(32), 8), [0] * 8))


def _block_ok(*arrays) -> bool:
    return all(isinstance(a, types.Array) and a.layout == "C" and a.ndim == 2
               and a.dtype == types.float64 for a in arrays)


@intrinsic
def _product_row8(typingctx, X, cols, lo, mid, hi, c, i, d, t, Y):
    """``Y[i, c:c + 8] = d X[i, c:c + 8] + t (signed sum of row i's pattern)``."""
    if not _block_ok(X, Y):
        return None
    sig = types.void(X, cols, lo, mid, hi, c, i, d, t, Y)

    def codegen(context, builder, signature, args):
        acc = _signed_sum(context, builder, signature, args)
        i_val, d_val, t_val, y_val = args[6:]
        x_ptr = _block_row(context, builder, signature.args[0], args[0], i_val, args[5])[0]
        y_ptr = _block_row(context, builder, signature.args[9], y_val, i_val, args[5])[0]
        x = builder.load(x_ptr, align=8)
        y = builder.fadd(builder.fmul(_broadcast(builder, d_val), x),
                         builder.fmul(_broadcast(builder, t_val), acc))
        builder.store(y, y_ptr, align=8)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def _chebyshev_row8(typingctx, cur, cols, lo, mid, hi, c, i, d, t, scale, prev, out, coef):
    """``v = scale (d cur[i] + t sum) - prev[i]``, ``prev[i] = v``, ``out[i] += coef v`` on
    columns c:c + 8 (d already holds diag[i] - centre)."""
    if not _block_ok(cur, prev, out):
        return None
    sig = types.void(cur, cols, lo, mid, hi, c, i, d, t, scale, prev, out, coef)

    def codegen(context, builder, signature, args):
        acc = _signed_sum(context, builder, signature, args)
        c_val, i_val, d_val, t_val, scale_val, prev_val, out_val, coef_val = args[5:]
        cur_ptr = _block_row(context, builder, signature.args[0], args[0], i_val, c_val)[0]
        prev_ptr = _block_row(context, builder, signature.args[10], prev_val, i_val, c_val)[0]
        out_ptr = _block_row(context, builder, signature.args[11], out_val, i_val, c_val)[0]
        hx = builder.fadd(builder.fmul(_broadcast(builder, d_val),
                                       builder.load(cur_ptr, align=8)),
                          builder.fmul(_broadcast(builder, t_val), acc))
        v = builder.fsub(builder.fmul(_broadcast(builder, scale_val), hx),
                         builder.load(prev_ptr, align=8))
        builder.store(v, prev_ptr, align=8)
        o = builder.fadd(builder.load(out_ptr, align=8),
                         builder.fmul(_broadcast(builder, coef_val), v))
        builder.store(o, out_ptr, align=8)
        return context.get_dummy_value()

    return sig, codegen


@nb.njit(inline="always")
def _row1(X, indptr, split, cols, i, c):  # pragma: no cover - numba
    """The signed sum over row i's off-diagonal pattern of X[col, c]."""
    a = 0.0
    for k in range(indptr[i], split[i]):
        a += X[cols[k], c]
    for k in range(split[i], indptr[i + 1]):
        a -= X[cols[k], c]
    return a


@nb.njit(cache=True, parallel=True)
def matmat(diag, indptr, split, cols, t, X, Y):  # pragma: no cover - numba
    """``Y = H X`` for a real block X (rows of a C-ordered (N, b) array)."""
    n, b = X.shape
    groups = b // 8
    for c0 in nb.prange((n + _CHUNK - 1) // _CHUNK):
        for i in range(c0 * _CHUNK, min(n, (c0 + 1) * _CHUNK)):
            d = diag[i]
            for g in range(groups):
                _product_row8(X, cols, indptr[i], split[i], indptr[i + 1], 8 * g, i, d, t, Y)
            for c in range(8 * groups, b):
                Y[i, c] = d * X[i, c] + t * _row1(X, indptr, split, cols, i, c)


@nb.njit(cache=True, parallel=True)
def chebyshev_step(diag, indptr, split, cols, t, cur, prev, out, centre, scale,
                   coef):  # pragma: no cover - numba
    """One fused step of the Chebyshev recurrence on a block:
    ``prev <- scale (H cur - centre cur) - prev`` and ``out += coef prev``, one pass over H."""
    n, b = cur.shape
    groups = b // 8
    for c0 in nb.prange((n + _CHUNK - 1) // _CHUNK):
        for i in range(c0 * _CHUNK, min(n, (c0 + 1) * _CHUNK)):
            d = diag[i] - centre
            for g in range(groups):
                _chebyshev_row8(cur, cols, indptr[i], split[i], indptr[i + 1], 8 * g, i, d, t,
                                scale, prev, out, coef)
            for c in range(8 * groups, b):
                v = (scale * (d * cur[i, c] + t * _row1(cur, indptr, split, cols, i, c))
                     - prev[i, c])
                prev[i, c] = v
                out[i, c] += coef * v


@nb.njit(cache=True, parallel=True)
def lanczos_apply(diag, indptr, split, cols, t, V, j, s):  # pragma: no cover - numba
    """``V[j + 1] = H v`` with ``v = s V[j]`` for complex Lanczos rows (each the interleaved
    two-column real block, ``V.view(float64)`` of shape (m + 1, N, 2)); returns
    ``alpha = Re <v, H v>`` (see :func:`mbl.solvers._kernels.lanczos_csr_apply`)."""
    u = V[j]
    w = V[j + 1]
    n = u.shape[0]
    alpha = 0.0
    for c0 in nb.prange((n + _CHUNK - 1) // _CHUNK):
        part = 0.0
        for i in range(c0 * _CHUNK, min(n, (c0 + 1) * _CHUNK)):
            re = 0.0
            im = 0.0
            for k in range(indptr[i], split[i]):
                re += u[cols[k], 0]
                im += u[cols[k], 1]
            for k in range(split[i], indptr[i + 1]):
                re -= u[cols[k], 0]
                im -= u[cols[k], 1]
            re = s * (diag[i] * u[i, 0] + t * re)
            im = s * (diag[i] * u[i, 1] + t * im)
            w[i, 0] = re
            w[i, 1] = im
            part += u[i, 0] * re + u[i, 1] * im
        alpha += part
    return alpha * s


@nb.njit(cache=True)
def split_rows(indptr, indices, data, diag, cols, split, offsets, t):  # pragma: no cover
    """Fill ``diag``, the signed column pattern and the +/- split of each row from a CSR
    matrix whose off-diagonal entries are all +t or -t; returns the worst relative deviation
    of an off-diagonal entry from +/-t (0 when exact)."""
    n = indptr.size - 1
    worst = 0.0
    for i in range(n):
        p = offsets[i]
        q = offsets[i + 1]
        lo = p
        hi = q - 1
        for k in range(indptr[i], indptr[i + 1]):
            col = indices[k]
            v = data[k]
            if col == i:
                diag[i] += v
                continue
            worst = max(worst, abs(abs(v) - t) / t)
            if v > 0:
                cols[lo] = col
                lo += 1
            else:
                cols[hi] = col
                hi -= 1
        split[i] = lo
        # the -t entries were filled from the end: put them back in increasing order
        cols[lo:q] = np.sort(cols[lo:q])
    return worst
