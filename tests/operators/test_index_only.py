"""The index-only operator equals its CSR matrix, in every kernel that uses it."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from mbl.errors import InputError
from mbl.models import AubryAndre, SpinlessFermions, XXZChain
from mbl.operators import IndexOnlyOperator, _index_kernels, fastest_form, index_only
from mbl.solvers import _kernels

MODELS = {
    "xxz": lambda rng: XXZChain(L=10, W=3.0).hamiltonian(sz=0, rng=rng),
    "xxz-open-sz1": lambda rng: XXZChain(L=11, W=1.0, bc="open").hamiltonian(sz=0.5, rng=rng),
    "aubry-andre": lambda rng: AubryAndre(L=10, W=2.0).hamiltonian(sz=0, rng=rng),
    # periodic fermions at even filling: the hop across the boundary carries a minus sign
    "fermions-pbc": lambda rng: SpinlessFermions(L=10, W=2.0, bc="periodic").hamiltonian(
        n=4, rng=rng),
    "fermions-apbc": lambda rng: SpinlessFermions(L=10, W=2.0, bc="antiperiodic").hamiltonian(
        n=5, rng=rng),
}


@pytest.fixture(params=sorted(MODELS))
def H(request):
    return MODELS[request.param](np.random.default_rng(7))


def test_pattern_and_sign(H):
    op = index_only(H)
    off = H - sp.diags(H.diagonal())
    assert isinstance(op, IndexOnlyOperator) and op.t == np.abs(off.data).max() == 0.5
    assert abs(op.tocsr() - H).max() == 0.0
    assert op.n_offdiagonal == H.nnz - np.count_nonzero(H.diagonal())
    assert op.nbytes < H.data.nbytes + H.indices.nbytes + H.indptr.nbytes


def test_negative_entries_present_for_periodic_fermions():
    H = MODELS["fermions-pbc"](np.random.default_rng(1))
    op = index_only(H)
    assert (op.split < op.indptr[1:]).any()  # some rows hold -t entries
    assert (H.data < 0).any() and abs(op.tocsr() - H).max() == 0.0


@pytest.mark.parametrize("b", [1, 3, 8, 11, 16, 19, 40])
def test_block_product_equals_csr(H, b):
    rng = np.random.default_rng(b)
    op = index_only(H)
    X = rng.standard_normal((H.shape[0], b))
    np.testing.assert_allclose(op @ X, H @ X, rtol=0, atol=1e-12)
    np.testing.assert_allclose(op @ np.asfortranarray(X), H @ X, rtol=0, atol=1e-12)
    Z = X + 1j * rng.standard_normal(X.shape)
    np.testing.assert_allclose(op @ Z, H @ Z, rtol=0, atol=1e-12)
    np.testing.assert_allclose(op @ X[:, 0], H @ X[:, 0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(op.H @ X[:, 0], H @ X[:, 0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("b", [8, 13])
def test_chebyshev_step_equals_csr_kernel(H, b):
    rng = np.random.default_rng(3)
    op = index_only(H)
    cur = rng.standard_normal((H.shape[0], b))
    prev = rng.standard_normal(cur.shape)
    out = rng.standard_normal(cur.shape)
    p2, o2 = prev.copy(), out.copy()
    _index_kernels.chebyshev_step(*op.args, cur, prev, out, 0.3, 1.7, -0.4)
    _kernels.chebyshev_step(H.indptr, H.indices, H.data, cur, p2, o2, 0.3, 1.7, -0.4)
    np.testing.assert_allclose(prev, p2, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out, o2, rtol=0, atol=1e-12)


def test_lanczos_apply_equals_csr_kernel(H):
    rng = np.random.default_rng(4)
    n = H.shape[0]
    V = np.zeros((3, n), dtype=complex)
    V[0] = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    W = V.copy()
    a1 = _index_kernels.lanczos_apply(*index_only(H).args, V.view(np.float64).reshape(3, n, 2),
                                      0, 0.7)
    a2 = _kernels.lanczos_csr_apply(H.indptr, H.indices, H.data, W, 0, 0.7)
    np.testing.assert_allclose(V[1], W[1], rtol=0, atol=1e-12)
    assert a1 == pytest.approx(a2, rel=1e-13)


def test_refusals_and_fallback():
    rng = np.random.default_rng(0)
    bond = sp.random(30, 30, density=0.2, random_state=1)
    bond = (bond + bond.T).tocsr()  # many magnitudes: no single hopping amplitude
    with pytest.raises(InputError, match="differ in magnitude"):
        index_only(bond)
    assert fastest_form(bond) is bond
    lower = sp.csr_matrix(np.tril(np.ones((4, 4)), -1))
    with pytest.raises(InputError, match="symmetric"):
        index_only(lower)
    with pytest.raises(InputError, match="real square"):
        index_only(np.eye(3))
    H = XXZChain(L=8, W=1.0).hamiltonian(sz=0, rng=rng)
    assert isinstance(fastest_form(H), IndexOnlyOperator)
    assert fastest_form(H.astype(complex)) is not None
    assert not isinstance(fastest_form(H.astype(complex)), IndexOnlyOperator)
