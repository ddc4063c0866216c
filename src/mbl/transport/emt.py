"""Effective-medium theory of a random conductance network on a hypercubic lattice.

Each bond of the d-dimensional hypercubic lattice (coordination z = 2d) carries an independent
conductance G drawn from one distribution. Kirkpatrick's self-consistent effective medium
G_m solves (Rev. Mod. Phys. 45, 574 (1973))

    < (G - G_m) / (G + (z/2 - 1) G_m) > = 0,

exact in d = 1 (G_m is the harmonic mean) and to second order in the disorder in any d. Its
second-order expansion is

    sigma = <G> - <dG^2> / (d <G>),          dG = G - <G>,

which is also the exact perturbative result for weak disorder (docs/theory/metal.md §4.4 uses it for
the BAA network). Conductances are in any unit; the results are in the same unit (for the lattice of
:func:`mbl.transport.network.lattice_conductivity`, a conductivity in units of G per cell
size^(d-2)).

The distribution is passed as samples ``g`` (optionally with probability ``weights``): a
Monte-Carlo draw or a quadrature.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.optimize import brentq

from mbl._core.errors import InputError
from mbl.transport.network import lattice_bond_counts, lattice_bonds


def _prepare(g, d: int, weights) -> tuple[np.ndarray, np.ndarray]:
    g = np.asarray(g, dtype=float).ravel()
    if d not in (1, 2, 3):
        raise InputError(f"d must be 1, 2 or 3, not {d!r}")
    if g.size == 0 or not np.all(np.isfinite(g)) or np.any(g < 0):
        raise InputError("g must hold at least one finite conductance >= 0")
    w = np.full(g.size, 1.0 / g.size) if weights is None else np.asarray(weights, float).ravel()
    if w.shape != g.shape or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise InputError("weights must be finite, >= 0, not all zero, one per conductance")
    return g, w / w.sum()


def second_order_emt(g, d: int, *, weights=None) -> float:
    """sigma = <G> - <dG^2> / (d <G>), the weak-disorder expansion (to second order)."""
    g, w = _prepare(g, d, weights)
    mean = float(w @ g)
    if mean == 0.0:
        return 0.0
    return mean - float(w @ (g - mean) ** 2) / (d * mean)


def kirkpatrick_emt(g, d: int, *, weights=None) -> float:
    """The self-consistent effective-medium conductance G_m (0 below the EMT threshold).

    Solves < (G - G_m) / (G + (d - 1) G_m) > = 0 by bracketing between the smallest and
    largest conductance; in d = 1 it returns the harmonic mean. Bonds with G = 0 (a fraction
    p_0) give G_m = 0 when p_0 >= 1 - 1/d, Kirkpatrick's bond-percolation estimate.
    """
    g, w = _prepare(g, d, weights)
    if np.any(w[g == 0] > 0) and (d == 1 or w[g > 0].sum() <= w[g == 0].sum() / (d - 1)):
        return 0.0
    if d == 1:
        return float(1.0 / (w @ (1.0 / g)))
    g, w = g[w > 0], w[w > 0]
    hi = float(g.max())
    # balance(lo) >= 0 >= balance(hi); with broken bonds the root may lie below every G > 0
    lo = float(np.finfo(float).tiny) if np.any(g == 0) else float(g.min())
    if lo == hi:
        return hi

    def balance(gm: float) -> float:
        return float(w @ ((g - gm) / (g + (d - 1) * gm)))

    return float(brentq(balance, lo, hi, xtol=1e-300, rtol=4 * np.finfo(float).eps))


def bar_factor(shape: tuple[int, ...]) -> float:
    """Finite-size factor c of the second-order term for the bar of
    :func:`mbl.transport.network.lattice_conductivity`: sigma = <G> - c <dG^2> / (d <G>).

    Second-order perturbation theory about the uniform network gives
    sigma_2 = -<dG^2> sum_b R_b (grad u_b)^2 (per unit conductivity), with R_b the resistance
    between the ends of bond b (electrodes grounded) in the uniform network of unit bonds. Only
    the bonds along axis 0 carry current; by transverse symmetry R_b depends on the layer only,
    so c = d sum_x R(x) / (n_0 - 1), which tends to 1 (R = 1/d, Kirkpatrick's z/2) far from the
    electrodes. Dimensionless.
    """
    shape = tuple(int(n) for n in shape)
    if len(shape) not in (1, 2, 3) or min(shape) < 1 or shape[0] < 2:
        raise InputError(f"shape must have 1 to 3 axes with at least 2 layers along axis 0; "
                         f"got {shape}")
    i, j = lattice_bonds(shape)
    n = int(np.prod(shape))
    a = sp.coo_matrix((np.ones(2 * i.size), (np.r_[i, j], np.r_[j, i])), shape=(n, n)).tocsr()
    layer = np.arange(n) // (n // shape[0])
    free = np.flatnonzero((layer > 0) & (layer < shape[0] - 1))
    if free.size == 0:
        return float(len(shape))  # two layers: each bond is in parallel with the electrodes only
    lap = (sp.diags(np.asarray(a.sum(axis=1)).ravel()[free]) - a[free][:, free]).tocsc()
    lu = spla.splu(lap)
    position = np.full(n, -1)
    position[free] = np.arange(free.size)
    stride = n // shape[0]
    rhs = np.zeros((free.size, shape[0] - 1))
    for x in range(shape[0] - 1):  # the bond (x, 0...) -> (x + 1, 0...)
        for node, sign in ((x * stride, 1.0), ((x + 1) * stride, -1.0)):
            if position[node] >= 0:
                rhs[position[node], x] = sign
    resistance = np.einsum("ix,ix->x", rhs, lu.solve(rhs))
    assert lattice_bond_counts(shape)[0] == stride * (shape[0] - 1)
    return float(len(shape) * resistance.sum() / (shape[0] - 1))
