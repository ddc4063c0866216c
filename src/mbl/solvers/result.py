"""The result object every eigensolver returns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse.linalg as spla


@dataclass(frozen=True)
class Eigenpairs:
    """Eigenvalues (ascending), optionally eigenvectors (columns), and their quality.

    Attributes
    ----------
    energies : ndarray, shape (k,)
    vectors : ndarray, shape (N, k), or None when only values were asked for
    residual : float or None
        max_n ||H v_n - E_n v_n|| (vectors are normalized); None without vectors.
    orthogonality : float or None
        ``max |V^T V - 1|``; None without vectors.
    method : str
        Which solver produced them.
    e_min, e_max : float or None
        Extremal eigenvalues of H when known (full spectrum, or Lanczos for window methods).
    matvecs : int or None
        Products of H with a vector the solver made, where it counts them (POLFED).
    """

    energies: np.ndarray
    vectors: np.ndarray | None
    residual: float | None
    orthogonality: float | None
    method: str
    e_min: float | None = None
    e_max: float | None = None
    matvecs: int | None = None

    @property
    def k(self) -> int:
        """Number of eigenpairs."""
        return int(self.energies.size)


def residual_norm(H: spla.LinearOperator, energies: np.ndarray, vectors: np.ndarray) -> float:
    """max_n ||H v_n - E_n v_n||, computed in blocks so the memory stays that of ``vectors``."""
    worst = 0.0
    block = max(1, min(vectors.shape[1], 64))
    for start in range(0, vectors.shape[1], block):
        v = vectors[:, start : start + block]
        r = H @ v - v * energies[start : start + block]
        worst = max(worst, float(np.max(np.linalg.norm(r, axis=0))))
    return worst


#: Above this many columns the Gram matrix (an O(N k^2) product) is probed instead.
EXACT_GRAM_MAX = 512


def orthogonality_error(vectors: np.ndarray, *, probes: int = 4) -> float:
    """max |V^H V - 1| of a set of columns (conjugate transpose: complex vectors too).

    For more than :data:`EXACT_GRAM_MAX` columns the Gram matrix would cost as much as the
    diagonalization, so it is probed: the largest entry of (V^H V - 1) x over ``probes``
    random unit vectors x (fixed seed), which is O(N k) and of the size of max |V^H V - 1|.
    """
    k = vectors.shape[1] if vectors.ndim == 2 else 0
    if k == 0:
        return 0.0
    if k <= EXACT_GRAM_MAX:
        gram = vectors.conj().T @ vectors
        gram[np.diag_indices_from(gram)] -= 1.0
        return float(np.max(np.abs(gram)))
    x = np.random.default_rng(0).standard_normal((k, probes))
    x /= np.linalg.norm(x, axis=0)
    return float(np.max(np.abs(vectors.conj().T @ (vectors @ x) - x)))
