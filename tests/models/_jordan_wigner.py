"""Dense Jordan-Wigner fermion operators: an independent reference for the operator builder."""

from functools import reduce

import numpy as np


def annihilators(L: int) -> list[np.ndarray]:
    """c_p = (prod_{q<p} (-1)^{n_q}) sigma^-_p on 2**L states (bit p = site p)."""
    lower, string, one = np.array([[0.0, 1.0], [0.0, 0.0]]), np.diag([1.0, -1.0]), np.eye(2)
    return [reduce(np.kron, [lower if q == p else (string if q < p else one)
                             for q in range(L - 1, -1, -1)]) for p in range(L)]
