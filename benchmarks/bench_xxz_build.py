"""Basis + CSR build of the random-field XXZ chain: mbl against QuSpin, in one run.

Both build H = sum S_i.S_{i+1} + sum h_i S^z_i (periodic, S^z = 0, spin-1/2 operators) from
scratch: the sector basis, then a CSR matrix. Best of ``repeats``; numba kernels are compiled
(and cached) before timing. Prints the ratio mbl / QuSpin per L. Not a test.

Usage: python3 benchmarks/bench_xxz_build.py [L ...]
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np

from mbl.models import XXZChain


def best_of(fn, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def quspin_build(L: int, h: np.ndarray):
    from quspin.basis import spin_basis_1d
    from quspin.operators import hamiltonian

    bonds = [[0.5, i, (i + 1) % L] for i in range(L)]
    static = [["+-", bonds], ["-+", bonds], ["zz", [[1.0, i, (i + 1) % L] for i in range(L)]],
              ["z", [[h[i], i] for i in range(L)]]]
    basis = spin_basis_1d(L, Nup=L // 2, pauli=0)
    return hamiltonian(static, [], basis=basis, dtype=np.float64, check_symm=False,
                       check_herm=False, check_pcon=False).tocsr()


def main(sizes: list[int]) -> None:
    warnings.simplefilter("ignore")
    XXZChain(L=8).hamiltonian(sz=0, fields=np.zeros(8))  # compile / load the numba cache
    print(f"{'L':>3} {'N':>9} {'mbl [s]':>9} {'QuSpin [s]':>11} {'mbl/QuSpin':>11}")
    for L in sizes:
        h = np.random.default_rng(L).uniform(-3, 3, L)
        repeats = 5 if L <= 20 else 2
        t_mbl = best_of(lambda L=L, h=h: XXZChain(L=L).hamiltonian(sz=0, fields=h), repeats)
        t_qs = best_of(lambda L=L, h=h: quspin_build(L, h), repeats)
        A = XXZChain(L=L).hamiltonian(sz=0, fields=h)
        B = quspin_build(L, h)
        assert A.nnz == B.nnz, (A.nnz, B.nnz)
        n = A.shape[0]
        print(f"{L:>3} {n:>9} {t_mbl:>9.3f} {t_qs:>11.3f} {t_mbl / t_qs:>11.2f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [16, 18, 20, 22])
