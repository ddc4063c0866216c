"""Kirchhoff solver for random conductance networks.

A network is a set of nodes joined by bonds of conductance g_b >= 0. Two sets of nodes are
electrodes: the *source* held at potential 1 and the *drain* held at 0. The potentials of the
other nodes solve the weighted graph Laplacian L_ii u_i = sum_j g_ij u_j with those boundary
values; the current through the network is the net current leaving the source.

:func:`graph_conductance` solves any network given as a bond list. :func:`lattice_conductivity`
builds the hypercubic network of cells used by both transport models (Miller–Abrahams sites
binned on a grid are *not* a lattice; they go through the bond list) and returns the
conductivity of a bar between its two faces normal to axis 0.

The same code solves heat networks: pass thermal conductances instead of electric ones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.sparse import csgraph

from mbl._core.errors import ConvergenceError, InputError

#: ``solver="auto"`` factorizes directly up to this many free nodes and otherwise runs
#: multigrid-preconditioned CG (falling back to the direct solve if CG stalls). Measured on
#: random 3D lattices (bonds e^(-c u), u uniform): at 30^3 the MMD-ordered LU takes 3 s and
#: Ruge-Stuben CG 1.5 s (c = 10) to 12 s (c = 25); at 40^3 the LU takes 60 s and CG 2 s.
#: Planar (2D) networks factorize cheaply: 300^2 in 0.9 s, where CG needs ~250 iterations;
#: :func:`lattice_conductivity` therefore always factorizes d <= 2 lattices under "auto".
DIRECT_MAX = 20_000

#: Iteration cap of the multigrid-preconditioned CG.
CG_MAXITER = 1000


@dataclass(frozen=True)
class NetworkSolution:
    """The solved network.

    ``conductance`` is the source-to-drain conductance; ``potential`` the node potentials;
    ``kirchhoff_residual`` the largest current imbalance at a free node relative to the
    largest current through a bond; ``current_mismatch`` the relative difference between the
    current leaving the source and the current entering the drain; ``free_nodes`` the number
    of potentials solved for (nodes wired to an electrode).
    """

    conductance: float
    potential: np.ndarray
    kirchhoff_residual: float
    current_mismatch: float
    solver: str
    seconds: float
    free_nodes: int = 0


def _validate(n_nodes: int, i: np.ndarray, j: np.ndarray, g: np.ndarray) -> None:
    if i.shape != j.shape or i.shape != g.shape or i.ndim != 1:
        raise InputError(f"bond arrays must be 1-D of one length; got i {i.shape}, j {j.shape}, "
                         f"g {g.shape}")
    if i.size and (min(i.min(), j.min()) < 0 or max(i.max(), j.max()) >= n_nodes):
        raise InputError(f"bond endpoints must lie in [0, {n_nodes}); pass n_nodes large enough")
    if not np.all(np.isfinite(g)) or np.any(g < 0):
        raise InputError("conductances must be finite and >= 0; clip underflowing "
                         "exp(-x) to 0 rather than passing nan or inf")


def graph_conductance(n_nodes: int, i: np.ndarray, j: np.ndarray, g: np.ndarray,
                      source: np.ndarray, drain: np.ndarray, *, solver: str = "auto",
                      rtol: float = 1e-12) -> NetworkSolution:
    """Conductance between ``source`` and ``drain`` of the network with bonds (i_b, j_b, g_b).

    ``solver``: ``"direct"`` (sparse LU with a minimum-degree ordering of A + A^T),
    ``"amg"`` (conjugate gradients preconditioned by classical Ruge-Stuben multigrid from
    :mod:`pyamg`, to relative residual ``rtol``; it copes with conductance contrasts of e^25
    where smoothed aggregation stalls) or ``"auto"`` (direct up to :data:`DIRECT_MAX` free
    nodes, else ``"amg"`` with a direct fallback if CG does not converge; ``solver`` of the
    result names the method that produced it). Only nodes connected to an electrode are
    solved for (the rest of the network, e.g. the non-percolating clusters of a
    Miller-Abrahams network, carries no current and gets the potential 0).

    Conductances are in any unit; the conductance returned is in the same unit.
    """
    start = time.perf_counter()
    i, j = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
    g = np.asarray(g, dtype=float)
    _validate(n_nodes, i, j, g)
    if solver not in ("auto", "direct", "amg"):
        raise InputError(f"solver must be 'auto', 'direct' or 'amg', not {solver!r}")
    fixed = np.full(n_nodes, np.nan)
    fixed[np.asarray(drain, dtype=np.int64)] = 0.0
    fixed[np.asarray(source, dtype=np.int64)] = 1.0
    if np.isnan(fixed).all() or not (fixed == 0).any() or not (fixed == 1).any():
        raise InputError("source and drain must be non-empty, disjoint node sets")
    if np.count_nonzero(fixed == 1) != np.asarray(source).size:
        raise InputError("source and drain must be disjoint node sets")

    A = sp.coo_matrix((np.concatenate([g, g]), (np.concatenate([i, j]), np.concatenate([j, i]))),
                      shape=(n_nodes, n_nodes)).tocsr()
    degree = np.asarray(A.sum(axis=1)).ravel()
    _, label = csgraph.connected_components(A, directed=False)
    wired = np.zeros(label.max() + 1, dtype=bool)
    wired[label[~np.isnan(fixed)]] = True
    free = np.flatnonzero(np.isnan(fixed) & wired[label] & (degree > 0))
    u = np.where(np.isnan(fixed), 0.0, fixed)
    method = "direct" if solver == "auto" and free.size <= DIRECT_MAX else solver
    if free.size:
        lap = (sp.diags(degree[free]) - A[free][:, free]).tocsr()
        rhs = A[free] @ u
        u[free], method = _solve(lap, rhs, method, rtol)
    current = g * (u[i] - u[j])  # current from i to j
    outflow = np.zeros(n_nodes)
    np.add.at(outflow, i, current)
    np.add.at(outflow, j, -current)
    scale = max(float(np.abs(current).max(initial=0.0)), np.finfo(float).tiny)
    residual = float(np.abs(outflow[free]).max(initial=0.0)) / scale
    I_source = float(outflow[fixed == 1].sum())
    I_drain = float(-outflow[fixed == 0].sum())
    mismatch = abs(I_source - I_drain) / max(abs(I_source), np.finfo(float).tiny)
    return NetworkSolution(I_source, u, residual, mismatch, method,
                           time.perf_counter() - start, int(free.size))


def _solve(lap: sp.csr_matrix, rhs: np.ndarray, method: str, rtol: float
           ) -> tuple[np.ndarray, str]:
    """Solve the grounded Laplacian system; return the solution and the method used."""
    if method == "direct":
        lu = spla.splu(lap.tocsc(), permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                       options={"SymmetricMode": True})
        return lu.solve(rhs), "direct"
    try:
        return _amg_cg(lap, rhs, rtol), "amg"
    except ConvergenceError:
        if method == "amg":
            raise
        return _solve(lap, rhs, "direct", rtol)[0], "direct"


def _amg_cg(lap: sp.csr_matrix, rhs: np.ndarray, rtol: float) -> np.ndarray:
    """Ruge-Stuben AMG-preconditioned CG, BLAS pinned to one thread.

    CG's vector operations are memory-bound; with threaded BLAS on a loaded machine they
    oversubscribe the cores (measured on 2 busy cores, 316^2 lattice: 50 s threaded against
    6.7 s pinned, the same 223 iterations).
    """
    import pyamg
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        ml = pyamg.ruge_stuben_solver(lap)
        residuals: list[float] = []
        x = ml.solve(rhs, tol=rtol, accel="cg", maxiter=CG_MAXITER, residuals=residuals)
    achieved = residuals[-1] / max(residuals[0], np.finfo(float).tiny)
    if not achieved <= 10 * rtol:
        raise ConvergenceError(f"AMG-preconditioned CG reached relative residual {achieved:.1e}"
                               f" > {rtol:.0e} after {len(residuals) - 1} iterations; use "
                               "solver='direct' or a looser rtol")
    return x


def contract_shorts(n_nodes: int, i: np.ndarray, j: np.ndarray, g: np.ndarray, g_short: float
                    ) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Merge the nodes joined by bonds with g >= ``g_short`` (treated as perfect conductors).

    Returns (n_merged, i', j', g', label): ``label[k]`` is the merged node of node k; bonds
    inside one merged node are dropped. The conductance between two merged nodes changes
    by a relative O(g_crit / g_short) for the current-limiting bonds g_crit, so the merge keeps
    the solved system's conductance contrast below g_short / min(g) (a wide contrast in one
    Laplacian costs the solve its accuracy: a residual of rtol times the strongest bond).
    """
    i, j, g = np.asarray(i, np.int64), np.asarray(j, np.int64), np.asarray(g, float)
    _validate(n_nodes, i, j, g)
    strong = g >= g_short
    adj = sp.coo_matrix((np.ones(np.count_nonzero(strong)), (i[strong], j[strong])),
                        shape=(n_nodes, n_nodes))
    n_merged, label = csgraph.connected_components(adj, directed=False)
    a, b = label[i], label[j]
    keep = a != b
    return int(n_merged), a[keep], b[keep], g[keep], label


def lattice_bonds(shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Bonds (i, j) of a hypercubic grid of ``shape``, axis by axis.

    Axis 0 is open (the transport direction); the transverse axes are periodic (a transverse
    axis of length 1 or 2 has no periodic image bond, so no bond is doubled). The bonds of axis
    a come in C order of the cell index; their number is listed by :func:`lattice_bond_counts`.
    """
    index = np.arange(int(np.prod(shape))).reshape(shape)
    starts, ends = [], []
    for axis, n in enumerate(shape):
        if axis == 0 or n <= 2:
            a = np.take(index, range(n - 1), axis=axis)
            b = np.take(index, range(1, n), axis=axis)
        else:
            a, b = index, np.roll(index, -1, axis=axis)
        starts.append(a.ravel())
        ends.append(b.ravel())
    return np.concatenate(starts), np.concatenate(ends)


def lattice_bond_counts(shape: tuple[int, ...]) -> list[int]:
    """Number of bonds along each axis in :func:`lattice_bonds` order."""
    total = int(np.prod(shape))
    return [total // n * (n - 1) if (axis == 0 or n <= 2) else total
            for axis, n in enumerate(shape)]


def lattice_conductivity(g: np.ndarray | list[np.ndarray], shape: tuple[int, ...], *,
                         solver: str = "auto", rtol: float = 1e-12
                         ) -> tuple[float, NetworkSolution]:
    """Conductivity of a hypercubic bar of cells between its faces normal to axis 0.

    ``g`` holds the bond conductances in :func:`lattice_bonds` order (a list with one array
    per axis is concatenated). The first layer is the source, the last the drain; the
    conductivity is the conductance times (n_0 - 1) / (cross-section), so a uniform network of
    bonds g gives exactly g (the lattice constant is the cell size). Under ``solver="auto"``
    lattices with d <= 2 are always factorized directly (see :data:`DIRECT_MAX`).
    """
    shape = tuple(int(n) for n in shape)
    if len(shape) not in (1, 2, 3) or min(shape) < 1 or shape[0] < 2:
        raise InputError(f"shape must have 1 to 3 axes, each >= 1, with at least 2 layers along"
                         f" axis 0 (the transport direction); got {shape}")
    g = np.concatenate([np.ravel(x) for x in g]) if isinstance(g, list) else np.ravel(g)
    i, j = lattice_bonds(shape)
    if g.size != i.size:
        raise InputError(f"{g.size} conductances for {i.size} bonds of a {shape} lattice "
                         f"(per axis {lattice_bond_counts(shape)})")
    index = np.arange(int(np.prod(shape))).reshape(shape)
    if solver == "auto" and len(shape) <= 2:
        solver = "direct"
    sol = graph_conductance(index.size, i, j, g, index[0].ravel(), index[-1].ravel(),
                            solver=solver, rtol=rtol)
    cross = index[0].size
    return sol.conductance * (shape[0] - 1) / cross, sol
