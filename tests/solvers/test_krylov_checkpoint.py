"""Checkpoint and resume of long Krylov evolutions: a run killed with SIGKILL mid-run resumes
from its checkpoint to the states of an uninterrupted run; a foreign checkpoint is refused."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
from tests.solvers.sigkill import kill_mid_run, namespace

from mbl.errors import InputError
from mbl.solvers import evolve

#: The evolution, shared by the child process and the test: a LinearOperator whose products
#: sleep, so that the run lasts seconds and a kill lands mid-run.
SETUP = textwrap.dedent("""
    import time
    import numpy as np
    from scipy.sparse.linalg import LinearOperator
    from mbl.models import XXZChain

    H = XXZChain(L=8, W=5.0, Delta=1.0).hamiltonian(sz=0, rng=np.random.default_rng(5))
    psi0 = np.zeros(H.shape[0])
    psi0[7] = 1.0
    times = np.concatenate([[0.0], np.geomspace(0.1, 100.0, 20)])
    KW = dict(tol=1e-10, krylov_dim=16)  # short spaces: many steps
    calls = [0]

    def _slow(x, delay):
        calls[0] += 1
        time.sleep(delay)
        return H @ x

    def slowed(delay):
        return LinearOperator(H.shape, matvec=lambda x: _slow(x, delay), dtype=float)
""")

CHILD = SETUP + textwrap.dedent("""
    import sys
    from mbl.solvers import evolve

    evolve(slowed(0.002), psi0, times, checkpoint=sys.argv[1], checkpoint_every=0.0, **KW)
""")


def _namespace():
    return namespace(SETUP)


def _progress(path):
    try:
        with np.load(path) as f:
            return int(f["k"])
    except (OSError, ValueError, KeyError):
        return -1


def test_sigkill_mid_run_then_resume_equals_an_uninterrupted_run(tmp_path):
    ns = _namespace()
    reference = evolve(ns["slowed"](0.0), ns["psi0"], ns["times"], **ns["KW"])
    full_calls = ns["calls"][0]
    path = tmp_path / "evolve.ckpt"
    done = kill_mid_run(CHILD, tmp_path, path, _progress, 5)
    assert 5 <= done < ns["times"].size  # the checkpoint is from the middle of the run
    ns["calls"][0] = 0
    resumed = evolve(ns["slowed"](0.0), ns["psi0"], ns["times"], checkpoint=path,
                     checkpoint_every=0.0, **ns["KW"])
    assert 0 < ns["calls"][0] < full_calls  # it resumed: only the rest was computed
    assert resumed.matvecs == reference.matvecs
    assert abs(resumed.error_estimate - reference.error_estimate) <= 1e-15
    assert np.abs(resumed.states - reference.states).max() <= 1e-12
    assert not path.exists()  # removed once the run completed


def _interrupted(ns, path, after):
    """Run with a checkpoint after every step and crash (in-process) after ``after``
    products; leaves the checkpoint behind."""
    def crashing(x):
        ns["calls"][0] += 1
        if ns["calls"][0] > after:
            raise KeyboardInterrupt
        return ns["H"] @ x

    from scipy.sparse.linalg import LinearOperator

    op = LinearOperator(ns["H"].shape, matvec=crashing, dtype=float)
    with pytest.raises(KeyboardInterrupt):
        evolve(op, ns["psi0"], ns["times"], checkpoint=path, checkpoint_every=0.0,
               **ns["KW"])
    assert path.exists()


def test_resume_in_process_and_csr_matrix(tmp_path):
    ns = _namespace()
    H, psi0, times = ns["H"], ns["psi0"], ns["times"]
    path = tmp_path / "ck.npz"
    _interrupted(ns, path, after=2 * 16 * 5)  # a few Krylov steps (two products per step
    # of a real operator on a complex vector)
    reference = evolve(ns["slowed"](0.0), psi0, times, **ns["KW"])
    resumed = evolve(ns["slowed"](0.0), psi0, times, checkpoint=path, **ns["KW"])
    np.testing.assert_allclose(resumed.states, reference.states, atol=1e-12, rtol=0)
    # a CSR matrix: checkpoints after every step, no checkpoint left at the end
    a = evolve(H, psi0, times, checkpoint=path, checkpoint_every=0.0, **ns["KW"])
    b = evolve(H, psi0, times, **ns["KW"])
    np.testing.assert_array_equal(a.states, b.states)
    assert not path.exists()


@pytest.mark.parametrize("change", ["times", "psi0", "tol", "H"])
def test_a_checkpoint_of_another_evolution_is_refused(tmp_path, change):
    ns = _namespace()
    path = tmp_path / "ck"
    _interrupted(ns, path, after=40)
    H, psi0, times, kw = ns["slowed"](0.0), ns["psi0"], ns["times"], dict(ns["KW"])
    if change == "times":
        times = times * 1.5
    elif change == "psi0":
        psi0 = np.roll(psi0, 1)
    elif change == "tol":
        kw["tol"] = 1e-9
    else:
        H = ns["H"] * 2.0
    with pytest.raises(InputError, match="different evolution.*delete"):
        evolve(H, psi0, times, checkpoint=path, **kw)
    assert path.exists()  # refused, untouched


def test_unreadable_checkpoint_and_dense_method_are_refused(tmp_path):
    ns = _namespace()
    path = tmp_path / "ck"
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(InputError, match="cannot be read.*delete"):
        evolve(ns["H"], ns["psi0"], ns["times"], checkpoint=path)
    with pytest.raises(InputError, match="method='krylov'"):
        evolve(ns["H"], ns["psi0"], ns["times"], method="dense", checkpoint=path)
