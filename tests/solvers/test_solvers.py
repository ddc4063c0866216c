"""Tests of :mod:`mbl.solvers`: dense LAPACK, shift-invert windows, spectral bounds, errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from mbl._core.errors import ConvergenceError, InputError
from mbl.models import Anderson
from mbl.solvers import Eigenpairs, dense, shift_invert, solve, spectral_bounds


def anderson(shape, W, seed=0, bc="periodic"):
    return Anderson(shape=shape, W=W, bc=bc).hamiltonian(rng=np.random.default_rng(seed))


def complex_hermitian(n, seed=0):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
    return (A + A.conj().T) / 2


MATRICES = {
    "anderson3d": lambda: anderson((6, 6, 6), 8.0),
    "anderson1d-open": lambda: anderson((120,), 2.0, bc="open"),
    "dense-real": lambda: anderson((5, 5), 3.0).toarray(),
    "complex-hermitian": lambda: complex_hermitian(60),
}


def as_array(H):
    return H.toarray() if sp.issparse(H) else H


@pytest.mark.parametrize("name", MATRICES)
def test_dense_values_equal_eigvalsh(name):
    H = MATRICES[name]()
    res = solve(H, method="dense")
    ref = np.linalg.eigvalsh(as_array(H))
    assert isinstance(res, Eigenpairs) and res.method == "dense"
    assert res.vectors is None and res.residual is None and res.k == H.shape[0]
    np.testing.assert_allclose(res.energies, ref, rtol=0, atol=1e-11 * np.abs(ref).max())
    assert (res.e_min, res.e_max) == (res.energies[0], res.energies[-1])


@pytest.mark.parametrize("name", MATRICES)
def test_dense_vectors_residual_and_orthogonality(name):
    H = MATRICES[name]()
    res = dense(H, vectors=True)
    V, E = res.vectors, res.energies
    # recomputed here, independently of the solver's own bookkeeping
    residual = np.linalg.norm(as_array(H) @ V - V * E, axis=0).max()
    orth = np.abs(V.conj().T @ V - np.eye(V.shape[1])).max()
    assert residual < 1e-10 and orth < 1e-10
    assert res.residual < 1e-10 and res.orthogonality < 1e-10
    assert res.residual == pytest.approx(residual, rel=1e-3, abs=1e-14)


def test_dense_does_not_modify_its_input():
    H = anderson((4, 4), 3.0).toarray()
    copy = H.copy()
    dense(H, vectors=True)
    np.testing.assert_array_equal(H, copy)


def nearest(energies, target, k):
    """The k energies nearest target; the (k+1)-th must be clearly farther (no ties)."""
    dist = np.abs(energies - target)
    order = np.argsort(dist)
    assert dist[order[k]] - dist[order[k - 1]] > 1e-6, "ambiguous window: choose another target"
    return np.sort(energies[order[:k]])


@pytest.mark.parametrize(
    "target", [{"energy": 0.3}, {"energy": -4.1}, {"energy_density": 0.5}, {"energy_density": 0.13}]
)
@pytest.mark.parametrize("k", [1, 12, 40])
def test_shift_invert_finds_the_k_nearest_pairs(target, k):
    H = anderson((6, 6, 6), 8.0, seed=3)
    E = np.linalg.eigvalsh(H.toarray())
    e_target = target.get("energy", E[0] + target.get("energy_density", 0) * (E[-1] - E[0]))
    res = solve(H, method="shift_invert", k=k, **target)
    assert res.method == "shift_invert" and res.k == k
    np.testing.assert_allclose(res.energies, nearest(E, e_target, k), rtol=0, atol=1e-9)
    assert np.all(np.diff(res.energies) >= 0)
    residual = np.linalg.norm(H @ res.vectors - res.vectors * res.energies, axis=0).max()
    assert residual < 1e-8 and res.orthogonality < 1e-8
    if "energy_density" in target:
        assert res.e_min == pytest.approx(E[0], abs=1e-7)
        assert res.e_max == pytest.approx(E[-1], abs=1e-7)
    else:
        assert res.e_min is None and res.e_max is None


def test_shift_invert_is_reproducible():
    H = anderson((6, 6, 6), 8.0, seed=4)
    a, b = (shift_invert(H, sigma=0.0, k=10) for _ in range(2))
    np.testing.assert_array_equal(a.energies, b.energies)
    np.testing.assert_array_equal(a.vectors, b.vectors)


@pytest.mark.parametrize("shape", [(3, 3, 3), (8, 8), (6, 6, 6)])  # N <= 64 is exact, else Lanczos
def test_spectral_bounds_equal_dense_extremes(shape):
    H = anderson(shape, 6.0, seed=5)
    E = np.linalg.eigvalsh(H.toarray())
    lo, hi = spectral_bounds(H)
    assert lo == pytest.approx(E[0], abs=1e-8) and hi == pytest.approx(E[-1], abs=1e-8)


@pytest.mark.parametrize(
    ("H", "kwargs", "match"),
    [
        (anderson((5,), 1.0), {"method": "lanczos"}, "unknown solver method 'lanczos'"),
        (anderson((20,), 1.0), {"method": "shift_invert"}, "shift_invert needs k"),
        (anderson((20,), 1.0), {"method": "shift_invert", "k": 3}, "give a target"),
        (anderson((20,), 1.0), {"method": "shift_invert", "k": 19, "energy": 0.0}, "k must be"),
        (anderson((20,), 1.0), {"method": "shift_invert", "k": 0, "energy": 0.0}, "k must be"),
        (anderson((20,), 1.0).toarray(), {"method": "shift_invert", "k": 2, "energy": 0.0},
         "needs a scipy.sparse matrix"),
        (spla.aslinearoperator(anderson((5,), 1.0)), {}, "use method='shift_invert'"),
        (np.zeros((3, 4)), {}, "must be square"),
    ],
)
def test_solve_refuses_bad_input(H, kwargs, match):
    with pytest.raises(InputError, match=match):
        solve(H, **kwargs)


def test_shift_invert_on_an_exact_eigenvalue_is_a_convergence_error():
    """sigma = 0 on the clean open chain of odd length: H - sigma is exactly singular."""
    H = Anderson(shape=(9,), W=0.0, bc="open").hamiltonian(onsite=np.zeros(9))
    with pytest.raises(ConvergenceError, match="sigma"):
        shift_invert(H, sigma=0.0, k=2)
