"""Wigner–Dyson levels with a given mean spacing: GOE (or any beta) from the tridiagonal model.

The levels of a cell of the BAA lattice (docs/theory/baa-model.md §1.2–1.3) and the orbitals of the
AGKL quantum dot (docs/theory/agkl.md §7.3) are an *unfolded* Wigner–Dyson spectrum: level repulsion
inside the set, mean spacing ``spacing``. :func:`goe_levels` draws them from the bulk of a
Dumitriu–Edelman tridiagonal matrix, which costs O(matrix size) per draw instead of the O(size^3) of
a dense GOE matrix.

The tridiagonal beta-Hermite model (I. Dumitriu and A. Edelman, J. Math. Phys. 43, 5830 (2002))
-------------------------------------------------------------------------------------------------
For a matrix size ``N`` and ``beta > 0`` let

    T = tridiag(a, b),   a_k ~ N(0, 2) (variance 2),   b_k ~ chi_{beta (N - k)},  k = 1..N-1.

``T / sqrt(2)`` has the joint eigenvalue density of the Gaussian beta ensemble,
``prod_{i<j} |x_i - x_j|^beta exp(-sum_i x_i^2 / 2)``; for ``beta = 1`` that is the GOE with
diagonal elements N(0, 1) and off-diagonal elements N(0, 1/2). The eigenvalues of ``T`` itself
(no 1/sqrt 2) fill, for large ``N``, Wigner's semicircle of radius ``R = 2 sqrt(beta N)``
(``E tr T^2 = 2N + beta N (N - 1) ~ N R^2 / 4``), with density
``rho(x) = (2 N / (pi R^2)) sqrt(R^2 - x^2)`` and centre spacing ``1 / rho(0) = pi R / (2 N)``.

Unfolding and the meaning of "mean spacing" for a few levels
------------------------------------------------------------
A cell holds only 3–8 levels, and the eigenvalues of a 3x3 or 8x8 GOE matrix are not a
stationary sequence (they are sparse near the edges of their own semicircle), so their "mean
spacing" is ill defined. :func:`goe_levels` therefore takes the ``n`` levels from the *centre*
of a larger matrix (``matrix_size`` >> ``n``) and unfolds them with the semicircle's counting
function,

    xi_k = spacing * N * (F(x_k / R) - 1/2),   F(u) = 1/2 + (u sqrt(1 - u^2) + arcsin u) / pi,

so that the result is a piece of an unfolded Wigner–Dyson sequence of density ``1/spacing``:
every nearest-neighbour spacing has mean ``spacing`` (to O(1/N) for the default size), the
local correlations are those of the bulk (sine kernel: Wigner surmise P(s) ~ (pi s / 2)
exp(-pi s^2 / 4) in units of the spacing for beta = 1, mean gap ratio 0.5307), and the set is
centred on 0 in distribution. This is the "unfolded GOE spectrum with spacing delta" of
docs/theory/baa-model.md §1.3. The mean of ``(xi_max - xi_min) / (n - 1)`` over realizations
is therefore ``spacing`` for every ``n``.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import eigvalsh_tridiagonal

from mbl._core.errors import InputError

#: Smallest matrix the levels are taken from; the default size is max(this, 10 n).
MIN_MATRIX_SIZE = 100


def semicircle_count(x: np.ndarray, radius: float, size: int) -> np.ndarray:
    """Mean number of eigenvalues below ``x`` for the semicircle of ``size`` levels.

    Parameters
    ----------
    x : array_like
        Energies.
    radius : float
        Semicircle radius ``R`` (``2 sqrt(beta N)`` for the Dumitriu–Edelman matrix).
    size : int
        Number of levels ``N``.

    Returns
    -------
    numpy.ndarray
        ``N F(x / R)`` with ``F(u) = 1/2 + (u sqrt(1 - u^2) + arcsin u) / pi`` (clipped to
        ``[0, N]`` outside the semicircle).
    """
    u = np.clip(np.asarray(x, dtype=float) / radius, -1.0, 1.0)
    return size * (0.5 + (u * np.sqrt(1.0 - u * u) + np.arcsin(u)) / np.pi)


def goe_levels(
    n: int,
    spacing: float,
    rng: np.random.Generator,
    *,
    beta: float = 1.0,
    matrix_size: int | None = None,
) -> np.ndarray:
    """``n`` consecutive unfolded Wigner–Dyson levels with mean spacing ``spacing``, sorted.

    The levels are the ``n`` central eigenvalues of a Dumitriu–Edelman tridiagonal matrix of
    size ``matrix_size`` (diagonal N(0, 2), off-diagonal chi_{beta (N - k)}), unfolded with
    the semicircle of radius ``2 sqrt(beta N)`` and multiplied by ``spacing``; see the module
    docstring for the normalization and for why small ``n`` is taken from a larger matrix.

    Parameters
    ----------
    n : int
        Number of levels, ``n >= 1``.
    spacing : float
        Mean nearest-neighbour spacing of the unfolded levels (``> 0``).
    rng : numpy.random.Generator
        Source of randomness (draws ``N`` normals and ``N - 1`` chi variates).
    beta : float
        Dyson index: 1 = GOE (default, docs/theory/baa-model.md §1.2), 2 = GUE, 4 = GSE; any ``beta
        > 0`` is a valid beta ensemble.
    matrix_size : int, optional
        Size ``N`` of the tridiagonal matrix, ``N >= n``; default ``max(100, 10 n)``, which
        leaves the unfolded mean spacing within about 0.5% of ``spacing``. ``N = n`` gives the
        whole spectrum of an ``n x n`` matrix (unfolded, so its end spacings are distorted).

    Returns
    -------
    numpy.ndarray
        ``n`` increasing levels, centred on 0 in distribution.

    Raises
    ------
    InputError
        For ``n < 1``, ``spacing <= 0``, ``beta <= 0``, ``matrix_size < n`` or an ``rng`` that
        is not a ``numpy.random.Generator``.

    Examples
    --------
    >>> import numpy as np
    >>> xi = goe_levels(5, 1.0, np.random.default_rng(0))
    >>> xi.shape, bool(np.all(np.diff(xi) > 0))
    ((5,), True)
    """
    n = _positive_int(n, "n")
    if not np.isfinite(spacing) or spacing <= 0:
        raise InputError(f"the level spacing must be finite and > 0, got {spacing}")
    if not np.isfinite(beta) or beta <= 0:
        raise InputError(f"the Dyson index beta must be finite and > 0 (1 = GOE), got {beta}")
    if not isinstance(rng, np.random.Generator):
        raise InputError(
            f"rng must be a numpy.random.Generator (numpy.random.default_rng(seed)), got "
            f"{type(rng).__name__}"
        )
    size = max(MIN_MATRIX_SIZE, 10 * n) if matrix_size is None else _positive_int(
        matrix_size, "matrix_size")
    if size < n:
        raise InputError(f"matrix_size = {size} is smaller than n = {n}; use matrix_size >= n")
    if (size - n) % 2 and matrix_size is None:
        size += 1  # same parity: the n levels sit symmetrically about the centre
    diag = rng.normal(0.0, np.sqrt(2.0), size)
    off = np.sqrt(rng.chisquare(beta * np.arange(size - 1, 0, -1)))
    lo = (size - n) // 2
    if n == 1 and size == 1:
        x = diag.copy()
    else:
        x = eigvalsh_tridiagonal(diag, off, select="i", select_range=(lo, lo + n - 1))
    radius = 2.0 * np.sqrt(beta * size)
    xi = spacing * (semicircle_count(x, radius, size) - 0.5 * size)
    return np.sort(xi)


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InputError(f"{name} must be an integer, got {value!r}")
    if value < 1:
        raise InputError(f"{name} must be >= 1, got {value}")
    return int(value)
