"""The MUMPS and SuperLU factorizations of shift-invert give the same pairs as dense ED."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from mbl.errors import InputError
from mbl.models import XXZChain
from mbl.solvers.shift_invert import shift_invert

si_module = importlib.import_module("mbl.solvers.shift_invert")  # the module, not the function


def _H(L=12):
    return XXZChain(L=L, W=3.0).hamiltonian(sz=0, rng=np.random.default_rng(4))


def test_mumps_equals_dense_and_superlu():
    pytest.importorskip("mumps")
    H = _H()
    w = np.linalg.eigvalsh(H.toarray())
    sigma = 0.5 * (w[0] + w[-1]) + 1e-3
    a = shift_invert(H, sigma=sigma, k=30, backend="mumps")
    b = shift_invert(H, sigma=sigma, k=30, backend="superlu")
    ref = np.sort(w[np.argsort(np.abs(w - sigma))[:30]])
    scale = np.abs(w).max()
    assert np.abs(a.energies - ref).max() < 1e-9 * scale
    assert np.abs(a.energies - b.energies).max() < 1e-9 * scale
    assert a.residual < 1e-8 * scale


def test_superlu_refuses_sizes_it_cannot_factorize(monkeypatch):
    monkeypatch.setattr(si_module, "SUPERLU_MAX", 50)  # N = 70 at L = 8
    with pytest.raises(InputError, match="mbl\\[mumps\\]"):
        shift_invert(_H(8), sigma=0.0, k=4, backend="superlu")


def test_missing_mumps_names_the_extra(monkeypatch):
    monkeypatch.setattr(si_module, "has_mumps", lambda: False)
    with pytest.raises(InputError, match="apt-get install libmumps-seq-dev"):
        shift_invert(_H(8), sigma=0.0, k=4, backend="mumps")
