"""BAA lattice of cells against dense Jordan–Wigner algebra, free fermions and decoupled cells."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mbl.basis import SpinBasis
from mbl.errors import InputError
from mbl.models.baa_cells import MAX_ED_SITES, BAACells, BAADisorder
from mbl.operators import build_csr

from ._jordan_wigner import annihilators


def _spectrum(H) -> np.ndarray:
    return np.linalg.eigvalsh(H.toarray())


def _free_sums(eps: np.ndarray, n: int) -> np.ndarray:
    return np.sort([sum(c) for c in itertools.combinations(eps, n)])


MODEL = BAACells(shape=(2,), levels=4, I=0.3, lam=0.8, M=3.0)


@pytest.mark.parametrize("tunnel_signs", [False, True])
def test_equals_dense_jordan_wigner(tunnel_signs):
    """The full Fock-space matrix equals h_ij c†_i c_j + 1/2 sum V c†c†cc built by Kronecker
    products from the formula (all orderings, unrestricted sums): checks the CCcc signs."""
    model = BAACells(shape=(2,), levels=3, I=0.4, lam=0.9, M=2.5, tunnel_signs=tunnel_signs)
    d = model.draw_disorder(np.random.default_rng(3))
    L = model.n_sites
    c = annihilators(L)
    h = model.single_particle_matrix(d)
    dense = sum(h[i, j] * c[i].T @ c[j] for i in range(L) for j in range(L))
    V = model.interaction_tensor(d)
    assert np.count_nonzero(V) > 0
    for rho in range(model.n_cells):
        s = [model.site(rho, lv) for lv in range(model.levels)]
        for l1, l2, j1, j2 in itertools.product(range(model.levels), repeat=4):
            if V[rho, l1, l2, j1, j2]:
                dense = dense + 0.5 * V[rho, l1, l2, j1, j2] * (
                    c[s[l1]].T @ c[s[l2]].T @ c[s[j1]] @ c[s[j2]])
    mine = build_csr(SpinBasis(L), model.terms(d)).toarray()
    np.testing.assert_allclose(mine, dense, atol=1e-13)


@settings(max_examples=25, deadline=None)
@given(shape=st.sampled_from([(1,), (2,), (3,), (2, 2)]), levels=st.integers(3, 4),
       tunnel=st.floats(-1, 1), lam=st.floats(0, 2), M=st.floats(0.1, 8), signs=st.booleans(),
       seed=st.integers(0, 2**32 - 1), data=st.data())
def test_property_hermitian_with_fock_diagonal_xi(shape, levels, tunnel, lam, M, signs,
                                                  seed, data):
    model = BAACells(shape=shape, levels=levels, I=tunnel, lam=lam, M=M, tunnel_signs=signs)
    if model.n_sites > 12:
        model = BAACells(shape=shape[:1], levels=levels, I=tunnel, lam=lam, M=M, tunnel_signs=signs)
    n = data.draw(st.integers(0, model.n_sites))
    d = model.draw_disorder(np.random.default_rng(seed))
    H = model.hamiltonian(n=n, disorder=d)
    assert abs(H - H.T).max() == 0
    np.testing.assert_allclose(H.diagonal(), model.basis(n).occupations() @ d.xi.ravel(),
                               atol=1e-13)


def test_interaction_tensor_structure():
    model = BAACells(shape=(2,), levels=5, I=0.0, lam=0.3, M=2.0, delta=1.7)
    d = model.draw_disorder(np.random.default_rng(1))
    V = model.interaction_tensor(d)
    np.testing.assert_array_equal(V, -V.transpose(0, 2, 1, 3, 4))  # l1 <-> l2
    np.testing.assert_array_equal(V, -V.transpose(0, 1, 2, 4, 3))  # j1 <-> j2
    np.testing.assert_array_equal(V, V.transpose(0, 4, 3, 2, 1))  # Hermitian: V_{j2 j1}^{l2 l1}
    assert set(np.unique(np.abs(V))) <= {0.0, model.lam * model.delta / 2, model.lam * model.delta}
    # window: V_{l1 l2}^{j1 j2} != 0 needs |xi_j - xi_l| <= M delta / 2 for (l1, j1), (l2, j2)
    # or for the exchanged pairing (l2, j1), (l1, j2)
    ok = np.abs(d.xi[:, None, :] - d.xi[:, :, None]) <= model.M * model.delta / 2
    direct = ok[:, :, None, :, None] & ok[:, None, :, None, :]
    exchange = ok[:, None, :, :, None] & ok[:, :, None, None, :]
    assert not np.any(V[~(direct | exchange)])
    # no diagonal: {j1, j2} = {l1, l2} vanishes
    for l1, l2 in itertools.product(range(5), repeat=2):
        assert V[:, l1, l2, l1, l2].tolist() == [0.0, 0.0]
        assert V[:, l1, l2, l2, l1].tolist() == [0.0, 0.0]


def test_hermitian_and_number_conserving():
    d = MODEL.draw_disorder(np.random.default_rng(2))
    H = build_csr(SpinBasis(MODEL.n_sites), MODEL.terms(d)).tocoo()
    assert abs(H - H.T).max() == 0
    popcount = np.array([bin(s).count("1") for s in range(2**MODEL.n_sites)])
    assert np.array_equal(popcount[H.row], popcount[H.col])
    Hn = MODEL.hamiltonian(n=3, disorder=d)
    assert Hn.shape == (56, 56) and abs(Hn - Hn.T).max() == 0


def test_fock_diagonal_is_xi():
    """No Hartree-like terms: the Fock-basis diagonal is sum xi n, tunnelling and all."""
    model = BAACells(shape=(3,), levels=3, I=0.5, lam=1.0, M=10.0, bc="periodic",
                     tunnel_signs=True)
    d = model.draw_disorder(np.random.default_rng(4))
    basis = model.basis(4)
    H = model.hamiltonian(n=4, disorder=d)
    np.testing.assert_allclose(H.diagonal(), basis.occupations() @ d.xi.ravel(), atol=1e-14)
    assert abs(H - build_csr(basis, model.terms(d)[:1])).max() > 0.1  # V and I are there


@pytest.mark.parametrize("tunnel_signs", [False, True])
def test_free_fermions_at_lam_zero(tunnel_signs):
    model = BAACells(shape=(2, 2), levels=3, I=0.7, lam=0.0, M=3.0, tunnel_signs=tunnel_signs)
    d = model.draw_disorder(np.random.default_rng(5))
    eps = np.linalg.eigvalsh(model.single_particle_matrix(d))
    for n in (2, 6):
        np.testing.assert_allclose(_spectrum(model.hamiltonian(n=n, disorder=d)),
                                   _free_sums(eps, n), atol=1e-11)


def test_cells_decouple_at_I_zero():
    """I = 0: the spectrum is the union over n1 + n2 = n of sums of the two cells' spectra."""
    model = BAACells(shape=(2,), levels=4, I=0.0, lam=1.5, M=4.0)
    d = model.draw_disorder(np.random.default_rng(6))
    cell = BAACells(shape=(1,), levels=4, I=0.0, lam=1.5, M=4.0)
    parts = [BAADisorder(xi=d.xi[k:k + 1], sigma=d.sigma[k:k + 1]) for k in range(2)]
    spec = [{m: (_spectrum(cell.hamiltonian(n=m, disorder=p)) if 0 < m < 4
                 else np.array([np.sum(p.xi) if m == 4 else 0.0]))
             for m in range(5)} for p in parts]
    n = 4
    expected = np.sort(np.concatenate([
        (spec[0][m][:, None] + spec[1][n - m][None, :]).ravel() for m in range(n + 1)]))
    np.testing.assert_allclose(_spectrum(model.hamiltonian(n=n, disorder=d)), expected,
                               atol=1e-11)
    # and a single cell with interaction is not free
    free = _free_sums(parts[0].xi.ravel(), 2)
    assert np.max(np.abs(spec[0][2] - free)) > 1e-3


def test_no_interaction_when_window_closes():
    d = MODEL.draw_disorder(np.random.default_rng(7))
    closed = BAACells(shape=(2,), levels=4, I=0.3, lam=0.8, M=1e-9)
    free = BAACells(shape=(2,), levels=4, I=0.3, lam=0.0, M=3.0)
    assert not np.any(closed.interaction_tensor(d))
    assert abs(closed.hamiltonian(disorder=d) - free.hamiltonian(disorder=d)).max() == 0
    wide = BAACells(shape=(2,), levels=4, I=0.3, lam=0.8, M=1e3)  # every pair in the window
    assert np.count_nonzero(wide.interaction_tensor(d)) > np.count_nonzero(
        MODEL.interaction_tensor(d))


def test_determinism_and_explicit_disorder():
    a = MODEL.hamiltonian(rng=np.random.default_rng(42))
    b = MODEL.hamiltonian(rng=np.random.default_rng(42))
    c = MODEL.hamiltonian(rng=np.random.default_rng(43))
    d = MODEL.hamiltonian(disorder=MODEL.draw_disorder(np.random.default_rng(42)))
    assert abs(a - b).max() == 0 and abs(a - d).max() == 0
    assert abs(a - c).max() > 0
    # rebuilt from plain arrays (e.g. a saved realization)
    dis = MODEL.draw_disorder(np.random.default_rng(42))
    again = BAADisorder(xi=dis.xi.tolist(), sigma=dis.sigma.tolist())
    assert abs(MODEL.hamiltonian(disorder=again) - a).max() == 0


def test_drawn_disorder_shapes():
    model = BAACells(shape=(2, 2), levels=3, I=0.1, lam=0.1, M=2.0, tunnel_signs=True)
    d = model.draw_disorder(np.random.default_rng(0))
    assert d.xi.shape == (4, 3) and d.sigma.shape == (4, 3, 3)
    assert np.all(np.diff(d.xi, axis=1) > 0)
    assert set(np.unique(d.sigma)) == {-1.0, 1.0}
    assert d.tunnel.shape == (4, 3, 3)  # open 2 x 2: four bonds
    assert model.cell_bonds().tolist() == [[0, 2], [1, 3], [0, 1], [2, 3]]
    assert BAACells(shape=(3,), levels=2, I=0, lam=0, M=1, bc="periodic").cell_bonds().shape \
        == (3, 2)
    assert BAACells(shape=(1,), levels=2, I=1, lam=0, M=1).cell_bonds().shape == (0, 2)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"levels": 1}, "levels"),
        ({"levels": 2}, "a cell of 2 levels has no interaction"),
        ({"M": 0.0}, "window M must be > 0"),
        ({"lam": -0.1}, "lam must be >= 0"),
        ({"delta": 0.0}, "delta must be > 0"),
        ({"I": np.inf}, "I must be finite"),
        ({"shape": (2, 2, 2, 2)}, "1 to 3 axes"),
        ({"bc": "twisted"}, "bc must be 'open' or 'periodic'"),
        ({"shape": (2,), "bc": "periodic"}, "periodic boundaries need at least 3"),
    ],
)
def test_refused_parameters(kw, match):
    params = {"shape": (2,), "levels": 3, "I": 0.1, "lam": 0.2, "M": 3.0, **kw}
    with pytest.raises(InputError, match=match):
        BAACells(**params)


def test_refused_builds():
    big = BAACells(shape=(7,), levels=3, I=0.1, lam=0.2, M=3.0)
    assert big.n_sites > MAX_ED_SITES
    with pytest.raises(InputError, match="too many for exact diagonalization"):
        big.hamiltonian(n=10, rng=np.random.default_rng(0))
    big.draw_disorder(np.random.default_rng(0))  # drawing is fine at any size
    odd = BAACells(shape=(3,), levels=3, I=0.1, lam=0.2, M=3.0)
    with pytest.raises(InputError, match="no half filling"):
        odd.hamiltonian(rng=np.random.default_rng(0))
    with pytest.raises(InputError, match="exactly one of rng"):
        MODEL.hamiltonian()
    d = MODEL.draw_disorder(np.random.default_rng(0))
    with pytest.raises(InputError, match="exactly one of rng"):
        MODEL.hamiltonian(rng=np.random.default_rng(0), disorder=d)
    with pytest.raises(InputError, match="shape"):
        odd.hamiltonian(n=4, disorder=d)
    signed = BAACells(shape=(2,), levels=4, I=0.3, lam=0.8, M=3.0, tunnel_signs=True)
    with pytest.raises(InputError, match="tunnel_signs"):
        signed.hamiltonian(disorder=d)
    with pytest.raises(InputError, match="symmetric"):
        BAADisorder(xi=d.xi, sigma=np.triu(d.sigma))
    with pytest.raises(InputError, match="numpy.random.Generator"):
        MODEL.hamiltonian(rng=42)
