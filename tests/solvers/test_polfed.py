"""POLFED (polynomial filter) against dense diagonalization."""

from __future__ import annotations

import numpy as np
import pytest

from mbl.basis import SpinBasis
from mbl.errors import ConvergenceError, InputError
from mbl.models import XXZChain
from mbl.operators import as_linear_operator
from mbl.solvers import polfed, solve
from mbl.solvers.polfed import chebyshev_filter


def _chain(L=12, W=3.0, seed=1):
    model = XXZChain(L=L, W=W)
    h = model.draw_fields(np.random.default_rng(seed))
    return model, h, model.hamiltonian(sz=0, fields=h)


def test_filter_peaks_at_the_target():
    x = np.linspace(-1, 1, 20001)
    for K in (32, 33, 200):  # low degrees too: P(1) is tiny there and may be negative
        for s in (-0.6, 0.0, 0.3):
            P = np.polynomial.chebyshev.chebval(x, chebyshev_filter(K, s))
            assert abs(x[np.argmax(P)] - s) < 3.0 / K
            assert abs(np.polynomial.chebyshev.chebval(s, chebyshev_filter(K, s)) - 1) < 1e-12
            assert np.abs(P).max() < 1 + 1e-9  # the peak is the largest value


def test_mid_spectrum_pairs_equal_dense():
    _, _, H = _chain()
    w = np.linalg.eigvalsh(H.toarray())
    res = solve(H, method="polfed", k=20, energy_density=0.5)
    sigma = 0.5 * (w[0] + w[-1])
    ref = np.sort(w[np.argsort(np.abs(w - sigma))[:20]])
    scale = np.abs(w).max()
    assert np.abs(res.energies - ref).max() < 1e-9 * scale
    assert res.residual < 1e-8 * scale and res.orthogonality < 1e-10


def test_matrix_free_operator_works():
    model, h, H = _chain(L=10)
    op = as_linear_operator(SpinBasis.from_sz(10, 0), model.terms(h))
    w = np.linalg.eigvalsh(H.toarray())
    b = (w[0], w[-1])
    a = polfed(op, sigma=0.0, k=8, bounds=b).energies
    np.testing.assert_allclose(a, np.sort(w[np.argsort(np.abs(w))[:8]]), atol=1e-10)


def test_target_outside_the_spectrum_is_refused():
    _, _, H = _chain(L=8)
    with pytest.raises(InputError, match="outside the spectrum"):
        polfed(H, sigma=100.0, k=4, bounds=(-5.0, 5.0))


def test_unconverged_ritz_pairs_near_the_target_are_dropped():
    # A filtered subspace whose Lanczos vectors are partly unconverged: the 20 exact
    # eigenvectors nearest sigma plus 10 random directions. Random states sit at the mean
    # energy tr H / N, the target here, so Rayleigh-Ritz puts junk values among the true
    # ones; they must be dropped by their residual, not returned.
    from mbl.solvers.polfed import _nearest_converged

    _, _, H = _chain()
    w, U = np.linalg.eigh(H.toarray())
    sigma = w.mean()
    near = np.sort(np.argsort(np.abs(w - sigma))[:20])
    junk = np.random.default_rng(3).standard_normal((H.shape[0], 10))
    V = np.linalg.qr(np.hstack([U[:, near], junk]))[0]
    E_all = np.linalg.eigvalsh(V.T @ (H @ V))
    assert np.sum(np.abs(E_all - sigma) < np.abs(w[near] - sigma).max()) > 20  # junk inside
    E, vecs, res = _nearest_converged(H, V, sigma, 20, 1e-8, degree=0, restarts=0)
    np.testing.assert_allclose(E, w[near], atol=1e-12 * np.abs(w).max())
    assert res < 1e-10 and np.abs(H @ vecs - vecs * E).max() < 1e-10


def test_a_filter_narrower_than_the_window_is_refused():
    # far above the default degree the peak holds fewer than k levels: Lanczos certifies
    # only those, so the k nearest cannot all be trusted and nothing is returned
    _, _, H = _chain()
    w = np.linalg.eigvalsh(H.toarray())
    with pytest.raises(ConvergenceError, match="narrower than the window"):
        polfed(H, sigma=0.5 * (w[0] + w[-1]), k=20, bounds=(w[0], w[-1]), degree=1000)


@pytest.mark.parametrize("block", [1, 5, 8, 13, 16])
def test_fused_filter_kernel_equals_the_plain_recurrence(block):
    # the numba kernel (groups of 8 columns, then the remainder) against H @ X on a CSC copy
    from mbl.solvers.polfed import _apply_filter

    _, _, H = _chain(L=10)
    c = np.random.default_rng(1).standard_normal(30)
    X = np.random.default_rng(block).standard_normal((H.shape[0], block))
    fast = _apply_filter(H.tocsr(), X, c, 0.2, 7.0)
    plain = _apply_filter(H.tocsc(), X, c, 0.2, 7.0)
    assert np.abs(fast - plain).max() < 1e-13 * np.abs(plain).max()
