"""POLFED (polynomial filter) against dense diagonalization."""

from __future__ import annotations

import numpy as np
import pytest

from mbl.basis import SpinBasis
from mbl.errors import InputError
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
