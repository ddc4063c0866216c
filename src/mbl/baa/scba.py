"""Self-consistent Born approximation (SCBA) on a finite lattice of BAA cells (docs/theory/scba.md).

Units: delta = 1 (every energy, temperature and width is in units of the cell level spacing),
hbar = k_B = 1. Equilibrium distribution n = tanh(eps/2T), i.e. Fermi function f = (1 - n)/2
with the Fermi energy at 0.

The lattice (:func:`draw_cells`): ``L^d`` cells with periodic boundaries, each holding the
``n_levels`` levels closest to the Fermi energy, drawn as an unfolded GOE spectrum
(docs/theory/baa-model.md §1.2, the default) or as Poisson (uniform, independent) levels of the
same density. A cell must hold every level within a few T of the Fermi energy: :func:`levels_for`
gives ``2 ceil(window T) + M`` levels (window = 8 loses a relative ~2e-3 of the thermal sum).

The widths (on-shell closure, docs/theory/scba.md §2.1-§2.2, A_l normalized, Re Sigma dropped), for
level l of cell rho evaluated at energy eps (eps = xi_l on shell):

    Gamma_l = eta + Gamma_el + Gamma_in
    Gamma_el = I^2 sum_{a, m in rho+a} Gamma_m / ((eps - xi_m)^2 + Gamma_m^2)
    Gamma_in = lam^2 sum'_{l1 l2 l3} F(xi1, xi2; xi3) w / (x^2 + w^2),
               x = eps - xi1 - xi2 + xi3,   w = Gamma1 + Gamma2 + Gamma3

The primed sum runs over the triples with Y = 1/2 and l2 in the window of l, l1 in the window
of l3 (window: |xi_j - xi_l| <= M/2, closed as in :mod:`mbl.models.baa_cells`); the mirror
triples (l1 <-> l2) give the same sum, which cancels the 1/2 of Y and the 1/pi of the
Lorentzian against the prefactor pi. The four levels l, l1, l2, l3 are distinct (no diagonal or
density-assisted terms: pure electron-hole-pair creation). The window index ranges are the
sparse pair lists; the triple loop runs in a parallel numba kernel (``cache=True``) at about
M^2 n_levels evaluations per level (n_levels^2 M^2 per cell and iteration: the cost).

Cavity widths (default). BAA's SCBA keeps only diagrams with at most one path between two
Fock states (docs/theory/insulator.md §3.3): the width of a partner entering level l's sum must not
contain the return to l. With the plain widths an isolated resonance sustains itself at eta = 0 (a
pair of levels of neighbouring cells with |xi_l - xi_m| < I gets Gamma = sqrt(I^2 - x^2); a quartet
with mismatch |x| < lam a width ~ lam), an artifact of dropping Re Sigma that makes every finite
lattice look metallic. So each partner width is replaced by its cavity value:

- elastic: exact cavity messages on the graph of levels of neighbouring cells (the
  Abou-Chacra-Anderson-Thouless recursion, exact on a tree; :class:`_Elastic`). The width of m
  seen from l is eta + Gamma_in,m + the elastic terms of m from every neighbour level but l,
  each evaluated with its own cavity width. A first-order subtraction (the full width minus
  the term of l evaluated with l's full width) is not enough: it leaves a self-sustained
  resonant pair, Gamma = sqrt(2) I at x = 0, and with it a finite fraction of broadened levels
  at eta -> 0 in a non-interacting (Anderson-localized) lattice.
- inelastic: the partner's width minus the term of the same quartet in the partner's own
  sum, floored at eta [RECON: the first-order, Onsager-reaction form, evaluated with the full
  widths of the others; exact messages per quartet would need M^2 n_levels of them per
  level].

The fixed point is iterated with geometric damping, Gamma <- Gamma^(1-a) Gamma_new^a (keeps
widths positive across decades), from the metallic guess eta + pi lam^2 M T so that a broadened
solution is found when one exists. :func:`solve` returns an :class:`SCBAResult` with the
convergence report. :func:`solve_at_energy` is the energy-resolved version: Gamma_l(eps) at
fixed energies eps, the elastic part self-consistent at that eps and the inelastic partners
on shell (taken from an on-shell solution); it gives BAA's P(Gamma) at fixed eps (§2.4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numba
import numpy as np

from mbl._core.errors import InputError
from mbl.baa.parameters import BAAParameters
from mbl.lattice import Hypercubic
from mbl.models.goe import goe_levels

Statistics = Literal["goe", "poisson"]
STATISTICS = ("goe", "poisson")
#: Iterations of the elastic part at most per outer (inelastic) iteration.
INNER_MAX = 50
#: After CYCLE_AFTER iterations, the damping exponent is halved, down to MIN_DAMPING, each
#: time the residual grows beyond CYCLE_RESIDUAL (a cycle; the early transient and small
#: non-monotone residuals of a converging metal are left alone).
MIN_DAMPING = 0.05
CYCLE_RESIDUAL = 0.1
CYCLE_AFTER = 10


@dataclass(frozen=True, eq=False)
class Cells:
    """One realization of the lattice of cells.

    Attributes
    ----------
    params : BAAParameters
    L : int
        Linear size; the lattice has ``L^d`` cells (periodic).
    xi : numpy.ndarray, shape (n_cells, n_levels)
        Sorted level energies of each cell (units of delta).
    neighbours : numpy.ndarray, shape (n_cells, 2 d)
        Indices of the nearest-neighbour cells.
    lo, hi : numpy.ndarray, shape (n_cells, n_levels)
        Interaction windows as index ranges: levels ``lo <= j < hi`` of the same cell obey
        ``|xi_j - xi_l| <= M/2`` (the sparse pair lists).
    statistics : "goe" or "poisson"
    """

    params: BAAParameters
    L: int
    xi: np.ndarray
    neighbours: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    statistics: str

    @property
    def n_cells(self) -> int:
        return self.xi.shape[0]

    @property
    def n_levels(self) -> int:
        return self.xi.shape[1]


def levels_for(T: float, M: float, window: float = 8.0) -> int:
    """Levels per cell that hold every level within ``window * T`` of the Fermi energy."""
    if not (math.isfinite(T) and T > 0 and math.isfinite(window) and window > 0):
        raise InputError(f"T and window must be finite and > 0, got T={T!r}, window={window!r}")
    return 2 * math.ceil(window * T) + math.ceil(M)


def _neighbours(L: int, d: int) -> np.ndarray:
    first, second = Hypercubic((L,) * d, "periodic").bonds()
    n = L**d
    nb = np.empty((n, 2 * d), dtype=np.int64)
    fill = np.zeros(n, dtype=np.int64)
    for a, b in zip(first, second, strict=True):
        nb[a, fill[a]] = b
        nb[b, fill[b]] = a
        fill[a] += 1
        fill[b] += 1
    return nb


def draw_cells(params: BAAParameters, L: int, n_levels: int, rng: np.random.Generator, *,
               statistics: Statistics = "goe") -> Cells:
    """Draw ``L^d`` periodic cells of ``n_levels`` levels each, centred on the Fermi energy.

    ``statistics="goe"`` takes an unfolded GOE spectrum (level repulsion inside a cell,
    docs/theory/baa-model.md §1.2); ``"poisson"`` draws independent uniform levels on
    ``[-n/2, n/2]`` (density 1/delta), the statistics under which <Gamma_in> = pi lam^2 M T holds
    exactly (docs/theory/metal.md §4.2). Levels of different cells are independent.
    """
    if not isinstance(params, BAAParameters):
        raise InputError("params must be a BAAParameters instance.")
    if isinstance(L, bool) or not isinstance(L, (int, np.integer)) or L < 3:
        raise InputError(f"L must be an integer >= 3 (periodic lattice of cells), got {L!r}.")
    if isinstance(n_levels, bool) or not isinstance(n_levels, (int, np.integer)) \
            or n_levels < 4:
        raise InputError(f"n_levels must be an integer >= 4, got {n_levels!r}.")
    if statistics not in STATISTICS:
        raise InputError(f"statistics must be one of {STATISTICS}, got {statistics!r}.")
    if not isinstance(rng, np.random.Generator):
        raise InputError("rng must be a numpy.random.Generator (numpy.random.default_rng).")
    n_cells = int(L) ** params.d
    if statistics == "goe":
        xi = np.stack([goe_levels(int(n_levels), 1.0, rng) for _ in range(n_cells)])
    else:
        xi = np.sort(rng.uniform(-0.5 * n_levels, 0.5 * n_levels, (n_cells, n_levels)), axis=1)
    half = 0.5 * params.M / params.delta
    lo = np.stack([np.searchsorted(row, row - half, side="left") for row in xi])
    hi = np.stack([np.searchsorted(row, row + half, side="right") for row in xi])
    return Cells(params, int(L), xi, _neighbours(int(L), params.d), lo.astype(np.int64),
                 hi.astype(np.int64), statistics)


def pair_factor(f1, f2, f3):
    """Phase-space factor F = f1 f2 (1 - f3) + (1 - f1)(1 - f2) f3 of e-h pair creation.

    Out-scattering (l + l3 -> l1 + l2) plus in-scattering; equal to the Keldysh form
    (1/4){1 + n1 n2 - n3 (n1 + n2)} with n = 1 - 2 f (docs/theory/scba.md §2.1). Broadcasts.
    """
    f1, f2, f3 = (np.asarray(v, dtype=float) for v in (f1, f2, f3))
    return _pair(f1, f2, f3)


@numba.njit(cache=True, inline="always")
def _pair(f1, f2, f3):
    return f1 * f2 * (1.0 - f3) + (1.0 - f1) * (1.0 - f2) * f3


@numba.njit(cache=True, inline="always")
def _lor(x2, w):
    return w / (x2 + w * w)


@numba.njit(cache=True, inline="always")
def _cav(g, term, eta):
    """Cavity width: ``g`` minus the part ``term`` that came back from the level itself."""
    return max(g - term, eta)


@numba.njit(cache=True, parallel=True)
def _inelastic(xi, g, f, lo, hi, e_eval, lam2, eta, cavity, out):
    """Gamma_in of every level at energies ``e_eval`` (same shape as xi); see module doc.

    With ``cavity`` each partner width loses the term of the same quartet in the partner's
    own sum (the reverse process), so no path returns to the level (docs/theory/insulator.md §3.3).
    """
    n_c, n = xi.shape
    for k in numba.prange(n_c * n):
        c, l = k // n, k % n  # noqa: E741
        e = e_eval[c, l]
        gl = g[c, l]
        fl = f[c, l]
        s = 0.0
        for l2 in range(lo[c, l], hi[c, l]):
            if l2 == l:
                continue
            for l3 in range(n):
                if l3 == l or l3 == l2:
                    continue
                f3 = f[c, l3]
                p2 = lo[c, l3] <= l2 < hi[c, l3]
                base = e - xi[c, l2] + xi[c, l3]
                for l1 in range(lo[c, l3], hi[c, l3]):
                    if l1 == l or l1 == l2 or l1 == l3:
                        continue
                    if p2 and lo[c, l] <= l1 < hi[c, l]:
                        continue  # both products of Upsilons are 1: Y = 0
                    x = base - xi[c, l1]
                    x2 = x * x
                    g1 = g[c, l1]
                    g2 = g[c, l2]
                    g3 = g[c, l3]
                    f1 = f[c, l1]
                    f2 = f[c, l2]
                    if cavity:  # partners' own terms, at their on-shell mismatch xp
                        xp = xi[c, l] - xi[c, l1] - xi[c, l2] + xi[c, l3]
                        x2 = xp * xp
                        t1 = lam2 * _pair(fl, f3, f2)  # l1 + l2 -> l + l3, seen from l1
                        t2 = lam2 * _pair(fl, f3, f1)
                        t3 = lam2 * _pair(f1, f2, fl)  # l3 + l -> l1 + l2, seen from l3
                        c1 = _cav(g1, t1 * _lor(x2, gl + g2 + g3), eta)
                        c2 = _cav(g2, t2 * _lor(x2, gl + g1 + g3), eta)
                        c3 = _cav(g3, t3 * _lor(x2, gl + g1 + g2), eta)
                        w = c1 + c2 + c3
                        x2 = x * x
                    else:
                        w = g1 + g2 + g3
                    s += _pair(f1, f2, f3) * _lor(x2, w)
        out[c, l] = lam2 * s


@numba.njit(cache=True, parallel=True)
def _elastic_terms(xi, msg, nb, e_eval, i2, t):  # pragma: no cover - numba
    """t[c, k, l, m] = I^2 w / ((e_l - xi_m)^2 + w^2), w = msg[c, k, l, m]: the elastic term
    of level l of cell c from level m of its neighbour nb[c, k], evaluated at e_eval[c, l]."""
    n_c, n_k = nb.shape
    n = xi.shape[1]
    for c in numba.prange(n_c):
        for k in range(n_k):
            b = nb[c, k]
            for l in range(n):  # noqa: E741
                e = e_eval[c, l]
                for m in range(n):
                    x = e - xi[b, m]
                    w = msg[c, k, l, m]
                    t[c, k, l, m] = i2 * w / (x * x + w * w)


@numba.njit(cache=True, parallel=True)
def _elastic_messages(t, nb, rev, base, cavity, out):  # pragma: no cover - numba
    """out[c, k, l, m]: the width of level m of cell b = nb[c, k] as level l of c sees it,
    base[b, m] (eta + inelastic) plus the elastic terms of m from all its neighbours' levels,
    without (``cavity``) the term of l itself (slot rev[c, k] of b, level l). The excluded
    sum is built from prefix and suffix sums, never by subtraction (a resonant term can
    exceed the rest by many decades)."""
    n_c, n_k = nb.shape
    n = t.shape[2]
    for c in numba.prange(n_c):
        for k in range(n_k):
            b = nb[c, k]
            r = rev[c, k]
            for m in range(n):
                other = base[b, m]
                for k2 in range(n_k):
                    if k2 != r:
                        for q in range(n):
                            other += t[b, k2, m, q]
                if not cavity:
                    for q in range(n):
                        other += t[b, r, m, q]
                    for l in range(n):  # noqa: E741
                        out[c, k, l, m] = other
                    continue
                pre = 0.0
                for l in range(n):  # noqa: E741
                    out[c, k, l, m] = pre
                    pre += t[b, r, m, l]
                suf = 0.0
                for l in range(n - 1, -1, -1):  # noqa: E741
                    out[c, k, l, m] += other + suf
                    suf += t[b, r, m, l]


def _reverse_slots(nb: np.ndarray) -> np.ndarray:
    """rev[c, k]: the slot of cell c among the neighbours of nb[c, k] (distinct for L >= 3)."""
    rev = np.empty_like(nb)
    for c in range(nb.shape[0]):
        for k in range(nb.shape[1]):
            rev[c, k] = int(np.flatnonzero(nb[nb[c, k]] == c)[0])
    return rev


class _Elastic:
    """The elastic part as cavity messages on the graph of levels of neighbouring cells.

    ``msg[c, k, l, m]`` is the width of level m of cell nb[c, k] without the term of level l
    of cell c (the Abou-Chacra-Anderson-Thouless cavity recursion, exact on a tree): l's
    elastic width is sum_{k, m} I^2 msg / ((e_l - xi_m)^2 + msg^2), and a resonant pair
    (|xi_l - xi_m| < I) cannot sustain itself through its own return. With ``cavity=False``
    every message is the full width (the plain SCBA)."""

    def __init__(self, cells: Cells, e_eval: np.ndarray, eta: float, cavity: bool,
                 g0: np.ndarray) -> None:
        self.xi, self.nb, self.e = cells.xi, cells.neighbours, e_eval
        self.rev = _reverse_slots(cells.neighbours)
        self.i2, self.eta, self.cavity = cells.params.I**2, float(eta), bool(cavity)
        self.msg = np.ascontiguousarray(g0[self.nb][:, :, None, :].repeat(cells.n_levels, 2))
        self.t = np.empty_like(self.msg)  # the terms of the current messages, kept in step
        self._new = np.empty_like(self.msg)
        _elastic_terms(self.xi, self.msg, self.nb, self.e, self.i2, self.t)

    def step(self, g_in: np.ndarray, damping: float) -> np.ndarray:
        """One damped update of every message with fixed inelastic widths; returns Gamma_el."""
        _elastic_messages(self.t, self.nb, self.rev, self.eta + g_in, self.cavity, self._new)
        self.msg = self.msg ** (1.0 - damping) * self._new**damping
        _elastic_terms(self.xi, self.msg, self.nb, self.e, self.i2, self.t)
        return self.t.sum(axis=(1, 3))


@dataclass(frozen=True, eq=False)
class SCBAResult:
    """A (possibly unconverged) SCBA solution with its convergence report.

    Attributes
    ----------
    energies : numpy.ndarray, shape (n_cells, n_levels)
        Energy at which each width is evaluated (``xi`` on shell).
    gamma, gamma_el, gamma_in : numpy.ndarray, shape (n_cells, n_levels)
        Total width and its elastic and inelastic parts (units of delta); gamma = eta +
        gamma_el + gamma_in.
    T, eta : float
        Temperature and bath width.
    converged : bool
        Whether the largest relative change of a width fell below ``tol``.
    iterations : int
    residuals : numpy.ndarray
        Largest relative change of a width at each iteration.
    change : numpy.ndarray, shape (n_cells, n_levels)
        Relative change of each width in the last iteration (where the residual comes from).
    """

    energies: np.ndarray
    gamma: np.ndarray
    gamma_el: np.ndarray
    gamma_in: np.ndarray
    T: float
    eta: float
    converged: bool
    iterations: int
    residuals: np.ndarray
    change: np.ndarray


def fermi(xi: np.ndarray, T: float) -> np.ndarray:
    """Fermi function f = 1/(exp(xi/T) + 1) = (1 - tanh(xi/2T))/2 (Fermi energy 0)."""
    return 0.5 * (1.0 - np.tanh(0.5 * np.asarray(xi) / T))


def _check_solver(T, eta, damping, tol, max_iter) -> None:
    for name, v in (("T", T), ("eta", eta), ("tol", tol)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise InputError(f"{name} must be a finite positive number, got {v!r}.")
    if not (isinstance(damping, (int, float)) and 0 < damping <= 1):
        raise InputError(f"damping must lie in (0, 1], got {damping!r}.")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise InputError(f"max_iter must be an integer >= 1, got {max_iter!r}.")


def _iterate(inelastic, elastic: _Elastic, g0, eta, damping, tol, max_iter):
    """Damped geometric fixed-point iteration of gamma = eta + elastic + inelastic(gamma).

    Each outer iteration evaluates the (expensive) inelastic part once (geometrically damped
    against the previous one) and then iterates the (cheap) elastic messages to their own
    fixed point: near-resonant level pairs of neighbouring cells (|xi_l - xi_m| ~ I) make the
    elastic map nearly marginal and slow to converge. When, after CYCLE_AFTER iterations, the
    residual grows beyond CYCLE_RESIDUAL (a cycle: levels far above the Fermi energy, or
    cavity widths at their floor) the damping exponent is halved, down to MIN_DAMPING.
    """
    g = g0.copy()
    residuals = []
    g_el = np.zeros_like(g)
    g_in = None
    a = damping
    for it in range(1, max_iter + 1):
        g_start = g.copy()
        new_in = inelastic(g)
        g_in = new_in if g_in is None else g_in ** (1.0 - a) * new_in**a
        for _ in range(INNER_MAX):
            g_el = elastic.step(g_in, a)
            new = eta + g_el + g_in
            inner = float(np.max(np.abs(new - g) / new))
            g = new
            if inner < 0.1 * tol:
                break
        change = np.abs(g - g_start) / g
        res = float(change.max())
        if it > CYCLE_AFTER and res > max(residuals[-1], CYCLE_RESIDUAL):
            a = max(0.5 * a, MIN_DAMPING)  # a cycle (hot levels, floored cavities)
        residuals.append(res)
        if res < tol:
            return g, g_el, g_in, True, it, np.array(residuals), change
    return g, g_el, g_in, False, max_iter, np.array(residuals), change


def solve(cells: Cells, T: float, eta: float, *, damping: float = 0.5, tol: float = 1e-6,
          max_iter: int = 200, gamma0: np.ndarray | None = None,
          cavity: bool = True) -> SCBAResult:
    """Solve the on-shell SCBA (widths at eps = xi_l) at temperature ``T`` and bath ``eta``.

    Parameters
    ----------
    cells : Cells
    T : float
        Temperature (units of delta).
    eta : float
        Bath width Gamma_b (units of delta), > 0.
    damping : float
        Mixing exponent a in (0, 1] of Gamma <- Gamma^(1-a) Gamma_new^a.
    tol : float
        Convergence: largest relative change of any width below ``tol``.
    max_iter : int
        Iterations at most; an unconverged result is returned with ``converged=False``.
    gamma0 : numpy.ndarray, optional
        Starting widths (default: the metallic guess eta + pi lam^2 M T everywhere).
    cavity : bool
        Use cavity partner widths (default, see the module docstring); ``False`` gives the
        plain SCBA, in which isolated resonances sustain themselves.
    """
    _check_solver(T, eta, damping, tol, max_iter)
    p = cells.params
    f = fermi(cells.xi, T)
    if gamma0 is None:
        g0 = np.full(cells.xi.shape, eta + p.gamma_in_mean(T))
    else:
        g0 = np.array(gamma0, dtype=float)
        if g0.shape != cells.xi.shape or not np.all(np.isfinite(g0) & (g0 > 0)):
            raise InputError(f"gamma0 must be positive and of shape {cells.xi.shape}.")

    def inelastic(g):
        out = np.empty_like(g)
        _inelastic(cells.xi, g, f, cells.lo, cells.hi, cells.xi, p.lambda_**2, eta, cavity,
                   out)
        return out

    elastic = _Elastic(cells, cells.xi, eta, cavity, g0)
    g, ge, gi, ok, it, res, change = _iterate(inelastic, elastic, g0, eta, damping, tol,
                                              max_iter)
    return SCBAResult(cells.xi, g, ge, gi, float(T), float(eta), ok, it, res, change)


def solve_at_energy(cells: Cells, onshell: SCBAResult, eps: float, *, damping: float = 0.5,
                    tol: float = 1e-6, max_iter: int = 200, cavity: bool = True) -> SCBAResult:
    """Gamma_l(eps) of every level at one fixed energy ``eps`` (docs/theory/scba.md §2.4: P(Gamma)
    at fixed eps).

    The elastic part, which couples Gamma_l(eps) to the neighbours' Gamma_m(eps) at the same
    energy, is solved self-consistently; the inelastic part takes its partners' widths on shell
    from ``onshell`` (a :func:`solve` result at the same T and eta), since energy conservation
    puts them at eps_i ~ xi_i.
    """
    if not isinstance(onshell, SCBAResult) or onshell.gamma.shape != cells.xi.shape:
        raise InputError("onshell must be the SCBAResult of solve() on the same cells.")
    if not math.isfinite(eps):
        raise InputError(f"eps must be finite, got {eps!r}.")
    T, eta = onshell.T, onshell.eta
    _check_solver(T, eta, damping, tol, max_iter)
    p = cells.params
    e = np.full(cells.xi.shape, float(eps))
    g_in = np.empty_like(cells.xi)
    _inelastic(cells.xi, onshell.gamma, fermi(cells.xi, T), cells.lo, cells.hi, e,
               p.lambda_**2, eta, cavity, g_in)

    elastic = _Elastic(cells, e, eta, cavity, onshell.gamma)
    g, ge, gi, ok, it, res, change = _iterate(lambda g: g_in, elastic, onshell.gamma, eta,
                                              damping, tol, max_iter)
    return SCBAResult(e, g, ge, gi, float(T), float(eta), ok, it, res, change)
