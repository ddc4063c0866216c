"""Kirchhoff solver: exact uniform and series/parallel networks, current conservation,
disconnected clusters, solver agreement and input errors."""

from __future__ import annotations

import numpy as np
import pytest

from mbl._core.errors import InputError
from mbl.transport import network
from mbl.transport.network import (
    graph_conductance,
    lattice_bond_counts,
    lattice_bonds,
    lattice_conductivity,
)

SHAPES = [(7,), (6, 5), (5, 4, 3), (4, 1, 2)]


@pytest.mark.parametrize("solver", ["direct", "amg"])
@pytest.mark.parametrize("shape", SHAPES)
def test_uniform_network_is_exact(shape, solver):
    n_bonds = sum(lattice_bond_counts(shape))
    sigma, sol = lattice_conductivity(np.full(n_bonds, 2.5), shape, solver=solver)
    assert sigma == pytest.approx(2.5, rel=1e-10)
    assert sol.solver == solver
    # the potential drops linearly along the transport axis
    u = sol.potential.reshape(shape)
    expected = 1 - np.arange(shape[0]) / (shape[0] - 1)
    assert np.allclose(u, expected.reshape((-1,) + (1,) * (len(shape) - 1)), atol=1e-10)


def test_bond_list_matches_counts():
    for shape in SHAPES + [(3, 3, 3)]:
        i, j = lattice_bonds(shape)
        assert i.size == sum(lattice_bond_counts(shape))
        pairs = {tuple(sorted(p)) for p in zip(i.tolist(), j.tolist(), strict=True)}
        assert len(pairs) == i.size, "no bond may be doubled"


def test_series_and_parallel():
    # 0 -(1)- 1 -(3)- 2 and a parallel bond 0 -(0.5)- 2: G = 1*3/(1+3) + 0.5
    sol = graph_conductance(3, np.array([0, 1, 0]), np.array([1, 2, 2]),
                            np.array([1.0, 3.0, 0.5]), [0], [2])
    assert sol.conductance == pytest.approx(0.75 + 0.5, rel=1e-14)
    assert sol.potential[1] == pytest.approx(0.25, rel=1e-14)


@pytest.mark.parametrize("solver", ["direct", "amg"])
@pytest.mark.parametrize("shape", [(9, 9), (8, 7, 6)])
def test_random_networks_conserve_current(shape, solver):
    rng = np.random.default_rng(7)
    g = np.exp(-12.0 * rng.random(sum(lattice_bond_counts(shape))))  # contrast e^12
    g[rng.random(g.size) < 0.2] = 0.0  # broken bonds
    _, sol = lattice_conductivity(g, shape, solver=solver, rtol=1e-13)
    assert sol.kirchhoff_residual < 1e-10
    assert sol.current_mismatch < 1e-10


def test_solvers_agree_and_auto_falls_back(monkeypatch):
    rng = np.random.default_rng(3)
    shape = (8, 6, 6)
    g = np.exp(-8.0 * rng.random(sum(lattice_bond_counts(shape))))
    direct, _ = lattice_conductivity(g, shape, solver="direct")
    amg, _ = lattice_conductivity(g, shape, solver="amg", rtol=1e-13)
    assert amg == pytest.approx(direct, rel=1e-9)
    monkeypatch.setattr(network, "DIRECT_MAX", 10)
    _, sol = lattice_conductivity(g, shape)
    assert sol.solver == "amg"
    monkeypatch.setattr(network, "CG_MAXITER", 1)  # CG cannot converge: auto factorizes
    auto, sol = lattice_conductivity(g, shape)
    assert sol.solver == "direct" and auto == pytest.approx(direct, rel=1e-12)


def test_clusters_off_the_electrodes_are_ignored():
    # 0 - 1 - 2 is the path; nodes 3-4 form a cluster touching no electrode; 5 is isolated
    i, j = np.array([0, 1, 3]), np.array([1, 2, 4])
    sol = graph_conductance(6, i, j, np.array([2.0, 2.0, 1.0]), [0], [2])
    assert sol.conductance == pytest.approx(1.0, rel=1e-14)
    assert sol.potential[3] == sol.potential[4] == sol.potential[5] == 0.0


def test_reversing_electrodes_keeps_the_conductance():
    rng = np.random.default_rng(11)
    shape = (6, 6)
    i, j = lattice_bonds(shape)
    g = rng.exponential(size=i.size)
    idx = np.arange(36).reshape(shape)
    a = graph_conductance(36, i, j, g, idx[0], idx[-1])
    b = graph_conductance(36, i, j, g, idx[-1], idx[0])
    assert a.conductance == pytest.approx(b.conductance, rel=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    (dict(g=np.array([1.0, -1.0])), "conductances"),
    (dict(g=np.array([1.0, np.nan])), "conductances"),
    (dict(j=np.array([1, 9])), "endpoints"),
    (dict(source=[0], drain=[0]), "disjoint"),
    (dict(source=[], drain=[2]), "non-empty"),
    (dict(solver="lu"), "solver"),
])
def test_bad_input(kwargs, match):
    args = dict(i=np.array([0, 1]), j=np.array([1, 2]), g=np.array([1.0, 1.0]), source=[0],
                drain=[2])
    args.update(kwargs)
    with pytest.raises(InputError, match=match):
        graph_conductance(3, **args)


def test_bad_lattice_input():
    with pytest.raises(InputError, match="layers"):
        lattice_conductivity(np.ones(0), (1, 3))
    with pytest.raises(InputError, match="conductances for"):
        lattice_conductivity(np.ones(5), (3, 3))
