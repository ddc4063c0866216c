"""The conventions of the ``mbl`` command: cheap start-up, --version, python -m mbl, --json,
human units, the weighted ETA and plain progress lines in a batch log, --log-level."""

from __future__ import annotations

import json
import logging
import math
import subprocess
import sys

import pytest

import mbl
from mbl._cli import progress
from mbl._cli.root import configure_logging
from mbl._cli.study import remaining_seconds
from mbl._core.memory import format_bytes, format_seconds

HEAVY = ("numpy", "scipy", "numba", "xarray", "matplotlib", "rich")


def _loaded_after(code: str) -> list[str]:
    probe = (f"import sys\n{code}\n"
             f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stderr.split()


def test_import_mbl_loads_no_heavy_library():
    assert _loaded_after("import mbl") == []


def test_help_loads_no_heavy_library():
    code = ("sys.argv = ['mbl', '--help']\nfrom mbl.cli import main\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code == 0, exc.code")
    assert _loaded_after(code) == []


def test_lazy_names_resolve_and_are_listed():
    assert set(mbl.__all__) <= set(dir(mbl))
    for name in mbl.__all__:
        assert getattr(mbl, name) is not None
    assert mbl.models.__name__ == "mbl.models"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        mbl.nope  # noqa: B018


def test_version(cli):
    out = cli.ok("--version").stdout
    assert out.strip() == f"mbl {mbl.__version__}"


def test_python_m_mbl_help(cli):
    proc = subprocess.run([sys.executable, "-m", "mbl", "--help"], capture_output=True,
                          text=True, cwd=cli.cwd, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Usage: python -m mbl" in proc.stdout
    for option in ("--version", "--log-level", "--progress-every", "--install-completion"):
        assert option in proc.stdout


def test_no_arguments_prints_the_help_and_exits_2(cli):
    proc = cli.run()
    assert proc.returncode == 2 and "Usage:" in proc.stderr and "Traceback" not in proc.stderr


def test_show_completion(cli):
    """The completion script of the console script ``mbl`` (argv[0] names the program)."""
    proc = subprocess.run([sys.executable, "-c", "import sys; sys.argv[0] = 'mbl'; "
                           "from mbl.cli import main; main()", "--show-completion", "bash"],
                          capture_output=True, text=True, cwd=cli.cwd, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "_MBL_COMPLETE=complete_bash" in proc.stdout and "complete " in proc.stdout


def test_bad_log_level_is_bad_input(cli):
    err = cli.bad("--log-level", "loud", "info")
    assert "--log-level" in err and "debug" in err


def test_log_level_shows_records_on_stderr(capsys):
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        configure_logging("info")
        logging.getLogger("mbl.test").info("hello")
        logging.getLogger("mbl.test").debug("hidden")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    err = capsys.readouterr().err
    assert "mbl: INFO: mbl.test: hello" in err and "hidden" not in err


def test_libraries_with_their_own_levels_stay_quiet_at_warning(capsys):
    # distributed sets its loggers to INFO; at the default --log-level warning its INFO
    # records must not reach mbl's stderr handler
    root, lib = logging.getLogger(), logging.getLogger("mbl_test_library")
    level, handlers, lib_level = root.level, list(root.handlers), lib.level
    try:
        configure_logging("warning")
        lib.setLevel(logging.INFO)
        lib.info("chatter")
        lib.warning("worth seeing")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        lib.setLevel(lib_level)
    err = capsys.readouterr().err
    assert "chatter" not in err and "mbl: WARNING: mbl_test_library: worth seeing" in err


def test_info_json(cli):
    out = cli.ok("info", "--json").stdout
    info = json.loads(out)
    for key in ("mbl", "git_revision", "source", "numpy", "scipy", "numba", "cpu_count",
                "memory_total_bytes", "memory_available_bytes", "blas"):
        assert key in info
    assert set(info["extras"]) == {"mumps", "dask"}
    for extra in info["extras"].values():
        assert isinstance(extra["available"], bool) and "version" in extra
    assert set(info["numba_threading"]) == {"layer", "requested", "threads"}
    assert info["numba_threading"]["layer"] in ("tbb", "omp", "workqueue", None)
    assert info["source"].startswith(("git checkout", "not a git checkout"))


def test_info_text_lists_extras_and_threading_layer(cli):
    out = cli.ok("info").stdout
    assert "extra mumps" in out and "extra dask" in out and "numba layer" in out
    assert "None" not in out.split("git_revision", 1)[1].splitlines()[0]


def test_status_json(cli, completed_study):
    status = json.loads(cli.ok("status", completed_study[1], "--json").stdout)
    assert status["tasks_total"] == status["tasks_stored"] == 12
    assert status["tasks_remaining"] == 0 and status["failed_tasks"] == []
    assert status["eta_seconds"] == 0 and status["seed"] == 20261123
    assert status["last_run"]["status"] == "complete"
    assert status["mean_task_seconds"] > 0 and status["peak_memory_bytes"] > 0


def test_estimate_json(cli, tiny_study, tmp_path):
    plan = json.loads(cli.ok("estimate", tiny_study(tmp_path), "--json").stdout)
    assert plan["tasks_total"] == 12 and plan["fits"] is True and plan["samples"] == 3
    assert [p["dimension"] for p in plan["points"]] == [64, 64, 216, 216]
    assert all(p["seconds_per_task"] > 0 for p in plan["points"])
    assert plan["core_seconds"] == pytest.approx(
        3 * sum(p["seconds_per_task"] for p in plan["points"]))


def test_estimate_json_of_a_refused_plan(cli, tiny_study, tmp_path):
    proc = cli.run("estimate", tiny_study(tmp_path, grid={"L": [60], "W": [16.5]}), "--json")
    assert proc.returncode == 2 and proc.stderr.startswith("mbl: error:")
    plan = json.loads(proc.stdout)
    assert plan["fits"] is False and plan["peak_memory_bytes"] > plan["available_memory_bytes"]


def test_estimate_prints_human_units(cli, tiny_study, tmp_path):
    out = cli.run("estimate", tiny_study(tmp_path, grid={"L": [60], "W": [16.5]})).stdout
    assert "TiB" in out and "days" in out and "GiB" in out
    assert "e+" not in out


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0 s"), (0.0123, "0.012 s"), (9.99, "10 s"), (42.4, "42 s"), (59.4, "59 s"),
    (59.6, "1.0 min"), (90, "1.5 min"), (3599, "1.0 h"), (5400, "1.5 h"), (86399, "1.0 days"),
    (4 * 86400, "4.0 days"), (400 * 86400, "1.1 years"), (8.7e10, "2757 years"),
    (1e20, "3.2e+12 years"), (-5, "-5 s"), (math.nan, "unknown"), (math.inf, "forever")])
def test_format_seconds(seconds, text):
    assert format_seconds(seconds) == text


@pytest.mark.parametrize(("n", "text"), [
    (0, "0 B"), (1023, "1023 B"), (1024, "1.00 KiB"), (1024**2 - 1, "1024.00 KiB"),
    (1024**3, "1.00 GiB"), (1502037.22 * 1024**3, "1.43 PiB"), (3 * 1024**4, "3.00 TiB"),
    (2 * 1024**6, "2.00 EiB"), (math.nan, "unknown")])
def test_format_bytes(n, text):
    assert format_bytes(n) == text


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_eta_weighted_by_cost():
    """Three cheap tasks (1 s each) done in 3 s, one dear one (7 s) left: counting tasks says
    1 s left, weighting them by cost says 7 s."""
    clock = Clock()
    counts, costs = progress.Eta(clock), progress.Eta(clock)
    assert math.isnan(counts.update(0, 4)) and math.isnan(costs.update(0.0, 10.0))
    clock.t = 3.0
    assert counts.update(3, 4) == pytest.approx(1.0)
    assert costs.update(3.0, 10.0) == pytest.approx(7.0)
    assert costs.rate(3.0) == pytest.approx(1.0)
    clock.t = 10.0
    assert costs.update(10.0, 10.0) == 0.0


def test_bar_uses_the_work_the_runner_reports(monkeypatch):
    monkeypatch.setenv(progress.ENV_EVERY, "1000")  # off a terminal: lines, none this soon
    bar = progress._Bar("t", quiet=False)
    with bar:
        bar.work(0.0, 10.0)
        bar(0, 4, 0)
        bar.work(3.0, 10.0)
        bar(3, 4, 0)
    assert bar.state is not None and bar.state.fraction() == pytest.approx(0.3)


def test_status_eta_weighted_by_cost():
    costs = {"cheap": 1.0, "dear": 7.0}
    done = {("cheap", 0), ("cheap", 1)}
    # two cheap tasks took 2 s: the remaining 2 dear ones, 14 s of one worker, 7 s of two
    assert remaining_seconds(costs, 2, done, 2.0, 1) == pytest.approx(14.0)
    assert remaining_seconds(costs, 2, done, 2.0, 2) == pytest.approx(7.0)
    assert remaining_seconds(costs, 2, set(), 0.0, 1) is None


def test_progress_every_option_and_env(monkeypatch):
    monkeypatch.setattr(progress, "_settings", {"every": None})
    monkeypatch.delenv(progress.ENV_EVERY, raising=False)
    assert progress.progress_every() == progress.DEFAULT_EVERY == 30
    monkeypatch.setenv(progress.ENV_EVERY, "5")
    assert progress.progress_every() == 5
    progress.set_progress_every(0.5)
    assert progress.progress_every() == 0.5
    with pytest.raises(ValueError, match="progress-every"):
        progress.set_progress_every(-1)


def test_plain_progress_lines_off_a_terminal(cli, tiny_study, tmp_path):
    study = tiny_study(tmp_path, study={"samples": 20})
    proc = cli.ok("--progress-every", "0.05", "run", study, "--out", tmp_path / "o")
    lines = [line for line in proc.stderr.splitlines() if " tasks (" in line]
    assert lines, proc.stderr
    assert all(line.startswith("mbl: ") and "/80 tasks" in line and "ETA" in line
               for line in lines)
    assert "80 computed" in proc.stdout


def test_quiet_prints_no_progress_lines(cli, tiny_study, tmp_path):
    study = tiny_study(tmp_path, study={"samples": 1}, grid={"L": [4], "W": [1.0]})
    proc = cli.ok("--progress-every", "0.01", "run", study, "--out", tmp_path / "o", "-q")
    assert " tasks (" not in proc.stderr
