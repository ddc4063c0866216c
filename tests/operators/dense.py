"""Dense reference operators from Kronecker products (site 0 = least significant bit).

One-site matrices in the basis (bit 0, bit 1) = (down / empty, up / occupied); fermion
operators carry the Jordan-Wigner string prod_{q < p} (-1)^{n_q}.
"""

from __future__ import annotations

from functools import reduce

import numpy as np

I2 = np.eye(2)
SP = np.array([[0.0, 0.0], [1.0, 0.0]])  # S^+: |0> -> |1>
SM = SP.T.copy()  # S^- and the fermion annihilator without its string
ONE_SITE = {
    "I": I2,
    "z": np.diag([-0.5, 0.5]),
    "+": SP,
    "-": SM,
    "x": (SP + SM) / 2,
    "y": (SP - SM) / 2j,
    "n": np.diag([0.0, 1.0]),
}
JW = np.diag([1.0, -1.0])


def site_operator(L: int, op: str, p: int) -> np.ndarray:
    """The 2**L x 2**L matrix of one op letter on site p."""
    if op in "cC":
        m = SM if op == "c" else SP
        factors = [m if q == p else (JW if q < p else I2) for q in range(L - 1, -1, -1)]
    else:
        factors = [ONE_SITE[op] if q == p else I2 for q in range(L - 1, -1, -1)]
    return reduce(np.kron, factors)


def dense(L: int, terms) -> np.ndarray:
    """Full-space matrix of a term list: op strings are products read left to right."""
    H = np.zeros((2**L, 2**L), dtype=complex)
    for term in terms:
        for row, c in zip(term.sites, term.coeffs, strict=True):
            M = np.eye(2**L)
            for op, p in zip(term.op, row, strict=True):
                M = M @ site_operator(L, op, int(p))
            H += c * M
    return H


def project(H: np.ndarray, states: np.ndarray) -> np.ndarray:
    """Restriction of a full-space matrix to the basis states (in their order)."""
    return H[np.ix_(states, states)]
