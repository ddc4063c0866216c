"""Observables of time-evolved states in the computational (S^z) basis.

States are columns of amplitudes on sorted basis states (docs/conventions.md §3: bit i is site i, 1
= up).
"""

from __future__ import annotations

import numpy as np

from mbl._core.errors import InputError

__all__ = ["imbalance", "magnetization", "return_probability"]


def magnetization(vectors: np.ndarray, states: np.ndarray, L: int) -> np.ndarray:
    """<sigma^z_i> for every site and state: shape (L, k) for ``vectors`` of shape (N, k)."""
    vectors = np.asarray(vectors)
    if vectors.ndim == 1:
        vectors = vectors[:, None]
    if vectors.shape[0] != np.asarray(states).size:
        raise InputError(f"vectors have {vectors.shape[0]} rows but the basis has "
                         f"{np.asarray(states).size} states")
    p = np.abs(vectors) ** 2
    p /= p.sum(axis=0)
    bits = (np.asarray(states)[None, :] >> np.arange(L)[:, None]) & 1  # (L, N)
    return (2.0 * bits - 1.0) @ p


def imbalance(vectors: np.ndarray, states: np.ndarray, L: int, initial: np.ndarray) -> np.ndarray:
    """Memory of the initial pattern: I(t) = sum_i z_i(0) <sigma^z_i(t)> / sum_i z_i(0)^2.

    For a Néel (density-wave) initial state this is the usual imbalance
    (N_even - N_odd) / (N_even + N_odd) of the fermions, 1 at t = 0; it decays to 0 in an
    ergodic system and stays finite in a localized one. ``initial`` is the basis state (int).
    """
    z0 = 2.0 * ((int(initial) >> np.arange(L)) & 1) - 1.0
    return z0 @ magnetization(vectors, states, L) / (z0 @ z0)


def return_probability(vectors: np.ndarray, psi0: np.ndarray) -> np.ndarray:
    """``|<psi0|psi(t)>|^2`` for every column psi(t) of ``vectors``."""
    return np.abs(np.asarray(psi0).conj() @ np.asarray(vectors)) ** 2
