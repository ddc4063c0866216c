"""Spin-1/2 chains and spinless fermions: the full 2**L space or one U(1) sector.

The same basis serves spins (``n_up`` spins up, ``S^z = n_up - L/2``) and spinless fermions
(``n_up`` = particle number N): a state is an integer, bit ``i`` = site ``i``, bit 1 = up /
occupied, and the basis lists the allowed states in increasing order (docs/conventions.md §3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from mbl._core.errors import InputError, MemoryPlanError
from mbl._core.memory import available_memory, format_bytes
from mbl.basis.bits import MAX_SITES, rank, sector_states, unrank

#: Bytes per stored nonzero of a CSR matrix (float64 value + int32 column index).
_CSR_BYTES_PER_NONZERO = 12

MemoryPlan = Literal["csr", "matrix-free"]


def plan_bytes(L: int, dim: int, plan: MemoryPlan = "csr") -> int:
    """Memory estimate for a basis of ``dim`` states on ``L`` sites and its operator.

    The states take 8 bytes each. With ``plan="csr"`` add a CSR matrix of a chain with
    nearest-neighbour terms (``L + 1`` nonzeros per row, 12 bytes each, plus the row pointer),
    twice over because a build holds the transpose and the result at once. With
    ``plan="matrix-free"`` add three vectors of ``dim`` complex numbers.

    Parameters
    ----------
    L : int
        Number of sites.
    dim : int
        Number of basis states.
    plan : "csr" or "matrix-free"
        What the basis will be used for.

    Returns
    -------
    int
        Estimated bytes.
    """
    states = 8 * dim
    if plan == "csr":
        return states + 2 * (dim * (L + 1) * _CSR_BYTES_PER_NONZERO + 8 * (dim + 1))
    return states + 3 * 16 * dim


@dataclass(frozen=True)
class SpinBasis:
    """Basis of ``L`` spins 1/2 (or spinless-fermion sites), optionally with fixed ``n_up``.

    Parameters
    ----------
    L : int
        Number of sites, ``1 <= L <= 62``.
    n_up : int or None
        Number of up spins (particles) of the sector, ``0 <= n_up <= L``; ``None`` is the full
        space of ``2**L`` states.
    plan : "csr" or "matrix-free"
        What the basis is for, used only by the memory check at construction: ``"csr"`` (the
        default) refuses a basis whose states plus a CSR operator would not fit in the memory
        available; ``"matrix-free"`` counts only the states and a few vectors (use it with
        :func:`mbl.operators.as_linear_operator`).

    Attributes
    ----------
    dim : int
        Number of states, ``C(L, n_up)`` or ``2**L``.
    states : numpy.ndarray
        The states as ``int64`` bit patterns, ascending (read-only).

    Raises
    ------
    InputError
        For ``L`` or ``n_up`` out of range; :class:`~mbl.errors.MemoryPlanError` (an
        ``InputError``) when the estimate exceeds the memory available.

    Examples
    --------
    >>> from mbl.basis import SpinBasis
    >>> b = SpinBasis.from_sz(4, 0)
    >>> b.dim, b.states.tolist()
    (6, [3, 5, 6, 9, 10, 12])
    >>> b.index([9, 3]).tolist()
    [3, 0]
    """

    L: int
    n_up: int | None = None
    plan: MemoryPlan = field(default="csr", compare=False, repr=False)
    dim: int = field(init=False, compare=False)
    states: np.ndarray = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        L = _as_int(self.L, "L")
        if not 1 <= L <= MAX_SITES:
            raise InputError(
                f"L = {L} sites is out of range; use 1 <= L <= {MAX_SITES} (states are 64-bit "
                "integers)"
            )
        n_up = None if self.n_up is None else _as_int(self.n_up, "n_up")
        if n_up is not None and not 0 <= n_up <= L:
            raise InputError(f"n_up = {n_up} is out of range for L = {L}; use 0 <= n_up <= {L}")
        if self.plan not in ("csr", "matrix-free"):
            raise InputError(f"plan must be 'csr' or 'matrix-free', got {self.plan!r}")
        dim = 2**L if n_up is None else math.comb(L, n_up)
        need = plan_bytes(L, dim, self.plan)
        have = available_memory()
        if need > have:
            what = "full space" if n_up is None else f"sector n_up = {n_up}"
            raise MemoryPlanError(
                f"the basis of L = {L}, {what} has {dim:,} states; its states plus "
                + ("a CSR operator" if self.plan == "csr" else "three vectors")
                + f" need about {format_bytes(need)} but only {format_bytes(have)} is "
                "available; use a smaller L, a sector (n_up) further from L/2"
                + (", or plan='matrix-free' with a LinearOperator" if self.plan == "csr" else "")
            )
        if n_up is None:
            states = np.arange(dim, dtype=np.int64)
        else:
            states = sector_states(np.int64(L), np.int64(n_up), np.int64(dim))
        states.setflags(write=False)
        object.__setattr__(self, "L", L)
        object.__setattr__(self, "n_up", n_up)
        object.__setattr__(self, "dim", dim)
        object.__setattr__(self, "states", states)

    @classmethod
    def from_sz(cls, L: int, sz: float, plan: MemoryPlan = "csr") -> SpinBasis:
        """The sector of total ``S^z = sz`` (``n_up = L/2 + sz``).

        Parameters
        ----------
        L : int
            Number of sites.
        sz : float
            Total magnetization, an integer for even ``L`` and a half-odd integer for odd ``L``.
        plan : "csr" or "matrix-free"
            See :class:`SpinBasis`.

        Raises
        ------
        InputError
            When ``L/2 + sz`` is not an integer in ``[0, L]``.
        """
        L = _as_int(L, "L")
        try:
            half = float(L) / 2 + float(sz)
        except (TypeError, ValueError):
            raise InputError(f"sz must be a number, got {sz!r}") from None
        if not np.isfinite(half) or abs(half - round(half)) > 1e-9:
            hint = (
                "odd L needs a half-odd sz (e.g. sz = 0.5 or -0.5)"
                if L % 2
                else "even L needs an integer sz (e.g. sz = 0)"
            )
            raise InputError(
                f"S^z = {sz} is impossible for L = {L} sites: n_up = L/2 + sz = {half:g} is "
                f"not an integer; {hint}"
            )
        n_up = int(round(half))
        if not 0 <= n_up <= L:
            raise InputError(
                f"S^z = {sz} is out of range for L = {L} sites; use |sz| <= {L / 2:g}"
            )
        return cls(L, n_up, plan=plan)

    @property
    def sz(self) -> float | None:
        """Total ``S^z = n_up - L/2`` of the sector (``None`` for the full space)."""
        return None if self.n_up is None else self.n_up - self.L / 2

    @property
    def is_sector(self) -> bool:
        """Whether the basis is one ``n_up`` sector (not the full space)."""
        return self.n_up is not None

    def index(self, states: np.ndarray | int) -> np.ndarray:
        """Position of each state in :attr:`states`.

        Parameters
        ----------
        states : array_like of int
            Bit patterns, each in the basis.

        Returns
        -------
        numpy.ndarray
            ``int64`` indices, same shape as ``states``.

        Raises
        ------
        InputError
            If a state is not in the basis (see :meth:`contains`).
        """
        idx = rank(states, self.L, self.n_up)
        bad = np.flatnonzero(idx < 0)
        if bad.size:
            s = int(np.asarray(states, dtype=np.int64).ravel()[bad[0]])
            raise InputError(
                f"state {s} (0b{s & ((1 << 64) - 1):b}) is not in the basis {self!r} "
                f"({bad.size} such states); check them with basis.contains(states) first"
            )
        return idx

    def contains(self, states: np.ndarray | int) -> np.ndarray:
        """Whether each state belongs to the basis (``0 <= s < 2**L`` with ``n_up`` set bits).

        Parameters
        ----------
        states : array_like of int
            Bit patterns.

        Returns
        -------
        numpy.ndarray
            Boolean array of the shape of ``states``.
        """
        return rank(states, self.L, self.n_up) >= 0

    def state(self, index: np.ndarray | int) -> np.ndarray:
        """The state at each position (inverse of :meth:`index`, combinadic unranking).

        Parameters
        ----------
        index : array_like of int
            Positions in ``[0, dim)``.

        Returns
        -------
        numpy.ndarray
            ``int64`` states, same shape as ``index``.
        """
        i = np.asarray(index, dtype=np.int64)
        if i.size and (i.min() < 0 or i.max() >= self.dim):
            raise InputError(f"indices must lie in [0, {self.dim}) for {self!r}")
        return i.copy() if self.n_up is None else unrank(i, self.n_up)

    def occupations(self) -> np.ndarray:
        """``(dim, L)`` array of 0/1: bit ``i`` of each state (site ``i``, up / occupied)."""
        return ((self.states[:, None] >> np.arange(self.L)) & 1).astype(np.int8)


def _as_int(value: object, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            return int(value)
        raise InputError(f"{name} must be an integer, got {value!r}")
    return int(value)
