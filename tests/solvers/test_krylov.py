"""Krylov time evolution against exact (dense) propagation, and its invariants."""

from __future__ import annotations

import numpy as np
import pytest

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
