"""The BAA reproductions (baa-phase-diagram, baa-gamma-distribution, baa-tc) on tiny
monkeypatched modes, through the CLI and the JSON contract of docs/cli.md §3."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from tests.reproduce._contract import _check_contract, _run_json

from mbl.baa import closed_forms as cf
from mbl.reproduce import REPRODUCTIONS, baa_gamma_distribution, baa_phase_diagram, baa_tc

TINY = {
    baa_phase_diagram: dict(lams=(2e-3,), temps=(0.3, 6.0), sizes=(3, 4), etas=(1e-3, 1e-4),
                            max_iter=20, tc_lams=(2e-3,), particles=500),
    baa_gamma_distribution: dict(temps=(0.3, 6.0), sizes={0.3: (3, 4), 6.0: (3, 4)},
                                 etas=(1e-3, 1e-4), max_iter=20),
    baa_tc: dict(lams=(2e-3,), particles=500, check=None),  # one lambda, no population check
}


def _payload(module, tmp_path: Path, monkeypatch) -> dict:
    monkeypatch.setattr(module, "MODES", {True: TINY[module]})
    payload = _run_json(["reproduce", module.NAME, "--quick", "--json", "--out", str(tmp_path)])
    _check_contract(payload, module.NAME)
    assert all(Path(f).exists() for f in payload["figures"])
    return payload


def test_registered():
    for module in TINY:
        assert REPRODUCTIONS[module.NAME].run is module.run


@pytest.mark.parametrize("module", list(TINY), ids=lambda m: m.NAME)
def test_tiny_contract(module, tmp_path, monkeypatch):
    rows = _payload(module, tmp_path, monkeypatch)["results"]
    assert rows
    tc = [r for r in rows if r["quantity"] in ("T_c", "T_c_tree")]
    for r in tc:  # the tree T_c is compared with the I-independent asymptote
        assert r["reference"] == pytest.approx(cf.tc_asymptote(2e-3, 5.0))
        assert r["value"] > 0 and r["error"] > 0
    slopes = {r["params"]["T"]: r for r in rows if r["quantity"] == "dlnGamma_typ/dln_eta"}
    if slopes:  # deep in the insulator the typical width is proportional to eta
        assert slopes[0.3]["params"]["phase"] == "insulator"
        assert math.isclose(slopes[0.3]["value"], 1.0, abs_tol=0.05)
