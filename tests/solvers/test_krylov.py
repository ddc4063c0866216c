"""Krylov time evolution against exact (dense) propagation, and its invariants."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from mbl.basis import SpinBasis
from mbl.errors import InputError
from mbl.models import XXZChain
from mbl.operators import as_linear_operator
from mbl.solvers import evolve


def _quench(L, W=5.0, Delta=0.2, seed=1):
    model = XXZChain(L=L, W=W, Delta=Delta)
    h = model.draw_fields(np.random.default_rng(seed))
    H = model.hamiltonian(sz=0, fields=h)
    psi0 = np.zeros(H.shape[0])
    psi0[H.shape[0] // 3] = 1.0
    return model, h, H, psi0


def test_krylov_matches_dense_propagation_to_t_100():
    _, _, H, psi0 = _quench(10)
    times = np.concatenate([[0.0], np.geomspace(0.1, 100.0, 15)])
    exact = evolve(H, psi0, times, method="dense").states
    ev = evolve(H, psi0, times, method="krylov", tol=1e-10)
    assert np.abs(ev.states - exact).max() < 1e-8
    assert ev.error_estimate < 1e-9  # the a posteriori bound is honest (and conservative)
    np.testing.assert_allclose(np.linalg.norm(ev.states, axis=0), 1.0, atol=1e-12)


def test_matrix_free_operator_gives_the_same_states():
    model, h, H, psi0 = _quench(8)
    times = [0.0, 0.5, 7.0]
    op = as_linear_operator(SpinBasis.from_sz(8, 0), model.terms(h))
    a = evolve(H, psi0, times).states
    b = evolve(op, psi0, times).states
    np.testing.assert_allclose(b, a, atol=1e-12)


def test_eigenstate_only_acquires_a_phase():
    _, _, H, _ = _quench(8)
    E, V = np.linalg.eigh(H.toarray())
    ev = evolve(H, V[:, 5], [0.0, 3.0, 30.0])
    np.testing.assert_allclose(ev.states, V[:, [5]] * np.exp(-1j * E[5] * ev.times), atol=1e-10)


@pytest.mark.parametrize("kwargs, match", [
    (dict(times=[1.0, 0.5]), "non-decreasing"),
    (dict(times=[-1.0]), "non-decreasing"),
    (dict(psi0=np.zeros(3)), "do not match"),
])
def test_refusals(kwargs, match):
    _, _, H, psi0 = _quench(6)
    args = dict(psi0=psi0, times=[0.0, 1.0]) | kwargs
    with pytest.raises(InputError, match=match):
        evolve(H, args["psi0"], args["times"])


def _neel(L):
    from mbl.basis import SpinBasis

    basis = SpinBasis.from_sz(L, 0)
    psi0 = np.zeros(basis.dim)
    psi0[basis.index(np.array([sum(1 << i for i in range(1, L, 2))]))[0]] = 1.0
    return psi0


def _xxz(L, W=5.0, Delta=1.0, seed=3):
    return XXZChain(L=L, W=W, Delta=Delta).hamiltonian(sz=0, rng=np.random.default_rng(seed))


@pytest.mark.parametrize("L, krylov_dim", [(10, 30), (12, 30), (10, 8), (12, 80)])
def test_krylov_error_is_below_tol_against_dense(L, krylov_dim):
    H = _xxz(L)
    psi0 = _neel(L)
    times = np.concatenate([[0.0], np.geomspace(0.1, 100.0, 20)])
    exact = evolve(H, psi0, times, method="dense").states
    ev = evolve(H, psi0, times, tol=1e-10, krylov_dim=krylov_dim)
    assert np.abs(ev.states - exact).max() <= 1e-10
    assert ev.error_estimate <= 1e-10
    drift = np.abs(np.linalg.norm(ev.states, axis=0) - 1).max()
    # rounding accumulates per step: at rounding level for usual spaces; with 8 vectors (about
    # 18,000 steps) the drift measured 8e-12, still below the tolerance
    assert drift <= (1e-12 if krylov_dim >= 30 else 1e-10)


def test_norm_drift_stays_at_rounding_to_t_1000():
    H = _xxz(10, seed=4)
    ev = evolve(H, _neel(10), np.linspace(0.0, 1000.0, 11))
    assert ev.matvecs > 1000  # long enough for many restarts
    assert np.abs(np.linalg.norm(ev.states, axis=0) - 1).max() <= 1e-11


def test_complex_start_state_and_complex_hamiltonian_against_dense():
    rng = np.random.default_rng(7)
    H = _xxz(10).tocsr()
    N = H.shape[0]
    A = sp.random(N, N, density=0.01, random_state=8, format="csr")
    Hc = (H + 0.3j * (A - A.T)).tocsr()  # complex Hermitian, not real
    assert abs(Hc - Hc.conj().T).max() == 0 and abs(Hc.imag).max() > 0
    psi0 = rng.standard_normal(N) + 1j * rng.standard_normal(N)
    psi0 /= np.linalg.norm(psi0)
    times = [0.0, 0.3, 4.0, 40.0]
    for op in (H, Hc):
        exact = evolve(op, psi0, times, method="dense").states
        ev = evolve(op, psi0, times)
        assert np.abs(ev.states - exact).max() <= 1e-10


def test_linear_operator_and_dense_array_match_dense_at_L_12():
    from scipy.sparse.linalg import aslinearoperator

    H = _xxz(12)
    psi0 = _neel(12)
    times = [0.0, 1.0, 10.0, 50.0]
    exact = evolve(H, psi0, times, method="dense").states
    for op in (aslinearoperator(H), H.toarray()):
        ev = evolve(op, psi0, times)
        assert np.abs(ev.states - exact).max() <= 1e-10
    # the numba CSR path and the generic path build the same Krylov spaces
    a, b = evolve(H, psi0, times), evolve(aslinearoperator(H), psi0, times)
    assert a.matvecs == b.matvecs
    np.testing.assert_allclose(a.states, b.states, atol=1e-12)


def test_lanczos_basis_is_locally_orthonormal_and_tridiagonalizes_H():
    from mbl.solvers.krylov import _lanczos

    H = _xxz(12).tocsr()
    rng = np.random.default_rng(2)
    v = rng.standard_normal(H.shape[0]) + 1j * rng.standard_normal(H.shape[0])
    m = 40
    V = np.empty((m + 1, H.shape[0]), dtype=complex)
    V[0] = v / np.linalg.norm(v)
    a, b, beta = _lanczos(H, V, m)
    G = V[:m].conj() @ V[:m].T
    assert np.abs(np.diag(G) - 1).max() < 1e-13
    assert np.abs(np.diag(G, 1)).max() < 1e-13 and np.abs(np.diag(G, 2)).max() < 1e-12
    T = V[:m].conj() @ (H @ V[:m].T)  # V^H H V: tridiagonal with the recurrence's entries
    assert np.abs(np.diag(T) - a).max() < 1e-12
    assert np.abs(np.diag(T, -1) - b).max() < 1e-12
    assert np.abs(V[m].conj() @ (H @ V[m - 1]) / beta - beta) < 1e-12  # row m: beta v_m


def test_agrees_with_quspin_expm_multiply_parallel_at_L_12():
    evolution = pytest.importorskip("quspin.tools.evolution")
    H = _xxz(12).tocsr()
    psi0 = _neel(12)
    times = np.concatenate([[0.0], np.geomspace(0.1, 100.0, 10)])
    op = evolution.expm_multiply_parallel(H, a=-1j, dtype=np.complex128)
    psi, ref = psi0.astype(complex), [psi0.astype(complex)]
    with threadpool_limits(1):  # QuSpin's OpenMP: oversubscribed threads stall it
        for dt in np.diff(times):
            op.set_a(-1j * dt)
            psi = op.dot(psi)
            ref.append(psi)
    ev = evolve(H, psi0, times)
    assert np.abs(ev.states - np.array(ref).T).max() <= 1e-10
