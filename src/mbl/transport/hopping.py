"""Miller–Abrahams networks and Mott variable-range hopping (docs/theory/hopping.md §8.1).

Sites are a Poisson process of density ``density`` (n) in a box; their energies e_i are
uniform in the band [-W/2, W/2] (Fermi level 0, constant density of states
nu = n / W per volume and energy); the wave functions decay as exp(-r / xi). Two sites are
joined by the Miller–Abrahams conductance (Shklovskii & Efros, *Electronic Properties of
Doped Semiconductors*, ch. 4-5, 9)

    G_ij = exp(-s_ij),   s_ij = 2 r_ij / xi + E_ij / T,   E_ij = (|e_i| + |e_j| + |e_i - e_j|)/2,

in units of the attempt conductance G_0 = 1. The box is open along axis 0 and periodic in the
transverse axes; two metallic electrodes (Fermi level 0) face the two ends, and a site at
distance x from an electrode is joined to it by exp(-2 x / xi - |e_i| / T). The network is
solved by :func:`mbl.transport.network.graph_conductance`.

Convention (docs/theory/hopping.md §8.1): sigma ~ exp[-(T_0/T)^(1/(d+1))] with T_0 = beta_d / (nu
xi^d), beta_2 ~ 13.8, beta_3 ~ 21.2 in this convention for s_ij (Shklovskii–Efros), i.e. T_0 =
beta_d delta_xi with delta_xi = 1/(nu xi^d).

Scale invariance. With the band wider than the drawn window (W/2 > T DRAW_WINDOW m(T),
checked), the point process (position, energy) is Poisson with a constant density, so
rescaling lengths by the Mott length r_M = (xi/2) m(T) and energies by T m(T), with
m(T) = (1/(nu xi^d T))^(1/(d+1)) (:func:`mott_scale`), maps the network at temperature T onto
one fixed network with bonds exp(-m(T) u_ij). The critical-path threshold is therefore
s_c = beta^(1/(d+1)) m(T) exactly in an infinite system, and boxes are sized in units of r_M
(``box_mott``) so that every T sees the same finite-size effects. (Measured with these
electrodes and transverse periodic boxes: beta = 13.8 in 2D, as Shklovskii–Efros, but
17.0 in 3D, independent of the box from 12 to 48 Mott lengths, against their 21.2.)

Truncation. Only bonds with s_ij < s_c + ``margin`` are kept (s_c the critical-path
threshold of the realization, :func:`critical_path`), which is a distance cutoff
r < (s_c + margin) xi / 2 and an energy cutoff |e| < T (s_c + margin); bonds with
s_ij < s_c - margin are merged as perfect conductors. The solved network then spans a
conductance contrast of e^(2 margin) around the critical bond. Between margins 10 and 12,
ln sigma moves by 0.001-0.003 (measured at m = 4..16, 2D and 3D). Sites outside the energy
window are not drawn (thinning a Poisson process is exact).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
from scipy.spatial import cKDTree

from mbl._core.errors import ConvergenceError, InputError
from mbl.transport.network import contract_shorts, graph_conductance

#: Percolation constants beta_d of T_0 = beta_d / (nu xi^d) (Shklovskii & Efros, ch. 9).
BETA = {2: 13.8, 3: 21.2}
#: The pair search first looks for bonds with s < CP_GUESS m(T) + margin, a little above the
#: measured critical paths s_c / m = 2.40 (2D), 2.03 (3D); it is widened when s_c exceeds it.
CP_GUESS = {2: 2.6, 3: 2.2}
#: ``solver="auto"`` factorizes 3D networks with fewer bonds than this, else runs AMG-CG.
DIRECT_BONDS_3D = 100_000
#: Sites with |e| < T DRAW_WINDOW m(T) are drawn, whatever the margin (so that two margins
#: can be compared on one realization); s_c + margin must stay below DRAW_WINDOW m(T).
DRAW_WINDOW = 7.0


@dataclass(frozen=True)
class MillerAbrahams:
    """Specification of a Miller–Abrahams hopping system (see the module docstring).

    Parameters
    ----------
    d : int
        Dimension, 2 or 3.
    xi : float
        Localization length (the length unit is arbitrary; the site density fixes it).
    density : float
        Sites per unit volume n.
    W : float
        Width of the band of site energies (energies uniform in [-W/2, W/2]).
    margin : float
        Bonds with s_ij < s_c + margin are kept (>= 4; 10 keeps a contrast of e^10).
    """

    d: int
    xi: float = 1.0
    density: float = 1.0
    W: float = 1.0
    margin: float = 10.0

    def __post_init__(self) -> None:
        if self.d not in (2, 3):
            raise InputError(f"d must be 2 or 3 for Mott hopping, not {self.d!r}")
        for name in ("xi", "density", "W"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise InputError(f"{name} = {value!r} must be finite and > 0")
        if not (np.isfinite(self.margin) and self.margin >= 4.0):
            raise InputError(f"margin = {self.margin!r}: keep at least a contrast e^4 (>= 4)")

    @property
    def nu(self) -> float:
        """Density of states per volume and energy, n / W."""
        return self.density / self.W

    @property
    def delta_xi(self) -> float:
        """Level spacing in a localization volume, 1/(nu xi^d): T_0 = beta_d delta_xi."""
        return 1.0 / (self.nu * self.xi**self.d)

    def box(self, T: float, box_mott: tuple[float, ...]) -> np.ndarray:
        """Box lengths (units of length) of ``box_mott`` Mott lengths r_M(T) per axis."""
        if len(box_mott) != self.d or min(box_mott) <= 0:
            raise InputError(f"box_mott needs {self.d} positive lengths, got {box_mott!r}")
        return np.asarray(box_mott, dtype=float) * 0.5 * self.xi * mott_scale(self, T)


def mott_scale(spec: MillerAbrahams, T: float) -> float:
    """m(T) = (delta_xi / T)^(1/(d+1)); the critical-path exponent is s_c = beta^(1/(d+1)) m."""
    if not (np.isfinite(T) and T > 0):
        raise InputError(f"T = {T!r} must be finite and > 0")
    return (spec.delta_xi / T) ** (1.0 / (spec.d + 1))


def draw_sites(spec: MillerAbrahams, box: np.ndarray, e_max: float,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Poisson sites in ``box`` with energies in |e| < e_max (the rest of the band thinned).

    Returns positions (N, d) and energies (N,). ``e_max`` is clipped to the band W/2.
    """
    if not isinstance(rng, np.random.Generator):
        raise InputError("rng must be a numpy.random.Generator (numpy.random.default_rng)")
    e_max = min(float(e_max), 0.5 * spec.W)
    mean = spec.density * float(np.prod(box)) * 2.0 * e_max / spec.W
    if mean > 5e7:
        raise InputError(f"{mean:.3g} active sites expected: shrink the box or the margin")
    n = int(rng.poisson(mean))
    return rng.random((n, spec.d)) * box, rng.uniform(-e_max, e_max, n)


def ma_bonds(spec: MillerAbrahams, positions: np.ndarray, energies: np.ndarray,
             box: np.ndarray, T: float, s_max: float
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bonds (i, j, s_ij) with s_ij < s_max, electrodes included.

    Node N (N sites) is the electrode at x = 0 (source), node N + 1 the one at x = box[0]
    (drain). The transverse axes are periodic (minimum image). The pair search is a k-d tree
    in the d + 1 coordinates (2 x / xi, e / T): since E_ij >= |e_i - e_j|, every bond with
    s_ij < s_max lies within Euclidean distance s_max there (so r < s_max xi / 2).
    """
    n = energies.size
    a = np.abs(energies)
    idx = np.flatnonzero(a / T < s_max)  # sites that can hold a bond below s_max
    q = np.column_stack([positions[idx] * (2.0 / spec.xi), energies[idx] / T])
    q[:, -1] -= q[:, -1].min(initial=0.0)
    period = np.append(np.asarray(box, dtype=float) * (2.0 / spec.xi), 0.0)
    if np.any(period[1:-1] < 2 * s_max):
        raise InputError(f"the transverse box {box[1:]} is below two cutoff radii "
                         f"(s_max xi = {s_max * spec.xi:.3g}); use a wider box")
    # axis 0 and the energy axis get periods longer than their extent + s_max: no image pairs
    period[0] += s_max + 1.0
    period[-1] = q[:, -1].max(initial=0.0) + s_max + 1.0
    tree = cKDTree(np.mod(q, period), boxsize=period)
    pairs = tree.query_pairs(s_max, output_type="ndarray")
    i, j = idx[pairs[:, 0]], idx[pairs[:, 1]]
    diff = np.abs(positions[i] - positions[j])
    diff[:, 1:] = np.minimum(diff[:, 1:], box[1:] - diff[:, 1:])
    r = np.sqrt((diff * diff).sum(axis=1))
    e_i, e_j = energies[i], energies[j]
    s = 2.0 * r / spec.xi + 0.5 * (np.abs(e_i) + np.abs(e_j) + np.abs(e_i - e_j)) / T
    ok = s < s_max
    i, j, s = i[ok], j[ok], s[ok]
    # electrodes: a metal with states at the Fermi level, E = |e_i|
    parts_i, parts_j, parts_s = [i], [j], [s]
    for node, dist in ((n, positions[:, 0]), (n + 1, box[0] - positions[:, 0])):
        s_e = 2.0 * dist / spec.xi + a / T
        sel = np.flatnonzero(s_e < s_max)
        parts_i.append(sel)
        parts_j.append(np.full(sel.size, node))
        parts_s.append(s_e[sel])
    return (np.concatenate(parts_i).astype(np.int64), np.concatenate(parts_j).astype(np.int64),
            np.concatenate(parts_s))


@numba.njit(cache=True)
def _find(parent, a):  # pragma: no cover - numba
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


@numba.njit(cache=True)
def _first_spanning(n_nodes, i, j, order, source, drain):  # pragma: no cover - numba
    """Index in ``order`` of the bond whose addition joins source and drain (-1: never)."""
    parent = np.arange(n_nodes)
    for k in range(order.size):
        b = order[k]
        ra, rb = _find(parent, i[b]), _find(parent, j[b])
        if ra != rb:
            parent[ra] = rb
            if _find(parent, source) == _find(parent, drain):
                return k
    return -1


def critical_path(n_nodes: int, i: np.ndarray, j: np.ndarray, s: np.ndarray, source: int,
                  drain: int) -> float:
    """Critical-path threshold: the smallest s_c such that bonds with s_ij <= s_c join
    ``source`` and ``drain`` (inf if even all bonds do not). Units of s."""
    order = np.argsort(s, kind="stable")
    k = _first_spanning(n_nodes, np.asarray(i, np.int64), np.asarray(j, np.int64), order,
                        source, drain)
    return math.inf if k < 0 else float(s[order[k]])


@dataclass(frozen=True)
class HoppingSample:
    """One solved Miller–Abrahams network.

    ``ln_sigma`` is ln of the conductivity (units G_0 / length^(d-2)); ``s_c`` the
    critical-path threshold; ``box`` the box lengths; ``sites`` the sites drawn (|e| below the
    energy cutoff); ``nodes`` and ``bonds`` the size of the solved network (after merging
    shorts, nodes wired to an electrode); ``kirchhoff_residual``, ``current_mismatch`` and
    ``solver`` come from :class:`mbl.transport.network.NetworkSolution`.
    """

    T: float
    ln_sigma: float
    s_c: float
    box: np.ndarray
    sites: int
    nodes: int
    bonds: int
    kirchhoff_residual: float
    current_mismatch: float
    solver: str
    seconds: float


def _solve(nodes: int, i: np.ndarray, j: np.ndarray, g: np.ndarray, source: int, drain: int,
           d: int, solver: str, rtol: float):
    """graph_conductance; "auto" factorizes 2D networks and 3D ones below DIRECT_BONDS_3D
    bonds, else runs AMG-CG (with a direct fallback).

    Measured on these networks (loaded 2-core machine): in 2D the LU is 10-100x faster than
    AMG-CG; in 3D at m(T) = 4 (13,500 nodes, 260,000 bonds) AMG-CG takes 0.8 s where the LU
    takes 6.5 s, while below ~10^5 bonds the LU is as fast or faster.
    """
    if solver == "auto":
        if d == 2 or i.size < DIRECT_BONDS_3D:
            solver = "direct"
        else:
            try:
                return graph_conductance(nodes, i, j, g, [source], [drain], solver="amg",
                                         rtol=rtol)
            except ConvergenceError:
                solver = "direct"
    return graph_conductance(nodes, i, j, g, [source], [drain], solver=solver, rtol=rtol)


def hopping_sample(spec: MillerAbrahams, T: float, box_mott: tuple[float, ...],
                   rng: np.random.Generator, *, solver: str = "auto", rtol: float = 1e-10
                   ) -> HoppingSample:
    """Draw one Miller–Abrahams network at temperature T and solve it.

    ``solver``: as :func:`mbl.transport.network.graph_conductance`, except that ``"auto"``
    factorizes 2D networks and runs AMG-CG (direct fallback) on 3D ones.

    The box is ``box_mott`` Mott lengths (:meth:`MillerAbrahams.box`). The critical path s_c
    comes from the bonds found by one pair search (:data:`CP_GUESS`); the network keeps
    s_ij < s_c + margin, scaled by e^(s_c), and bonds with s_ij < s_c - margin are merged as
    shorts (:func:`mbl.transport.network.contract_shorts`), so the solved conductances lie in
    [e^-margin, e^margin].
    """
    m = mott_scale(spec, T)
    box = spec.box(T, box_mott)
    s_window = DRAW_WINDOW * m
    if T * s_window > 0.5 * spec.W:
        raise InputError(f"T = {T:g}: the drawn window T * {DRAW_WINDOW:g} m(T) = "
                         f"{T * s_window:.3g} exceeds the half band W/2 = {spec.W / 2:g}; "
                         "Mott's law needs a lower T or a wider band")
    pos, e = draw_sites(spec, box, T * s_window, rng)
    n = e.size
    s_query = CP_GUESS[spec.d] * m + spec.margin
    while True:  # one pair search; widened only if s_c + margin exceeds it
        if s_query > s_window:
            raise ConvergenceError(f"no critical path with s_c + margin below the drawn "
                                   f"window {s_window:.3g} (T = {T:g}); the box is too small")
        i, j, s = ma_bonds(spec, pos, e, box, T, s_query)
        s_c = critical_path(n + 2, i, j, s, n, n + 1)
        if s_c + spec.margin <= s_query:
            break
        s_query = min(s_c + spec.margin if math.isfinite(s_c) else 1.3 * s_query,
                      max(s_window, s_query * 1.0001))
    keep = s < s_c + spec.margin
    i, j, s = i[keep], j[keep], s[keep]
    # bonds with s < s_c - margin are shorts: merging them keeps the contrast at e^margin
    nodes, i, j, g, label = contract_shorts(n + 2, i, j, np.exp(-(s - s_c)),
                                            math.exp(spec.margin))
    sol = _solve(nodes, i, j, g, label[n], label[n + 1], spec.d, solver, rtol)
    cross = float(np.prod(box[1:]))
    ln_sigma = math.log(sol.conductance) - s_c + math.log(box[0] / cross)
    return HoppingSample(T, ln_sigma, s_c, box, n, sol.free_nodes, int(i.size),
                         sol.kirchhoff_residual, sol.current_mismatch, sol.solver, sol.seconds)
