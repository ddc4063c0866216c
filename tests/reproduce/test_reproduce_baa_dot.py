"""The BAA-cells mobility edge and AGKL dot reproductions on tiny monkeypatched modes."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from mbl.cli import app
from mbl.reproduce import REPRODUCTIONS, baa_cells_edge, dot_fock
from mbl.study.config import parse_config
from mbl.study.tasks.spectrum import spectrum_task

KEYS = {"quantity", "params", "value", "error", "interval", "reference", "reference_error",
        "source", "verdict"}


def _run_json(args: list[str]) -> dict:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, "stdout must hold exactly one JSON object"
    payload = json.loads(lines[0])
    assert set(payload) == {"schema", "name", "quick", "seconds", "figures", "results",
                            "provenance"}
    assert payload["quick"] is True and payload["seconds"] > 0
    assert payload["figures"] and all(f.endswith(".png") and Path(f).exists()
                                      for f in payload["figures"])
    for row in payload["results"]:
        assert set(row) == KEYS
        for key in ("value", "error", "reference", "reference_error"):
            v = row[key]
            assert v is None or (isinstance(v, float) and math.isfinite(v)), (key, v)
    return payload


def test_registered():
    assert baa_cells_edge.NAME in REPRODUCTIONS and dot_fock.NAME in REPRODUCTIONS


def test_baa_cells_edge_contract(tmp_path, monkeypatch):
    monkeypatch.setattr(baa_cells_edge, "MODES", {True: dict(samples={1: 20, 2: 10})})
    monkeypatch.setattr(baa_cells_edge, "LAM_GRID", [0.1, 0.3, 0.6, 1.0])
    monkeypatch.setattr(baa_cells_edge, "EPS_BINS", 3)
    payload = _run_json(["reproduce", baa_cells_edge.NAME, "--quick", "--json", "--out",
                         str(tmp_path), "--workers", "1"])
    rows = payload["results"]
    assert [r["quantity"] for r in rows] == ["lambda_c"] * 3
    assert [r["params"]["eps"] for r in rows] == sorted(r["params"]["eps"] for r in rows)
    assert all(r["params"]["n_cells"] == [1, 2] for r in rows)
    assert all(r["reference"] is None for r in rows)
    # no crossing -> null value and null interval together
    assert all((r["value"] is None) == (r["interval"] is None) for r in rows)


def test_dot_fock_contract(tmp_path, monkeypatch):
    monkeypatch.setattr(dot_fock, "MODES", {True: dict(n_orbitals=8, n_particles=4,
                                                       g=[3.0, 12.0], samples=12)})
    payload = _run_json(["reproduce", dot_fock.NAME, "--quick", "--json", "--out",
                         str(tmp_path), "--workers", "1"])
    rows = payload["results"]
    eps_c = [r for r in rows if r["quantity"] == "eps_c"]
    assert [r["params"]["g"] for r in eps_c] == [3.0, 12.0]
    for r in eps_c:
        assert r["reference"] == pytest.approx(math.sqrt(r["params"]["g"]
                                                         / math.log(r["params"]["g"])))
        assert "AGKL" in r["source"]
        assert (r["value"] is None) == (r["error"] is None)
    assert {r["quantity"] for r in rows} == {"eps_c", "r_mean"}


def test_threshold_interpolates_first_downward_crossing():
    eps = np.array([1.0, 2.0, 3.0, 4.0])
    assert dot_fock.threshold(eps, np.array([0.9, 0.7, 0.3, 0.6])) == pytest.approx(2.5)
    assert math.isnan(dot_fock.threshold(eps, np.array([0.9, 0.8, 0.7, 0.6])))
    assert math.isnan(dot_fock.threshold(eps, np.array([0.4, 0.3, 0.2, 0.1])))


def _point(model: dict, names: list[str]) -> dict:
    cfg = parse_config({"study": {"kind": "spectrum", "seed": 1, "samples": 1},
                        "model": model, "solver": {"method": "dense"},
                        "observables": {"names": names}})
    return cfg.points()[0].as_task()


def test_quasiparticle_observable_free_dot_is_localized():
    point = _point({"name": "dot", "n_orbitals": 8, "n_particles": 4, "g": math.inf},
                   ["quasiparticle"])
    out = spectrum_task(point, np.random.default_rng(3))
    assert out["qp_eps"].shape == out["qp_ipr"].shape == (4,)
    assert np.all(out["qp_eps"] > 0) and np.all(np.diff(out["qp_eps"]) > 0)
    assert np.allclose(out["qp_ipr"], 1.0)  # no interaction: c†|FS> is an eigenstate
    point["model"].update(g=1.0, window=100.0)  # every orbital interacts
    out = spectrum_task(point, np.random.default_rng(3))
    assert np.all(out["qp_ipr"] < 1.0) and np.all(out["qp_ipr"] > 0)


def test_quasiparticle_needs_the_dot():
    from mbl._core.errors import ConfigError

    with pytest.raises(ConfigError, match="'quasiparticle' needs one of the models 'dot'"):
        _point({"name": "baa_cells", "n_cells": 2, "levels": 3, "I": 0.1, "lam": 0.5,
                "M": 3.0}, ["quasiparticle"])


def test_model_params_validate():
    from mbl.study.config import ConfigError

    with pytest.raises(ConfigError):  # 7 sites: no half filling
        _point({"name": "baa_cells", "n_cells": 1, "levels": 7, "I": 0.1, "lam": 0.5,
                "M": 3.0}, ["gap_ratio"])
    with pytest.raises(ConfigError):  # beyond exact diagonalization
        _point({"name": "baa_cells", "n_cells": 6, "levels": 4, "I": 0.1, "lam": 0.5,
                "M": 3.0}, ["gap_ratio"])
    with pytest.raises(ConfigError):
        _point({"name": "dot", "n_orbitals": 8, "n_particles": 9, "g": 2.0}, ["gap_ratio"])
    p = _point({"name": "baa_cells", "n_cells": 2, "levels": 4, "I": 0.1, "lam": 0.5,
                "M": 3.0}, ["gap_ratio"])
    assert p["model"]["n"] is None and 0 < spectrum_task(p, np.random.default_rng(0))["r"].size < 70
