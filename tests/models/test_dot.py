"""AGKL quantum dot: Jordan–Wigner algebra, free limit, matrix-element statistics, window."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from mbl.basis import SpinBasis
from mbl.errors import InputError
from mbl.models.dot import DotDisorder, QuantumDot, pair_indices
from mbl.operators import build_csr

from ._jordan_wigner import annihilators


def _free_sums(eps: np.ndarray, n: int) -> np.ndarray:
    return np.sort([sum(c) for c in itertools.combinations(eps, n)])


def _popcount(x: np.ndarray) -> np.ndarray:
    return np.array([bin(int(v)).count("1") for v in np.ravel(x)])


@pytest.mark.parametrize("diagonal", [False, True])
def test_equals_dense_antisymmetrized_form(diagonal):
    """Full Fock space: H = sum eps n + 1/4 sum V_{abcd} c†_a c†_b c_d c_c with V antisymmetric
    in (a, b) and (c, d), built by Kronecker products."""
    N = 5
    dot = QuantumDot(N, 2, g=0.7, window=math.inf, diagonal=diagonal)
    d = dot.draw_disorder(np.random.default_rng(1))
    Vp = dot.pair_coupling(d)
    a, b = pair_indices(N)
    V = np.zeros((N,) * 4)
    for p, q in itertools.product(range(len(a)), repeat=2):
        al, be, ga, de = a[p], b[p], a[q], b[q]
        for s1, (x, y) in ((1, (al, be)), (-1, (be, al))):
            for s2, (z, w) in ((1, (ga, de)), (-1, (de, ga))):
                V[x, y, z, w] = s1 * s2 * Vp[p, q]
    c = annihilators(N)
    dense = sum(e * c[k].T @ c[k] for k, e in enumerate(d.levels))
    for x, y, z, w in itertools.product(range(N), repeat=4):
        if V[x, y, z, w]:
            dense = dense + 0.25 * V[x, y, z, w] * (c[x].T @ c[y].T @ c[w] @ c[z])
    mine = build_csr(SpinBasis(N), dot.terms(d)).toarray()
    np.testing.assert_allclose(mine, dense, atol=1e-13)
    H = build_csr(SpinBasis(N), dot.terms(d)).tocoo()
    assert np.array_equal(_popcount(H.row), _popcount(H.col))  # number conserving
    assert abs(H - H.T).max() == 0


def test_two_particle_matrix_element():
    """<alpha beta| H |gamma delta> = V_{ab} for |ab> = c†_alpha c†_beta |0>, alpha < beta."""
    N = 6
    dot = QuantumDot(N, 1, g=1.0, window=math.inf)
    d = dot.draw_disorder(np.random.default_rng(2))
    basis = SpinBasis(N, 2)
    H = dot.hamiltonian(n=2, disorder=d).toarray()
    a, b = pair_indices(N)
    V = dot.pair_coupling(d)

    def ket(al, be):  # c†_alpha c†_beta |0> = -|bits>  for alpha < beta (JW order)
        return basis.index((1 << al) | (1 << be)), -1.0

    for p, q in [(0, 5), (3, 7), (14, 2)]:
        i, si = ket(a[p], b[p])
        j, sj = ket(a[q], b[q])
        assert si * sj * H[i, j] == pytest.approx(V[p, q])


def test_hermitian_deterministic_explicit():
    dot = QuantumDot(8, 4, g=2.0)
    H1 = dot.hamiltonian(rng=np.random.default_rng(5))
    H2 = dot.hamiltonian(rng=np.random.default_rng(5))
    d = dot.draw_disorder(np.random.default_rng(5))
    H3 = dot.hamiltonian(disorder=DotDisorder(d.levels.tolist(), d.coupling.tolist()))
    assert abs(H1 - H1.T).max() == 0
    assert abs(H1 - H2).max() == 0 and abs(H1 - H3).max() == 0
    assert abs(H1 - dot.hamiltonian(rng=np.random.default_rng(6))).max() > 0


@pytest.mark.parametrize("n", [3, 4, 5])
def test_free_fermions_without_interaction(n):
    d = QuantumDot(8, 4, g=1.0).draw_disorder(np.random.default_rng(7))
    free = _free_sums(d.levels, n)
    H = QuantumDot(8, 4, g=math.inf).hamiltonian(n=n, disorder=d)
    np.testing.assert_allclose(np.linalg.eigvalsh(H.toarray()), free, atol=1e-12)
    weak = QuantumDot(8, 4, g=1e7, window=math.inf).hamiltonian(n=n, disorder=d)
    np.testing.assert_allclose(np.linalg.eigvalsh(weak.toarray()), free, atol=1e-4)
    zero_window = QuantumDot(8, 4, g=1.0, window=0.0).hamiltonian(n=n, disorder=d)
    np.testing.assert_allclose(np.linalg.eigvalsh(zero_window.toarray()), free, atol=1e-12)


def test_interaction_rms_is_delta_over_g():
    """Fock states two moves apart are coupled by Delta/g r.m.s.; one move apart by
    sqrt(n - 1) Delta/g (one element per spectator); the diagonal is sum eps n."""
    N, n, Delta, g = 10, 5, 1.3, 4.0
    dot = QuantumDot(N, n, g=g, Delta=Delta, window=math.inf)
    d = dot.draw_disorder(np.random.default_rng(8))
    u = d.coupling[np.triu_indices(len(d.coupling))]
    assert abs(u.mean()) < 4 / np.sqrt(u.size) and abs(u.std() - 1) < 0.05
    basis = dot.basis()
    H = dot.hamiltonian(disorder=d)
    np.testing.assert_allclose(H.diagonal(), basis.occupations() @ d.levels, atol=1e-13)
    coo = H.tocoo()
    off = coo.row != coo.col
    dist = _popcount(basis.states[coo.row[off]] ^ basis.states[coo.col[off]])
    vals = coo.data[off]
    rms4 = np.sqrt(np.mean(vals[dist == 4] ** 2))
    rms2 = np.sqrt(np.mean(vals[dist == 2] ** 2))
    assert rms4 == pytest.approx(Delta / g, rel=0.1)
    assert rms2 == pytest.approx(np.sqrt(n - 1) * Delta / g, rel=0.1)
    assert dot.interaction_rms == Delta / g


def test_same_realization_scales_with_g():
    d = QuantumDot(7, 3, g=1.0).draw_disorder(np.random.default_rng(9))
    H0 = QuantumDot(7, 3, g=math.inf).hamiltonian(disorder=d)
    H1 = QuantumDot(7, 3, g=1.0, window=math.inf).hamiltonian(disorder=d)
    H2 = QuantumDot(7, 3, g=2.0, window=math.inf).hamiltonian(disorder=d)
    assert abs((H1 - H0) - 2 * (H2 - H0)).max() < 1e-13


def test_thouless_window():
    N, n = 10, 5
    dot = QuantumDot(N, n, g=1.5, window=None)  # E_T = 1.5 Delta
    d = dot.draw_disorder(np.random.default_rng(10))
    assert dot.thouless_window == 1.5
    eF = dot.fermi_level(d)
    assert d.levels[n - 1] < eF < d.levels[n]
    inside = np.abs(d.levels - eF) <= 1.5
    assert 0 < inside.sum() < N
    a, b = pair_indices(N)
    pair_in = inside[a] & inside[b]
    V = dot.pair_coupling(d)
    assert not np.any(V[~pair_in, :]) and not np.any(V[:, ~pair_in])
    inner = V[np.ix_(pair_in, pair_in)]
    assert np.count_nonzero(inner) == inner.size - pair_in.sum()  # all but the diagonal
    keep = QuantumDot(N, n, g=1.5, diagonal=True).pair_coupling(d)
    assert np.count_nonzero(keep[np.ix_(pair_in, pair_in)]) == inner.size


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"n_orbitals": 1, "n_particles": 0}, "n_orbitals >= 2"),
        ({"n_particles": 9}, "n_particles = 9 is out of range"),
        ({"n_particles": 2.0}, "n_particles must be an integer"),
        ({"g": 0.0}, "conductance g must be > 0"),
        ({"g": math.nan}, "conductance g"),
        ({"Delta": -1.0}, "Delta must be finite and > 0"),
        ({"window": -1.0}, "window must be >= 0"),
    ],
)
def test_refused_parameters(kw, match):
    params = {"n_orbitals": 8, "n_particles": 4, "g": 1.0, **kw}
    with pytest.raises(InputError, match=match):
        QuantumDot(**params)


def test_refused_builds():
    dot = QuantumDot(8, 4, g=1.0)
    d = dot.draw_disorder(np.random.default_rng(0))
    with pytest.raises(InputError, match="exactly one of rng"):
        dot.hamiltonian()
    with pytest.raises(InputError, match="8 orbitals but the dot has n_orbitals = 7"):
        QuantumDot(7, 3, g=1.0).hamiltonian(disorder=d)
    with pytest.raises(InputError, match="too many for exact diagonalization"):
        QuantumDot(21, 10, g=1.0).hamiltonian(rng=np.random.default_rng(0))
    with pytest.raises(InputError, match="strictly increasing"):
        DotDisorder(d.levels[::-1], d.coupling)
    with pytest.raises(InputError, match="symmetric"):
        DotDisorder(d.levels, np.triu(d.coupling))
    with pytest.raises(InputError, match=r"shape \(P, P\)"):
        DotDisorder(d.levels, d.coupling[:-1, :-1])
