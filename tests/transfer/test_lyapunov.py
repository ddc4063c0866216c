"""Transfer-matrix Lyapunov exponents against exact and perturbative truth."""

from __future__ import annotations

import numpy as np
import pytest

import mbl
from mbl.errors import InputError
from mbl.transfer import lyapunov


def born(W: float, E: float) -> float:
    """Thouless' weak-disorder exponent of the 1D box-disorder chain, W^2 / (24 (4 - E^2))."""
    return W**2 / (24 * (4 - E**2))


def test_1d_matches_born_formula():
    res = lyapunov(d=1, M=1, W=0.5, E=0.5, rel_error=1e-2, rng=np.random.default_rng(11))
    ref = born(0.5, 0.5)
    assert res.error <= 1e-2 * res.gamma
    assert abs(res.gamma - ref) <= 4 * res.error + 0.01 * ref, (res.gamma, res.error, ref)


def test_clean_limit_vanishes_like_w_squared():
    g1 = lyapunov(d=1, W=0.2, E=1.0, rel_error=3e-2, rng=np.random.default_rng(1))
    g2 = lyapunov(d=1, W=0.1, E=1.0, rel_error=3e-2, rng=np.random.default_rng(2))
    assert g2.gamma < g1.gamma < born(0.2, 1.0) * 1.2
    ratio, err = g1.gamma / g2.gamma, g1.gamma / g2.gamma * np.hypot(g1.error / g1.gamma,
                                                                      g2.error / g2.gamma)
    assert abs(ratio - 4.0) <= 4 * err, (ratio, err)


@pytest.mark.parametrize("d", [2, 3])
def test_width_one_bar_equals_the_chain(d):
    kw = dict(W=2.0, E=0.3, rel_error=2e-2)
    chain = lyapunov(d=1, M=1, rng=np.random.default_rng(5), **kw)
    bar = lyapunov(d=d, M=1, bc="open", rng=np.random.default_rng(5), **kw)
    assert bar.gamma == chain.gamma and bar.error == chain.error


def test_symplectic_spectrum_of_a_strip():
    res = lyapunov(d=2, M=4, W=4.0, E=0.0, bc="open", spectrum=True, rel_error=2e-2,
                   rng=np.random.default_rng(3))
    ex, err = res.exponents, res.errors
    assert ex.size == 8
    assert abs(ex.sum()) < 1e-10  # det T = 1 in every slice
    pairs = ex[:4] + ex[::-1][:4]  # gamma_i + gamma_{2m+1-i} = 0
    assert np.all(np.abs(pairs) <= 4 * np.hypot(err[:4], err[::-1][:4]) + 1e-12)
    assert res.gamma == ex[3] > 0


def test_3d_bar_near_the_critical_point_has_lambda_near_lambda_c():
    """At W_c the reduced localization length is scale invariant, Lambda_c = 0.576(2)
    (Slevin & Ohtsuki 1999); an M = 6 bar is already close (corrections to scaling are small)."""
    res = lyapunov(d=3, M=6, W=16.5, E=0.0, rel_error=1e-2, rng=np.random.default_rng(7))
    assert abs(res.Lambda - 0.576) < 4 * res.Lambda_error + 0.03


def test_design_entry_point_and_determinism():
    a = mbl.transfer.lyapunov(d=1, M=1, W=1.0, E=0.0, rel_error=1e-2,
                              rng=np.random.default_rng(1))
    b = mbl.transfer.lyapunov(d=1, M=1, W=1.0, E=0.0, rel_error=1e-2,
                              rng=np.random.default_rng(1))
    assert a.gamma == b.gamma and a.error == b.error and a.error > 0


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(d=2, M=0), "M = 0"), (dict(d=1, M=2), "M = 1 in d = 1"), (dict(d=4), "d must be"),
    (dict(rel_error=0.0), "rel_error"), (dict(E=500.0), "outside the band"),
    (dict(W=0.0), "W = 0"), (dict(bc="twisted"), "bc"), (dict(disorder="flat"), "disorder"),
])
def test_bad_input(kwargs, match):
    args = dict(d=1, M=1, W=1.0, E=0.0, rng=np.random.default_rng(0)) | kwargs
    with pytest.raises(InputError, match=match):
        lyapunov(**args)


def test_blas_and_numba_kernels_agree_on_one_realization():
    """The Cholesky-QR (BLAS-3) path of wide bars and numba's Householder path give the same
    exponents for the same slices, to rounding amplified by the columns' spread."""
    from mbl.transfer.lyapunov import _block_blas, _block_numba, _neighbours

    M, m = 6, 36
    ptr, idx = _neighbours(3, M, "periodic")
    rng = np.random.default_rng(3)
    q, _ = np.linalg.qr(rng.standard_normal((2 * m, m)))
    eps = rng.uniform(-8.25, 8.25, (600, m))
    A, B = np.ascontiguousarray(q[:m]), np.ascontiguousarray(q[m:])
    *_, a = _block_numba(A.copy(), B.copy(), eps, 0.0, ptr, idx, 9)
    *_, b = _block_blas(A.copy(), B.copy(), eps, 0.0, ptr, idx, 9)
    np.testing.assert_allclose(b, a, rtol=1e-7)


def test_auto_qr_interval_bounds_spread_and_growth():
    from mbl.transfer.lyapunov import QR_SPREAD, auto_qr_every

    assert auto_qr_every(np.array([1.6, 0.2])) == int(QR_SPREAD // 1.4)
    assert auto_qr_every(np.array([0.01])) == 64  # one column: nothing to lose, cap
    assert auto_qr_every(np.array([30.0])) == 10  # growth exp(q gamma) kept far from overflow
    assert auto_qr_every(np.array([40.0, -40.0])) == 1
