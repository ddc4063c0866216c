"""Operator terms: one op string applied on many rows of sites with one coefficient each.

A :class:`Term` ``Term("+-", sites, coeffs)`` stands for ``sum_r coeffs[r] * S^+_{sites[r, 0]}
S^-_{sites[r, 1]}``: the op string is a product of one-site operators, read as a product left to
right (so it acts on a state right to left). The alphabet:

=====  ==================================================================================
``I``  identity (its site is ignored but must be valid)
``z``  ``S^z`` (``+1/2`` up, ``-1/2`` down)
``+``  ``S^+`` (raises; 0 on an up spin)
``-``  ``S^-`` (lowers; 0 on a down spin)
``x``  ``S^x = (S^+ + S^-)/2`` (full space only)
``y``  ``S^y = (S^+ - S^-)/(2i)`` (full space only)
``n``  ``n = c† c`` (occupation, 0 or 1)
``c``  ``c`` annihilates, with the Jordan-Wigner string ``(-1)**(occupied sites below)``
``C``  ``c†`` creates, with the same string
=====  ==================================================================================

Fermion operators are ordered by increasing site index (docs/conventions.md §3), so e.g. ``"Cc"`` on
``(i, j)`` is ``c†_i c_j`` with the sign ``(-1)**(occupied sites strictly between i and j)``
for either order of ``i`` and ``j``, the bond across a periodic boundary included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mbl._core.errors import InputError

#: The one-site operators and their kernel codes.
OP_CODES: dict[str, int] = {"I": 0, "z": 1, "+": 2, "-": 3, "x": 4, "y": 5, "n": 6, "c": 7, "C": 8}
#: Ops that keep the state (diagonal in the basis).
DIAGONAL_OPS = frozenset("Izn")
_RAISE = frozenset("+C")
_LOWER = frozenset("-c")


@dataclass(frozen=True, eq=False)
class Term:
    """One op string on ``n`` rows of sites: ``sum_r coeffs[r] * prod_t op[t]_{sites[r, t]}``.

    Parameters
    ----------
    op : str
        Op string over the alphabet of :mod:`mbl.operators.terms` (``"zz"``, ``"+-"``,
        ``"Cc"``, ``"z"``, ...), ``k`` characters.
    sites : array_like of int, shape (n, k)
        Sites of each row. For ``k = 1`` a flat list of ``n`` sites is accepted; for ``k > 1``
        a flat list of ``k`` sites is one row.
    coeffs : array_like of float or complex, shape (n,), or a scalar
        Coefficient of each row (a scalar applies to every row).

    Examples
    --------
    >>> import numpy as np
    >>> L = 4
    >>> bonds = np.array([(i, (i + 1) % L) for i in range(L)])
    >>> xxz = [Term("+-", bonds, 0.5), Term("-+", bonds, 0.5), Term("zz", bonds, 1.0)]
    >>> xxz[0].n_rows
    4
    """

    op: str
    sites: np.ndarray
    coeffs: np.ndarray

    def __post_init__(self) -> None:
        op = self.op
        if not isinstance(op, str) or not op:
            raise InputError(f"a term's op must be a non-empty string, got {op!r}")
        bad = sorted(set(op) - set(OP_CODES))
        if bad:
            raise InputError(
                f"term {op!r} has unknown ops {', '.join(map(repr, bad))}; "
                f"use characters of {''.join(OP_CODES)!r}"
            )
        k = len(op)
        sites = np.asarray(self.sites)
        if sites.size == 0:
            sites = sites.reshape(0, k)
        if sites.dtype.kind not in "iu":
            if sites.dtype.kind == "f" and np.all(sites == np.round(sites)):
                sites = sites.astype(np.int64)
            else:
                raise InputError(f"term {op!r}: sites must be integers, got {sites.dtype}")
        if sites.ndim == 1:
            sites = sites.reshape(-1, 1) if k == 1 else sites.reshape(1, -1)
        if sites.ndim != 2 or sites.shape[1] != k:
            raise InputError(
                f"term {op!r} needs sites of shape (n, {k}) (one column per op), got "
                f"{sites.shape}"
            )
        if sites.size and sites.min() < 0:
            raise InputError(f"term {op!r}: sites must be >= 0, got {int(sites.min())}")
        coeffs = np.asarray(self.coeffs)
        if coeffs.dtype.kind not in "biufc":
            raise InputError(f"term {op!r}: coeffs must be numbers, got {coeffs.dtype}")
        coeffs = coeffs.astype(np.complex128 if coeffs.dtype.kind == "c" else np.float64)
        if coeffs.ndim == 0:
            coeffs = np.full(sites.shape[0], coeffs[()], dtype=coeffs.dtype)
        if coeffs.shape != (sites.shape[0],):
            raise InputError(
                f"term {op!r} has {sites.shape[0]} rows of sites but coeffs of shape "
                f"{coeffs.shape}; give one coefficient per row (or a scalar)"
            )
        if not np.all(np.isfinite(coeffs)):
            raise InputError(f"term {op!r} has non-finite coefficients")
        sites = np.array(sites, dtype=np.int64)
        coeffs = coeffs.copy()
        sites.setflags(write=False)
        coeffs.setflags(write=False)
        object.__setattr__(self, "sites", sites)
        object.__setattr__(self, "coeffs", coeffs)

    @property
    def n_rows(self) -> int:
        """Number of rows (products of one-site operators)."""
        return int(self.sites.shape[0])

    @property
    def is_diagonal(self) -> bool:
        """Whether every op keeps the basis state (``I``, ``z``, ``n`` only)."""
        return set(self.op) <= DIAGONAL_OPS

    @property
    def charge(self) -> int:
        """Raising minus lowering ops (``+``/``C`` minus ``-``/``c``): the change of ``n_up``."""
        return sum(ch in _RAISE for ch in self.op) - sum(ch in _LOWER for ch in self.op)

    def describe(self, row: int = 0) -> str:
        """``"term 'op' on sites (i, j)"`` for messages."""
        if self.n_rows == 0:
            return f"term {self.op!r}"
        return f"term {self.op!r} on sites {tuple(int(s) for s in self.sites[row])}"

    def __repr__(self) -> str:
        return f"Term({self.op!r}, {self.n_rows} rows, dtype={self.coeffs.dtype})"


def check_terms(terms: Sequence[Term], L: int, sector: bool) -> None:
    """Refuse terms that name a site ``>= L`` or, in a sector, change ``n_up``.

    Parameters
    ----------
    terms : sequence of Term
    L : int
        Number of sites of the basis.
    sector : bool
        Whether the basis is one ``n_up`` sector.

    Raises
    ------
    InputError
        Naming the first offending term and row.
    """
    for term in terms:
        if not isinstance(term, Term):
            raise InputError(
                f"expected a list of mbl.operators.Term, got an item of type {type(term).__name__}"
            )
        if term.n_rows and term.sites.max() >= L:
            row = int(np.argmax(term.sites.max(axis=1) >= L))
            raise InputError(
                f"{term.describe(row)} names a site >= L = {L}; sites run from 0 to {L - 1}"
            )
        if not sector or term.n_rows == 0:
            continue
        if set(term.op) & set("xy"):
            raise InputError(
                f"{term.describe()} does not conserve the S^z sector (S^x and S^y flip one "
                "spin); write S^x S^x + S^y S^y as 0.5 * ('+-' + '-+'), or use the full space "
                "(n_up=None)"
            )
        if term.charge != 0:
            raise InputError(
                f"{term.describe()} does not conserve the S^z sector; use the full space "
                "(n_up=None)"
            )


def flatten(terms: Sequence[Term]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Kernel arrays of a term list: every row with a nonzero coefficient, padded.

    ``y`` is written as ``-i Y'`` with ``Y'`` a spin flip of amplitude ``+1/2`` from down and
    ``-1/2`` from up, so that kernel amplitudes stay real; the factors ``-i`` go into the
    coefficients.

    Returns
    -------
    ops : int8 array (R, K)
        Op codes (:data:`OP_CODES`), padded with ``I``.
    sites : int64 array (R, K)
    nops : int64 array (R,)
        Length of each row's op string.
    coeffs : float64 or complex128 array (R,)
    """
    kmax = max((len(t.op) for t in terms), default=1)
    ops, sites, nops, coeffs = [], [], [], []
    for t in terms:
        keep = t.coeffs != 0
        n = int(keep.sum())
        if n == 0:
            continue
        k = len(t.op)
        code = np.zeros(kmax, dtype=np.int8)
        code[:k] = [OP_CODES[ch] for ch in t.op]
        ops.append(np.broadcast_to(code, (n, kmax)))
        s = np.zeros((n, kmax), dtype=np.int64)
        s[:, :k] = t.sites[keep]
        sites.append(s)
        nops.append(np.full(n, k, dtype=np.int64))
        c = t.coeffs[keep]
        n_y = t.op.count("y")
        if n_y:
            c = c * (-1j) ** n_y
        coeffs.append(c)
    if not ops:
        return (np.zeros((0, kmax), np.int8), np.zeros((0, kmax), np.int64),
                np.zeros(0, np.int64), np.zeros(0, np.float64))
    all_c = np.concatenate(coeffs)
    if all_c.dtype.kind == "c" and not np.any(all_c.imag):
        all_c = all_c.real.copy()
    return (np.ascontiguousarray(np.concatenate(ops)), np.concatenate(sites),
            np.concatenate(nops), np.ascontiguousarray(all_c))
