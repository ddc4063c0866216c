"""``solve(method="auto", k=...)`` honours k and the target; one factorize rule for everyone."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from mbl.errors import InputError, MemoryPlanError
from mbl.models import Anderson, XXZChain
from mbl.solvers import solve
from mbl.solvers.plan import (
    auto_candidates,
    can_factorize,
    choose_method,
    max_pairs,
    plans,
    window_methods,
)
from mbl.study.config import parse_config
from mbl.study.estimate import check_memory, plan
from mbl.study.kinds import solver_method

plan_module = importlib.import_module("mbl.solvers.plan")


@pytest.fixture(scope="module")
def anderson():
    """The README's example: the 12^3 Anderson model at W = 16.5 (N = 1728), and its levels."""
    H = Anderson(shape=(12, 12, 12), W=16.5, bc="periodic").hamiltonian(
        rng=np.random.default_rng(1))
    return H, np.linalg.eigvalsh(H.toarray())


def _nearest(w, target, k):
    return np.sort(w[np.argsort(np.abs(w - target))[:k]])


def test_readme_example_returns_the_k_levels_nearest_the_target(anderson):
    H, w = anderson
    res = solve(H, method="auto", k=100, energy_density=0.5)
    assert res.method == "dense" and res.k == 100
    target = w[0] + 0.5 * (w[-1] - w[0])
    np.testing.assert_allclose(res.energies, _nearest(w, target, 100), atol=1e-10)
    assert res.e_min == pytest.approx(w[0]) and res.e_max == pytest.approx(w[-1])
    assert res.vectors is None and res.residual is None


def test_auto_dense_window_with_vectors_has_residuals(anderson):
    H, w = anderson
    res = solve(H, method="auto", k=30, energy=0.0, vectors=True)
    np.testing.assert_allclose(res.energies, _nearest(w, 0.0, 30), atol=1e-10)
    assert res.vectors.shape == (1728, 30)
    assert res.residual < 1e-10 and res.orthogonality < 1e-10
    r = H @ res.vectors - res.vectors * res.energies
    assert np.linalg.norm(r, axis=0).max() == pytest.approx(res.residual)


def test_auto_window_is_the_same_whichever_method_it_takes():
    H = XXZChain(L=12, W=3.0).hamiltonian(sz=0, rng=np.random.default_rng(2))
    dense_pick = solve(H, method="auto", k=12, energy_density=0.5)
    window_pick = solve(H, method="auto", k=12, energy_density=0.5, dense_max=100)
    assert dense_pick.method == "dense" and window_pick.method == "shift_invert"
    scale = np.abs(dense_pick.energies).max()
    assert np.abs(dense_pick.energies - window_pick.energies).max() < 1e-9 * scale


def test_auto_k_beyond_n_gives_every_level_and_explicit_dense_the_full_spectrum():
    H = Anderson(shape=(6,), W=1.0, bc="open").hamiltonian(rng=np.random.default_rng(0))
    assert solve(H, method="auto", k=50, energy=0.0).k == 6
    assert solve(H, method="dense", k=2, energy=0.0).k == 6
    assert solve(H, method="auto").k == 6  # no k: the whole spectrum


def test_auto_with_k_needs_a_target():
    H = Anderson(shape=(6,), W=1.0).hamiltonian(rng=np.random.default_rng(0))
    with pytest.raises(InputError, match="give a target"):
        solve(H, method="auto", k=2)


def test_window_limits_are_the_solvers_own():
    H = Anderson(shape=(20,), W=1.0).hamiltonian(rng=np.random.default_rng(0))
    for method in ("shift_invert", "polfed"):
        with pytest.raises(InputError, match="k must be"):
            solve(H, method=method, k=max_pairs(method, 20) + 1, energy=0.1)
    assert solve(H, method="shift_invert", k=max_pairs("shift_invert", 20), energy=0.1).k == 18
    assert window_methods(21, 10) == ("shift_invert",)  # POLFED holds 2k < N/2 pairs only
    assert window_methods(20, 10) == ()  # half the spectrum: dense
    assert auto_candidates(100, k=10, dense_max=50, full_spectrum=True) == ("dense",)


def test_auto_refuses_with_every_method_when_nothing_fits():
    H = XXZChain(L=10, W=3.0).hamiltonian(sz=0, rng=np.random.default_rng(1))
    with pytest.raises(MemoryPlanError, match="dense .*shift_invert .*polfed"):
        choose_method(H, k=20, vectors=False, available=1)


def _study(L, names=("gap_ratio",), **solver):
    return parse_config({"study": {"kind": "spectrum", "seed": 1, "samples": 1},
                         "model": {"name": "xxz", "L": L, "W": 3.0},
                         "solver": {"k": 20, "dense_max": 100, **solver},
                         "observables": {"names": list(names)}})


@pytest.mark.parametrize("mumps", [True, False])
def test_one_factorize_rule_for_library_study_plan_and_reproduction(monkeypatch, tmp_path,
                                                                    mumps):
    """Without MUMPS and with SuperLU limited to N = 500, every place agrees: L = 10 (N = 252)
    factorizes, L = 12 (N = 924) does not; with MUMPS both do."""
    if mumps:
        pytest.importorskip("mumps")  # the plan then asks MUMPS's analysis
    monkeypatch.setattr(plan_module, "has_mumps", lambda: mumps)
    monkeypatch.setattr(plan_module, "SUPERLU_MAX", 500)
    for L, n in ((10, 252), (12, 924)):
        ok = can_factorize(n)
        assert ok == (mumps or n <= 500)
        H = XXZChain(L=L, W=3.0).hamiltonian(sz=0, rng=np.random.default_rng(1))
        expected = "shift_invert" if ok else "polfed"
        assert ("shift_invert" in plans(H, k=20, vectors=False)) == ok  # the library
        assert choose_method(H, k=20, vectors=False, dense_max=100).method == expected
        cfg = _study(L)  # the study's installation-only resolution, and its plan
        (point,) = cfg.points()
        assert solver_method(point.solver, n, point.observables) == expected
        assert plan(cfg)[0].method == expected
    # the memory refusal offers shift-invert only where it factorizes
    from mbl._core.memory import current_rss

    # dense with vectors needs 21 MB at N = 924; either window method a few MB
    monkeypatch.setattr("mbl.study.estimate.available_memory",
                        lambda: current_rss() + 15 * 2**20)
    with pytest.raises(MemoryPlanError, match="these would fit") as info:
        check_memory(_study(12, ["ipr"], method="dense"), workers=1)
    assert ("shift_invert" in str(info.value)) == mumps
    # the xxz-mid-spectrum reproduction keeps the sizes that factorize
    from mbl.reproduce import xxz_mid_spectrum as rep

    class Sizes(Exception):
        pass

    def capture(config, samples, *args, **kwargs):
        raise Sizes(sorted(samples))

    monkeypatch.setattr(rep, "size_studies", capture)
    monkeypatch.setattr(rep, "MODES", {True: dict(samples={8: 1, 10: 1, 12: 1})})
    with pytest.raises(Sizes) as sizes:
        rep.run(quick=True, out=tmp_path, workers=1, progress=None)
    assert sizes.value.args[0] == ([8, 10, 12] if mumps else [8, 10])
