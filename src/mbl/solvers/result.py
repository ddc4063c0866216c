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
        max |V^T V - 1|; None without vectors.
    method : str
        Which solver produced them.
    e_min, e_max : float or None
        Extremal eigenvalues of H when known (full spectrum, or Lanczos for window methods).
    """

    energies: np.ndarray
    vectors: np.ndarray | None
    residual: float | None
    orthogonality: float | None
    method: str
    e_min: float | None = None
    e_max: float | None = None

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


def orthogonality_error(vectors: np.ndarray) -> float:
    """max |V^H V - 1| of a set of columns (conjugate transpose: complex vectors too)."""
    gram = vectors.conj().T @ vectors
    gram[np.diag_indices_from(gram)] -= 1.0
    return float(np.max(np.abs(gram))) if gram.size else 0.0
