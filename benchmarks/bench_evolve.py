"""Time evolution: Krylov against dense exp(-iHt) at L = 14 (t <= 100), and norm conservation
and throughput at L = 20 (t <= 1000), random-field XXZ chain at W = 5, S^z = 0, Néel start.

Prints the maximum deviation from the dense propagation, the norm drift, matrix-vector
products, seconds, and products per second. Not a test.

Usage: python3 benchmarks/bench_evolve.py [L_check [L_big [t_big]]]
"""

from __future__ import annotations

import sys
import time

import numpy as np
import scipy.linalg  # noqa: F401  (load scipy's BLAS before pinning threads)
from threadpoolctl import threadpool_limits

from mbl.models import XXZChain
from mbl.solvers import evolve


def _setup(L: int):
    H = XXZChain(L=L, W=5.0, Delta=1.0).hamiltonian(sz=0, rng=np.random.default_rng(L))
    neel = sum(1 << i for i in range(1, L, 2))
    from mbl.basis import SpinBasis

    psi0 = np.zeros(H.shape[0])
    psi0[SpinBasis.from_sz(L, 0).index(np.array([neel]))[0]] = 1.0
    return H, psi0


def main(L_check: int = 14, L_big: int = 20, t_big: float = 1000.0) -> None:
    with threadpool_limits(1):
        H, psi0 = _setup(L_check)
        times = np.concatenate([[0.0], np.geomspace(0.1, 100.0, 31)])
        t = time.perf_counter()
        exact = evolve(H, psi0, times, method="dense")
        t_dense = time.perf_counter() - t
        t = time.perf_counter()
        kry = evolve(H, psi0, times, method="krylov")
        t_kry = time.perf_counter() - t
        print(f"L = {L_check}: max |psi_krylov - psi_dense| = "
              f"{np.abs(kry.states - exact.states).max():.2e} up to t = 100 "
              f"(dense {t_dense:.1f} s, Krylov {t_kry:.1f} s, {kry.matvecs} products)")
        H, psi0 = _setup(L_big)
        times = np.concatenate([[0.0], np.geomspace(0.1, t_big, 31)])
        t = time.perf_counter()
        ev = evolve(H, psi0, times, method="krylov")
        dt = time.perf_counter() - t
        drift = np.abs(np.linalg.norm(ev.states, axis=0) - 1).max()
        print(f"L = {L_big} (N = {H.shape[0]}): norm drift {drift:.2e} up to t = {t_big:g}; "
              f"{ev.matvecs} products in {dt:.1f} s ({ev.matvecs / dt:.0f} per s); "
              f"error estimate {ev.error_estimate:.1e}")


if __name__ == "__main__":
    args = [float(a) for a in sys.argv[1:]]
    main(*(int(a) for a in args[:2]), *args[2:3])
