"""Transfer-matrix Lyapunov exponents against exact and perturbative truth."""

from __future__ import annotations

import numba
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


@pytest.mark.parametrize("qr_every", [9, 11])
def test_blas_and_numba_kernels_agree_on_one_realization(qr_every):
    """The Cholesky-QR (BLAS-3) path of wide bars and numba's Householder path give the same
    exponents for the same slices, to rounding amplified by the columns' spread (q = 11 is
    past CHOLESKY_SPREAD here: more second and shifted passes)."""
    from mbl.transfer.lyapunov import _block_blas, _block_numba, _neighbours

    M, m = 6, 36
    ptr, idx = _neighbours(3, M, "periodic")
    rng = np.random.default_rng(3)
    q, _ = np.linalg.qr(rng.standard_normal((2 * m, m)))
    eps = rng.uniform(-8.25, 8.25, (600, m))
    A, B = np.ascontiguousarray(q[:m]), np.ascontiguousarray(q[m:])
    *_, a = _block_numba(A.copy(), B.copy(), eps, 0.0, ptr, idx, qr_every)
    *_, b = _block_blas(A.copy(), B.copy(), eps, 0.0, ptr, idx, qr_every)
    np.testing.assert_allclose(b, a, rtol=1e-7)


def test_auto_qr_interval_bounds_spread_and_growth():
    from mbl.transfer.lyapunov import QR_SPREAD, auto_qr_every

    assert auto_qr_every(np.array([1.6, 0.2])) == int(QR_SPREAD // 1.4)
    assert auto_qr_every(np.array([0.01])) == 64  # one column: nothing to lose, cap
    assert auto_qr_every(np.array([30.0])) == 10  # growth exp(q gamma) kept far from overflow
    assert auto_qr_every(np.array([40.0, -40.0])) == 1


@numba.njit(cache=True)
def _generic_slices(A, B, eps, E, ptr, idx):
    """The slice recursion written plainly (one store per neighbour), for comparison."""
    for s in range(eps.shape[0]):
        for i in range(eps.shape[1]):
            for c in range(A.shape[1]):
                B[i, c] = (eps[s, i] - E) * A[i, c] - B[i, c]
            for p in range(ptr[i], ptr[i + 1]):
                for c in range(A.shape[1]):
                    B[i, c] -= A[idx[p], c]
        A, B = B, A
    return A, B


@pytest.mark.parametrize(("d", "M", "bc"), [(3, 5, "periodic"), (3, 4, "open"),
                                            (2, 7, "periodic"), (2, 6, "open"),
                                            (3, 3, "periodic")])
def test_fused_slice_loop_is_bit_identical_to_the_plain_recursion(d, M, bc):
    from mbl.transfer.lyapunov import _neighbours, _slices

    ptr, idx = _neighbours(d, M, bc)
    m = M ** (d - 1)
    rng = np.random.default_rng(M)
    A, B = rng.standard_normal((m, 2 * m)), rng.standard_normal((m, 2 * m))
    eps = rng.uniform(-5, 5, (7, m))
    got = _slices(A.copy(), B.copy(), eps, 0.3, ptr, idx)
    ref = _generic_slices(A.copy(), B.copy(), eps, 0.3, ptr, idx)
    for g, r in zip(got, ref, strict=True):
        assert np.array_equal(g, r)


def _aligned_block(M: int, q: int) -> np.ndarray:
    """[A; B] of a 3D bar at W = 16.5 after ``q`` slices from columns aligned with the
    Lyapunov directions: the ill-conditioned matrix the wide-bar QR sees."""
    from mbl.transfer.lyapunov import _block_numba, _neighbours, _slices

    m = M * M
    ptr, idx = _neighbours(3, M, "periodic")
    rng = np.random.default_rng(21)
    Q, _ = np.linalg.qr(rng.standard_normal((2 * m, m)))
    A, B = np.ascontiguousarray(Q[:m]), np.ascontiguousarray(Q[m:])
    A, B, _ = _block_numba(A, B, rng.uniform(-8.25, 8.25, (400, m)), 0.0, ptr, idx, 2)
    A, B = _slices(A.copy(), B.copy(), rng.uniform(-8.25, 8.25, (q, m)), 0.0, ptr, idx)
    return np.concatenate((A, B))


def _householder_logs(X: np.ndarray) -> np.ndarray:
    return np.log(np.abs(np.diag(np.linalg.qr(X)[1])))


def test_cholesky_qr_matches_householder_and_a_loose_q_only_defers_the_diagonal():
    """At a block's end (tol = REPASS_END) Q is orthonormal and log diag R is Householder's;
    inside a block one pass may leave Q non-orthonormal (X = Q S, S upper triangular), which
    changes only how log diag R is split between this QR and the next: their sum is the
    same (the exponents depend on the flag of subspaces only)."""
    from mbl.transfer.lyapunov import REPASS_END, REPASS_MID, _cholesky_qr

    X = _aligned_block(6, 12)
    assert np.linalg.cond(X) > 1e7  # cond^2 ~ 1 / epsilon: one Cholesky pass is not exact
    ref = _householder_logs(X)
    Q, logs = _cholesky_qr(X.copy(), REPASS_END)
    assert np.abs(Q.T @ Q - np.eye(Q.shape[1])).max() < 1e-12
    np.testing.assert_allclose(logs, ref, rtol=0, atol=1e-8)
    Q1, logs1 = _cholesky_qr(X.copy(), REPASS_MID)
    defect = np.abs(Q1.T @ Q1 - np.eye(Q1.shape[1])).max()
    assert 1e-10 < defect < 10 * REPASS_MID  # one pass, not orthonormal, well conditioned
    Q2, logs2 = _cholesky_qr(Q1.copy(), REPASS_END)
    np.testing.assert_allclose(logs1 + logs2, ref, rtol=0, atol=1e-8)
    assert np.abs(np.abs(np.diag(Q2.T @ Q)) - 1).max() < 1e-8  # the same flag, same signs


def test_cholesky_qr_survives_a_gram_matrix_that_is_not_definite():
    """Far past cond(X) ~ 1e8 the Gram matrix is not numerically definite: the shifted pass
    (then ordinary ones) still gives an orthonormal Q and Householder's diagonal, to the
    accuracy epsilon cond(X) to which either determines the slowest directions."""
    from scipy.linalg import blas, lapack

    from mbl.transfer.lyapunov import REPASS_END, _cholesky_qr

    X = _aligned_block(6, 20)
    cond = np.linalg.cond(X)
    assert lapack.dpotrf(blas.dsyrk(1.0, X.T), lower=0)[1] != 0
    Q, logs = _cholesky_qr(X.copy(), REPASS_END)
    assert np.abs(Q.T @ Q - np.eye(Q.shape[1])).max() < 1e-12
    np.testing.assert_allclose(logs, _householder_logs(X), rtol=0,
                               atol=np.finfo(float).eps * cond)


@pytest.mark.parametrize("k", [40, 64, 150, 256])
def test_blocked_triangular_inverse(k):
    from mbl.transfer.lyapunov import _inv_lower

    rng = np.random.default_rng(k)
    X = rng.standard_normal((2 * k, k)) * np.exp(rng.uniform(-3, 3, k))
    low = np.linalg.cholesky(X.T @ X)  # a Cholesky factor, as in the QR
    L = np.asfortranarray(low + np.triu(rng.standard_normal((k, k)), 1))  # garbage above
    inv = np.tril(_inv_lower(L))
    np.testing.assert_allclose(inv @ low, np.eye(k), rtol=0, atol=1e-13)
