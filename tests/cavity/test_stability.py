"""lambda(beta): the transfer-operator kernel, the weighted pool, thresholds, threads."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from mbl.cavity import _random as rnd
from mbl.cavity import (
    agkl_tree,
    bethe,
    critical_disorder,
    lambda_kernel,
    lambda_pool,
    mobility_edge,
    pool_threshold,
    population,
    stationary_pool,
)
from mbl.cavity._kernels import sweep
from mbl.cavity._pool import N_SLICES
from mbl.cavity.stability import _pow, sweep_real
from mbl.cavity.tree import coupling2, n_children, onsite
from mbl.errors import ConvergenceError, InputError


def test_kernel_is_one_at_the_published_threshold():
    """W_c(K=2) = 18.17 +- 0.01 (Tikhonov & Mirlin): d ln lambda / dW = -0.031 there, so
    +-0.03 in W is +-1e-3 in lambda; the pool's statistical error is ~2e-4 at N = 1e5."""
    lam = lambda_kernel(2, 18.17, pool=100_000, rng=np.random.default_rng(3))
    assert abs(lam - 1) < 1e-3


def test_kernel_symmetry_beta_one_minus_beta():
    kw = dict(pool=100_000, sweeps=40)
    a = lambda_kernel(2, 25.0, beta=0.3, rng=np.random.default_rng(4), **kw)
    b = lambda_kernel(2, 25.0, beta=0.7, rng=np.random.default_rng(4), **kw)
    half = lambda_kernel(2, 25.0, beta=0.5, rng=np.random.default_rng(4), **kw)
    assert a == pytest.approx(b, rel=2e-3)
    assert half < min(a, b)  # the minimum sits at beta = 1/2


def test_kernel_counts_paths_at_small_beta():
    """lambda(0) = K: every path has weight one."""
    lam = lambda_kernel(3, 20.0, beta=1e-3, pool=50_000, sweeps=30, rng=np.random.default_rng(5))
    assert lam == pytest.approx(3.0, rel=1e-2)


def test_weighted_pool_agrees_with_the_kernel_where_it_does_not_freeze():
    """At W = 40, beta = 0.3 the weights stay spread over many paths and the pool is
    unbiased; at beta = 1/2 in the insulator they freeze onto few paths and a finite pool
    falls below the kernel (the bias that makes the kernel necessary near W_c)."""
    kw = dict(pool=50_000, rng=np.random.default_rng(6))
    kern = [lambda_kernel(2, 40.0, beta=b, **kw) for b in (0.3, 0.5)]
    pool = lambda_pool(bethe(2, 40.0), [0.3, 0.5], pool=40_000, blocks=12,
                       rng=np.random.default_rng(6))
    assert pool.error[0] < 3e-3
    assert abs(pool.lam[0] - kern[0]) < 3 * pool.error[0] + 2e-3, (pool.lam, kern)
    assert pool.lam[1] < kern[1]


def test_pool_threshold_brackets_and_refuses_a_miss():
    res = pool_threshold(lambda w: bethe(2, w), [14.0, 18.0, 24.0], pool=10_000, blocks=4,
                         rng=np.random.default_rng(1))
    assert res.lam[0] > 1 > res.lam[-1]
    assert 16.0 < res.value < 19.0  # the finite pool sits a little below 18.17
    with pytest.raises(ConvergenceError, match="does not cross"):
        pool_threshold(lambda w: bethe(2, w), [30.0, 40.0, 50.0], pool=2000, equilibrate=10,
                       blocks=2, block_sweeps=5, rng=np.random.default_rng(1))


def test_results_do_not_depend_on_the_number_of_threads():
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("numba was started with one thread")
    runs = []
    for threads in (1, 2):
        numba.set_num_threads(threads)
        try:
            runs.append((
                stationary_pool(bethe(2, 15.0), pool=10_000, sweeps=5,
                                rng=np.random.default_rng(1)),
                lambda_pool(agkl_tree(2.0, 30.0), [0.3, 0.5], pool=2000, equilibrate=5,
                            blocks=2, block_sweeps=3, rng=np.random.default_rng(2)).lam,
                population(bethe(2, 12.0, "gaussian"), eta=1e-3, pool=4000, pools=2,
                           measure=2, rng=np.random.default_rng(3)).gamma_counts,
            ))
        finally:
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    for one, two in zip(*runs, strict=True):
        assert np.array_equal(one, two)


@pytest.mark.parametrize("kw, msg", [
    (dict(beta=1.0), "beta must lie"),
    (dict(delta=-1.0), "delta must be"),
    (dict(K=0), "K must be"),
])
def test_kernel_refuses_bad_input(kw, msg):
    with pytest.raises(InputError, match=msg):
        lambda_kernel(**{"K": 2, "W": 10.0, "pool": 1000, "rng": np.random.default_rng(0),
                         **kw})


def test_pool_refuses_bad_betas():
    with pytest.raises(InputError, match="betas"):
        lambda_pool(bethe(2, 10.0), [0.0], pool=1000, rng=np.random.default_rng(0))


@pytest.mark.slow
def test_critical_disorder_k2_full_precision():
    """Acceptance: W_c(K = 2) within 0.05 of 18.17 with an honest error bar."""
    res = critical_disorder(2, replicas=4, pool=1_000_000, rng=np.random.default_rng(11))
    assert res.error < 0.02
    assert abs(res.value - 18.17) < 0.05
    assert abs(res.value - 18.17) < 3 * np.hypot(res.error, 0.01)


@pytest.mark.slow
def test_mobility_edge_is_where_lambda_crosses_one():
    res = mobility_edge(12.0, 2, replicas=2, pool=200_000, rng=np.random.default_rng(12))
    assert 0 < res.value < 2 * np.sqrt(2) + 6
    lam = [lambda_kernel(2, 12.0, E=res.value + d, pool=200_000, rng=np.random.default_rng(13))
           for d in (-0.2, 0.2)]
    assert lam[0] > 1 > lam[1]


@numba.njit(cache=True)
def _reference_sweep_real(g_old, g_new, y_old, y_new, betas, st, br, K, dis, W, cp, V, E):
    """The weighted update drawn through the tree's samplers on ``st[s]``, serially."""
    n, n_s = g_old.size, st.size
    for s in range(n_s):
        for a in range(s * n // n_s, (s + 1) * n // n_s):
            m = n_children(st, s, br, K)
            eps = onsite(st, s, dis, W)
            tot, acc = 0.0, np.zeros(betas.size)
            for _ in range(m):
                j = rnd.index(st, s, n)
                v2 = coupling2(st, s, cp, V)
                tot += v2 * g_old[j]
                for b in range(betas.size):
                    acc[b] += y_old[b, j] if cp == 0 else _pow(v2, betas[b]) * y_old[b, j]
            gn = 1.0 / (E - eps - tot)
            g_new[a] = gn
            for b in range(betas.size):
                y_new[b, a] = _pow(abs(gn) * (V if cp == 0 else 1.0), 2.0 * betas[b]) * acc[b]


@numba.njit(cache=True)
def _reference_sweep(g_old, g_new, st, br, K, dis, W, cp, V, z):
    n, n_s = g_old.size, st.size
    for s in range(n_s):
        for a in range(s * n // n_s, (s + 1) * n // n_s):
            m = n_children(st, s, br, K)
            eps = onsite(st, s, dis, W)
            sigma = z * 0.0
            for _ in range(m):
                j = rnd.index(st, s, n)
                sigma += coupling2(st, s, cp, V) * g_old[j]
            g_new[a] = 1.0 / (z - eps - sigma)


@pytest.mark.parametrize("codes", [
    (0, 2.0, 0, 18.0, 0, 1.0),  # Bethe lattice, box disorder
    (0, 3.0, 1, 5.0, 1, 0.7),   # Gaussian disorder and couplings
    (1, 2.5, 2, 4.0, 0, 1.3),   # Poisson branching (multiplication), Cauchy disorder
    (1, 14.0, 0, 6.0, 1, 0.2),  # Poisson branching above 10 (PTRS)
])
@pytest.mark.parametrize("betas", [[0.5], [0.3, 0.5], [0.37]])
def test_pool_kernels_draw_exactly_the_tree_samplers_numbers(codes, betas):
    """The kernels keep each stream's counter in a register, not in st[s]: the pools, the
    weights and the advanced counters are bit-identical to the update written with
    tree.n_children / onsite / coupling2 on st[s] (so fixed-seed results are unchanged)."""
    rng = np.random.default_rng(8)
    n = 3000
    st = rnd.slice_states(rng, N_SLICES)
    g, y = rng.standard_normal(n), rng.random((len(betas), n))
    b = np.array(betas)
    runs = []
    for kernel in (sweep_real, _reference_sweep_real):
        s2, g2, y2 = st.copy(), np.empty(n), np.empty_like(y)
        kernel(g, g2, y, y2, b, s2, *codes, 0.2)
        runs.append((s2, g2, y2))
    for kernel in (sweep, _reference_sweep):
        s2, c2 = st.copy(), np.empty(n, dtype=complex)
        kernel(g + 0.01j, c2, s2, *codes, 0.2 + 1e-3j)
        runs.append((s2, c2))
    assert np.all(runs[0][0] != st)  # the streams did advance
    for new, ref in ((runs[0], runs[1]), (runs[2], runs[3])):
        for u, v in zip(new, ref, strict=True):
            assert np.array_equal(u, v)
