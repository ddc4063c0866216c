"""Interruption, resume and extension of studies, through the ``mbl`` command
(docs/conventions.md §6, docs/studies.md)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time

import numpy as np
import pytest
import xarray as xr

from mbl.study.config import load_config
from mbl.study.execute import TaskOutcome, TaskSpec
from mbl.study.executors import SerialExecutor
from mbl.study.runner import run_study

#: Enough tasks that a 2-worker run lasts a few seconds (L = 8 dominates: ~0.05 s a task).
KILL_STUDY = {"study": {"samples": 16}, "grid": {"L": [6, 8], "W": [12.0, 14.0, 16.0, 18.0]}}
KILL_TASKS = 2 * 4 * 16


def _count(db_path) -> int:
    """Rows in ``results``, or 0 while the store is not created yet."""
    if not db_path.exists():
        return 0
    try:
        db = sqlite3.connect(db_path, timeout=5)
        try:
            return db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        finally:
            db.close()
    except sqlite3.OperationalError:  # schema not written yet
        return 0


def _run_and_signal(cli, study, out, sig=signal.SIGKILL, min_stored: int = KILL_TASKS // 2 + 8,
                    executor: tuple = ("--workers", 2)) -> tuple[int, str]:
    """Start ``mbl run`` (``--workers 2`` unless ``executor`` says otherwise) in its own process
    group and send ``sig`` to the group once ``min_stored`` tasks are stored (amid the L = 8
    tasks); return (tasks stored, output). SIGKILL must kill it at once, SIGINT (Ctrl-C in a
    terminal) must make it exit 130 promptly."""
    log_path = cli.cwd / f"signalled-{out.name}.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(cli.argv("run", study, "--out", out, *executor),
                                cwd=cli.cwd, env=cli.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while _count(out / "study.sqlite") < min_stored:
                assert proc.poll() is None, "mbl run ended before it could be signalled"
                assert time.monotonic() < deadline, f"{min_stored} tasks not stored in 120 s"
                time.sleep(0.02)
            assert proc.poll() is None, "mbl run finished before the signal: enlarge KILL_STUDY"
            os.killpg(proc.pid, sig)
            expected = -signal.SIGKILL if sig == signal.SIGKILL else 130
            try:
                assert proc.wait(timeout=30) == expected
            except subprocess.TimeoutExpired:
                pytest.fail(f"mbl run still running 30 s after signal {sig!r}")
        finally:
            try:  # the pool workers too, whatever happened
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    return _count(out / "study.sqlite"), log_path.read_text()


def test_kill9_then_resume_equals_uninterrupted(cli, tiny_study, tmp_path):
    study = tiny_study(tmp_path, **KILL_STUDY)
    killed, clean = tmp_path / "killed", tmp_path / "clean"

    stored, _ = _run_and_signal(cli, study, killed)
    assert 0 < stored < KILL_TASKS, f"kill left {stored} of {KILL_TASKS} tasks stored"
    assert f"{stored} / {KILL_TASKS} stored" in cli.ok("status", killed).stdout

    assert cli.run_study(study, killed, "--workers", 2) == (KILL_TASKS - stored, stored)
    assert cli.run_study(study, clean, "--workers", 2) == (KILL_TASKS, 0)
    resumed, reference = cli.export(killed), cli.export(clean)
    xr.testing.assert_equal(resumed, reference)
    assert np.isfinite(resumed["r_mean"]).all()

    db = sqlite3.connect(killed / "study.sqlite")
    try:
        count, distinct = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT point || '/' || sample) FROM results").fetchone()
        statuses = [s for (s,) in db.execute("SELECT status FROM runs ORDER BY run_id")]
    finally:
        db.close()
    assert count == distinct == KILL_TASKS
    assert statuses == ["running", "complete"]  # the killed run never reached its end


def test_workers_1_and_2_export_identical_data(cli, tiny_study, tmp_path):
    study = tiny_study(tmp_path, study={"samples": 4})
    for workers in (1, 2):
        assert cli.run_study(study, tmp_path / f"w{workers}", "--workers", workers) == (16, 0)
    one, two = cli.export(tmp_path / "w1"), cli.export(tmp_path / "w2")
    xr.testing.assert_equal(one, two)
    assert np.isfinite(one["r_mean"]).all() and one.attrs["tasks_stored"] == 16


def test_rerun_of_complete_study_computes_nothing(cli, completed_study, tmp_path):
    study, done = completed_study
    out = cli.copy(done, tmp_path / "again")
    before = cli.rows(out)
    assert "0 computed, 12 already stored" in cli.ok("run", study, "--out", out).stdout
    assert cli.rows(out) == before


@pytest.mark.parametrize(("override", "new"), [
    ("grid.W=[12.0, 16.5, 14.0]", 6),   # one more W value: 2 L x 3 samples
    ("study.samples=5", 8),             # 2 more samples at each of 4 points
])
def test_extend_keeps_old_results_and_adds_new(cli, completed_study, tmp_path, override, new):
    study, done = completed_study
    out = cli.copy(done, tmp_path / "extended")
    before = cli.rows(out)
    assert cli.run_study(study, out, "--set", override) == (new, 12)
    after = cli.rows(out)
    assert len(after) == 12 + new
    assert {k: after[k] for k in before} == before  # same blobs, times and run ids
    fresh = tmp_path / "fresh"
    cli.run_study(study, fresh, "--set", override)
    xr.testing.assert_equal(cli.export(out), cli.export(fresh))


def test_study_without_seed_resumes_with_stored_seed(cli, tiny_study, tmp_path):
    study = tiny_study(tmp_path, study={"seed": None, "samples": 2})
    out = tmp_path / "seedless"
    assert cli.run_study(study, out) == (8, 0)
    seed = _stored_seed(out)
    assert isinstance(seed, int)
    assert cli.run_study(study, out) == (0, 8)
    assert cli.run_study(study, out, "--set", "study.samples=3") == (4, 8)
    assert _stored_seed(out) == seed
    explicit = tmp_path / "explicit"
    cli.run_study(study, explicit, "--set", f"study.seed={seed}", "--set", "study.samples=3")
    xr.testing.assert_equal(cli.export(out), cli.export(explicit))


def _stored_seed(directory) -> int:
    import json

    db = sqlite3.connect(directory / "study.sqlite")
    try:
        (value,) = db.execute("SELECT value FROM meta WHERE key = 'config'").fetchone()
    finally:
        db.close()
    return json.loads(value)["study"]["seed"]


@pytest.mark.parametrize(("override", "named"), [
    ("study.samples=2", "study.samples"),
    ("grid.W=[12.0]", "grid.W"),
    ("study.seed=1", "study.seed"),
    ("model.bc=\"open\"", "model.bc"),
    ("solver.method=\"auto\"", "solver.method"),
    ("observables.names=[\"gap_ratio\"]", "observables.names"),
])
def test_incompatible_change_is_refused_and_leaves_store_intact(cli, completed_study, tmp_path,
                                                                override, named):
    study, done = completed_study
    out = cli.copy(done, tmp_path / "existing")
    before = cli.snapshot(out)
    err = cli.bad("run", study, "--out", out, "--set", override)
    assert named in err
    assert cli.snapshot(out) == before


@pytest.mark.slow
@pytest.mark.parametrize("executor", [("--workers", 2), ("--cluster", "local:2")])
def test_ctrl_c_exits_130_and_resumes(cli, tiny_study, tmp_path, executor):
    """SIGINT to the whole process group (Ctrl-C): exit 130, a one-line message, the run
    marked interrupted, and a resume that completes the study."""
    study = tiny_study(tmp_path, **KILL_STUDY)
    out = tmp_path / "interrupted"
    stored, log = _run_and_signal(cli, study, out, signal.SIGINT, executor=executor)
    assert log.startswith("mbl: error: interrupted") and "Traceback" not in log
    db = sqlite3.connect(out / "study.sqlite")
    try:
        assert [s for (s,) in db.execute("SELECT status FROM runs")] == ["interrupted"]
    finally:
        db.close()
    assert cli.run_study(study, out, "--workers", 2) == (KILL_TASKS - stored, stored)


class _FailsFirstSampleOnce(SerialExecutor):
    """Runs tasks in this process (BLAS pinned), but the first attempt at sample 0 of each
    point fails, as a task on a node that vanished would."""

    def __init__(self) -> None:
        super().__init__()
        self.failed: set[str] = set()

    def map_unordered(self, fn, items, **kw):
        def flaky(spec: TaskSpec) -> TaskOutcome:
            if spec.sample == 0 and spec.point not in self.failed:
                self.failed.add(spec.point)
                return TaskOutcome(spec, None, 0.0, 0, "OSError: node lost", "Traceback")
            return fn(spec)

        return super().map_unordered(flaky, items, **kw)


@pytest.mark.parametrize("retries", [0, 1])
def test_failed_task_is_retried_up_to_the_limit(cli, completed_study, tmp_path, retries):
    study, done = completed_study
    out = tmp_path / "flaky"
    summary = run_study(load_config(study), out, executor=_FailsFirstSampleOnce(),
                        retries=retries)
    assert (summary.computed, summary.failed) == (12 - 4 * (1 - retries), 4 * (1 - retries))
    report = cli.ok("status", out).stdout
    assert "4 failure record(s)" in report
    assert f"{4 * (1 - retries)} task(s) failed in every attempt, {4 * retries} succeeded" \
        in report
    if not retries:
        assert report.count("(1 attempt(s)): OSError: node lost") == 4
        assert cli.run_study(study, out) == (4, 8)  # a later run computes what failed
    xr.testing.assert_equal(cli.export(out), cli.export(done))
