"""Spin chains and their fermions against independent truth: QuSpin, free fermions, sectors."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mbl.errors import InputError
from mbl.models import AubryAndre, SpinlessFermions, XXZChain


def _spectrum(H) -> np.ndarray:
    return np.linalg.eigvalsh(H.toarray())


def _quspin_xxz(L, J, Delta, h, bc, n_up):
    """The same Hamiltonian built by QuSpin (spin-1/2 operators, pauli=0)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quspin = pytest.importorskip("quspin")
        from quspin.basis import spin_basis_1d
        from quspin.operators import hamiltonian
    del quspin
    bonds = [(i, (i + 1) % L) for i in range(L if bc == "periodic" else L - 1)]
    static = [["+-", [[J / 2, i, j] for i, j in bonds]], ["-+", [[J / 2, i, j] for i, j in bonds]],
              ["zz", [[J * Delta, i, j] for i, j in bonds]], ["z", [[h[i], i] for i in range(L)]]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        basis = spin_basis_1d(L, Nup=n_up, pauli=0)
        H = hamiltonian(static, [], basis=basis, dtype=np.float64, check_symm=False,
                        check_herm=False, check_pcon=False)
        return np.linalg.eigvalsh(H.toarray())


@pytest.mark.parametrize("bc", ["open", "periodic"])
@pytest.mark.parametrize(("L", "sz"), [(10, 0), (10, 1), (10, -2), (9, 0.5), (9, -1.5), (8, None)])
@pytest.mark.parametrize("Delta", [0.5, 1.0])
def test_xxz_equals_quspin(bc, L, sz, Delta):
    h = np.random.default_rng(L).uniform(-2.0, 2.0, L)
    mine = _spectrum(XXZChain(L=L, J=0.8, Delta=Delta, bc=bc).hamiltonian(sz=sz, fields=h))
    n_up = None if sz is None else int(L / 2 + sz)
    ref = _quspin_xxz(L, 0.8, Delta, h, bc, n_up)
    np.testing.assert_allclose(mine, ref, atol=1e-11)


@pytest.mark.parametrize("L", [6, 8])
def test_free_fermions_at_delta_zero(L):
    """Delta = 0, open: every S^z sector holds all sums of N single-particle energies."""
    h = np.random.default_rng(5).uniform(-1.0, 1.0, L)
    J = 1.3
    T = np.diag(h) + 0.5 * J * (np.eye(L, k=1) + np.eye(L, k=-1))
    eps = np.linalg.eigvalsh(T)
    for n in range(L + 1):
        mine = _spectrum(XXZChain(L=L, J=J, Delta=0.0, bc="open").hamiltonian(sz=n - L / 2,
                                                                             fields=h))
        free = np.sort([sum(c) for c in itertools.combinations(eps, n)]) - 0.5 * h.sum()
        np.testing.assert_allclose(mine, free, atol=1e-11)


@pytest.mark.parametrize("bc", ["open", "periodic"])
def test_sectors_union_is_full_spectrum(bc):
    L = 8
    h = np.random.default_rng(2).uniform(-3, 3, L)
    chain = XXZChain(L=L, Delta=0.6, bc=bc)
    union = np.sort(np.concatenate([_spectrum(chain.hamiltonian(sz=n - L / 2, fields=h))
                                    for n in range(L + 1)]))
    np.testing.assert_allclose(union, _spectrum(chain.hamiltonian(sz=None, fields=h)), atol=1e-11)


@pytest.mark.parametrize(("xxz_bc", "fermion_bc", "L"), [
    ("open", "open", 10), ("open", "open", 8),
    ("periodic", "periodic", 10),        # N = 5 odd: the JW string is +1 across the boundary
    ("periodic", "antiperiodic", 8),     # N = 4 even: the XXZ ring is an antiperiodic fermion ring
])
def test_jordan_wigner_equivalence(xxz_bc, fermion_bc, L):
    h = np.random.default_rng(L).uniform(-2, 2, L)
    J, Delta = 1.0, 0.9
    spins = _spectrum(XXZChain(L=L, J=J, Delta=Delta, bc=xxz_bc).hamiltonian(sz=0, fields=h))
    fermions = SpinlessFermions(L=L, t=J / 2, V=J * Delta, bc=fermion_bc)
    np.testing.assert_allclose(_spectrum(fermions.hamiltonian(fields=h)), spins, atol=1e-11)


def test_periodic_fermions_at_even_filling_differ_from_spins():
    """The boundary sign matters: with N even the periodic fermion ring is not the XXZ ring."""
    L, h = 8, np.random.default_rng(0).uniform(-2, 2, 8)
    spins = _spectrum(XXZChain(L=L, bc="periodic").hamiltonian(sz=0, fields=h))
    fermions = _spectrum(SpinlessFermions(L=L, bc="periodic").hamiltonian(fields=h))
    assert np.max(np.abs(spins - fermions)) > 1e-3


def test_fields_convention_and_entry_point():
    rng = np.random.default_rng(7)
    chain = XXZChain(L=16, J=1.0, Delta=1.0, W=3.0, bc="periodic")
    h = chain.draw_fields(np.random.default_rng(7))
    assert np.all(np.abs(h) <= 3.0)
    H = chain.hamiltonian(sz=0, rng=rng)
    assert H.shape == (12870, 12870)
    H2 = XXZChain(L=16, W=3.0, bc="open").hamiltonian(sz=0, fields=h)
    assert H2.shape == H.shape


def test_aubry_andre_fields():
    model = AubryAndre(L=12, W=2.0)
    phi_rng = np.random.default_rng(3)
    phi = np.random.default_rng(3).uniform(0, 2 * np.pi)
    beta = (np.sqrt(5) - 1) / 2
    np.testing.assert_allclose(model.draw_fields(phi_rng),
                               2.0 * np.cos(2 * np.pi * beta * np.arange(12) + phi))


@pytest.mark.parametrize("kwargs", [dict(L=1), dict(L=2, bc="periodic"), dict(L=6, W=-1.0),
                                    dict(L=6, bc="twisted")])
def test_bad_chains(kwargs):
    with pytest.raises(InputError):
        XXZChain(**kwargs)


def test_bad_sector_and_fields():
    with pytest.raises(InputError, match="L = 9"):
        XXZChain(L=9).hamiltonian(sz=0, fields=np.zeros(9))
    with pytest.raises(InputError, match="fields"):
        XXZChain(L=8).hamiltonian(sz=0, fields=np.zeros(7))
    with pytest.raises(InputError):
        XXZChain(L=8).hamiltonian(sz=0)


@settings(max_examples=25, deadline=None)
@given(L=st.integers(3, 9), bc=st.sampled_from(["open", "periodic"]),
       W=st.floats(0, 5), Delta=st.floats(-2, 2), seed=st.integers(0, 2**32 - 1))
def test_hamiltonian_hermitian(L, bc, W, Delta, seed):
    n_up = L // 2
    H = XXZChain(L=L, Delta=Delta, W=W, bc=bc).hamiltonian(
        sz=n_up - L / 2, rng=np.random.default_rng(seed))
    assert abs(H - H.T).max() <= 1e-14
