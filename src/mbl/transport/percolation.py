"""The Mott percolation constant beta_d from wrapping clusters (docs/theory/hopping.md §8.1).

An independent route to the critical-path constant of :mod:`mbl.transport.hopping`, sharing
none of its code: no electrodes, no conductances, no truncation. In the scaled variables
rho = 2 r / xi and epsilon = e / T the Miller–Abrahams bond exponent is
s_ij = rho_ij + E_ij with E_ij = (|eps_i| + |eps_j| + |eps_i - eps_j|) / 2, and the sites form
a Poisson process of density n_s = nu (xi/2)^d T per unit rho^d and unit epsilon. The
critical path s_c is where the bonds s_ij <= s_c first percolate; scaling the coordinates by
s_c shows that this happens at n_s s_c^(d+1) = c_d, a pure number of the unit problem
(density 1, bonds rho_ij + E_ij <= u, threshold u_c = c_d^(1/(d+1))). Then

    s_c^(d+1) = 2^d c_d / (nu xi^d T),   i.e.   T_0 = beta_d / (nu xi^d),  beta_d = 2^d c_d.

Here c_d is measured directly: sites of unit density in a periodic box of side ``box``
(energies uniform in [-u_max, u_max]: a site with |eps| > u has no bond at threshold u),
bonds added in increasing s until a cluster wraps around the box along some axis (detected
by a union-find that tracks each site's displacement from its cluster's root, the standard
wrapping test of Newman and Ziff). The wrapping threshold u_w(box) converges to u_c as the
box grows, with corrections ~ box^(-1/nu) (nu the percolation exponent, 0.88 in 3D and 4/3
in 2D; the (d+1)-dimensional continuum problem is in the universality class of ordinary
d-dimensional percolation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
from scipy.spatial import cKDTree

from mbl._core.errors import InputError


@numba.njit(cache=True)
def _find(parent, shift, a):
    """Root of ``a``, compressing its path; afterwards ``shift[v]`` is the displacement of
    every node v of the path from the root (it held the displacement from its parent)."""
    path = [a]
    while parent[a] != a:
        a = parent[a]
        path.append(a)
    root = a
    # from the node next to the root downwards, each parent already points at the root
    for k in range(len(path) - 3, -1, -1):
        node, up = path[k], path[k + 1]
        for c in range(shift.shape[1]):
            shift[node, c] += shift[up, c]
        parent[node] = root
    return root


@numba.njit(cache=True)
def _first_wrap(n, i, j, disp, order, box):
    """Index into ``order`` of the first bond that closes a loop winding around the box."""
    parent = np.arange(n)
    shift = np.zeros((n, disp.shape[1]))  # position of a node minus position of its parent
    size = np.ones(n, np.int64)
    for k in range(order.size):
        b = order[k]
        a, c = i[b], j[b]
        ra = _find(parent, shift, a)
        rc = _find(parent, shift, c)
        # disp[b] = (unwrapped) x_c - x_a along the bond
        if ra == rc:
            for q in range(disp.shape[1]):
                # going a -> c along the bond, versus through the cluster: shift[c] - shift[a]
                loop = disp[b, q] - (shift[c, q] - shift[a, q])
                if abs(loop) > 0.5 * box:  # a multiple of the box: a winding
                    return k
            continue
        # attach the smaller root below the larger: shift[r_small] = x_rsmall - x_rbig
        if size[ra] < size[rc]:
            # x_ra - x_rc = (x_a - shift_a) - (x_c - shift_c) = -disp + shift_c - shift_a
            parent[ra] = rc
            for q in range(disp.shape[1]):
                shift[ra, q] = -disp[b, q] + shift[c, q] - shift[a, q]
            size[rc] += size[ra]
        else:
            parent[rc] = ra
            for q in range(disp.shape[1]):
                shift[rc, q] = disp[b, q] + shift[a, q] - shift[c, q]
            size[ra] += size[rc]
    return -1


def _bonds(x: np.ndarray, eps: np.ndarray, box: float, u_max: float):
    """Every pair with rho_ij + E_ij <= u_max: (i, j, s_ij, unwrapped x_j - x_i)."""
    tree = cKDTree(x, boxsize=box)
    pairs = tree.query_pairs(u_max, output_type="ndarray")
    i, j = pairs[:, 0], pairs[:, 1]
    disp = x[j] - x[i]
    disp -= box * np.round(disp / box)  # minimum image
    rho = np.sqrt((disp**2).sum(axis=1))
    e_i, e_j = eps[i], eps[j]
    s = rho + 0.5 * (np.abs(e_i) + np.abs(e_j) + np.abs(e_i - e_j))
    keep = s <= u_max
    return i[keep], j[keep], s[keep], np.ascontiguousarray(disp[keep])


def wrapping_threshold(d: int, box: float, *, rng: np.random.Generator,
                       u_max: float = 1.9) -> float:
    """u_w of one realization: the bond exponent at which a cluster first wraps the periodic
    box of side ``box`` (sites of unit density per unit volume and unit energy). NaN if
    nothing wraps below ``u_max``."""
    if d not in (2, 3):
        raise InputError(f"d = {d}: the Mott percolation problem is defined here for d = 2, 3")
    if box < 4 * u_max:
        raise InputError(f"box = {box} is too small for u_max = {u_max}: use box >= 4 u_max")
    n = rng.poisson(box**d * 2 * u_max)
    x = rng.uniform(0.0, box, size=(n, d))
    eps = rng.uniform(-u_max, u_max, size=n)
    i, j, s, disp = _bonds(x, eps, box, u_max)
    order = np.argsort(s, kind="stable")
    k = _first_wrap(n, i.astype(np.int64), j.astype(np.int64), disp, order, float(box))
    return float("nan") if k < 0 else float(s[order[k]])


@dataclass(frozen=True)
class MottThreshold:
    """Wrapping thresholds of ``samples`` realizations per box size, and beta_d."""

    d: int
    boxes: tuple[float, ...]
    u_mean: tuple[float, ...]
    u_error: tuple[float, ...]
    samples: int

    def beta(self, u: float) -> float:
        """beta_d = 2^d u^(d+1) of a threshold u (docs/theory/hopping.md §8.1 convention)."""
        return 2.0**self.d * u ** (self.d + 1)


def mott_threshold(d: int, boxes: tuple[float, ...], samples: int, *,
                   rng: np.random.Generator, u_max: float = 1.9) -> MottThreshold:
    """Mean wrapping threshold and its standard error at each box size."""
    means, errors = [], []
    for box in boxes:
        u = np.array([wrapping_threshold(d, box, rng=rng, u_max=u_max) for _ in range(samples)])
        if np.isnan(u).any():
            raise InputError(f"no wrapping cluster below u_max = {u_max} at box = {box}; "
                             "raise u_max")
        means.append(float(u.mean()))
        errors.append(float(u.std(ddof=1) / np.sqrt(samples)))
    return MottThreshold(d, tuple(float(b) for b in boxes), tuple(means), tuple(errors),
                         samples)
