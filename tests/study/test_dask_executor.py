"""The Dask executor on a real ``LocalCluster`` of processes (docs/conventions.md §7,
docs/studies.md): the same results bit for bit as the local executor, a worker killed mid-run, the
driver killed and resumed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import distributed
import pytest
import xarray as xr

from mbl._core.errors import InputError, MBLError
from mbl.study import dask_executor
from mbl.study.config import load_config
from mbl.study.dask_executor import DaskExecutor, _Batches
from mbl.study.executors import make_executor
from mbl.study.export import to_dataset, write_netcdf
from mbl.study.runner import run_study

from .test_resume import _run_and_signal

#: 2 L x 2 W x 6 samples; a task takes ~0.07 s (L = 8) or ~0.3 s (L = 10) on one core, so a
#: 2-worker run lasts a few seconds: long enough to kill something in the middle of it.
STUDY = """
[study]
kind = "spectrum"
seed = 20261123
samples = 6

[model]
name = "anderson"
d = 3
bc = "periodic"

[grid]
L = [8, 10]
W = [12.0, 16.5]

[solver]
method = "dense"

[observables]
names = ["gap_ratio", "ipr"]
"""
TASKS = 24


def _export(directory: Path) -> xr.Dataset:
    """The study's netCDF export, read back (as ``mbl export`` writes it)."""
    path = write_netcdf(to_dataset(directory), directory.with_suffix(".nc"))
    return xr.load_dataset(path, engine="h5netcdf")


def _blobs(directory: Path) -> dict[tuple[str, int], bytes]:
    """(point, sample) -> the stored observables, byte for byte; asserts no key repeats."""
    db = sqlite3.connect(directory / "study.sqlite")
    try:
        rows = db.execute("SELECT point, sample, data FROM results").fetchall()
    finally:
        db.close()
    blobs = {(p, s): d for p, s, d in rows}
    assert len(blobs) == len(rows) == TASKS
    return blobs


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dask") / "dask.toml"
    path.write_text(STUDY)
    return path


@pytest.fixture(scope="module")
def reference(study: Path) -> Path:
    """The study run by the local executor (a 2-process pool)."""
    out = study.parent / "local"
    assert run_study(load_config(study), out, workers=2).computed == TASKS
    return out


@pytest.fixture(scope="module")
def client():
    """A real cluster: 2 worker processes (each behind a nanny) with one thread each. The client
    closes before the cluster, so no worker outlives it and nothing warns at shutdown. The
    nannies write dask's pre-spawn variables (OMP_NUM_THREADS=1, ...) into this process's
    environment; they are restored for the tests that follow."""
    environ = dict(os.environ)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client
    os.environ.clear()
    os.environ.update(environ)


def test_export_equals_local_executor_bit_for_bit(client, study, reference, tmp_path):
    ex = DaskExecutor(client)
    summary = run_study(load_config(study), tmp_path / "dask", executor=ex)
    assert (summary.computed, summary.failed, ex.workers) == (TASKS, 0, 2)
    assert _blobs(tmp_path / "dask") == _blobs(reference)
    xr.testing.assert_equal(_export(tmp_path / "dask"), _export(reference))


def test_mbl_run_on_a_running_scheduler(cli, client, study, reference, tmp_path):
    out = tmp_path / "remote"
    assert cli.run_study(study, out, "--scheduler", client.scheduler.address) == (TASKS, 0)
    assert _blobs(out) == _blobs(reference)
    assert len(client.nthreads()) == 2  # the cluster outlives the run that used it


def test_blas_threads_pinned_on_every_worker(client):
    from threadpoolctl import threadpool_info

    for threads in (2, 1):  # the worker plugin replaces its predecessor; 1 is left in place
        DaskExecutor(client, threads=threads)
        per_worker = client.run(threadpool_info).values()
        assert {lib["num_threads"] for libs in per_worker for lib in libs
                if lib["user_api"] == "blas"} == {threads}


@pytest.mark.parametrize("max_batch", [1, 4])
def test_in_flight_tasks_stay_within_the_window(client, max_batch):
    ex = DaskExecutor(client, max_in_flight=3, max_batch=max_batch)
    pulled = 0

    def items():
        nonlocal pulled
        for i in range(40):
            pulled += 1
            yield i

    seen, in_flight = [], []
    for item, result in ex.map_unordered(abs, items()):
        seen.append(item)
        in_flight.append(pulled - len(seen))
        assert result == item
    assert sorted(seen) == list(range(40))
    # pulled, not handed back: 3 futures of at most max_batch tasks, the rest of the batch
    # being handed back, and one task looked ahead (where the next batch would stop)
    assert max(in_flight) <= 3 * max_batch + (max_batch - 1) + 1
    assert max(in_flight) > 3 + 1 or max_batch == 1  # microsecond tasks travel in batches


def test_window_follows_the_cluster_as_it_grows(client, monkeypatch):
    monkeypatch.setattr(dask_executor, "RECOUNT_S", 0.0)  # recount at every look
    ex = DaskExecutor(client)
    assert (ex.workers, ex.max_in_flight) == (2, 8)
    client.cluster.scale(3)  # as a SLURM job that starts mid-run
    client.wait_for_workers(3, timeout=60)
    assert (ex.max_in_flight, ex.workers) == (12, 3)
    client.cluster.scale(2)
    deadline = time.monotonic() + 60  # the third worker retires before the next test starts
    while len(client.nthreads()) > 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(client.nthreads()) == 2


def test_batches_hold_one_grid_point_sized_by_its_measured_time():
    items = [SimpleNamespace(point=p, i=i) for i, p in enumerate("aaaaaaabbb")]
    batches = _Batches(items, max_batch=4)
    first = batches.take()
    assert [x.i for x in first] == [0]  # an unmeasured point: one task
    batches.timed(first, 0.01)  # 10 ms a task: TARGET_S / 0.01 > max_batch
    assert [x.i for x in batches.take()] == [1, 2, 3, 4]
    assert [x.i for x in batches.take()] == [5, 6]  # stops where the point ends
    assert [x.i for x in batches.take()] == [7]  # a new point is measured afresh
    batches.timed([items[7]], 10.0)  # a slow point: one task a batch
    assert [x.i for x in batches.take()] == [8]
    assert [x.i for x in batches.take()] == [9] and batches.take() == []


def test_failing_task_recorded_retried_and_reported(client, tmp_path, cli):
    # the Néel state is not in the S^z = 1 sector, which only the task finds: each task raises
    study = tmp_path / "failing.toml"
    study.write_text('[study]\nkind = "dynamics"\nseed = 1\nsamples = 2\n'
                     '[model]\nname = "xxz"\nL = 6\nW = 3.0\nsz = 1.0\n'
                     '[grid]\nDelta = [0.5, 1.0]\n[solver]\ninitial = "neel"\n')
    cfg = load_config(study)
    out = tmp_path / "failing"
    summary = run_study(cfg, out, executor=DaskExecutor(client), retries=1)
    assert (summary.computed, summary.failed) == (0, 4)
    db = sqlite3.connect(out / "study.sqlite")
    try:
        records = db.execute("SELECT point, sample, error, traceback FROM failures").fetchall()
        (status,) = db.execute("SELECT status FROM runs").fetchone()
    finally:
        db.close()
    assert len(records) == 4 * 2 and status == "failed"  # the first attempt and one retry
    assert all(e.startswith("InputError: the Néel state") for _, _, e, _ in records)
    assert all("dynamics.py" in tb and "Traceback" in tb for _, _, _, tb in records)
    report = cli.ok("status", out).stdout
    assert "8 failure record(s)" in report
    assert "4 task(s) failed in every attempt, 0 succeeded on a later attempt" in report
    assert report.count("(2 attempt(s)): InputError") == 4


def test_worker_killed_mid_task_is_recomputed_once(client, study, reference, tmp_path):
    pids = client.run(os.getpid)  # worker address -> process id
    killed: dict[str, tuple] = {}

    def kill_a_busy_worker(done: int, total: int, failed: int) -> None:
        if killed or done < 4:
            return
        busy = {w: keys for w, keys in client.processing().items() if keys and w in pids}
        if busy:
            victim, keys = next(iter(busy.items()))
            os.kill(pids[victim], signal.SIGKILL)
            killed[victim] = tuple(keys)

    out = tmp_path / "worker-killed"
    summary = run_study(load_config(study), out, executor=DaskExecutor(client),
                        progress=kill_a_busy_worker)
    assert killed, "no worker was busy after 4 tasks: the study ended too soon"
    assert summary.computed == TASKS and summary.failed == 0  # each result reached us once
    assert _blobs(out) == _blobs(reference)
    xr.testing.assert_equal(_export(out), _export(reference))
    client.wait_for_workers(2, timeout=60)  # the nanny restarted the killed worker
    assert set(client.run(os.getpid).values()).isdisjoint({pids[w] for w in killed})


def test_task_that_kills_every_worker_stops_the_run_with_an_explanation(client):
    ex = DaskExecutor(client)  # os._exit(1) ends the worker process, as an OOM kill would
    with pytest.raises(MBLError, match="lost the task .*KilledWorker.*memory limit"):
        list(ex.map_unordered(os._exit, [1]))
    # the shared cluster's nannies restart the killed workers for the tests after this one: a
    # few seconds on an idle machine, but over 60 s on two cores shared with three busy processes
    client.wait_for_workers(2, timeout=240)


def test_driver_killed_then_resumed_gives_the_same_export(cli, study, reference, tmp_path):
    out = tmp_path / "driver-killed"
    local2 = ("--cluster", "local:2")
    stored, _ = _run_and_signal(cli, study, out, min_stored=TASKS // 3, executor=local2)
    assert 0 < stored < TASKS, f"kill left {stored} of {TASKS} tasks stored"
    assert cli.run_study(study, out, *local2) == (TASKS - stored, stored)
    assert _blobs(out) == _blobs(reference)
    xr.testing.assert_equal(_export(out), _export(reference))


def test_missing_dask_is_an_input_error_naming_the_extra(monkeypatch):
    monkeypatch.delitem(sys.modules, "mbl.study.dask_executor")
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(InputError, match=r"pip install 'mbl\[dask\]'"):
        make_executor(2, dask="local")
    code = ("import sys; sys.modules['dask'] = sys.modules['distributed'] = None; "
            "import mbl, mbl.cli, mbl.study.runner")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.slow
def test_repeated_kills_of_every_worker_end_with_a_clear_error(cli, tiny_study, tmp_path):
    """Every Dask worker (and nanny) killed again and again: the run ends within 60 s with a
    message naming the cause, never a hang (``slow``: it watches the run for up to 90 s)."""
    import os
    import signal
    import subprocess
    import time
    from pathlib import Path

    from .faults import children, stored

    study = tiny_study(tmp_path, study={"samples": 200}, grid={"L": [8], "W": [12.0, 16.0]})
    out = tmp_path / "dask"
    proc = subprocess.Popen(cli.argv("run", study, "--out", out, "--cluster", "local:2"),
                            cwd=cli.cwd, env=cli.env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(stored(out / "study.sqlite")) < 4:  # the cluster is up and computing
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        first = time.monotonic()
        while proc.poll() is None and time.monotonic() - first < 90:
            for pid in children(proc.pid):
                if b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    continue  # multiprocessing's, not a Dask worker
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.5)
        took = time.monotonic() - first
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert took < 60, f"the run went on {took:.0f} s after its workers were killed"
    assert proc.returncode == 1, err
    # the dying nannies and workers log to the inherited stderr; mbl's own word is the last
    last = err.strip().splitlines()[-1]
    assert last.startswith("mbl: error:"), err
    assert "Dask cluster" in last or "task(s) failed" in last, last


class _FlakyClient:
    """A client whose scheduler drops the connection the first ``drops`` registrations."""

    def __init__(self, drops: int) -> None:
        self.drops, self.calls = drops, 0

    def register_plugin(self, plugin) -> None:
        self.calls += 1
        if self.calls <= self.drops:
            raise distributed.comm.core.CommClosedError("Stream is closed")


def test_plugin_registration_survives_a_worker_leaving_mid_broadcast(monkeypatch):
    monkeypatch.setattr(dask_executor.time, "sleep", lambda s: None)
    flaky = _FlakyClient(drops=2)
    dask_executor._register(flaky, dask_executor.PinThreads(1))
    assert flaky.calls == 3
    with pytest.raises(MBLError, match="dropped the connection 3 times"):
        dask_executor._register(_FlakyClient(drops=3), dask_executor.PinThreads(1))
