"""Implicit checkpoints (mbl.solvers.checkpoints_in): long solves inside the block checkpoint
to the folder under a file named by their key and resume from it; the study engine gives each
task its study's folder."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from scipy.sparse.linalg import LinearOperator

from mbl.models import XXZChain
from mbl.solvers import checkpoints_in, evolve, polfed
from mbl.solvers._checkpoint import implicit_path

H = XXZChain(L=10, W=1.0).hamiltonian(sz=0, rng=np.random.default_rng(3))
PSI0 = np.eye(H.shape[0])[5]
TIMES = np.concatenate([[0.0], np.geomspace(0.1, 50.0, 12)])
POLFED = dict(sigma=-0.4, k=6, bounds=(-5.2, 3.4), degree=60, block=4)


def _operator(calls, crash_after=None):
    def apply(X):
        calls[0] += 1
        if crash_after is not None and calls[0] > crash_after:
            raise KeyboardInterrupt
        return H @ X

    return LinearOperator(H.shape, matvec=apply, matmat=apply, dtype=float)


@pytest.mark.parametrize("solver", ["evolve", "polfed"])
def test_interrupted_solve_resumes_from_its_implicit_checkpoint(tmp_path, solver):
    assert np.abs(np.linalg.eigvalsh(H.toarray())[[0, -1]] - POLFED["bounds"]).max() < 0.5

    def run(op):
        if solver == "evolve":
            return evolve(op, PSI0, TIMES, krylov_dim=10, checkpoint_every=0.0).states
        return polfed(op, checkpoint_every=0.0, **POLFED).energies

    calls = [0]
    reference = run(_operator(calls))
    full = calls[0]
    with checkpoints_in(tmp_path):
        calls[0] = 0
        with pytest.raises(KeyboardInterrupt):
            run(_operator(calls, crash_after=full // 2))
        files = list(tmp_path.glob(f"{solver}-*.npz"))
        assert len(files) == 1  # named by the solve's key
        calls[0] = 0
        resumed = run(_operator(calls))
    assert 0 < calls[0] < full  # only the rest was computed
    np.testing.assert_allclose(resumed, reference, rtol=0, atol=1e-12)
    assert not list(tmp_path.iterdir())  # removed when the solve completed


def test_outside_the_block_and_short_solves_write_nothing(tmp_path):
    assert implicit_path("polfed", "abc") is None
    with checkpoints_in(tmp_path):
        assert implicit_path("polfed", "abc").startswith(str(tmp_path))
        evolve(H, PSI0, TIMES)  # default interval (60 s): never due
        polfed(H, **POLFED)
    assert implicit_path("evolve", "abc") is None
    assert not tmp_path.exists() or not list(tmp_path.iterdir())


def test_unwritable_implicit_checkpoint_is_logged_and_the_solve_goes_on(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    calls = [0]
    with checkpoints_in(blocker / "sub"), caplog.at_level(logging.WARNING):
        ev = evolve(_operator(calls), PSI0, TIMES, krylov_dim=10, checkpoint_every=0.0)
    assert "cannot write the checkpoint" in caplog.text
    assert np.allclose(np.linalg.norm(ev.states, axis=0), 1.0)


def test_study_tasks_run_inside_their_studys_checkpoint_folder(tmp_path, monkeypatch):
    import mbl.study.tasks.dynamics as dynamics
    from mbl.study.execute import TaskSpec, execute

    seen = []
    monkeypatch.setattr(dynamics, "dynamics_task",
                        lambda point, rng: seen.append(implicit_path("evolve", "k")) or {})
    spec = TaskSpec("dynamics", "p", 0, 1, {"model": {}}, None, str(tmp_path / "checkpoints"))
    out = execute(spec)
    assert out.error is None
    assert seen == [str(tmp_path / "checkpoints" / "evolve-k.npz")]
