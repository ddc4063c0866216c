"""Tests of :class:`mbl.models.Anderson`: exact clean spectra, structure, inputs, determinism."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import mbl
from mbl._core.errors import InputError
from mbl.models import Anderson


def clean_spectrum(shape, bc, t=1.0):
    """Exact spectrum of the clean hypercubic lattice: sums of 1D chain spectra."""
    def chain(L):
        if bc == "periodic":
            return -2 * t * np.cos(2 * np.pi * np.arange(L) / L)
        return -2 * t * np.cos(np.pi * np.arange(1, L + 1) / (L + 1))
    total = np.zeros(1)
    for L in shape:
        total = np.add.outer(total, chain(L)).ravel()
    return np.sort(total)


def clean_eigenvalues(shape, bc, t=1.0):
    H = Anderson(shape=shape, W=0.0, bc=bc, t=t).hamiltonian(onsite=np.zeros(int(np.prod(shape))))
    return np.linalg.eigvalsh(H.toarray())


@pytest.mark.parametrize(
    ("shape", "bc", "t"),
    [((L,), bc, t) for L in (3, 5, 8, 13) for bc in ("open", "periodic") for t in (1.0, 0.7)]
    + [((4, 5), "periodic", 1.0), ((3, 6), "open", 1.0), ((3, 4, 5), "periodic", 1.0),
       ((4, 4, 4), "open", 1.3)],
)
def test_clean_spectrum_is_exact(shape, bc, t):
    np.testing.assert_allclose(clean_eigenvalues(shape, bc, t), clean_spectrum(shape, bc, t),
                               atol=1e-12)


def test_hopping_sign_is_minus_t():
    H = Anderson(shape=(5,), W=0.0, bc="periodic", t=0.7).hamiltonian(onsite=np.zeros(5))
    assert H[0, 1] == H[1, 0] == H[0, 4] == -0.7
    # on the odd ring the sign is visible in the spectrum: the ground state is -2t, unique
    assert np.linalg.eigvalsh(H.toarray())[0] == pytest.approx(-1.4)


def test_design_entry_point():
    """docs/architecture.md §6: the one-particle entry points."""
    L = 4
    rng = np.random.default_rng(1)
    H = mbl.models.Anderson(shape=(L, L, L), W=16.5, bc="periodic").hamiltonian(rng=rng)
    assert sp.issparse(H) and H.shape == (L**3, L**3) and H.dtype == np.float64
    diag = H.diagonal()
    assert np.all(np.abs(diag) <= 16.5 / 2) and np.unique(diag).size == L**3
    offdiag = H - sp.diags(diag)
    assert np.all(offdiag.data == -1.0) and offdiag.nnz == 6 * L**3
    eps = np.linspace(-1, 1, 7)
    H1 = mbl.models.Anderson(shape=(7,), W=1.0, bc="open").hamiltonian(onsite=eps)
    np.testing.assert_array_equal(H1.diagonal(), eps)
    assert H1.nnz == 7 + 2 * 6


def test_explicit_onsite_is_the_diagonal_and_rebuilds_a_draw():
    model = Anderson(shape=(3, 4), W=5.0, bc="open")
    eps = model.draw_onsite(np.random.default_rng(5))
    H_rng = model.hamiltonian(rng=np.random.default_rng(5))
    H_eps = model.hamiltonian(onsite=eps.reshape(3, 4))
    np.testing.assert_array_equal(H_eps.diagonal(), eps)
    assert (H_rng != H_eps).nnz == 0


def test_same_seed_same_hamiltonian_different_seed_different():
    model = Anderson(shape=(4, 4, 4), W=16.5)
    H = [model.hamiltonian(rng=np.random.default_rng(s)) for s in (7, 7, 8)]
    assert (H[0] != H[1]).nnz == 0
    assert (H[0] != H[2]).nnz > 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rng": np.random.default_rng(0), "onsite": np.zeros(8)}, "exactly one of rng"),
        ({}, "exactly one of rng"),
        ({"onsite": np.zeros(7)}, "onsite has 7 entries"),
        ({"rng": 3}, "numpy.random.Generator"),
        ({"rng": np.random.RandomState(0)}, "numpy.random.Generator"),
    ],
)
def test_hamiltonian_input_errors(kwargs, match):
    with pytest.raises(InputError, match=match):
        Anderson(shape=(8,), W=1.0).hamiltonian(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"W": -1.0}, "W must be finite and >= 0"),
        ({"W": np.inf}, "W must be finite"),
        ({"W": np.nan}, "W must be finite"),
        ({"W": 1.0, "disorder": "uniform"}, "unknown disorder 'uniform'"),
        ({"W": 1.0, "shape": (2,), "bc": "periodic"}, "periodic boundaries need at least 3"),
        ({"W": 1.0, "shape": (3, 3, 3, 3)}, "d = 1, 2 or 3"),
    ],
)
def test_specification_errors(kwargs, match):
    kwargs = {"shape": (4,), **kwargs}
    with pytest.raises(InputError, match=match):
        Anderson(**kwargs)


def test_bandwidth_bound_holds():
    model = Anderson(shape=(5, 5, 5), W=12.0)
    e = np.linalg.eigvalsh(model.hamiltonian(rng=np.random.default_rng(2)).toarray())
    assert model.bandwidth_bound() == 6 + 6.0
    assert np.max(np.abs(e)) <= model.bandwidth_bound()


@st.composite
def realizations(draw):
    d = draw(st.integers(1, 3))
    bc = draw(st.sampled_from(["open", "periodic"]))
    shape = tuple(draw(st.integers(3 if bc == "periodic" else 2, 5)) for _ in range(d))
    W = draw(st.floats(0, 50, allow_nan=False))
    t = draw(st.floats(0.1, 3))
    disorder = draw(st.sampled_from(["box", "gaussian", "cauchy"]))
    seed = draw(st.integers(0, 2**32 - 1))
    return Anderson(shape=shape, W=W, bc=bc, t=t, disorder=disorder), seed


@settings(max_examples=60, deadline=None)
@given(realizations())
def test_hamiltonian_properties(case):
    model, seed = case
    N = int(np.prod(model.shape))
    onsite = model.draw_onsite(np.random.default_rng(seed))
    H = model.hamiltonian(rng=np.random.default_rng(seed))
    assert H.shape == (N, N) and model.n_sites == N
    assert (H != H.T).nnz == 0
    assert H.trace() == pytest.approx(onsite.sum(), rel=1e-12, abs=1e-12)
    np.testing.assert_array_equal(H.diagonal(), onsite)
    off = (H - sp.diags(H.diagonal())).tocoo()
    i, j = model.lattice.bonds()
    assert off.nnz == 2 * i.size and np.all(off.data == -model.t)
    stored = set(zip(off.row.tolist(), off.col.tolist(), strict=True))
    bonds = set(zip(i.tolist(), j.tolist(), strict=True))
    assert stored == bonds | {(b, a) for a, b in bonds}
