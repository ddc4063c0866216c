"""The solvers' memory plan and ``method="auto"``."""

from __future__ import annotations

import numpy as np
import pytest

from mbl.errors import MemoryPlanError
from mbl.models import XXZChain
from mbl.solvers import solve
from mbl.solvers.plan import (
    DENSE_FACTOR_VECTORS,
    choose_method,
    dense_bytes,
    plans,
    polfed_bytes,
)
from mbl.solvers.shift_invert import has_mumps
from mbl.study.config import parse_config
from mbl.study.estimate import check_memory


def _H(L=10, seed=1):
    return XXZChain(L=L, W=3.0).hamiltonian(sz=0, rng=np.random.default_rng(seed))


def test_dense_bytes_is_the_measured_multiple_of_the_matrix():
    assert dense_bytes(1000, vectors=True) == int(DENSE_FACTOR_VECTORS * 8e6)
    assert dense_bytes(1000, vectors=False) < dense_bytes(1000, vectors=True)


def test_polfed_memory_grows_with_k_not_with_a_factorization():
    n, nnz = 10**6, 10**7
    small, large = polfed_bytes(n, nnz, 20), polfed_bytes(n, nnz, 200)
    assert 12 * nnz < small < large < dense_bytes(n, vectors=False) / 100


def test_auto_takes_dense_for_small_sectors_and_a_window_method_above_dense_max():
    H = _H(L=14)
    assert choose_method(H, k=20, vectors=False).method == "dense"
    assert choose_method(H, k=20, vectors=False, dense_max=100).method == "shift_invert"
    # no room for a factorization: POLFED's few vectors still fit
    options = plans(H, k=20, vectors=False)
    budget = options["polfed"].peak_bytes
    assert options["shift_invert"].peak_bytes > budget
    assert choose_method(H, k=20, vectors=False, dense_max=100,
                         available=budget).method == "polfed"


def test_nothing_fits_lists_every_method():
    with pytest.raises(MemoryPlanError, match="dense .*shift_invert .*polfed .*lower L or k"):
        choose_method(_H(), k=20, vectors=False, available=1)


def test_solve_auto_equals_dense_nearest_levels():
    H = _H(L=12)
    w = np.linalg.eigvalsh(H.toarray())
    target = 0.5 * (w[0] + w[-1])
    res = solve(H, method="auto", k=10, energy=target, dense_max=100)
    assert res.method == "shift_invert"
    expected = np.sort(w[np.argsort(np.abs(w - target))[:10]])
    np.testing.assert_allclose(res.energies, expected, atol=1e-10)


@pytest.mark.skipif(not has_mumps(), reason="needs the MUMPS extra")
def test_mumps_analysis_predicts_more_fill_for_longer_chains():
    small = plans(_H(L=12), k=20, vectors=False)["shift_invert"].peak_bytes
    large = plans(_H(L=14), k=20, vectors=False)["shift_invert"].peak_bytes
    assert large > 3 * small


def test_run_refusal_names_a_method_that_fits(monkeypatch):
    cfg = parse_config({
        "study": {"kind": "spectrum", "seed": 1, "samples": 1},
        "model": {"name": "xxz", "L": 14, "W": 3.0},
        "solver": {"method": "dense", "energy_density": 0.5, "k": 50},
        "observables": {"names": ["gap_ratio"]},
    }, source="test")
    # dense needs 1.1 x 8 N^2 = 104 MB at N = 3432; allow the interpreter and 60 MB more
    from mbl._core.memory import current_rss

    monkeypatch.setattr("mbl.study.estimate.available_memory", lambda: current_rss() + 60 * 2**20)
    with pytest.raises(MemoryPlanError, match=r'method = "(shift_invert|polfed)" needs about'):
        check_memory(cfg, workers=1)


def test_run_refusal_names_a_smaller_size(monkeypatch):
    cfg = parse_config({
        "study": {"kind": "spectrum", "seed": 1, "samples": 1},
        "model": {"name": "xxz", "L": 16, "W": 3.0},
        "solver": {"method": "dense"},
        "observables": {"names": ["dos"]},  # the whole spectrum: no window method can do
    }, source="test")
    from mbl._core.memory import current_rss

    # dense values at L = 16 need 1.4 GiB; at L = 14, 0.1 GiB
    monkeypatch.setattr("mbl.study.estimate.available_memory", lambda: current_rss() + 2**30)
    with pytest.raises(MemoryPlanError, match="L = 14 would fit with the same method") as info:
        check_memory(cfg, workers=1)
    assert "method =" not in str(info.value)


def test_dynamics_refusal_names_krylov(monkeypatch):
    cfg = parse_config({
        "study": {"kind": "dynamics", "seed": 1, "samples": 1},
        "model": {"name": "xxz", "L": 16, "W": 3.0},
        "solver": {"method": "dense", "initial": "neel"},
        "observables": {"names": ["imbalance"]},
    }, source="test")
    from mbl._core.memory import current_rss

    # dense propagation (all vectors) at L = 16 needs 3.9 GiB; Krylov a few MB
    monkeypatch.setattr("mbl.study.estimate.available_memory", lambda: current_rss() + 2**30)
    with pytest.raises(MemoryPlanError, match='method = "krylov" needs about'):
        check_memory(cfg, workers=1)
