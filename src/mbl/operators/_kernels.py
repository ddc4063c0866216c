"""numba kernels: compile op strings to bit masks, fill CSR rows, matrix-free products.

Every row of a term (a product of one-site ops, see :mod:`mbl.operators.terms`) acts on a basis
state ``s`` as

    if (s & cmask) == cval:  s -> s ^ flip  with amplitude  amp * (-1)**popcount(s & smask)

else it gives zero. :func:`compile_rows` derives the five numbers from the op string, applied
right to left: conditions (``+``/``C`` need an empty site, ``-``/``c``/``n`` an occupied one)
are moved back to the original state through the bits flipped before them, ``z`` and ``y``
contribute a sign that depends on one bit, and each ``c``/``C`` the Jordan-Wigner parity of
the occupied sites below it, all of which are parities of ``s`` restricted to a mask, up to
constants. The kernels then cost a few integer operations per (state, row).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from mbl.basis.bits import popcount, rank_state


@nb.njit(cache=True)
def compile_rows(ops, sites, nops):  # pragma: no cover - numba
    """``(cmask, cval, flip, smask, amp)`` of each row; ``amp = 0`` for a row that is always 0.

    ``ops`` are codes of :data:`~mbl.operators.terms.OP_CODES` with ``y`` already written as
    ``-i Y'`` (``Y'`` flips with ``+1/2`` from down and ``-1/2`` from up).
    """
    R = nops.size
    cmask = np.zeros(R, dtype=np.int64)
    cval = np.zeros(R, dtype=np.int64)
    flip = np.zeros(R, dtype=np.int64)
    smask = np.zeros(R, dtype=np.int64)
    amp = np.zeros(R, dtype=np.float64)
    one = np.int64(1)
    for r in range(R):
        F = np.int64(0)  # bits flipped so far: the current state is s ^ F
        cm = np.int64(0)
        cv = np.int64(0)
        sm = np.int64(0)
        sgn = 0
        a = 1.0
        ok = True
        for t in range(nops[r] - 1, -1, -1):
            p = sites[r, t]
            op = ops[r, t]
            bit = one << p
            f = (F >> p) & 1
            need = -1  # required value of the current bit, -1 for none
            if op == 1:  # z: -1/2 when the current bit s_p ^ f is 0
                a *= 0.5
                sm ^= bit
                sgn ^= 1 ^ f
            elif op == 2 or op == 8:  # + or C: current bit must be 0
                need = 0
            elif op == 3 or op == 7 or op == 6:  # -, c or n: current bit must be 1
                need = 1
            elif op == 4:  # x
                a *= 0.5
            elif op == 5:  # Y': -1/2 when the current bit is 1
                a *= 0.5
                sm ^= bit
                sgn ^= f
            if need >= 0:
                v = need ^ f  # the condition on the original state
                if cm & bit:
                    if ((cv >> p) & 1) != v:
                        ok = False
                else:
                    cm |= bit
                    cv |= v << p
            if op == 7 or op == 8:  # Jordan-Wigner parity of the current sites below p
                below = bit - 1
                sm ^= below
                sgn ^= popcount(F & below) & 1
            if op == 2 or op == 3 or op == 4 or op == 5 or op == 7 or op == 8:
                F ^= bit
        if ok:
            cmask[r] = cm
            cval[r] = cv
            flip[r] = F
            smask[r] = sm
            amp[r] = -a if sgn else a
    return cmask, cval, flip, smask, amp


@nb.njit(cache=True)
def count_rows(states, doff, cmask, cval, flip):  # pragma: no cover - numba
    """Entries of each CSR row before merging: one diagonal plus the acting off-diagonal rows.

    Row ``i`` of ``H`` collects the states ``old = states[i] ^ flip`` that satisfy the
    condition; ``doff`` is the first off-diagonal term row (rows are diagonal ones first).
    """
    total = 0
    for i in range(states.size):
        s = states[i]
        c = 1
        for r in range(doff, flip.size):
            old = s ^ flip[r]
            if (old & cmask[r]) == cval[r]:
                c += 1
        total += c
    return total


@nb.njit(cache=True, inline="always")
def _diagonal(s, doff, cmask, cval, smask, val, zero):  # pragma: no cover - numba
    d = zero
    for r in range(doff):  # branch-free: these rows act on most states
        ok = np.int64((s & cmask[r]) == cval[r])
        d += val[r] * (ok * (1 - 2 * (popcount(s & smask[r]) & 1)))
    return d


@nb.njit(cache=True)
def fill_csr(states, full, table, doff, cmask, cval, flip, smask, val, buf_i, buf_v,
             indptr, indices, data):  # pragma: no cover - numba
    """Fill CSR arrays of ``H[new, old] = sum val * sign``; return the number of entries.

    Row ``i`` holds the preimages ``old = states[i] ^ flip`` of ``states[i]``: duplicates
    summed, columns sorted, exact zeros dropped. ``val = coeff * amp``; ``buf_i``/``buf_v``
    are zeroed scratch arrays of at least one element and one per off-diagonal row.
    """
    pos = 0
    indptr[0] = 0
    zero = buf_v[0] * 0
    for i in range(states.size):
        s = states[i]
        diag = _diagonal(s, doff, cmask, cval, smask, val, zero)
        m = 0
        for r in range(doff, flip.size):
            old = s ^ flip[r]
            if (old & cmask[r]) != cval[r]:
                continue
            j = old if full else rank_state(old, table)
            v = -val[r] if popcount(old & smask[r]) & 1 else val[r]
            t = m  # insertion into the sorted buffer, merging equal columns
            while t > 0 and buf_i[t - 1] > j:
                t -= 1
            if t > 0 and buf_i[t - 1] == j:
                buf_v[t - 1] += v
                continue
            for u in range(m, t, -1):
                buf_i[u] = buf_i[u - 1]
                buf_v[u] = buf_v[u - 1]
            buf_i[t] = j
            buf_v[t] = v
            m += 1
        diag_done = diag == 0
        for t in range(m):
            j = buf_i[t]
            if not diag_done and i < j:
                indices[pos] = i
                data[pos] = diag
                pos += 1
                diag_done = True
            if buf_v[t] != 0:
                indices[pos] = j
                data[pos] = buf_v[t]
                pos += 1
        if not diag_done:
            indices[pos] = i
            data[pos] = diag
            pos += 1
        indptr[i + 1] = pos
    return pos


@nb.njit(cache=True)
def matvec(states, full, table, doff, cmask, cval, flip, smask, val, x, out,
           zero):  # pragma: no cover - numba
    """``out[i] = sum_j H[i, j] x[j]`` (gather over the preimages of each state)."""
    for i in range(states.size):
        s = states[i]
        acc = _diagonal(s, doff, cmask, cval, smask, val, zero) * x[i]
        for r in range(doff, flip.size):
            old = s ^ flip[r]
            if (old & cmask[r]) != cval[r]:
                continue
            j = old if full else rank_state(old, table)
            if popcount(old & smask[r]) & 1:
                acc -= val[r] * x[j]
            else:
                acc += val[r] * x[j]
        out[i] = acc


@nb.njit(cache=True)
def rmatvec(states, full, table, doff, cmask, cval, flip, smask, val_conj, x, out,
            zero):  # pragma: no cover - numba
    """``out = H^† x`` (scatter; ``val_conj`` conjugated, ``out`` zeroed by the caller)."""
    for i in range(states.size):
        s = states[i]
        xi = x[i]
        out[i] += _diagonal(s, doff, cmask, cval, smask, val_conj, zero) * xi
        for r in range(doff, flip.size):
            old = s ^ flip[r]
            if (old & cmask[r]) != cval[r]:
                continue
            j = old if full else rank_state(old, table)
            if popcount(old & smask[r]) & 1:
                out[j] -= val_conj[r] * xi
            else:
                out[j] += val_conj[r] * xi


@nb.njit(cache=True)
def hermitian_defect(indptr, indices, data):  # pragma: no cover - numba
    """``(max |H_ij - conj(H_ji)|, i, j)`` of a CSR matrix with sorted column indices."""
    worst = 0.0
    wi = -1
    wj = -1
    n = indptr.size - 1
    for i in range(n):
        for k in range(indptr[i], indptr[i + 1]):
            j = indices[k]
            lo = indptr[j]
            hi = indptr[j + 1]
            while lo < hi:  # binary search for column i in row j
                mid = (lo + hi) // 2
                if indices[mid] < i:
                    lo = mid + 1
                else:
                    hi = mid
            if lo < indptr[j + 1] and indices[lo] == i:
                d = abs(data[k] - np.conj(data[lo]))
            else:
                d = abs(data[k])
            if d > worst:
                worst = d
                wi = i
                wj = j
    return worst, wi, wj
