"""The Basko–Aleiner–Altshuler lattice of cells for exact diagonalization
(docs/theory/baa-model.md §1.2–1.3).

Spinless fermions on sites (cell rho, level l), numbered ``site = rho * levels + l`` with the
cells in C (row-major) order of ``shape``. In units of the cell level spacing ``delta``
(BAA's delta_zeta):

    H = sum_{rho, l} xi_l(rho) n_l(rho)
        + I delta sum_{<rho, rho'>} sum_{l, m} s_{lm}(rho, rho') (c†_l(rho) c_m(rho') + h.c.)
        + 1/2 sum_rho sum_{l1 l2 j1 j2} V_{l1 l2}^{j1 j2}(rho) c†_l1 c†_l2 c_j1 c_j2

- ``xi_l(rho)``: per cell, ``levels`` consecutive unfolded GOE levels of mean spacing
  ``delta`` (:func:`mbl.models.goe.goe_levels`), centred on 0 (the Fermi energy at half
  filling); cells independent.
- Tunnelling: every level of a cell to **every** level of each nearest-neighbour cell, one
  amplitude ``I delta`` (docs/theory/baa-model.md §1.2, as read from the slide). Whether BAA put
  random signs on it is [UNCERTAIN]: ``tunnel_signs=True`` draws independent signs ``s_{lm} = ±1``
  per bond and level pair; the default ``False`` sets ``s = 1``.
- Interaction inside each cell only:

      V_{l1 l2}^{j1 j2} = lam delta (sigma_l1^j1 sigma_l2^j2 / 2) Y(l1, j1) Y(l2, j2) - (l1 <-> l2),
      Y(l, j) = Upsilon((xi_j - xi_l) / delta),   Upsilon(x) = theta(M/2 - |x|)

  (``theta(0) = 1``: the window is closed, ``|x| <= M/2``). ``sigma`` is a symmetric matrix of
  random signs per cell, ``sigma_l^j = sigma_j^l = ±1`` (its diagonal drawn too), which makes
  ``V_{l1 l2}^{j1 j2} = V_{j2 j1}^{l2 l1}`` and H Hermitian (docs/theory/baa-model.md §1.2 [RECON]).
  V is antisymmetric under ``l1 <-> l2`` and under ``j1 <-> j2``.
- No diagonal (Hartree–Fock) matrix elements: the terms with ``{j1, j2} = {l1, l2}`` are
  dropped (they would be ``n_l1 n_l2`` and are absorbed into xi). These are exactly the terms
  that are diagonal in the Fock basis, so the Fock-basis diagonal of H is ``sum xi n``. Terms
  with one common index (``l1 = j1``, ``l2 != j2``: density-assisted moves inside the cell)
  are kept.

With ``M -> 0`` only ``l = j`` passes the window, every surviving term is diagonal and dropped:
no interaction. The regime of docs/theory/baa-model.md §1.2 is lam << 1, I << 1, 1 << M <<
lam^{-1/2}; it is not enforced here (exact diagonalization explores beyond it).
docs/theory/baa-model.md §1.3 builds periodic lattices of many cells; for exact diagonalization the
default is ``bc="open"`` and at most :data:`MAX_ED_SITES` sites.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import scipy.sparse as sp

from mbl._core.errors import InputError
from mbl.basis import SpinBasis
from mbl.lattice import Hypercubic
from mbl.models.goe import goe_levels
from mbl.operators import Term, build_csr

#: Largest number of sites (cells x levels) :meth:`BAACells.hamiltonian` diagonalizes exactly.
MAX_ED_SITES = 20


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class BAADisorder:
    """One realization of the lattice of cells (see :class:`BAACells`).

    Parameters
    ----------
    xi : array_like, shape (n_cells, levels)
        Level energies ``xi_l(rho)``.
    sigma : array_like, shape (n_cells, levels, levels)
        Interaction signs ``sigma_l^j(rho)``; each cell's matrix must be symmetric (the drawn
        ones are ``±1``; any finite symmetric values are accepted).
    tunnel : array_like, shape (n_bonds, levels, levels), optional
        Tunnelling signs ``s_{lm}`` of each cell bond, in the order of
        :meth:`BAACells.cell_bonds` (``l`` in the first cell of the bond, ``m`` in the
        second); ``None`` (the default) means all ``+1``.
    """

    xi: np.ndarray
    sigma: np.ndarray
    tunnel: np.ndarray | None = None

    def __post_init__(self) -> None:
        xi = _frozen(self.xi)
        sigma = _frozen(self.sigma)
        if xi.ndim != 2:
            raise InputError(f"xi must have shape (n_cells, levels), got {xi.shape}")
        if sigma.shape != xi.shape + (xi.shape[1],):
            raise InputError(
                f"sigma must have shape (n_cells, levels, levels) = "
                f"{xi.shape + (xi.shape[1],)} to match xi, got {sigma.shape}"
            )
        if not (np.all(np.isfinite(xi)) and np.all(np.isfinite(sigma))):
            raise InputError("xi and sigma must be finite")
        if not np.array_equal(sigma, sigma.transpose(0, 2, 1)):
            raise InputError(
                "sigma must be symmetric in each cell (sigma_l^j = sigma_j^l) or H is not "
                "Hermitian; symmetrize it, e.g. np.triu(s) + np.triu(s, 1).swapaxes(-1, -2)"
            )
        object.__setattr__(self, "xi", xi)
        object.__setattr__(self, "sigma", sigma)
        if self.tunnel is not None:
            tunnel = _frozen(self.tunnel)
            if tunnel.ndim != 3 or tunnel.shape[1:] != (xi.shape[1],) * 2:
                raise InputError(
                    f"tunnel must have shape (n_bonds, levels, levels) with levels = "
                    f"{xi.shape[1]}, got {tunnel.shape}"
                )
            if not np.all(np.isfinite(tunnel)):
                raise InputError("tunnel signs must be finite")
            object.__setattr__(self, "tunnel", tunnel)


@dataclass(frozen=True)
class BAACells:
    """BAA lattice of cells with GOE levels, all-to-all tunnelling and a windowed interaction.

    Parameters
    ----------
    shape : tuple of int
        Cells along each axis, ``(n_cells,)``, ``(nx, ny)`` or ``(nx, ny, nz)``; an axis of
        size 1 has no bonds.
    levels : int
        Levels per cell, ``>= 2``; an interacting model (``lam > 0``) needs ``>= 3``, since
        every two-particle term of a 2-level cell is the dropped diagonal ``n_0 n_1``.
    I : float
        Dimensionless tunnelling; the amplitude is ``I * delta``.
    lam : float
        Dimensionless interaction ``lambda >= 0``; matrix elements are ``lam * delta / 2``.
    M : float
        Width of the interaction window in units of ``delta`` (``> 0``): each electron may
        change its energy by at most ``M delta / 2``.
    delta : float
        Mean level spacing in a cell (the unit of energy, default 1).
    bc : "open" or "periodic" (or one per axis)
        Boundary conditions of the lattice of cells (periodic axes need >= 3 cells).
    tunnel_signs : bool
        Draw random ``±1`` signs on the tunnelling amplitudes (uncertain,
        docs/theory/baa-model.md §1.2; default False, one amplitude ``I delta``).
    beta : float
        Dyson index of the levels in a cell (1 = GOE, the default of docs/theory/baa-model.md §1.2;
        2 = GUE statistics).

    Examples
    --------
    >>> import numpy as np
    >>> model = BAACells(shape=(2,), levels=4, I=0.1, lam=0.2, M=3.0)
    >>> H = model.hamiltonian(rng=np.random.default_rng(1))   # half filling: 4 of 8 sites
    >>> H.shape
    (70, 70)
    """

    shape: tuple[int, ...]
    levels: int
    I: float  # noqa: E741 - the theory's name for the tunnelling
    lam: float
    M: float
    delta: float = 1.0
    bc: Literal["open", "periodic"] | tuple[str, ...] = "open"
    tunnel_signs: bool = False
    beta: float = 1.0
    _bonds: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            shape = tuple(int(n) for n in np.atleast_1d(self.shape))
        except (TypeError, ValueError):
            raise InputError(f"shape must be a tuple of integers, got {self.shape!r}") from None
        object.__setattr__(self, "shape", shape)
        if not 1 <= len(shape) <= 3 or min(shape) < 1:
            raise InputError(f"shape must have 1 to 3 axes of >= 1 cells each, got {shape}")
        if isinstance(self.levels, (bool, np.bool_)) or not isinstance(
                self.levels, (int, np.integer)) or self.levels < 2:
            raise InputError(
                f"levels = {self.levels!r}: a cell needs an integer >= 2 levels (with one level "
                "there is no interaction, c†_l c†_l = 0)"
            )
        object.__setattr__(self, "levels", int(self.levels))
        if self.levels == 2 and self.lam != 0:
            raise InputError(
                f"a cell of 2 levels has no interaction (lam = {self.lam}): its only two-particle "
                "term is n_0 n_1, which is diagonal and dropped; use levels >= 3, or lam = 0"
            )
        for name in ("I", "lam", "M", "delta", "beta"):
            if not np.isfinite(getattr(self, name)):
                raise InputError(f"{name} must be finite, got {getattr(self, name)}")
        if self.lam < 0:
            raise InputError(f"the interaction lam must be >= 0, got {self.lam}")
        if self.M <= 0:
            raise InputError(
                f"the interaction window M must be > 0 (in units of delta), got {self.M}; "
                "for no interaction use lam = 0"
            )
        if self.delta <= 0:
            raise InputError(f"the level spacing delta must be > 0, got {self.delta}")
        if self.beta <= 0:
            raise InputError(f"the Dyson index beta must be > 0 (1 = GOE), got {self.beta}")
        object.__setattr__(self, "_bonds", _cell_bonds(shape, self.bc))

    # -- geometry -------------------------------------------------------------------------

    @property
    def n_cells(self) -> int:
        """Number of cells, ``prod(shape)``."""
        return int(np.prod(self.shape))

    @property
    def n_sites(self) -> int:
        """Number of fermion sites, ``n_cells * levels``."""
        return self.n_cells * self.levels

    def site(self, cell: int | np.ndarray, level: int | np.ndarray) -> int | np.ndarray:
        """Site index ``cell * levels + level`` (bit of the basis states)."""
        return cell * self.levels + level

    def cell_bonds(self) -> np.ndarray:
        """Nearest-neighbour cell pairs ``(rho, rho')``, each once, shape ``(n_bonds, 2)``."""
        return self._bonds.copy()

    # -- realization ----------------------------------------------------------------------

    def draw_disorder(self, rng: np.random.Generator) -> BAADisorder:
        """One realization, drawn in this order: the levels of cell 0, 1, ... (one
        :func:`~mbl.models.goe.goe_levels` call each), the sign matrices ``sigma`` (upper
        triangles, diagonal included), then the tunnelling signs if ``tunnel_signs``.
        """
        _check_rng(rng)
        L = self.levels
        xi = np.stack([goe_levels(L, self.delta, rng, beta=self.beta)
                       for _ in range(self.n_cells)])
        upper = 2.0 * rng.integers(0, 2, size=(self.n_cells, L, L)) - 1.0
        upper = np.triu(upper)
        sigma = upper + np.triu(upper, 1).transpose(0, 2, 1)
        tunnel = None
        if self.tunnel_signs:
            tunnel = 2.0 * rng.integers(0, 2, size=(len(self._bonds), L, L)) - 1.0
        return BAADisorder(xi=xi, sigma=sigma, tunnel=tunnel)

    def check_disorder(self, disorder: BAADisorder) -> BAADisorder:
        """Refuse a realization that does not fit this model; return it."""
        if not isinstance(disorder, BAADisorder):
            raise InputError(
                f"disorder must be a BAADisorder (see BAACells.draw_disorder), got "
                f"{type(disorder).__name__}"
            )
        want = (self.n_cells, self.levels)
        if disorder.xi.shape != want:
            raise InputError(
                f"disorder.xi has shape {disorder.xi.shape} but the model has (n_cells, levels) "
                f"= {want}"
            )
        if self.tunnel_signs != (disorder.tunnel is not None):
            raise InputError(
                "the model has tunnel_signs=" + str(self.tunnel_signs) + " but the disorder "
                + ("has no" if disorder.tunnel is None else "has") + " tunnel signs; draw it "
                "with the same model or set tunnel_signs to match"
            )
        if disorder.tunnel is not None and len(disorder.tunnel) != len(self._bonds):
            raise InputError(
                f"disorder.tunnel has {len(disorder.tunnel)} bonds but the lattice has "
                f"{len(self._bonds)} (shape {self.shape}, bc {self.bc!r})"
            )
        return disorder

    # -- operators ------------------------------------------------------------------------

    def single_particle_matrix(self, disorder: BAADisorder) -> np.ndarray:
        """Hermitian ``h`` of the quadratic part, ``H0 = sum_ij h_ij c†_i c_j`` (dense)."""
        d = self.check_disorder(disorder)
        h = np.diag(d.xi.ravel()).astype(float)
        for b, (i, j) in enumerate(self._bonds):
            block = self.I * self.delta * (1.0 if d.tunnel is None else d.tunnel[b])
            si, sj = self.site(i, 0), self.site(j, 0)
            h[si:si + self.levels, sj:sj + self.levels] += block
            h[sj:sj + self.levels, si:si + self.levels] += np.transpose(block)
        return h

    def interaction_tensor(self, disorder: BAADisorder) -> np.ndarray:
        """``V_{l1 l2}^{j1 j2}(rho)`` as an array ``V[rho, l1, l2, j1, j2]``, diagonal dropped.

        The interaction is ``1/2 sum V[rho, l1, l2, j1, j2] c†_l1 c†_l2 c_j1 c_j2`` in each
        cell; entries with ``{j1, j2} = {l1, l2}`` are zero (no Hartree–Fock terms).
        """
        d = self.check_disorder(disorder)
        window = np.abs(d.xi[:, None, :] - d.xi[:, :, None]) <= 0.5 * self.M * self.delta
        B = d.sigma * window  # B[rho, l, j] = sigma_l^j Y(l, j)
        A = 0.5 * np.einsum("rac,rbd->rabcd", B, B)  # A[l1, l2, j1, j2]
        V = self.lam * self.delta * (A - A.transpose(0, 2, 1, 3, 4))
        L = np.arange(self.levels)
        l1, l2, j1, j2 = np.meshgrid(L, L, L, L, indexing="ij")
        diagonal = ((l1 == j1) & (l2 == j2)) | ((l1 == j2) & (l2 == j1))
        V[:, diagonal] = 0.0
        return V

    def terms(self, disorder: BAADisorder) -> list[Term]:
        """Operator terms of H for one realization (for :func:`mbl.operators.build_csr`).

        The interaction is written with ``l1 < l2`` and ``j1 < j2`` only: by the double
        antisymmetry of V the four orderings of a term are the same operator, so
        ``1/2 sum_all = 2 sum_{l1<l2, j1<j2}``.
        """
        d = self.check_disorder(disorder)
        L = self.levels
        sites = np.arange(self.n_sites)
        terms = [Term("n", sites[:, None], d.xi.ravel())]
        if len(self._bonds) and self.I != 0:
            lv, mv = np.meshgrid(np.arange(L), np.arange(L), indexing="ij")
            pairs, amps = [], []
            for b, (i, j) in enumerate(self._bonds):
                pairs.append(np.stack([self.site(i, lv).ravel(), self.site(j, mv).ravel()], 1))
                s = np.ones(L * L) if d.tunnel is None else d.tunnel[b].ravel()
                amps.append(self.I * self.delta * s)
            pairs_a, amps_a = np.concatenate(pairs), np.concatenate(amps)
            terms += [Term("Cc", pairs_a, amps_a), Term("Cc", pairs_a[:, ::-1], amps_a)]
        if self.lam != 0:
            V = self.interaction_tensor(d)
            rho, l1, l2, j1, j2 = np.nonzero(V)
            keep = (l1 < l2) & (j1 < j2)
            rho, l1, l2, j1, j2 = rho[keep], l1[keep], l2[keep], j1[keep], j2[keep]
            quad = np.stack([self.site(rho, x) for x in (l1, l2, j1, j2)], axis=1)
            terms.append(Term("CCcc", quad.reshape(-1, 4), 2.0 * V[rho, l1, l2, j1, j2]))
        return terms

    def basis(self, n: int | None = None) -> SpinBasis:
        """Fock sector with ``n`` particles (default: half filling, ``n_sites / 2``).

        Raises
        ------
        InputError
            For more than :data:`MAX_ED_SITES` sites, an odd number of sites without ``n``, or
            ``n`` outside ``[0, n_sites]``.
        """
        if self.n_sites > MAX_ED_SITES:
            raise InputError(
                f"{self.n_cells} cells x {self.levels} levels = {self.n_sites} sites is too "
                f"many for exact diagonalization (at most {MAX_ED_SITES}); use fewer cells or "
                "levels"
            )
        if n is None:
            if self.n_sites % 2:
                raise InputError(
                    f"{self.n_sites} sites have no half filling; give the particle number n="
                )
            n = self.n_sites // 2
        return SpinBasis(self.n_sites, n)

    def hamiltonian(
        self,
        *,
        n: int | None = None,
        rng: np.random.Generator | None = None,
        disorder: BAADisorder | None = None,
    ) -> sp.csr_matrix:
        """CSR Hamiltonian on the sector of ``n`` particles (default half filling).

        Exactly one of ``rng`` (draw with :meth:`draw_disorder`) or ``disorder`` (explicit,
        e.g. a saved realization) is given.

        Parameters
        ----------
        n : int, optional
            Particle number; default ``n_sites / 2``.
        rng : numpy.random.Generator, optional
        disorder : BAADisorder, optional

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


def _check_rng(rng: object) -> None:
    if not isinstance(rng, np.random.Generator):
        raise InputError(
            f"rng must be a numpy.random.Generator (numpy.random.default_rng(seed)), got "
            f"{type(rng).__name__}"
        )


def _cell_bonds(shape: tuple[int, ...], bc) -> np.ndarray:
    """Cell bonds of a hypercubic lattice of cells; axes of size 1 carry no bonds."""
    bcs = (bc,) * len(shape) if isinstance(bc, str) else tuple(bc)
    if len(bcs) != len(shape):
        raise InputError(f"bc has {len(bcs)} entries but shape {shape} has {len(shape)} axes")
    for b in bcs:
        if b not in ("open", "periodic"):
            raise InputError(f"bc must be 'open' or 'periodic', got {b!r}")
    axes = [k for k, n in enumerate(shape) if n > 1]
    if not axes:
        return np.zeros((0, 2), dtype=np.int64)
    # Axes of size 1 do not change C-order indices, so the squeezed lattice numbers cells alike.
    lattice = Hypercubic(tuple(shape[k] for k in axes), tuple(bcs[k] for k in axes))
    first, second = lattice.bonds()
    return np.stack([first, second], axis=1).astype(np.int64)
