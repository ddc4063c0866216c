"""The ``mbl`` command through subprocesses (docs/cli.md): bad input, and every command."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from mbl.cli import app


@pytest.fixture
def existing(cli, completed_study, tmp_path):
    """A copy of a complete study directory, which a refused command must leave untouched."""
    return cli.copy(completed_study[1], tmp_path / "existing")


def _file(tmp, name, content: bytes = b"not a study\n"):
    (tmp / name).write_bytes(content)
    return tmp / name


def _dir(tmp, name):
    (tmp / name).mkdir()
    return tmp / name


def _run(make_file):
    """Case ``mbl run FILE --out EXISTING`` with ``FILE = make_file(tmp_path, tiny_study)``."""
    return lambda tmp, study, existing, tiny: ["run", make_file(tmp, tiny), "--out", existing]


def _run_with(**sections):
    """Case ``mbl run`` of the tiny study with ``sections`` changed, into the existing study."""
    return _run(lambda tmp, tiny: tiny(tmp, name="bad", **sections))


# id -> (argv from (tmp_path, tiny study file, existing study dir, tiny_study), text in message)
CASES = {
    "unknown-key": (_run_with(study={"colour": "blue"}), "colour"),
    "wrong-type": (_run_with(study={"samples": "many"}), "samples = 'many'"),
    "negative-W": (_run_with(grid={"W": [12.0, -1.0]}), "W = -1.0"),
    "L-1": (_run_with(grid={"L": [4, 1]}), "L = 1"),
    "d-4": (_run_with(model={"d": 4}), "d = 4"),
    "unknown-observable": (_run_with(observables={"names": ["gap_ratio", "magic"]}), "magic"),
    "grid-axis-not-a-key": (_run_with(grid={"zzz": [1, 2]}), "zzz"),
    "energy-density-2": (_run_with(solver={"energy_density": 2}), "energy_density = 2"),
    "empty-grid-list": (_run_with(grid={"W": []}), "empty"),
    "exceeds-memory": (_run_with(grid={"L": [60]}), "available"),
    "different-study": (_run_with(model={"bc": "open"}), "model.bc"),
    "missing-file": (_run(lambda tmp, tiny: tmp / "nope.toml"), "does not exist"),
    "malformed-toml": (_run(lambda tmp, tiny: _file(tmp, "bad.toml", b"[study\nkind = 1\n")),
                       "not valid TOML"),
    "not-utf8": (_run(lambda tmp, tiny: _file(tmp, "bad.toml", b"[study]\nkind = '\xff'\n")),
                 "UTF-8"),
    "set-without-equals": (lambda tmp, study, ex, tiny: ["run", study, "--out", ex, "--set",
                                                         "study.samples"], "--set"),
    "workers-0": (lambda tmp, study, ex, tiny: ["run", study, "--out", tmp / "fresh",
                                                "--workers", 0], "--workers"),
    "retries-negative": (lambda tmp, study, ex, tiny: ["run", study, "--out", tmp / "fresh",
                                                       "--retries", -1], "--retries"),
    "cluster-not-local": (lambda tmp, study, ex, tiny: ["run", study, "--out", tmp / "fresh",
                                                        "--cluster", "slurm:4"], "local:N"),
    "scheduler-and-cluster": (lambda tmp, study, ex, tiny: [
        "run", study, "--out", tmp / "fresh", "--scheduler", "tcp://127.0.0.1:8786",
        "--cluster", "local:2"], "not both"),
    "workers-with-cluster": (lambda tmp, study, ex, tiny: [
        "run", study, "--out", tmp / "fresh", "--workers", 2, "--cluster", "local:2"],
        "drop --workers"),
    "out-is-a-file": (lambda tmp, study, ex, tiny: ["run", study, "--out", _file(tmp, "f")],
                      "not a study directory"),
    "reproduce-unknown": (lambda tmp, study, ex, tiny: ["reproduce", "nope"], "'nope'"),
    "status-not-a-study": (lambda tmp, study, ex, tiny: ["status", _dir(tmp, "empty")],
                           "holds no study"),
    "export-not-a-study": (lambda tmp, study, ex, tiny: ["export", _dir(tmp, "empty")],
                           "holds no study"),
    "export-format-xls": (lambda tmp, study, ex, tiny: ["export", ex, "--format", "xls",
                                                        "-o", tmp / "out.xls"], "xls"),
    "plot-unknown-y": (lambda tmp, study, ex, tiny: ["plot", ex, "--y", "nope",
                                                     "-o", tmp / "p.png"], "nope"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_exit_2_one_paragraph_and_nothing_changed(cli, tiny_study, tmp_path,
                                                            existing, case):
    build, named = CASES[case]
    study = tiny_study(tmp_path)
    argv = build(tmp_path, study, existing, tiny_study)
    before = cli.snapshot(existing)
    listing = sorted(p.name for p in tmp_path.iterdir())
    err = cli.bad(*argv)
    assert named in err
    assert cli.snapshot(existing) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing, "bad input created files"


@pytest.mark.parametrize("argv", [["run", "s.toml", "--bogus"], ["run"], ["frobnicate"],
                                  ["run", "s.toml", "--workers", "x"]])
def test_usage_errors_exit_2_without_traceback(cli, argv):
    proc = cli.run(*argv)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr.strip()


# ------------------------------------------------------------------ the other commands


def test_status_shows_counts(cli, completed_study):
    out = cli.ok("status", completed_study[1]).stdout
    assert "12 / 12 stored (100.0%)" in out
    assert "0 failure record(s)" in out and "seed 20261123" in out and "complete" in out


def test_export_csv_matches_netcdf(cli, completed_study, tmp_path):
    directory = completed_study[1]
    ds = cli.export(directory, tmp_path / "a.nc")
    assert dict(ds.sizes) | {"level": 0} == {"L": 2, "W": 2, "sample": 3, "r_index": 20,
                                             "level": 0}
    r4, r6 = ds["r"].sel(L=4).values, ds["r"].sel(L=6).values
    n4 = int(np.isfinite(r4[0, 0]).sum())
    assert 0 < n4 < 20 and np.isfinite(r6).all()  # L = 4 has fewer levels: padded with NaN
    assert np.isfinite(r4[..., :n4]).all() and np.isnan(r4[..., n4:]).all()
    cli.ok("export", directory, "--format", "csv", "-o", tmp_path / "a.csv")
    with (tmp_path / "a.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 12
    assert {"L", "W", "sample", "r_mean", "ipr_mean"} <= set(rows[0])
    for row in rows:
        ref = ds["r_mean"].sel(L=int(row["L"]), W=float(row["W"]), sample=int(row["sample"]))
        assert float(row["r_mean"]) == float(ref) and math.isfinite(float(ref))


def test_export_default_path_is_inside_the_study(cli, completed_study, tmp_path):
    directory = cli.copy(completed_study[1], tmp_path / "mine")
    out = cli.ok("export", directory).stdout.strip()
    assert out.endswith("mine.nc") and (directory / "mine.nc").exists()


def test_plot_writes_png(cli, completed_study, tmp_path):
    png = tmp_path / "fig.png"
    out = cli.ok("plot", completed_study[1], "--x", "W", "--y", "r_mean", "--hue", "L",
                 "-o", png).stdout
    assert str(png) in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 1000


def test_info(cli):
    out = cli.ok("info").stdout
    for key in ("mbl", "numpy", "scipy", "memory", "cpu_count"):
        assert key in out


def test_estimate_prints_a_table(cli, tiny_study, tmp_path):
    out = cli.ok("estimate", tiny_study(tmp_path)).stdout.splitlines()
    assert "peak memory" in out[0] and "time/task" in out[0]
    assert [line.split()[:3] for line in out[1:5]] == [
        ["L=4,", "W=12.0", "64"], ["L=4,", "W=16.5", "64"],
        ["L=6,", "W=12.0", "216"], ["L=6,", "W=16.5", "216"]]
    assert out[5].startswith("total: 12 tasks")


def test_estimate_refuses_a_plan_beyond_memory(cli, tiny_study, tmp_path):
    proc = cli.run("estimate", tiny_study(tmp_path, grid={"L": [60], "W": [16.5]}))
    assert proc.returncode == 2 and proc.stderr.startswith("mbl: error:")
    assert "216000" in proc.stdout  # the plan is still shown


def test_reproduce_lists_entries(cli):
    from mbl.reproduce import REPRODUCTIONS

    head, *lines, foot = cli.ok("reproduce").stdout.splitlines()
    assert head.split()[:3] == ["name", "quick", "full"] and foot.startswith("times:")
    assert [line.split()[0] for line in lines] == list(REPRODUCTIONS)
    assert REPRODUCTIONS


def test_run_without_out_uses_runs_name_hash(cli, tiny_study, tmp_path):
    study = tiny_study(tmp_path, study={"samples": 1}, grid={"L": [4], "W": [1.0]})
    cli.ok("run", study)
    (made,) = (tmp_path / "runs").iterdir()
    assert made.name.startswith("tiny-") and len(made.name) == len("tiny-") + 8
    assert (made / "study.sqlite").exists()


COMMANDS = [c.name or c.callback.__name__ for c in app.registered_commands]


def test_every_documented_command_exists():
    assert set(COMMANDS) >= {"run", "status", "export", "plot", "reproduce", "estimate", "info"}


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help(cli, command):
    proc = cli.ok(*([command] if command else []), "--help")
    assert "Usage" in proc.stdout
