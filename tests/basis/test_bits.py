"""Bit kernels: binomial table, fermion signs."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mbl.basis import BINOM, RANK_TABLE, fermion_sign
from mbl.basis.bits import binomial_table


def test_binomial_table_is_exact():
    assert BINOM.dtype == np.int64 and BINOM.shape == (64, 64)
    for n in range(64):
        for k in range(64):
            assert BINOM[n, k] == (math.comb(n, k) if k <= n else 0)
    assert np.array_equal(binomial_table(10), BINOM[:11, :11])
    assert RANK_TABLE.shape == (8, 64, 256)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**62 - 1), st.integers(0, 61), st.integers(0, 61))
def test_fermion_sign_counts_sites_strictly_between(state, i, j):
    lo, hi = min(i, j), max(i, j)
    between = sum(state >> p & 1 for p in range(lo + 1, hi))
    expected = (-1) ** between
    assert fermion_sign(np.array([state]), i, j)[0] == expected
    assert fermion_sign([state], j, i)[0] == expected


def test_fermion_sign_shapes():
    s = np.array([[0b10110, 0b00100], [0b11111, 0]])
    assert fermion_sign(s, 0, 4).tolist() == [[1, -1], [-1, 1]]
    assert fermion_sign(s, 4, 0).dtype == np.int8
