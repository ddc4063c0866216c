"""The cavity reproductions (bethe-critical, bethe-gamma-distribution, agkl-threshold) on tiny
monkeypatched modes; the quick acceptance run of bethe-critical is marked slow."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mbl.cli import app
from mbl.reproduce import REPRODUCTIONS, agkl_threshold, bethe_critical, bethe_gamma_distribution

KEYS = {"quantity", "params", "value", "error", "interval", "reference", "reference_error",
        "source", "verdict"}
TINY = {
    bethe_critical: dict(K=(2,), replicas={2: 2}, pool=30_000, sweeps=30, curve=(18.0,),
                         curve_pool=10_000, pool_W=(18.0,), weighted_pool=2000),
    bethe_gamma_distribution: dict(pool=5000, pools=3, measure=3),
    agkl_threshold: dict(g=(20.0, 40.0), pool=2000, blocks=4),
}


def _payload(name: str, tmp_path: Path, quick: bool = True) -> dict:
    args = ["reproduce", name, "--json", "--out", str(tmp_path)] + (["--quick"] if quick else [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, "stdout must hold exactly one JSON object"
    payload = json.loads(lines[0])
    assert payload["name"] == name and payload["quick"] is quick and payload["seconds"] > 0
    assert payload["figures"] and all(Path(f).exists() for f in payload["figures"])
    for row in payload["results"]:
        assert set(row) == KEYS
        for key in ("value", "error", "reference", "reference_error"):
            assert row[key] is None or math.isfinite(row[key]), (key, row)
    return payload


def _tiny(module, monkeypatch) -> None:
    monkeypatch.setattr(module, "MODES", {True: TINY[module]})


def test_registered():
    for module in TINY:
        assert REPRODUCTIONS[module.NAME].run is module.run


def test_bethe_critical_tiny(tmp_path, monkeypatch):
    _tiny(bethe_critical, monkeypatch)
    rows = _payload(bethe_critical.NAME, tmp_path)["results"]
    wc = [r for r in rows if r["quantity"] == "W_c"]
    assert len(wc) == 1 and wc[0]["params"]["K"] == 2 and wc[0]["reference"] == 18.17
    assert 0 < wc[0]["error"] < 0.05
    assert abs(wc[0]["value"] - 18.17) < 4 * math.hypot(wc[0]["error"], 0.01)
    closed = {r["quantity"]: r for r in rows if r["quantity"] != "W_c"}
    assert abs(closed["W_c_upper_limit"]["value"] - 29.12) < 0.005
    assert abs(closed["W_c_large_K"]["value"] - 17.23) < 0.005


def test_gamma_distribution_tiny(tmp_path, monkeypatch):
    _tiny(bethe_gamma_distribution, monkeypatch)
    monkeypatch.setattr(bethe_gamma_distribution, "ETAS", (1e-3, 1e-5, 1e-7))
    rows = _payload(bethe_gamma_distribution.NAME, tmp_path)["results"]
    tail = [r for r in rows if r["quantity"] == "tail_exponent"]
    assert len(tail) == 1 and tail[0]["reference"] == 1.5
    assert abs(tail[0]["value"] - 1.5) < 4 * tail[0]["error"] + 0.02
    slopes = {r["params"]["W"]: r["value"] for r in rows if r["quantity"].startswith("dln")}
    assert abs(slopes[25.0] - 1) < 0.05 and abs(slopes[10.0]) < 0.05


def test_agkl_threshold_tiny(tmp_path, monkeypatch):
    _tiny(agkl_threshold, monkeypatch)
    rows = _payload(agkl_threshold.NAME, tmp_path)["results"]
    eps = [r for r in rows if r["quantity"] == "eps_c"]
    assert [r["params"]["g"] for r in eps] == [20.0, 40.0]
    assert all(a["value"] < b["value"] for a, b in zip(eps, eps[1:], strict=False))


@pytest.mark.slow
def test_bethe_critical_quick_acceptance(tmp_path):
    """Acceptance (issue 6): quick mode within 0.3 of W_c(K = 2) = 18.17, in under 5 min."""
    payload = _payload(bethe_critical.NAME, tmp_path)
    wc = next(r for r in payload["results"] if r["quantity"] == "W_c" and r["params"]["K"] == 2)
    assert abs(wc["value"] - 18.17) < 0.3 and wc["error"] < 0.1
    assert payload["seconds"] < 300
