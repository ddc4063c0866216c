"""Krylov time evolution against its peers: mbl.solvers.evolve vs QuSpin's
expm_multiply_parallel vs scipy's expm_multiply, on the same H, start state and times.

Random-field XXZ chain (W = 5, Delta = 1, S^z = 0), Néel start, 21 times (0 and 20
geometric from 0.1 to t_max). Each contender propagates from one requested time to the next
(the peers have no multi-time read-off; mbl reads every time inside a step off its basis).
Prints, per L and contender: the best wall time of ``--rounds`` rounds (contenders
interleaved within each round, all in this one process), the maximum deviation
max |psi - psi_ref| over all times from a tight reference (mbl at tol = 1e-13 with 120
Lanczos vectors per step, itself checked against scipy), the norm drift max |1 - |psi(t)||,
products with H and products per second, and the ratio of each time to mbl's (the fastest
mbl setting when several ``--krylov-dim`` are given). scipy's products are counted (its norm
estimates included); QuSpin's are its a-priori bound sum s m* (it may stop earlier).

BLAS, OpenMP and numba are pinned to ``--threads`` (1 by default) so that the ratios compare
single-core engines. Not a test.

Usage: python3 benchmarks/bench_krylov_peers.py [L ...] [--t-max 100] [--rounds 3]
       [--threads 1] [--krylov-dim 30[,60,...]] [--tol 1e-10]
(L defaults to 16 18; L = 20 takes minutes.)
"""

from __future__ import annotations

import argparse
import os
import sys


def _parse(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("L", nargs="*", type=int, default=[16, 18])
    p.add_argument("--t-max", type=float, default=100.0)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--krylov-dim", default="30")
    p.add_argument("--tol", type=float, default=1e-10)
    return p.parse_args(argv)


ARGS = _parse(sys.argv[1:])
os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)  # QuSpin's OpenMP, before it loads

import time  # noqa: E402
from functools import partial  # noqa: E402

import numba  # noqa: E402
import numpy as np  # noqa: E402
import scipy.linalg  # noqa: E402,F401  (load scipy's BLAS before pinning threads)
import scipy.sparse as sp  # noqa: E402
from scipy.sparse.linalg import expm_multiply  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from mbl.basis import SpinBasis  # noqa: E402
from mbl.models import XXZChain  # noqa: E402
from mbl.solvers import evolve  # noqa: E402


def _setup(L: int):
    H = XXZChain(L=L, W=5.0, Delta=1.0).hamiltonian(sz=0, rng=np.random.default_rng(L))
    neel = sum(1 << i for i in range(1, L, 2))
    psi0 = np.zeros(H.shape[0])
    psi0[SpinBasis.from_sz(L, 0).index(np.array([neel]))[0]] = 1.0
    return H.tocsr(), psi0


class _Counted(sp.csr_matrix):
    """CSR matrix that counts its products with vectors (for scipy's product count)."""

    count = 0

    def _matmul_vector(self, other):
        _Counted.count += 1
        return super()._matmul_vector(other)

    def _matmul_multivector(self, other):
        _Counted.count += other.shape[1]
        return super()._matmul_multivector(other)


def _scipy(H, psi0, times, counted=False):
    A = _Counted(-1j * H) if counted else -1j * H
    _Counted.count = 0
    psi, out = psi0.astype(complex), np.empty((psi0.size, times.size), dtype=complex)
    last = 0.0
    for n, t in enumerate(times):
        if t > last:
            psi = expm_multiply(A * (t - last), psi)
        out[:, n], last = psi, t
    return out, _Counted.count


def _quspin(H, psi0, times):
    from quspin.tools.evolution import expm_multiply_parallel

    op = expm_multiply_parallel(H, a=-1j, dtype=np.complex128)
    psi, out = psi0.astype(complex), np.empty((psi0.size, times.size), dtype=complex)
    work = np.zeros(2 * psi.size, dtype=np.complex128)
    last, bound = 0.0, 0
    for n, t in enumerate(times):
        if t > last:
            op.set_a(-1j * (t - last))
            bound += int(op._s) * int(op._m_star)
            psi = op.dot(psi, work_array=work, overwrite_v=False)
        out[:, n], last = psi, t
    return out, bound


def main() -> None:
    numba.set_num_threads(ARGS.threads)
    dims = [int(m) for m in ARGS.krylov_dim.split(",")]
    try:
        import quspin  # noqa: F401

        have_quspin = True
    except ImportError:
        have_quspin = False
        print("QuSpin is not installed: its column is skipped")
    with threadpool_limits(ARGS.threads):
        for L in ARGS.L:
            H, psi0 = _setup(L)
            times = np.concatenate([[0.0], np.geomspace(0.1, ARGS.t_max, 20)])
            evolve(H[:4, :4], np.ones(4), [0.0, 1.0])  # compile the numba kernels
            t0 = time.perf_counter()
            ref = evolve(H, psi0, times, tol=1e-13, krylov_dim=120)
            t_ref = time.perf_counter() - t0
            contenders = {f"mbl m={m}": partial(_mbl, H, psi0, times, m) for m in dims}
            if have_quspin:
                contenders["quspin expm_multiply_parallel"] = partial(_quspin, H, psi0, times)
            contenders["scipy expm_multiply"] = partial(_scipy, H, psi0, times)
            best = {name: np.inf for name in contenders}
            result = {}
            for _ in range(ARGS.rounds):
                for name, run in contenders.items():
                    t0 = time.perf_counter()
                    result[name] = run()
                    best[name] = min(best[name], time.perf_counter() - t0)
            counts = {name: r[1] for name, r in result.items()}
            counts["scipy expm_multiply"] = _scipy(H, psi0, times, counted=True)[1]
            print(f"\nL = {L} (N = {H.shape[0]}, nnz = {H.nnz}), t = 0 .. {ARGS.t_max:g}, "
                  f"{times.size} times, {ARGS.threads} thread(s), best of {ARGS.rounds}; "
                  f"reference {ref.matvecs} products in {t_ref:.1f} s, its distance to "
                  f"scipy {np.abs(result['scipy expm_multiply'][0] - ref.states).max():.1e}")
            fastest = min(best[f"mbl m={m}"] for m in dims)
            print(f"  {'contender':32s} {'time/s':>8s} {'max dev':>9s} {'norm drift':>10s} "
                  f"{'products':>9s} {'prod/s':>8s} {'t/t_mbl':>8s}")
            for name in contenders:
                states = result[name][0]
                dev = np.abs(states - ref.states).max()
                drift = np.abs(np.linalg.norm(states, axis=0) - 1).max()
                mark = "<=" if name.startswith("quspin") else "  "
                print(f"  {name:32s} {best[name]:8.2f} {dev:9.1e} {drift:10.1e} "
                      f"{mark}{counts[name]:7d} {counts[name] / best[name]:8.0f} "
                      f"{best[name] / fastest:8.2f}")


def _mbl(H, psi0, times, m):
    ev = evolve(H, psi0, times, tol=ARGS.tol, krylov_dim=m)
    return ev.states, ev.matvecs


if __name__ == "__main__":
    main()
