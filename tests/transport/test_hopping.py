"""Miller–Abrahams networks: bonds against a brute-force pair loop, the critical path
against bisection with connected components, exact scale invariance, current conservation,
the margin truncation and input errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse import csgraph

from mbl._core.errors import InputError
from mbl.transport import hopping
from mbl.transport.hopping import (
    MillerAbrahams,
    critical_path,
    draw_sites,
    hopping_sample,
    ma_bonds,
    mott_scale,
)
from mbl.transport.network import contract_shorts, graph_conductance


def _brute_bonds(spec, pos, e, box, T, s_max):
    n, out = e.size, {}
    for a in range(n):
        for b in range(a + 1, n):
            diff = np.abs(pos[a] - pos[b])
            diff[1:] = np.minimum(diff[1:], box[1:] - diff[1:])
            E = 0.5 * (abs(e[a]) + abs(e[b]) + abs(e[a] - e[b]))
            s = 2 * np.linalg.norm(diff) / spec.xi + E / T
            if s < s_max:
                out[(a, b)] = s
        for node, dist in ((n, pos[a, 0]), (n + 1, box[0] - pos[a, 0])):
            s = 2 * dist / spec.xi + abs(e[a]) / T
            if s < s_max:
                out[(a, node)] = s
    return out


@pytest.mark.parametrize("d", [2, 3])
def test_bonds_match_brute_force(d):
    spec = MillerAbrahams(d=d, xi=0.7)
    rng = np.random.default_rng(d)
    T, box = 0.05, np.array([10.0, 12.0] if d == 2 else [5.0, 6.0, 7.0])
    pos, e = draw_sites(spec, box, 0.5, rng)
    assert 50 < e.size < 400
    i, j, s = ma_bonds(spec, pos, e, box, T, 8.0)
    got = {(int(a), int(b)): float(v) for a, b, v in zip(i, j, s, strict=True)}
    want = _brute_bonds(spec, pos, e, box, T, 8.0)
    assert got.keys() == want.keys() and len(want) > 100
    assert all(abs(got[k] - want[k]) < 1e-12 for k in want)
    # the transverse boundary is periodic: some bond wraps around
    sites = j < e.size
    assert np.any(np.abs(pos[i[sites], 1] - pos[j[sites], 1]) > box[1] / 2)


def test_miller_abrahams_energy_cases():
    # same sign: E = max(|e_i|, |e_j|); opposite signs: E = |e_i| + |e_j|
    spec = MillerAbrahams(d=2)
    pos = np.array([[1.0, 1.0], [1.0, 1.5], [1.0, 2.0]])
    e = np.array([0.1, 0.3, -0.2])
    i, j, s = ma_bonds(spec, pos, e, np.array([40.0, 40.0]), 1.0, 40.0)
    pairs = {(int(a), int(b)): float(v) for a, b, v in zip(i, j, s, strict=True) if b < 3}
    assert pairs == pytest.approx({(0, 1): 1.0 + 0.3, (0, 2): 2.0 + 0.3, (1, 2): 1.0 + 0.5},
                                  rel=1e-12)


def test_critical_path_is_the_bisection_threshold():
    rng = np.random.default_rng(4)
    spec = MillerAbrahams(d=2)
    T = 1.0 / 6.0**3
    box = spec.box(T, (30.0, 30.0))
    pos, e = draw_sites(spec, box, T * 25.0, rng)
    n = e.size
    i, j, s = ma_bonds(spec, pos, e, box, T, 25.0)
    s_c = critical_path(n + 2, i, j, s, n, n + 1)

    def joined(threshold):
        keep = s <= threshold
        adj = sp.coo_matrix((np.ones(keep.sum()), (i[keep], j[keep])), shape=(n + 2, n + 2))
        labels = csgraph.connected_components(adj, directed=False)[1]
        return labels[n] == labels[n + 1]

    assert joined(s_c) and not joined(np.nextafter(s_c, 0))
    assert s_c in s


def test_scale_invariance_is_exact():
    # The same seed draws the same rescaled realization at any T, so s_c / m(T) is identical.
    spec = MillerAbrahams(d=3)
    ratios = []
    for m in (5.0, 9.0):
        T = spec.delta_xi / m**4
        assert mott_scale(spec, T) == pytest.approx(m, rel=1e-12)
        smp = hopping_sample(spec, T, (10.0, 10.0, 10.0), np.random.default_rng(8))
        ratios.append(smp.s_c / m)
    assert ratios[0] == pytest.approx(ratios[1], rel=1e-9)


@pytest.mark.parametrize("d, box", [(2, 60.0), (3, 12.0)])
def test_networks_conserve_current(d, box):
    spec = MillerAbrahams(d=d)
    T = spec.delta_xi / 6.0 ** (d + 1)
    smp = hopping_sample(spec, T, (box,) * d, np.random.default_rng(1), solver="direct")
    assert smp.kirchhoff_residual < 1e-10 and smp.current_mismatch < 1e-10
    assert smp.nodes > 500 and smp.bonds > smp.nodes
    # the network conductance lies within a few units of the critical bond e^(-s_c)
    assert abs(smp.ln_sigma + smp.s_c) < 5.0


def test_amg_and_direct_agree_on_a_point_network():
    spec = MillerAbrahams(d=3)
    T = spec.delta_xi / 5.0**4
    a = hopping_sample(spec, T, (12.0,) * 3, np.random.default_rng(2), solver="direct")
    b = hopping_sample(spec, T, (12.0,) * 3, np.random.default_rng(2), solver="amg",
                       rtol=1e-13)
    assert b.solver == "amg" and b.ln_sigma == pytest.approx(a.ln_sigma, abs=1e-8)
    assert b.kirchhoff_residual < 1e-8


def test_margin_truncation_is_small():
    # bonds weaker than e^-margin times the critical one are dropped: ln sigma moves by
    # ~e^-margin (measured 0.01 between margins 8 and 12 at m = 4, 3D)
    spec = [MillerAbrahams(d=2, margin=mg) for mg in (6.0, 12.0)]
    T = 1.0 / 5.0**3
    ln = [hopping_sample(sp_, T, (40.0, 40.0), np.random.default_rng(3)).ln_sigma
          for sp_ in spec]
    assert 0 < ln[1] - ln[0] < 0.1


def test_contracting_shorts_keeps_the_conductance():
    # chain 0 -(1e8)- 1 -(1)- 2 -(1e8)- 3 plus 1 -(2)- 3: merging the 1e8 bonds
    i, j = np.array([0, 1, 2, 1]), np.array([1, 2, 3, 3])
    g = np.array([1e8, 1.0, 1e8, 2.0])
    full = graph_conductance(4, i, j, g, [0], [3], solver="direct").conductance
    n, a, b, gc, label = contract_shorts(4, i, j, g, 1e6)
    merged = graph_conductance(n, a, b, gc, [label[0]], [label[3]]).conductance
    assert n == 2 and merged == pytest.approx(3.0, rel=1e-14)
    assert full == pytest.approx(merged, rel=1e-6)


def test_bad_input():
    with pytest.raises(InputError, match="d must"):
        MillerAbrahams(d=1)
    with pytest.raises(InputError, match="xi"):
        MillerAbrahams(d=2, xi=-1.0)
    with pytest.raises(InputError, match="margin"):
        MillerAbrahams(d=2, margin=1.0)
    spec = MillerAbrahams(d=2)
    with pytest.raises(InputError, match="box_mott"):
        spec.box(0.01, (10.0,))
    with pytest.raises(InputError, match="band"):
        hopping_sample(spec, 0.5, (10.0, 10.0), np.random.default_rng(0))
    with pytest.raises(InputError, match="rng"):
        draw_sites(spec, np.ones(2), 0.1, 0)
    with pytest.raises(InputError, match="T ="):
        mott_scale(spec, -1.0)
    with pytest.raises(InputError, match="transverse"):
        ma_bonds(spec, np.zeros((1, 2)), np.zeros(1), np.array([5.0, 1.0]), 0.1, 20.0)
    assert math.isinf(critical_path(3, np.array([0]), np.array([1]), np.array([1.0]), 0, 2))
    assert hopping.BETA == {2: 13.8, 3: 21.2}
