"""The Anderson model of one particle on a hypercubic lattice.

H = sum_i eps_i |i><i| - t sum_<ij> (|i><j| + |j><i|), with eps_i drawn from
:func:`mbl.models.disorder.draw_onsite` (box U[-W/2, W/2] by default).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from mbl._core.errors import InputError
from mbl.lattice import Boundary, Hypercubic
from mbl.models.disorder import DISTRIBUTIONS, Distribution, draw_onsite


@dataclass(frozen=True)
class Anderson:
    """Specification of the Anderson model (Kwant-style: frozen, parameters by name).

    Parameters
    ----------
    shape : tuple of int
        Linear sizes, e.g. ``(L,)``, ``(L, L)`` or ``(L, L, L)``.
    W : float
        Disorder strength (width of the distribution, see :mod:`mbl.models.disorder`).
    bc : "open" or "periodic" (or one per axis)
    t : float
        Hopping amplitude (the unit of energy; default 1).
    disorder : "box", "gaussian" or "cauchy"

    Examples
    --------
    >>> import numpy as np, mbl
    >>> H = mbl.models.Anderson(shape=(8, 8, 8), W=16.5).hamiltonian(rng=np.random.default_rng(1))
    >>> H.shape
    (512, 512)
    """

    shape: tuple[int, ...]
    W: float
    bc: Boundary | tuple[Boundary, ...] = "periodic"
    t: float = 1.0
    disorder: Distribution = "box"

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", tuple(int(n) for n in self.shape))
        if not np.isfinite(self.W) or self.W < 0:
            raise InputError(f"disorder strength W must be finite and >= 0, got {self.W}")
        if self.disorder not in DISTRIBUTIONS:
            raise InputError(
                f"unknown disorder {self.disorder!r}; choose one of {', '.join(DISTRIBUTIONS)}"
            )
        Hypercubic(self.shape, self.bc)  # validates shape and boundaries

    @property
    def lattice(self) -> Hypercubic:
        """The lattice the particle lives on."""
        return Hypercubic(self.shape, self.bc)

    @property
    def n_sites(self) -> int:
        """Hilbert-space dimension N."""
        return self.lattice.n_sites

    def draw_onsite(self, rng: np.random.Generator) -> np.ndarray:
        """One realization of the on-site energies (length N)."""
        return draw_onsite(self.disorder, self.W, self.n_sites, rng)

    def hamiltonian(
        self, *, rng: np.random.Generator | None = None, onsite: np.ndarray | None = None
    ) -> sp.csr_matrix:
        """Sparse Hamiltonian (CSR, float64) of one disorder realization.

        Exactly one of ``rng`` (draw the disorder) or ``onsite`` (explicit energies) is given.
        """
        eps = self._onsite(rng, onsite)
        n = self.n_sites
        i, j = self.lattice.bonds()
        hop = np.full(i.size, -float(self.t))
        rows = np.concatenate([np.arange(n), i, j])
        cols = np.concatenate([np.arange(n), j, i])
        vals = np.concatenate([eps, hop, hop])
        H = sp.coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()
        H.sum_duplicates()
        return H

    def bandwidth_bound(self) -> float:
        """Bound on ``|E|`` for box disorder: 2 d t + W/2 (Gershgorin)."""
        return 2 * self.lattice.d * abs(self.t) + self.W / 2

    def _onsite(self, rng: np.random.Generator | None, onsite: np.ndarray | None) -> np.ndarray:
        if (rng is None) == (onsite is None):
            raise InputError(
                "give exactly one of rng= (draw the disorder) or onsite= (explicit energies)"
            )
        if onsite is None:
            return self.draw_onsite(rng)
        eps = np.asarray(onsite, dtype=float).ravel()
        if eps.size != self.n_sites:
            raise InputError(
                f"onsite has {eps.size} entries but the lattice {self.shape} has "
                f"{self.n_sites} sites"
            )
        return eps
