"""Tests of :mod:`mbl.observables.entanglement`: exact limits, Page values, sector vs full space."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import comb

from mbl._core.errors import InputError
from mbl.observables.entanglement import (
    entanglement_entropy,
    page_entropy,
    page_entropy_fixed_number,
)

QS = (1, 2, 0.5, 3, np.inf)


def sector(L: int, N: int) -> np.ndarray:
    """Sorted basis states of L sites with N particles (bits set)."""
    s = np.arange(2**L, dtype=np.int64)
    pop = np.array([bin(x).count("1") for x in range(2**L)])
    return s[pop == N]


def random_states(rng: np.random.Generator, dim: int, k: int) -> np.ndarray:
    """k Haar-random complex unit vectors of dimension dim, as columns."""
    v = rng.standard_normal((dim, k)) + 1j * rng.standard_normal((dim, k))
    return v / np.linalg.norm(v, axis=0)


def reference_entropies(psi_full: np.ndarray, L: int, cut: int, qs=QS) -> dict:
    """Entropies from the full 2^L vector by a plain reshape + SVD (state = a + 2^cut b)."""
    M = psi_full.reshape(2 ** (L - cut), 2**cut)  # M[b, a]
    lam = np.linalg.svd(M, compute_uv=False) ** 2
    lam = lam / lam.sum()
    lam = lam[lam > 1e-300]
    out = {}
    for q in qs:
        if q == 1:
            out[q] = -(lam * np.log(lam)).sum()
        elif np.isinf(q):
            out[q] = -np.log(lam.max())
        else:
            out[q] = np.log((lam**q).sum()) / (1 - q)
    return out


# --- exact limits ---------------------------------------------------------------------------


@pytest.mark.parametrize("cut", [1, 3, 5])
def test_product_states_have_zero_entropy(cut):
    rng = np.random.default_rng(10)
    L = 6
    cols = []
    for _ in range(4):
        v = np.ones(1)
        for _site in range(L):  # np.kron(site_state, v): the new site is the most significant
            v = np.kron(rng.standard_normal(2) + 1j * rng.standard_normal(2), v)
        cols.append(v)
    S = entanglement_entropy(np.column_stack(cols), np.arange(2**L), L, cut, renyi=QS)
    for q in QS:
        np.testing.assert_allclose(S[q], 0.0, atol=1e-12)


def test_basis_states_of_a_sector_have_zero_entropy():
    L, N = 8, 4
    states = sector(L, N)
    S = entanglement_entropy(np.eye(states.size), states, L, 4, renyi=QS)
    for q in QS:
        assert S[q].shape == (states.size,)
        np.testing.assert_allclose(S[q], 0.0, atol=1e-12)


@pytest.mark.parametrize("cut", [1, 2, 3, 4])
@pytest.mark.parametrize("in_sector", [False, True])
def test_singlet_across_the_cut_has_ln2(cut, in_sector):
    """Sites cut-1 and cut in a singlet (or triplet-0, or complex phase), the other sites
    in a fixed configuration (alternating up/down): every Rényi entropy is ln 2."""
    L = 6
    rest = sum(1 << i for i in range(L) if i not in (cut - 1, cut) and i % 2 == 0)
    up_dn = rest | (1 << (cut - 1))
    dn_up = rest | (1 << cut)
    N = bin(up_dn).count("1")
    states = sector(L, N) if in_sector else np.arange(2**L)
    V = np.zeros((states.size, 3), dtype=complex)
    i, j = np.searchsorted(states, [up_dn, dn_up])
    V[[i, j], 0] = [1, -1]
    V[[i, j], 1] = [1, 1]
    V[[i, j], 2] = [1, 1j]
    S = entanglement_entropy(V / np.sqrt(2), states, L, cut, renyi=QS)
    for q in QS:
        np.testing.assert_allclose(S[q], np.log(2), rtol=1e-13)
    # the same pair is inside A (or B) for another cut: no entanglement
    other = cut - 1 if cut > 1 else cut + 1
    S = entanglement_entropy(V, states, L, other, renyi=QS)
    for q in QS:
        np.testing.assert_allclose(S[q], 0.0, atol=1e-12)


# --- sector computation = full-space computation --------------------------------------------


@pytest.mark.parametrize(("L", "N"), [(4, 2), (6, 2), (7, 3), (8, 4), (10, 5), (10, 3)])
def test_sector_equals_full_space_computation(L, N):
    rng = np.random.default_rng(100 + L + N)
    states = sector(L, N)
    V = random_states(rng, states.size, 4)
    V[:, 3] = V[:, 3].real  # a real column too
    for cut in range(1, L):
        S = entanglement_entropy(V, states, L, cut, renyi=QS)
        for col in range(V.shape[1]):
            psi = np.zeros(2**L, dtype=complex)
            psi[states] = V[:, col]
            ref = reference_entropies(psi, L, cut)
            for q in QS:
                assert S[q][col] == pytest.approx(ref[q], rel=1e-10, abs=1e-12)
        # the same states written in the full basis give the same numbers
        full = np.zeros((2**L, V.shape[1]), dtype=complex)
        full[states] = V
        S_full_basis = entanglement_entropy(full, np.arange(2**L), L, cut, renyi=QS)
        for q in QS:
            np.testing.assert_allclose(S_full_basis[q], S[q], rtol=1e-10, atol=1e-12)


def test_arbitrary_subset_basis_equals_full_space_computation():
    """A basis that is no U(1) sector (a random subset): the blocks are incomplete."""
    rng = np.random.default_rng(7)
    L = 8
    states = np.sort(rng.choice(2**L, size=90, replace=False)).astype(np.int64)
    V = random_states(rng, states.size, 3)
    for cut in (2, 4, 5):
        S = entanglement_entropy(V, states, L, cut, renyi=QS)
        for col in range(3):
            psi = np.zeros(2**L, dtype=complex)
            psi[states] = V[:, col]
            ref = reference_entropies(psi, L, cut)
            for q in QS:
                assert S[q][col] == pytest.approx(ref[q], rel=1e-10, abs=1e-12)


def test_layout_dtype_chunking_and_normalization_do_not_change_results(monkeypatch):
    import mbl.observables.entanglement as ent

    rng = np.random.default_rng(3)
    L, N, cut = 10, 5, 4
    states = sector(L, N)
    Vr = rng.standard_normal((states.size, 7))
    ref = entanglement_entropy(Vr, states, L, cut, renyi=QS)
    for V in (np.asfortranarray(Vr), Vr.astype(complex), 3.0 * Vr):  # 3 Vr: not normalized
        S = entanglement_entropy(V, states, L, cut, renyi=QS)
        for q in QS:
            np.testing.assert_allclose(S[q], ref[q], rtol=1e-12)
    monkeypatch.setattr(ent, "_CHUNK_BYTES", 2 * states.size * 8)  # two columns per chunk
    for V in (Vr, np.asfortranarray(Vr)):
        S = entanglement_entropy(V, states, L, cut, renyi=QS)
        for q in QS:
            np.testing.assert_allclose(S[q], ref[q], rtol=1e-12)
    # one vector as a 1-D array gives 0-d results; keys are the q as given
    S1 = entanglement_entropy(Vr[:, 2], states, L, cut)
    assert set(S1) == {1, 2} and np.ndim(S1[1]) == 0
    assert S1[1.0] == pytest.approx(ref[1][2], rel=1e-12)


def test_renyi_entropies_decrease_with_q():
    rng = np.random.default_rng(5)
    L = 10
    states = sector(L, 5)
    # random states and eigenstates of a random real symmetric matrix
    H = rng.standard_normal((states.size, states.size))
    V = np.column_stack([random_states(rng, states.size, 20), np.linalg.eigh(H + H.T)[1][:, :20]])
    for cut in (3, 5):
        S = entanglement_entropy(V, states, L, cut, renyi=(0.5, 1, 2, 3, np.inf))
        assert np.all(S[2] <= S[1] + 1e-12)
        assert np.all(S[1] <= S[0.5] + 1e-12)
        assert np.all(S[3] <= S[2] + 1e-12)
        assert np.all(S[np.inf] <= S[3] + 1e-12)
        assert np.all(S[0.5] <= np.log(comb(L, cut)) + 1e-12)  # at most ln dim(A)


# --- Page values ----------------------------------------------------------------------------


def test_page_entropy_exact_values():
    assert page_entropy(128, 128) == pytest.approx(4.352, abs=5e-4)
    assert page_entropy(2, 2) == pytest.approx(1 / 3, rel=1e-14)
    for m, n in [(1, 1), (1, 9), (3, 5), (4, 4), (6, 11), (20, 30)]:
        direct = sum(1.0 / k for k in range(n + 1, m * n + 1)) - (m - 1) / (2 * n)
        assert page_entropy(m, n) == pytest.approx(direct, rel=1e-12, abs=1e-14)
        assert page_entropy(n, m) == pytest.approx(direct, rel=1e-12, abs=1e-14)
    np.testing.assert_allclose(
        page_entropy(np.array([3, 4]), 5), [page_entropy(3, 5), page_entropy(4, 5)]
    )
    # large dimensions: ln m - m / (2 n)
    assert page_entropy(2**10, 2**20) == pytest.approx(np.log(2**10) - 2**-11, abs=1e-6)
    with pytest.raises(InputError, match="m, n >= 1"):
        page_entropy(0, 4)


def test_random_states_in_full_space_reach_page_value():
    """L = 14, cut = 7: mean of Haar-random states vs Page(128, 128) = 4.352
    (docs/theory/xxz-chain.md §9.3)."""
    rng = np.random.default_rng(2026)
    L, cut, k = 14, 7, 8
    S = entanglement_entropy(random_states(rng, 2**L, k), np.arange(2**L), L, cut)[1]
    mean, err = S.mean(), S.std(ddof=1) / np.sqrt(k)
    page = page_entropy(128, 128)
    assert err / page < 1e-3  # the scatter is far below the 1 % tolerance
    assert abs(mean - page) / page < 0.01
    assert abs(mean - page) < 5 * err  # and in fact consistent with the exact value


def test_random_states_in_sz0_sector_reach_fixed_number_page_value():
    """L = 14, N = 7 (D = 3432): the exact fixed-number mean, about 2 % below Page."""
    rng = np.random.default_rng(1404)
    L, N, cut, k = 14, 7, 7, 300
    states = sector(L, N)
    S = entanglement_entropy(random_states(rng, states.size, k), states, L, cut)[1]
    mean, err = S.mean(), S.std(ddof=1) / np.sqrt(k)
    expected = page_entropy_fixed_number(L, N, cut)
    assert abs(mean - expected) < 4 * err
    assert err < 1e-3
    deficit = 1 - expected / page_entropy(2**cut, 2 ** (L - cut))
    assert 0.015 < deficit < 0.025  # "about 2 % below the full-space value", §9.3
    assert 0.015 < 1 - mean / page_entropy(2**cut, 2 ** (L - cut)) < 0.025


@pytest.mark.parametrize("cut", [1, 2, 3])
def test_fixed_number_page_value_is_exact_in_a_small_sector(cut):
    """L = 6, N = 3 (D = 20): small blocks, where the exact formula differs from its leading
    large-D form sum p_n S_Page - sum p_n ln p_n by about 100 standard errors; Monte Carlo agrees
    with the exact one."""
    rng = np.random.default_rng(60 + cut)
    L, N, k = 6, 3, 20000
    states = sector(L, N)
    S = entanglement_entropy(random_states(rng, states.size, k), states, L, cut)[1]
    mean, err = S.mean(), S.std(ddof=1) / np.sqrt(k)
    exact = page_entropy_fixed_number(L, N, cut)
    n = np.arange(max(0, N - (L - cut)), min(cut, N) + 1)
    d_a, d_b = comb(cut, n), comb(L - cut, N - n)
    p = d_a * d_b / comb(L, N)
    leading = (p * page_entropy(d_a, d_b)).sum() - (p * np.log(p)).sum()
    assert abs(mean - exact) < 4 * err
    assert abs(mean - leading) > 10 * err


def test_fixed_number_page_value_limits_and_symmetries():
    assert page_entropy_fixed_number(8, 0, 3) == pytest.approx(0.0, abs=1e-14)
    assert page_entropy_fixed_number(8, 8, 3) == pytest.approx(0.0, abs=1e-14)
    # one particle on L sites, cut 1: a qubit-like split with weights 1/L and (L-1)/L
    L = 9
    p = np.array([1 / L, 1 - 1 / L])
    from scipy.special import digamma

    one = (p * (digamma(L + 1) - digamma(p * L + 1))).sum() + p[1] * page_entropy(1, L - 1)
    assert page_entropy_fixed_number(L, 1, 1) == pytest.approx(one, rel=1e-13)
    for L, N, cut in [(10, 5, 3), (12, 4, 5), (14, 7, 6)]:
        s = page_entropy_fixed_number(L, N, cut)
        assert page_entropy_fixed_number(L, N, L - cut) == pytest.approx(s, rel=1e-13)
        assert page_entropy_fixed_number(L, L - N, cut) == pytest.approx(s, rel=1e-13)
        assert s < page_entropy(2**cut, 2 ** (L - cut))
    with pytest.raises(InputError, match="cut = 0"):
        page_entropy_fixed_number(6, 3, 0)
    with pytest.raises(InputError, match="N = 7"):
        page_entropy_fixed_number(6, 7, 2)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("cut", [0, 6, -1, 9])
def test_cut_outside_the_chain_is_refused(cut):
    states = sector(6, 3)
    with pytest.raises(InputError, match=rf"cut = {cut} is outside 0 < cut < L = 6"):
        entanglement_entropy(np.eye(states.size), states, 6, cut)


def test_bad_inputs_are_refused_with_the_fix():
    states = sector(6, 3)
    V = np.eye(states.size)
    with pytest.raises(InputError, match="sorted"):
        entanglement_entropy(V, states[::-1], 6, 3)
    with pytest.raises(InputError, match="rows"):
        entanglement_entropy(V[:-1], states, 6, 3)
    with pytest.raises(InputError, match=r"\[0, 2\*\*L\)"):
        entanglement_entropy(V, states, 5, 3)
    with pytest.raises(InputError, match="zero"):
        entanglement_entropy(np.zeros((states.size, 2)), states, 6, 3)
    with pytest.raises(InputError, match="q > 0"):
        entanglement_entropy(V, states, 6, 3, renyi=(1, 0))
    with pytest.raises(InputError, match="integer"):
        entanglement_entropy(V, states.astype(float), 6, 3)
