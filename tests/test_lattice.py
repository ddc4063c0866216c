"""Tests of :mod:`mbl.lattice`: sites, bonds and boundary conditions of hypercubic lattices."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mbl._core.errors import InputError
from mbl.lattice import Hypercubic


def brute_force_bonds(shape, bcs) -> set[frozenset[int]]:
    """Every unordered pair of sites at unit distance (minimum image on periodic axes)."""
    coords = np.array(list(itertools.product(*(range(n) for n in shape))))
    bonds = set()
    for i, j in itertools.combinations(range(len(coords)), 2):
        diff = np.abs(coords[i] - coords[j])
        dist = [min(d, n - d) if b == "periodic" else d
                for d, n, b in zip(diff, shape, bcs, strict=True)]
        if sorted(dist) == [0] * (len(shape) - 1) + [1]:
            bonds.add(frozenset((i, j)))
    return bonds


def expected_bond_count(shape, bcs) -> int:
    """Sum over axes of the number of bonds along that axis."""
    n = int(np.prod(shape))
    return sum(n if b == "periodic" else n // L * (L - 1) for L, b in zip(shape, bcs, strict=True))


CASES = [
    ((L,) * d, bc)
    for d in (1, 2, 3)
    for L in (3, 4, 5)
    for bc in ("open", "periodic")
] + [
    ((2,), "open"),
    ((2, 2, 2), "open"),
    ((3, 4), ("periodic", "open")),
    ((2, 5, 3), ("open", "periodic", "periodic")),
]


@pytest.mark.parametrize(("shape", "bc"), CASES)
def test_sites_and_bonds(shape, bc):
    lat = Hypercubic(shape, bc)
    bcs = lat.boundaries
    d, N = len(shape), int(np.prod(shape))
    assert lat.d == d and lat.n_sites == N and len(bcs) == d
    i, j = lat.bonds()
    assert i.shape == j.shape
    pairs = [frozenset(p) for p in zip(i.tolist(), j.tolist(), strict=True)]
    assert all(len(p) == 2 for p in pairs), "a site is bonded to itself"
    assert len(set(pairs)) == len(pairs), "duplicate bond"
    assert len(pairs) == expected_bond_count(shape, bcs)
    assert set(pairs) == brute_force_bonds(shape, bcs)


@pytest.mark.parametrize(("d", "L"), [(1, 5), (2, 4), (3, 3), (3, 6)])
def test_bond_count_formulas(d, L):
    """Periodic L^d: d L^d bonds; open: d (L - 1) L^(d - 1)."""
    assert Hypercubic((L,) * d, "periodic").bonds()[0].size == d * L**d
    assert Hypercubic((L,) * d, "open").bonds()[0].size == d * (L - 1) * L ** (d - 1)


@pytest.mark.parametrize(("shape", "bc"), CASES)
def test_bonds_join_nearest_neighbours(shape, bc):
    lat = Hypercubic(shape, bc)
    c = lat.coordinates()
    i, j = lat.bonds()
    diff = np.abs(c[i] - c[j])
    assert np.all(np.count_nonzero(diff, axis=1) == 1)
    step = diff.max(axis=1)
    axis = diff.argmax(axis=1)
    wraps = np.array([lat.boundaries[a] == "periodic" and s == shape[a] - 1
                      for a, s in zip(axis, step, strict=True)], dtype=bool)
    assert np.all((step == 1) | wraps)


@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 3, 4)])
def test_coordinates_are_row_major(shape):
    c = Hypercubic(shape, "open").coordinates()
    assert c.shape == (int(np.prod(shape)), len(shape))
    np.testing.assert_array_equal(c, np.array(list(itertools.product(*map(range, shape)))))


@pytest.mark.parametrize("d", [1, 2, 3])
def test_periodic_every_site_has_2d_neighbours(d):
    lat = Hypercubic((4,) * d, "periodic")
    degree = np.bincount(np.concatenate(lat.bonds()), minlength=lat.n_sites)
    assert np.all(degree == 2 * d)


@pytest.mark.parametrize(
    ("shape", "bc", "match"),
    [
        ((3, 3, 3, 3), "open", r"d = 1, 2 or 3"),
        ((), "open", r"d = 1, 2 or 3"),
        ((1,), "open", r"at least 2"),
        ((4, 1), "periodic", r"at least 2"),
        ((0, 3), "open", r"at least 2"),
        ((2,), "periodic", r"periodic boundaries need at least 3"),
        ((4, 2), "periodic", r"axis 1 has 2 sites"),
        ((4,), "twisted", r"'open' or 'periodic'"),
        ((4, 4), ("open",), r"bc has 1 entries"),
    ],
)
def test_invalid_lattices_are_refused(shape, bc, match):
    with pytest.raises(InputError, match=match):
        Hypercubic(shape, bc)
