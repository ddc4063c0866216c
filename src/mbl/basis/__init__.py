"""Hilbert spaces of spins 1/2 and spinless fermions, with combinadic ranking.

Basis states are ``int64`` bit patterns: bit ``i`` is site ``i`` (site 0 least significant),
bit 1 = spin up / site occupied. :class:`SpinBasis` is the full ``2**L`` space or the sector
with ``n_up`` set bits (``S^z = n_up - L/2``, or particle number ``N = n_up``), its states in
increasing order. :mod:`mbl.basis.bits` holds the numba kernels (popcount, combinadic rank,
Jordan-Wigner parities) that operator kernels call.
"""

from mbl.basis.bits import BINOM, MAX_SITES, RANK_TABLE, fermion_sign, rank, unrank
from mbl.basis.spin import SpinBasis, plan_bytes

__all__ = [
    "BINOM",
    "MAX_SITES",
    "RANK_TABLE",
    "SpinBasis",
    "fermion_sign",
    "plan_bytes",
    "rank",
    "unrank",
]
