"""Checkpoint and resume of POLFED: a solve killed with SIGKILL mid-run resumes from its
checkpoint to the eigenpairs of an uninterrupted solve; a foreign checkpoint is refused."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
from tests.solvers.sigkill import kill_mid_run, namespace

from mbl.errors import InputError
from mbl.solvers import polfed

#: The solve, shared by the child process and the test: a LinearOperator whose products
#: sleep, so that the solve lasts seconds and a kill lands mid-run.
SETUP = textwrap.dedent("""
    import time
    import numpy as np
    from scipy.sparse.linalg import LinearOperator
    from mbl.models import XXZChain

    H = XXZChain(L=10, W=1.0).hamiltonian(sz=0, rng=np.random.default_rng(3))
    BOUNDS = (-5.2, 3.4)
    KW = dict(sigma=-0.4, k=6, bounds=BOUNDS, degree=60, block=4)
    calls = [0]

    def _slow(X, delay):
        calls[0] += 1
        time.sleep(delay)
        return H @ X

    def slowed(delay):
        return LinearOperator(H.shape, matvec=lambda x: _slow(x, delay),
                              matmat=lambda X: _slow(X, delay), dtype=float)
""")

CHILD = SETUP + textwrap.dedent("""
    import sys
    from mbl.solvers import polfed

    polfed(slowed(0.001), checkpoint=sys.argv[1], checkpoint_every=0.0, **KW)
""")


def _namespace():
    return namespace(SETUP)


def _applies(path):
    try:
        with np.load(path) as f:
            return int(f["applies"])
    except (OSError, ValueError, KeyError):
        return -1


def test_sigkill_mid_run_then_resume_equals_an_uninterrupted_run(tmp_path):
    ns = _namespace()
    H = ns["H"]
    assert np.abs(np.linalg.eigvalsh(H.toarray())[[0, -1]] - ns["BOUNDS"]).max() < 0.5
    reference = polfed(ns["slowed"](0.0), **ns["KW"])
    full_calls = ns["calls"][0]
    path = tmp_path / "polfed.ckpt"
    done = kill_mid_run(CHILD, tmp_path, path, _applies, 3)
    assert done >= 3
    ns["calls"][0] = 0
    resumed = polfed(ns["slowed"](0.0), checkpoint=path, checkpoint_every=0.0, **ns["KW"])
    assert 0 < ns["calls"][0] < full_calls  # it resumed: only the rest was computed
    assert resumed.matvecs == reference.matvecs
    np.testing.assert_allclose(resumed.energies, reference.energies, rtol=0, atol=1e-12)
    overlap = np.abs(resumed.vectors.T @ reference.vectors)
    np.testing.assert_allclose(np.linalg.svd(overlap, compute_uv=False), 1.0, atol=1e-10)
    assert not path.exists()  # removed once the solve completed


def test_foreign_or_damaged_checkpoint_refused(tmp_path):
    ns = _namespace()
    path = tmp_path / "p.ckpt"
    kw = dict(ns["KW"])

    def crashing(X):
        ns["calls"][0] += 1
        if ns["calls"][0] > 5 * kw["degree"]:
            raise KeyboardInterrupt
        return ns["H"] @ X

    from scipy.sparse.linalg import LinearOperator

    op = LinearOperator(ns["H"].shape, matvec=crashing, matmat=crashing, dtype=float)
    with pytest.raises(KeyboardInterrupt):
        polfed(op, checkpoint=path, checkpoint_every=0.0, **kw)
    assert path.exists()
    kw["sigma"] = -0.3  # another solve
    with pytest.raises(InputError, match="different POLFED solve.*delete"):
        polfed(ns["H"], checkpoint=path, **kw)
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(InputError, match="cannot be read.*delete"):
        polfed(ns["H"], checkpoint=path, **ns["KW"])
    with pytest.raises(InputError, match="checkpoint_every"):
        polfed(ns["H"], checkpoint=path, checkpoint_every=-1.0, **ns["KW"])


def test_csr_checkpointed_solve_equals_plain_and_leaves_no_file(tmp_path):
    ns = _namespace()
    path = tmp_path / "c.ckpt"
    plain = polfed(ns["H"], **ns["KW"])
    saved = polfed(ns["H"], checkpoint=path, checkpoint_every=0.0, **ns["KW"])
    np.testing.assert_allclose(saved.energies, plain.energies, rtol=0, atol=1e-13)
    assert not path.exists()
