"""Reproductions: the JSON contract of docs/cli.md §3, on shrunken studies (the real ones are
slow)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from mbl.cli import app
from mbl.reproduce import REPRODUCTIONS, anderson_3d, anderson_lowd

from ._contract import _check_contract, _run_json


def test_lowd_contract_and_physics(tmp_path, monkeypatch):
    monkeypatch.setattr(anderson_lowd, "SIZES", {True: {1: [20, 40, 80], 2: [6, 8, 12]}})
    monkeypatch.setattr(anderson_lowd, "CLEAN_SIZES", [10, 20, 40])
    payload = _run_json(["reproduce", anderson_lowd.NAME, "--quick", "--json", "--out",
                         str(tmp_path), "--workers", "1"])
    _check_contract(payload, anderson_lowd.NAME)
    rows = payload["results"]
    clean = [r for r in rows if r["params"].get("W") == 0.0]
    assert clean and all(abs(r["value"] - r["reference"]) < 1e-9 for r in clean)
    d1 = [r for r in rows if r["quantity"] == "D" and r["params"]["d"] == 1]
    # 1D at W >= 8: the localization length is ~1 site, so the PR no longer grows with L.
    assert all(abs(r["value"]) < 4 * r["error"] + 0.05 for r in d1)
    for f in payload["figures"]:
        assert (tmp_path / f).exists() or __import__("pathlib").Path(f).exists()


def test_3d_contract_on_small_cubes(tmp_path, monkeypatch):
    tiny = dict(samples={4: 60, 6: 30}, W=(8.0, 30.0, 6), window=0.5, degree=1,
                dense_max=2000, limit_samples=4)
    monkeypatch.setattr(anderson_3d, "MODES", {True: tiny})
    monkeypatch.setattr(anderson_3d, "LIMIT_L", 4)
    payload = _run_json(["reproduce", anderson_3d.NAME, "--quick", "--json", "--out",
                         str(tmp_path), "--workers", "1"])
    _check_contract(payload, anderson_3d.NAME)
    wc = [r for r in payload["results"] if r["quantity"] == "W_c"]
    assert len(wc) == 1 and wc[0]["params"]["d"] == 3
    # tiny cubes may not cross inside the grid: then the value is null and so is the interval
    assert (wc[0]["value"] is None) == (wc[0]["interval"] is None)
    assert wc[0]["reference"] == pytest.approx(16.543)


def test_table_output_and_listing(tmp_path, monkeypatch):
    result = CliRunner().invoke(app, ["reproduce"])
    assert result.exit_code == 0
    for name in REPRODUCTIONS:
        assert name in result.stdout


@pytest.mark.slow
def test_3d_quick_acceptance(tmp_path):
    """The acceptance run: W_c error <= 0.4, W_c +- 2 error overlaps [15.5, 17.5]."""
    out = subprocess.run([sys.executable, "-m", "mbl.cli", "reproduce", anderson_3d.NAME,
                          "--quick", "--json", "--out", str(tmp_path)],
                         capture_output=True, text=True, check=True)
    payload = json.loads(out.stdout)
    _check_contract(payload, anderson_3d.NAME)
    wc = next(r for r in payload["results"] if r["quantity"] == "W_c")
    print(f"W_c = {wc['value']:.3f} +- {wc['error']:.3f} in {payload['seconds']:.0f} s")
    assert wc["error"] <= 0.4
    assert wc["value"] - 2 * wc["error"] <= 17.5 and wc["value"] + 2 * wc["error"] >= 15.5


def test_xxz_levels_contract_on_short_chains(tmp_path, monkeypatch):
    from mbl.reproduce import xxz_levels

    monkeypatch.setattr(xxz_levels, "MODES",
                        {True: dict(samples={6: 40, 8: 20}, window=0.5, degree=2)})
    payload = _run_json(["reproduce", xxz_levels.NAME, "--quick", "--json", "--out",
                         str(tmp_path), "--workers", "1"])
    _check_contract(payload, xxz_levels.NAME)
    assert len(payload["figures"]) == 2
    quantities = [r["quantity"] for r in payload["results"]]
    assert quantities[0] == "W_c" and "S_half" in quantities
    r = {r["params"]["W"]: r["value"] for r in payload["results"] if r["quantity"] == "r_mean"}
    assert r[0.5] > r[8.0]  # ergodic at weak disorder, localized at strong disorder


def test_xxz_crossing_drift_contract_on_short_chains(tmp_path, monkeypatch):
    from mbl.reproduce import xxz_crossing_drift as rep

    monkeypatch.setattr(rep, "MODES", {True: dict(W=[0.5, 1.5, 3.0, 5.0, 8.0],
                                                  samples={6: 60, 8: 40, 10: 20})})
    monkeypatch.setattr(rep, "DENSE_MAX_L", 8)  # L = 10 through the shift-invert path
    payload = _run_json(["reproduce", rep.NAME, "--quick", "--json", "--out", str(tmp_path),
                         "--workers", "1"])
    _check_contract(payload, rep.NAME)
    rows = payload["results"]
    assert [r["quantity"] for r in rows] == ["W_cross", "W_cross", "dW_cross_dL",
                                             "W_cross_extrapolated"]
    assert [r["params"]["L"] for r in rows[:2]] == [[6, 8], [8, 10]]
    assert all(r["reference"] is None for r in rows[:3])  # no published table
    assert rows[3]["reference"] == pytest.approx(3.72)
    assert rep.levels_used(6) == 4 and rep.levels_used(8) == 14 and rep.levels_used(12) == 50


def test_xxz_mobility_edge_contract(tmp_path, monkeypatch):
    from mbl.reproduce import xxz_mobility_edge

    monkeypatch.setattr(xxz_mobility_edge, "MODES", {True: dict(samples={6: 20, 8: 10})})
    payload = _run_json(["reproduce", xxz_mobility_edge.NAME, "--quick", "--json", "--out",
                         str(tmp_path), "--workers", "1"])
    _check_contract(payload, xxz_mobility_edge.NAME)
    eps = [r["params"]["eps"] for r in payload["results"]]
    assert eps == sorted(eps) and len(eps) == xxz_mobility_edge.EPS_BINS


def test_1d_lyapunov_contract_and_band_centre_anomaly(tmp_path, monkeypatch):
    from mbl.reproduce import anderson_1d_lyapunov as rep

    monkeypatch.setattr(rep, "MODES", {True: dict(E=[0.0, 0.5], rel_error=1e-2)})
    payload = _run_json(["reproduce", rep.NAME, "--quick", "--json", "--out", str(tmp_path),
                         "--workers", "1"])
    _check_contract(payload, rep.NAME)
    rows = payload["results"]
    half = next(r for r in rows if r["params"]["E"] == 0.5)
    assert abs(half["value"] - half["reference"]) <= 4 * half["error"] + 0.03 * half["reference"]
    centre = [r for r in rows if r["params"]["E"] == 0.0]
    assert len(centre) == 2  # Born and the Kappus-Wegner anomaly
