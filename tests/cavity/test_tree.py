"""Children samplers and the inline random streams."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from mbl.cavity import Tree, agkl_tree, baa_pair_tree, bethe
from mbl.cavity import _random as rnd
from mbl.cavity.tree import coupling2, n_children, onsite
from mbl.errors import InputError


@numba.njit(cache=True)
def _draws(st, n, what, a, b):
    out = np.empty(n)
    for i in range(n):
        if what == 0:
            out[i] = n_children(st, 0, 1, a)
        elif what == 1:
            out[i] = onsite(st, 0, int(a), b)
        else:
            out[i] = coupling2(st, 0, 1, b)
    return out


def _sample(what, a, b, n=200_000, seed=1):
    return _draws(rnd.slice_states(np.random.default_rng(seed), 1), n, what, float(a), b)


@pytest.mark.parametrize("lam", [0.7, 3.0, 9.9, 10.0, 57.0, 400.0])
def test_poisson_mean_and_variance(lam):
    x = _sample(0, lam, 0.0)
    assert np.all(x == np.round(x)) and x.min() >= 0
    se = np.sqrt(lam / x.size)
    assert abs(x.mean() - lam) < 5 * se
    assert abs(x.var() / lam - 1) < 5 * np.sqrt(2 / x.size) * (1 + 1 / lam)


@pytest.mark.parametrize("code, var", [(0, 1 / 12), (1, 1 / 12)])
def test_box_and_gaussian_share_the_variance(code, var):
    W = 4.0
    x = _sample(1, code, W)
    assert abs(x.mean()) < 5 * np.sqrt(var * W**2 / x.size)
    assert x.var() == pytest.approx(var * W**2, rel=0.02)
    if code == 0:
        assert np.abs(x).max() <= W / 2


def test_cauchy_half_width_and_gaussian_couplings():
    x = _sample(1, 2, 3.0)
    assert np.median(np.abs(x)) == pytest.approx(1.5, rel=0.02)  # HWHM W/2
    v2 = _sample(2, 0, 0.5)
    assert v2.mean() == pytest.approx(0.25, rel=0.02)


def test_streams_are_independent_of_each_other():
    st = rnd.slice_states(np.random.default_rng(0), 2)
    a = _draws(st[:1].copy(), 1000, 1, 0.0, 1.0)
    b = _draws(st[1:].copy(), 1000, 1, 0.0, 1.0)
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.15 and not np.array_equal(a, b)


def test_factories():
    assert bethe(3, 10.0) == Tree("fixed", 3, "box", 10.0, "fixed", 1.0)
    assert bethe(3, 10.0).root_extra == 1
    t = agkl_tree(4.0, 100.0, Delta=2.0, c_K=2.0, c_W=0.5)
    assert (t.branching, t.K, t.W, t.coupling, t.V) == ("poisson", 16.0, 2.0, "gaussian", 0.02)
    assert t.root_extra == 0
    b = baa_pair_tree(0.05, 10.0, 2.0, delta=1.0)
    assert (b.K, b.W, b.V) == (20.0, 1.0, 0.05)


@pytest.mark.parametrize("kw, msg", [
    (dict(branching="binomial"), "branching"),
    (dict(K=2.5), "integer"),
    (dict(disorder="lorentz"), "unknown disorder"),
    (dict(W=-1.0), "W must be"),
    (dict(V=0.0), "coupling V"),
])
def test_tree_refuses_bad_laws(kw, msg):
    with pytest.raises(InputError, match=msg):
        Tree(**kw)


def test_agkl_refuses_nonpositive_g():
    with pytest.raises(InputError, match="g must be"):
        agkl_tree(1.0, 0.0)
