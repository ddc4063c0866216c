"""SpinBasis: sorted states, combinadic ranking, sectors, refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mbl._core import memory
from mbl.basis import SpinBasis, rank, unrank
from mbl.errors import InputError, MemoryPlanError

FAST = settings(max_examples=40, deadline=None)


@st.composite
def sectors(draw, max_L: int = 16):
    L = draw(st.integers(1, max_L))
    return L, draw(st.integers(0, L))


def popcounts(states: np.ndarray) -> np.ndarray:
    return np.array([bin(int(s)).count("1") for s in states])


@FAST
@given(sectors())
def test_index_of_states_is_arange(sector):
    L, n = sector
    b = SpinBasis(L, n)
    assert b.dim == math.comb(L, n) == b.states.size
    assert np.array_equal(b.index(b.states), np.arange(b.dim))
    assert b.states.dtype == np.int64 and np.all(np.diff(b.states) > 0)
    assert np.all(popcounts(b.states) == n)


@FAST
@given(sectors(), st.data())
def test_rank_round_trip(sector, data):
    L, n = sector
    b = SpinBasis(L, n)
    idx = np.array(data.draw(st.lists(st.integers(0, b.dim - 1), min_size=1, max_size=20)))
    assert np.array_equal(b.state(idx), b.states[idx])
    assert np.array_equal(b.index(b.state(idx)), idx)
    assert np.array_equal(rank(unrank(idx, n), L, n), idx)


@FAST
@given(st.integers(1, 14))
def test_sectors_partition_the_full_space(L):
    union = np.sort(np.concatenate([SpinBasis(L, n).states for n in range(L + 1)]))
    assert np.array_equal(union, np.arange(2**L))
    assert np.array_equal(SpinBasis(L).states, np.arange(2**L))


def test_combinadic_rank_formula():
    """rank = sum_k C(p_k, k) over the set bits p_1 < p_2 < ... (k from 1)."""
    b = SpinBasis(7, 3)
    for i, s in enumerate(b.states):
        bits = [p for p in range(7) if s >> p & 1]
        assert sum(math.comb(p, k) for k, p in enumerate(bits, start=1)) == i


def test_small_example_and_full_space_index():
    b = SpinBasis.from_sz(4, 0)
    assert b.n_up == 2 and b.sz == 0
    assert b.states.tolist() == [0b0011, 0b0101, 0b0110, 0b1001, 0b1010, 0b1100]
    assert b.index(np.array([[12, 3], [5, 9]])).tolist() == [[5, 0], [1, 3]]
    full = SpinBasis(5)
    assert full.n_up is None and full.sz is None and full.dim == 32
    assert full.index([0, 7, 31]).tolist() == [0, 7, 31]
    assert full.occupations()[6].tolist() == [0, 1, 1, 0, 0]


def test_contains_and_index_refuses_foreign_states():
    b = SpinBasis(6, 2)
    assert b.contains([3, 7, 64 + 1, -1, 48]).tolist() == [True, False, False, False, True]
    with pytest.raises(InputError, match="not in the basis"):
        b.index([3, 7])
    with pytest.raises(InputError, match="not in the basis"):
        SpinBasis(3).index([8])
    with pytest.raises(InputError, match=r"\[0, 15\)"):
        b.state([15])


def test_largest_sizes_and_edge_sectors():
    for n in (0, 1, 61, 62):
        b = SpinBasis(62, n)
        assert b.dim == math.comb(62, n)
        assert np.array_equal(b.index(b.states), np.arange(b.dim))
    assert SpinBasis(62, 62).states.tolist() == [2**62 - 1]
    assert SpinBasis(1).states.tolist() == [0, 1]


def test_from_sz():
    assert SpinBasis.from_sz(5, 0.5).n_up == 3
    assert SpinBasis.from_sz(6, -3).n_up == 0
    assert SpinBasis.from_sz(6, 1) == SpinBasis(6, 4)
    with pytest.raises(InputError, match=r"S\^z = 0 is impossible for L = 5.*half-odd"):
        SpinBasis.from_sz(5, 0)
    with pytest.raises(InputError, match=r"L = 6.*integer sz"):
        SpinBasis.from_sz(6, 0.5)
    with pytest.raises(InputError, match=r"out of range for L = 4"):
        SpinBasis.from_sz(4, 3)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((0,), "L = 0 sites is out of range"),
        ((63,), "L = 63 sites is out of range"),
        ((4, 5), "n_up = 5 is out of range"),
        ((4, -1), "n_up = -1 is out of range"),
        ((4.5,), "L must be an integer"),
        (("4",), "L must be an integer"),
    ],
)
def test_refuses_bad_sizes(args, match):
    with pytest.raises(InputError, match=match):
        SpinBasis(*args)


def test_refuses_what_cannot_fit(monkeypatch):
    with pytest.raises(MemoryPlanError, match=r"L = 40, full space .* need about [\d.]+ TiB"):
        SpinBasis(40)
    monkeypatch.setattr("mbl.basis.spin.available_memory", lambda: memory.GiB)
    with pytest.raises(MemoryPlanError, match=r"2,704,156 states.*plan='matrix-free'"):
        SpinBasis.from_sz(24, 0)
    assert SpinBasis.from_sz(24, 0, plan="matrix-free").dim == 2_704_156
    with pytest.raises(InputError, match="plan must be"):
        SpinBasis(4, plan="dense")


def test_frozen_and_hashable():
    b = SpinBasis(6, 3)
    with pytest.raises(AttributeError):
        b.L = 7
    with pytest.raises(ValueError, match="read-only"):
        b.states[0] = 1
    assert b == SpinBasis(6, 3) and hash(b) == hash(SpinBasis(6, 3)) and b != SpinBasis(6)
