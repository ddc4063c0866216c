"""Quantum dot with a random two-body interaction (AGKL / TBRIM, docs/theory/agkl.md).

``n_orbitals`` spinless orbitals with unfolded GOE energies of mean spacing ``Delta``
(:func:`mbl.models.goe.goe_levels`, sorted: orbital ``alpha`` is site/bit ``alpha``) and a
random two-body interaction of r.m.s. matrix element ``Delta / g``:

    H = sum_alpha eps_alpha n_alpha
        + sum_{alpha<beta} sum_{gamma<delta} V_{alpha beta, gamma delta}
          c†_alpha c†_beta c_delta c_gamma.

The restricted sum equals ``1/4 sum_{alpha beta gamma delta} V c†_alpha c†_beta c_delta
c_gamma`` with V extended antisymmetrically in (alpha, beta) and in (gamma, delta); ``c_delta
c_gamma`` moves the pair (gamma, delta) to (alpha, beta). On the ``P = n_orbitals (n_orbitals
- 1) / 2`` ordered pairs, ``V_{ab} = (Delta / g) u_{ab}`` with ``u`` a real symmetric matrix of
independent standard normals (diagonal included): a GOE-like two-body random ensemble, Hermitian
because ``u`` is symmetric. Hence:

- a Fock state and one that differs from it by moving **two** particles are coupled by exactly
  one ``±V_{ab}``: the r.m.s. of these Fock-space hoppings is ``Delta / g`` (AGKL's
  ``V ~ Delta / g``, docs/theory/agkl.md §7.2);
- moving one particle collects one element per spectator (``n_alpha c†_beta c_delta``), of
  r.m.s. ``sqrt(N_spectators) Delta / g``;
- the pair-diagonal elements ``V_{ab, ab}`` (``n_alpha n_beta``, Hartree–Fock) are dropped
  unless ``diagonal=True``: "the diagonal parts are absorbed into the energies"
  (docs/theory/agkl.md §7.2), so the Fock-basis diagonal of H is ``sum eps n``.

Thouless window (docs/theory/agkl.md §7.3): the interaction acts only among orbitals within
``window`` of the Fermi level, ``|eps - eps_F| <= window`` for all four orbitals of an element, with
``window = E_T = g Delta`` by default. ``eps_F`` is the midpoint between the highest orbital filled
and the lowest empty one in the free Fermi sea of ``n_particles`` fermions. For exact
diagonalization sizes (``n_orbitals Delta / 2 <= g Delta``) the default window usually holds every
orbital; pass ``window=math.inf`` to drop it altogether. The window is applied when H is built, not
when the disorder is drawn, so one realization serves every ``g`` and window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from mbl._core.errors import InputError
from mbl.basis import SpinBasis
from mbl.models.goe import goe_levels
from mbl.operators import Term, build_csr

#: Largest number of orbitals :meth:`QuantumDot.hamiltonian` diagonalizes exactly.
MAX_ED_ORBITALS = 20


def pair_indices(n_orbitals: int) -> tuple[np.ndarray, np.ndarray]:
    """The ordered pairs ``alpha < beta`` in lexicographic order (``numpy.triu_indices``)."""
    return np.triu_indices(n_orbitals, 1)


@dataclass(frozen=True, eq=False)
class DotDisorder:
    """One realization of the dot.

    Parameters
    ----------
    levels : array_like, shape (n_orbitals,)
        Orbital energies, strictly increasing (orbital ``alpha`` is bit ``alpha``).
    coupling : array_like, shape (P, P)
        Symmetric matrix ``u`` of the pair couplings in units of ``Delta / g``, pairs ordered
        as :func:`pair_indices`; the drawn one is standard normal.
    """

    levels: np.ndarray
    coupling: np.ndarray

    def __post_init__(self) -> None:
        eps = np.array(self.levels, dtype=float)
        u = np.array(self.coupling, dtype=float)
        if eps.ndim != 1 or eps.size < 2:
            raise InputError(f"levels must be a 1-d array of >= 2 energies, got {eps.shape}")
        if not np.all(np.diff(eps) > 0):
            raise InputError(
                "levels must be strictly increasing (orbital alpha = the alpha-th lowest); "
                "sort them"
            )
        P = eps.size * (eps.size - 1) // 2
        if u.shape != (P, P):
            raise InputError(
                f"coupling must have shape (P, P) = ({P}, {P}) for {eps.size} orbitals, got "
                f"{u.shape}"
            )
        if not (np.all(np.isfinite(eps)) and np.all(np.isfinite(u))):
            raise InputError("levels and coupling must be finite")
        if not np.array_equal(u, u.T):
            raise InputError("coupling must be symmetric (H Hermitian); use (u + u.T) / 2")
        eps.setflags(write=False)
        u.setflags(write=False)
        object.__setattr__(self, "levels", eps)
        object.__setattr__(self, "coupling", u)


@dataclass(frozen=True)
class QuantumDot:
    """Quantum dot: GOE orbitals of spacing ``Delta`` and a random two-body interaction.

    Parameters
    ----------
    n_orbitals : int
        Number of orbitals ``N``, ``2 <= N``; at most :data:`MAX_ED_ORBITALS` for
        :meth:`hamiltonian`.
    n_particles : int
        Particles in the Fermi sea, ``0 <= n <= N``; it fixes the Fermi level and the default
        sector. The quasiparticle sector is ``n_particles + 1``.
    g : float
        Dimensionless conductance ``E_T / Delta > 0``; the interaction r.m.s. is ``Delta / g``
        (``g = inf``: no interaction).
    Delta : float
        Mean single-particle level spacing (default 1).
    window : float, optional
        Half-width of the Thouless window of interacting orbitals around the Fermi level, in
        energy units; default ``None`` = ``E_T = g Delta``; ``math.inf`` disables it.
    diagonal : bool
        Keep the pair-diagonal (Hartree–Fock) elements ``V_{ab, ab} n_alpha n_beta``
        (default False: absorbed into the energies, docs/theory/agkl.md §7.2).

    Examples
    --------
    >>> import numpy as np
    >>> dot = QuantumDot(n_orbitals=8, n_particles=4, g=2.0)
    >>> H = dot.hamiltonian(n=5, rng=np.random.default_rng(0))
    >>> H.shape
    (56, 56)
    """

    n_orbitals: int
    n_particles: int
    g: float
    Delta: float = 1.0
    window: float | None = None
    diagonal: bool = False

    def __post_init__(self) -> None:
        N, n = self.n_orbitals, self.n_particles
        for name, v in (("n_orbitals", N), ("n_particles", n)):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
                raise InputError(f"{name} must be an integer, got {v!r}")
        if N < 2:
            raise InputError(f"a dot needs n_orbitals >= 2 for a two-body interaction, got {N}")
        if not 0 <= n <= N:
            raise InputError(f"n_particles = {n} is out of range; use 0 <= n_particles <= {N}")
        if math.isnan(self.g) or self.g <= 0:
            raise InputError(f"the conductance g must be > 0 (inf: no interaction), got {self.g}")
        if not np.isfinite(self.Delta) or self.Delta <= 0:
            raise InputError(f"the level spacing Delta must be finite and > 0, got {self.Delta}")
        if self.window is not None and (math.isnan(self.window) or self.window < 0):
            raise InputError(f"window must be >= 0 (or None for g Delta), got {self.window}")
        object.__setattr__(self, "n_orbitals", int(N))
        object.__setattr__(self, "n_particles", int(n))

    @property
    def interaction_rms(self) -> float:
        """R.m.s. two-body matrix element ``Delta / g``."""
        return self.Delta / self.g

    @property
    def thouless_window(self) -> float:
        """Half-width of the window of interacting orbitals (``window`` or ``g Delta``)."""
        return self.g * self.Delta if self.window is None else float(self.window)

    def fermi_level(self, disorder: DotDisorder) -> float:
        """Midpoint between the highest filled and the lowest empty orbital of the Fermi sea."""
        eps = self.check_disorder(disorder).levels
        n = self.n_particles
        if n == 0:
            return float(eps[0])
        if n == self.n_orbitals:
            return float(eps[-1])
        return 0.5 * float(eps[n - 1] + eps[n])

    def draw_disorder(self, rng: np.random.Generator) -> DotDisorder:
        """One realization: the levels (:func:`~mbl.models.goe.goe_levels`), then the upper
        triangle (diagonal included) of the standard-normal pair coupling ``u``, row by row."""
        if not isinstance(rng, np.random.Generator):
            raise InputError(
                f"rng must be a numpy.random.Generator (numpy.random.default_rng(seed)), got "
                f"{type(rng).__name__}"
            )
        eps = goe_levels(self.n_orbitals, self.Delta, rng)
        P = self.n_orbitals * (self.n_orbitals - 1) // 2
        iu = np.triu_indices(P)
        u = np.zeros((P, P))
        u[iu] = rng.standard_normal(iu[0].size)
        u = u + np.triu(u, 1).T
        return DotDisorder(levels=eps, coupling=u)

    def check_disorder(self, disorder: DotDisorder) -> DotDisorder:
        """Refuse a realization of another number of orbitals; return it."""
        if not isinstance(disorder, DotDisorder):
            raise InputError(
                f"disorder must be a DotDisorder (see QuantumDot.draw_disorder), got "
                f"{type(disorder).__name__}"
            )
        if disorder.levels.size != self.n_orbitals:
            raise InputError(
                f"disorder has {disorder.levels.size} orbitals but the dot has "
                f"n_orbitals = {self.n_orbitals}"
            )
        return disorder

    def pair_coupling(self, disorder: DotDisorder) -> np.ndarray:
        """``V_{ab}`` on the pairs (:func:`pair_indices`), window and diagonal rule applied."""
        d = self.check_disorder(disorder)
        if math.isinf(self.g):
            return np.zeros_like(d.coupling)
        inside = np.abs(d.levels - self.fermi_level(d)) <= self.thouless_window
        a, b = pair_indices(self.n_orbitals)
        pair_in = inside[a] & inside[b]
        V = self.interaction_rms * d.coupling * (pair_in[:, None] & pair_in[None, :])
        if not self.diagonal:
            np.fill_diagonal(V, 0.0)
        return V

    def terms(self, disorder: DotDisorder) -> list[Term]:
        """Operator terms of H (``"n"`` for the orbitals, ``"CCcc"`` for the interaction)."""
        d = self.check_disorder(disorder)
        terms = [Term("n", np.arange(self.n_orbitals)[:, None], d.levels)]
        V = self.pair_coupling(d)
        ia, ib = np.nonzero(V)
        if ia.size:
            a, b = pair_indices(self.n_orbitals)
            # V_ab c†_alpha c†_beta c_delta c_gamma with a = (alpha, beta), b = (gamma, delta)
            sites = np.stack([a[ia], b[ia], b[ib], a[ib]], axis=1)
            terms.append(Term("CCcc", sites, V[ia, ib]))
        return terms

    def basis(self, n: int | None = None) -> SpinBasis:
        """Fock sector of ``n`` particles (default ``n_particles``)."""
        if self.n_orbitals > MAX_ED_ORBITALS:
            raise InputError(
                f"n_orbitals = {self.n_orbitals} is too many for exact diagonalization (at most "
                f"{MAX_ED_ORBITALS}); use fewer orbitals"
            )
        return SpinBasis(self.n_orbitals, self.n_particles if n is None else n)

    def hamiltonian(
        self,
        *,
        n: int | None = None,
        rng: np.random.Generator | None = None,
        disorder: DotDisorder | None = None,
    ) -> sp.csr_matrix:
        """CSR Hamiltonian on the sector of ``n`` particles (default ``n_particles``).

        Exactly one of ``rng`` (draw with :meth:`draw_disorder`) or ``disorder`` is given.
        For the quasiparticle spectral function use ``n = n_particles + 1`` and
        :func:`mbl.observables.spectral.fermi_sea_plus_one`.

        Returns
        -------
        scipy.sparse.csr_matrix
            Real symmetric, in the order of :meth:`basis` ``(n).states``.
        """
        basis = self.basis(n)
        if (rng is None) == (disorder is None):
            raise InputError(
                "give exactly one of rng= (draw the disorder) or disorder= (explicit)")
        d = self.draw_disorder(rng) if disorder is None else disorder
        return build_csr(basis, self.terms(d))
