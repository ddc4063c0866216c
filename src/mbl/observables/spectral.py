"""Quasiparticle spectral weights in Fock space (AGKL, docs/theory/agkl.md §7.3).

A quasiparticle added to the free Fermi sea, ``|qp> = c†_alpha |FS>``, is a single Fock state
of the ``N + 1`` particle sector. Its overlaps with the interacting eigenstates,
``w_n = |<n|qp>|^2``, give the quasiparticle local density of states
``A_alpha(E) = sum_n w_n delta(E - E_n)``. In the localized (in Fock space) regime the weight
stays on a few eigenstates and the peaks have zero width; in the delocalized regime it spreads
over many. The Fock-space inverse participation ratio ``sum_n w_n^2`` measures this: 1 when
the quasiparticle is an exact eigenstate, ``~ 1 / (number of eigenstates it decays into)``
otherwise.

The sign convention (``c†_alpha`` with its Jordan–Wigner sign) does not enter: ``w_n`` is a
modulus. |FS> is the *free* Fermi sea (the lowest ``n_particles`` orbitals filled), as in
AGKL, not the interacting ground state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mbl._core.errors import InputError


@dataclass(frozen=True, eq=False)
class QuasiparticleSpectrum:
    """Weights of one Fock state on the eigenstates (see :func:`quasiparticle_weights`).

    Attributes
    ----------
    energies : numpy.ndarray
        Eigenvalues ``E_n``.
    weights : numpy.ndarray
        ``w_n = |<n|qp>|^2`` (sum 1 when the eigenvectors span the sector).
    ipr : float
        Fock-space inverse participation ratio ``sum_n w_n^2``.
    """

    energies: np.ndarray
    weights: np.ndarray
    ipr: float

    @property
    def participation(self) -> float:
        """``1 / ipr``: the number of eigenstates the quasiparticle is spread over."""
        return 1.0 / self.ipr

    @property
    def total_weight(self) -> float:
        """``sum_n w_n`` (below 1 when only part of the spectrum was given)."""
        return float(self.weights.sum())

    @property
    def mean_energy(self) -> float:
        """Weighted mean energy ``sum w_n E_n / sum w_n`` (``<qp|H|qp>`` for a full basis)."""
        return float(np.dot(self.weights, self.energies) / self.weights.sum())

    @property
    def width(self) -> float:
        """Weighted standard deviation of the energies (the spread of the LDOS)."""
        w = self.weights / self.weights.sum()
        mean = np.dot(w, self.energies)
        return float(np.sqrt(max(np.dot(w, (self.energies - mean) ** 2), 0.0)))

    def spectral_function(self, omega: np.ndarray, eta: float) -> np.ndarray:
        """Lorentzian-broadened LDOS ``sum_n w_n (eta / pi) / ((omega - E_n)^2 + eta^2)``.

        Parameters
        ----------
        omega : array_like
            Energies at which to evaluate it.
        eta : float
            Half-width of the broadening, ``> 0``.

        Returns
        -------
        numpy.ndarray
            ``A(omega)``, same shape as ``omega``; it integrates to :attr:`total_weight`.
        """
        if not np.isfinite(eta) or eta <= 0:
            raise InputError(f"the broadening eta must be finite and > 0, got {eta}")
        om = np.asarray(omega, dtype=float)
        diff = om[..., None] - self.energies
        return (self.weights * (eta / np.pi) / (diff * diff + eta * eta)).sum(axis=-1)


def fermi_sea_plus_one(n_orbitals: int, n_particles: int, alpha: int) -> int:
    """Fock state ``c†_alpha |FS>``: orbitals 0 to ``n_particles - 1`` filled, plus ``alpha``.

    Orbitals are numbered by increasing energy (bit ``i`` = orbital ``i``), as in
    :class:`mbl.models.dot.QuantumDot`.

    Parameters
    ----------
    n_orbitals : int
        Number of orbitals.
    n_particles : int
        Particles in the Fermi sea, ``0 <= n_particles < n_orbitals``.
    alpha : int
        Empty orbital to fill, ``n_particles <= alpha < n_orbitals``.

    Returns
    -------
    int
        The state as a bit pattern, ``2**n_particles - 1 + 2**alpha``.

    Examples
    --------
    >>> bin(fermi_sea_plus_one(8, 3, 5))
    '0b100111'
    """
    for name, v in (("n_orbitals", n_orbitals), ("n_particles", n_particles), ("alpha", alpha)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise InputError(f"{name} must be an integer, got {v!r}")
    if not 1 <= n_orbitals <= 62:
        raise InputError(f"n_orbitals must lie in [1, 62], got {n_orbitals}")
    if not 0 <= n_particles < n_orbitals:
        raise InputError(
            f"n_particles = {n_particles} leaves no empty orbital of {n_orbitals}; use "
            f"0 <= n_particles < n_orbitals"
        )
    if not n_particles <= alpha < n_orbitals:
        raise InputError(
            f"orbital alpha = {alpha} is not empty in the Fermi sea of {n_particles} particles; "
            f"use {n_particles} <= alpha < {n_orbitals}"
        )
    return int((1 << int(n_particles)) - 1 + (1 << int(alpha)))


def quasiparticle_weights(
    vectors: np.ndarray,
    energies: np.ndarray,
    basis_states: np.ndarray,
    created_state: int,
) -> QuasiparticleSpectrum:
    """Weights ``w_n = |<n|qp>|^2`` of the Fock state ``qp`` on eigenstates, and their IPR.

    Parameters
    ----------
    vectors : array_like, shape (dim, k)
        Eigenvectors as columns (as returned by ``numpy.linalg.eigh``), in the order of
        ``basis_states``; normalized.
    energies : array_like, shape (k,)
        Their eigenvalues.
    basis_states : array_like of int, shape (dim,)
        The sector's Fock states (``SpinBasis.states``), each once.
    created_state : int
        The Fock state ``c†_alpha |FS>`` (:func:`fermi_sea_plus_one`).

    Returns
    -------
    QuasiparticleSpectrum
        ``energies``, ``weights`` and ``ipr = sum_n w_n^2``.

    Raises
    ------
    InputError
        For mismatched shapes or a state not in ``basis_states`` (wrong particle number).

    Examples
    --------
    >>> import numpy as np
    >>> states = np.array([3, 5, 6])
    >>> v = np.eye(3)
    >>> quasiparticle_weights(v, np.arange(3.0), states, 5).ipr
    1.0
    """
    v = np.asarray(vectors)
    e = np.asarray(energies, dtype=float)
    s = np.asarray(basis_states, dtype=np.int64)
    if v.ndim == 1:
        v = v[:, None]
    if v.ndim != 2 or e.shape != (v.shape[1],) or s.shape != (v.shape[0],):
        raise InputError(
            f"vectors must be (dim, k) with energies (k,) and basis_states (dim,); got "
            f"{v.shape}, {e.shape} and {s.shape}"
        )
    hit = np.flatnonzero(s == created_state)
    if hit.size != 1:
        raise InputError(
            f"state {created_state} (0b{int(created_state):b}) is not in the basis; the "
            "eigenvectors must be those of the sector with one particle more than the Fermi sea"
        )
    w = np.abs(v[hit[0], :]) ** 2
    return QuasiparticleSpectrum(energies=e.copy(), weights=w, ipr=float(np.sum(w * w)))
