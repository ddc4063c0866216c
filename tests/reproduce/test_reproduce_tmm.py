"""Transfer-matrix reproductions on shrunken studies: the JSON contract and coarse physics."""

from __future__ import annotations

from mbl.reproduce import anderson_2d_scaling, anderson_3d_mobility_edge, anderson_3d_tmm
from mbl.scaling.fss import ScalingModel

from ._contract import _check_contract, _run_json


def _run(rep, tmp_path):
    payload = _run_json(["reproduce", rep.NAME, "--quick", "--json", "--out", str(tmp_path),
                         "--workers", "1"])
    _check_contract(payload, rep.NAME)
    return payload["results"]


def test_3d_tmm_reports_wc_and_nu_with_intervals(tmp_path, monkeypatch):
    monkeypatch.setattr(anderson_3d_tmm, "MODES", {True: dict(
        W=[14.5, 15.5, 16.5, 17.5, 18.5], sizes={4: 1e-2, 5: 1e-2, 6: 1e-2},
        model=ScalingModel(n_r=2, n_i=0))})
    rows = {r["quantity"]: r for r in _run(anderson_3d_tmm, tmp_path)}
    assert {"W_c", "nu", "Lambda_c", "fit_Q"} <= set(rows)
    wc = rows["W_c"]
    assert wc["interval"][0] <= wc["value"] <= wc["interval"][1]
    assert 15.0 < wc["value"] < 18.0  # small bars at 1%: the transition region, no more
    assert 0.5 < rows["Lambda_c"]["value"] < 0.7


def test_2d_scaling_every_disorder_localizes(tmp_path, monkeypatch):
    monkeypatch.setattr(anderson_2d_scaling, "MODES", {True: dict(
        W=[6.0, 10.0, 15.0], sizes={4: 2e-2, 8: 2e-2})})
    rows = _run(anderson_2d_scaling, tmp_path)
    slopes = [r for r in rows if r["quantity"] == "dlnLambda_dlnM"]
    assert len(slopes) == 3
    assert all(r["value"] + 3 * r["error"] < 0 for r in slopes)  # Lambda falls with M
    xi = {r["params"]["W"]: r["value"] for r in rows if r["quantity"] == "xi"}
    assert xi[6.0] > xi[10.0] > xi[15.0]


def test_mobility_edge_contract(tmp_path, monkeypatch):
    monkeypatch.setattr(anderson_3d_mobility_edge, "MODES", {True: dict(
        W=[8.0, 12.0], E=[0.0, 3.0, 6.0, 7.0, 8.0, 9.0], sizes={4: 3e-2, 6: 3e-2})})
    rows = _run(anderson_3d_mobility_edge, tmp_path)
    edges = [r for r in rows if r["quantity"] == "E_c"]
    assert [r["params"]["W"] for r in edges] == [8.0, 12.0]
    assert rows[-1]["quantity"] == "E_c_max" and rows[-1]["reference"] == 6.0


def test_entanglement_growth_contract(tmp_path, monkeypatch):
    from mbl.reproduce import entanglement_growth as rep

    monkeypatch.setattr(rep, "MODES", {True: dict(samples={8: 6}, t_max=100.0,
                                                  window=(10.0, 100.0))})
    rows = _run(rep, tmp_path)
    slopes = [r for r in rows if r["quantity"] == "S_slope"]
    assert [r["params"]["Delta"] for r in slopes] == [0.0, 0.2]
    assert all(r["error"] > 0 for r in slopes)


def test_xxz_mid_spectrum_contract_and_dense_check(tmp_path, monkeypatch):
    from mbl.reproduce import xxz_mid_spectrum as rep

    monkeypatch.setattr(rep, "MODES", {True: dict(samples={8: 30, 10: 20})})
    monkeypatch.setattr(rep, "K", 12)
    monkeypatch.setattr(rep, "CHECK", dict(L=10, W=3.0, samples=2))
    rows = {r["quantity"]: r for r in _run(rep, tmp_path)}
    assert "W_c" in rows
    assert rows["E_window_minus_dense"]["value"] < 1e-12
    assert rows["r_window_minus_dense"]["value"] < 1e-9
