"""Disordered spin-1/2 chains and their Jordan–Wigner fermions (docs/conventions.md §2,
docs/theory/xxz-chain.md).

- :class:`XXZChain`: H = J sum_i (S^x_i S^x_{i+1} + S^y_i S^y_{i+1} + Delta S^z_i S^z_{i+1})
  + sum_i h_i S^z_i with S = sigma/2 and random fields h_i ~ U[-W, W];
- :class:`SpinlessFermions`: H = t sum_i (c†_i c_{i+1} + h.c.) + V sum_i (n_i - 1/2)(n_{i+1} - 1/2)
  + sum_i h_i (n_i - 1/2), the Jordan–Wigner image of the XXZ chain for t = J/2, V = J Delta;
- :class:`AubryAndre`: the XXZ chain in the quasiperiodic field h_i = W cos(2 pi beta i + phi),
  beta = (sqrt 5 - 1)/2, phi uniform in [0, 2 pi) (non-interacting transition at W = J).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp

from mbl._core.errors import InputError
from mbl.basis import SpinBasis
from mbl.operators import Term, build_csr

GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0


def _bonds(L: int, bc: str) -> np.ndarray:
    """Nearest-neighbour pairs (i, i+1), plus (L-1, 0) on a ring."""
    i = np.arange(L - 1)
    pairs = np.stack([i, i + 1], axis=1)
    if bc != "open":
        pairs = np.vstack([pairs, [[L - 1, 0]]])
    return pairs


def _check_chain(L: int, bc: str, allowed: tuple[str, ...]) -> None:
    if L < 2:
        raise InputError(f"a chain needs L >= 2 sites, got L = {L}")
    if bc not in allowed:
        raise InputError(f"bc must be one of {', '.join(allowed)}, got {bc!r}")
    if bc != "open" and L < 3:
        raise InputError(f"periodic chains need L >= 3 (L = {L} would bond a pair twice)")


def _sector(L: int, sz: float | None) -> SpinBasis:
    return SpinBasis(L) if sz is None else SpinBasis.from_sz(L, sz)


def _fields(L: int, rng: np.random.Generator | None, fields: np.ndarray | None,
            draw) -> np.ndarray:
    if (rng is None) == (fields is None):
        raise InputError("give exactly one of rng= (draw the disorder) or fields= (explicit)")
    if fields is None:
        if not isinstance(rng, np.random.Generator):
            raise InputError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        return draw(rng)
    h = np.asarray(fields, dtype=float).ravel()
    if h.size != L:
        raise InputError(f"fields has {h.size} entries but the chain has L = {L} sites")
    return h


@dataclass(frozen=True)
class XXZChain:
    """Random-field XXZ chain (spin operators S = sigma/2; fields h_i ~ U[-W, W]).

    Examples
    --------
    >>> import numpy as np, mbl
    >>> H = mbl.models.XXZChain(L=10, W=3.0).hamiltonian(sz=0, rng=np.random.default_rng(1))
    >>> H.shape
    (252, 252)
    """

    L: int
    J: float = 1.0
    Delta: float = 1.0
    W: float = 0.0
    bc: Literal["open", "periodic"] = "periodic"

    def __post_init__(self) -> None:
        _check_chain(self.L, self.bc, ("open", "periodic"))
        if not np.isfinite(self.W) or self.W < 0:
            raise InputError(f"disorder strength W must be finite and >= 0, got {self.W}")

    def draw_fields(self, rng: np.random.Generator) -> np.ndarray:
        """One realization of the random fields, h_i ~ U[-W, W]."""
        return rng.uniform(-self.W, self.W, self.L)

    def terms(self, fields: np.ndarray) -> list[Term]:
        """The operator terms of H for given fields."""
        b = _bonds(self.L, self.bc)
        n = len(b)
        return [Term("+-", b, np.full(n, 0.5 * self.J)),
                Term("-+", b, np.full(n, 0.5 * self.J)),
                Term("zz", b, np.full(n, self.J * self.Delta)),
                Term("z", np.arange(self.L)[:, None], np.asarray(fields, dtype=float))]

    def hamiltonian(self, *, sz: float | None = 0, rng: np.random.Generator | None = None,
                    fields: np.ndarray | None = None) -> sp.csr_matrix:
        """CSR Hamiltonian on the S^z = ``sz`` sector (``sz=None``: the full 2^L space)."""
        basis = _sector(self.L, sz)
        h = _fields(self.L, rng, fields, self.draw_fields)
        return build_csr(basis, self.terms(h))


@dataclass(frozen=True)
class AubryAndre(XXZChain):
    """Interacting Aubry–André chain: the XXZ chain in h_i = W cos(2 pi beta i + phi).

    ``rng`` draws the phase phi ~ U[0, 2 pi); explicit ``fields`` are taken as they are.
    """

    beta: float = GOLDEN

    def draw_fields(self, rng: np.random.Generator) -> np.ndarray:
        phi = rng.uniform(0.0, 2 * np.pi)
        return self.W * np.cos(2 * np.pi * self.beta * np.arange(self.L) + phi)


@dataclass(frozen=True)
class SpinlessFermions:
    """Spinless fermions with a random potential and nearest-neighbour interaction.

    H = t sum (c†_i c_{i+1} + h.c.) + V sum (n_i - 1/2)(n_{i+1} - 1/2) + sum h_i (n_i - 1/2)
    with h_i ~ U[-W, W]. ``bc="periodic"`` closes the ring with c†_{L-1} c_0 (Jordan–Wigner
    string included); ``"antiperiodic"`` flips the sign of that bond.
    """

    L: int
    t: float = 0.5
    V: float = 1.0
    W: float = 0.0
    bc: Literal["open", "periodic", "antiperiodic"] = "periodic"

    def __post_init__(self) -> None:
        _check_chain(self.L, self.bc, ("open", "periodic", "antiperiodic"))
        if not np.isfinite(self.W) or self.W < 0:
            raise InputError(f"disorder strength W must be finite and >= 0, got {self.W}")

    def draw_fields(self, rng: np.random.Generator) -> np.ndarray:
        return rng.uniform(-self.W, self.W, self.L)

    def hamiltonian(self, *, n: int | None = None, rng: np.random.Generator | None = None,
                    fields: np.ndarray | None = None) -> sp.csr_matrix:
        """CSR Hamiltonian with ``n`` particles (default half filling; odd L needs ``n``)."""
        if n is None:
            if self.L % 2:
                raise InputError(f"odd L = {self.L} has no half filling; give n=")
            n = self.L // 2
        basis = SpinBasis(self.L, n)
        h = _fields(self.L, rng, fields, self.draw_fields)
        b = _bonds(self.L, self.bc)
        hop = np.full(len(b), self.t)
        if self.bc == "antiperiodic":
            hop[-1] = -hop[-1]
        sites = np.arange(self.L)[:, None]
        # (n_i - 1/2)(n_j - 1/2) = n_i n_j - (n_i + n_j)/2 + 1/4;  sum h_i (n_i - 1/2)
        onsite = np.asarray(h, dtype=float) - 0.5 * self.V * np.bincount(b.ravel(),
                                                                       minlength=self.L)
        terms = [Term("Cc", b, hop), Term("Cc", b[:, ::-1], hop),
                 Term("nn", b, np.full(len(b), self.V)), Term("n", sites, onsite)]
        H = build_csr(basis, terms)
        const = 0.25 * self.V * len(b) - 0.5 * float(np.sum(h))
        return (H + const * sp.identity(basis.dim, format="csr")).tocsr()
