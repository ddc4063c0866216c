"""imbalance-aubry-andre: the free-fermion reference and the reproduction's contract."""

from __future__ import annotations

import numpy as np

from mbl.models import AubryAndre
from mbl.models.chains import GOLDEN
from mbl.observables.dynamics import magnetization
from mbl.reproduce import imbalance_aubry_andre as rep

from ._contract import _check_contract, _run_json


def test_free_fermion_imbalance_equals_the_many_body_diagonal_ensemble():
    # The one-body formula against the many-body diagonal ensemble of the same chain
    # (Delta = 0, open): sum_n |<n|Neel>|^2 <n| z0 . sigma^z |n> / L.
    L, W, phi = 8, 1.7, 0.37
    model = AubryAndre(L=L, J=1.0, Delta=0.0, W=W, bc="open")
    fields = W * np.cos(2 * np.pi * GOLDEN * np.arange(L) + phi)
    H = model.hamiltonian(sz=0, fields=fields).toarray()
    from mbl.basis import SpinBasis

    states = SpinBasis.from_sz(L, 0).states
    neel = sum(1 << i for i in range(1, L, 2))
    w, V = np.linalg.eigh(H)
    assert np.min(np.diff(w)) > 1e-8  # no many-body degeneracy: the diagonal ensemble holds
    weights = V[np.searchsorted(states, neel)] ** 2
    z0 = 2.0 * ((neel >> np.arange(L)) & 1) - 1.0
    per_state = z0 @ magnetization(V, states, L) / L
    exact = float(weights @ per_state)
    assert abs(rep.free_fermion_imbalance(L, W, np.array([phi]))[0] - exact) < 1e-10


def test_free_fermion_imbalance_limits():
    phases = np.linspace(0, 2 * np.pi, 7)
    assert np.all(rep.free_fermion_imbalance(12, 1e6, phases) > 0.999)  # frozen density wave
    weak, strong = (rep.free_fermion_imbalance(12, W, phases).mean() for W in (0.25, 4.0))
    assert weak < 0.1 < 0.7 < strong


def test_contract_and_delta_zero_against_the_exact_reference(tmp_path, monkeypatch):
    monkeypatch.setattr(rep, "MODES", {True: dict(samples={8: 40}, t_max=1e3)})
    monkeypatch.setattr(rep, "W_GRID", [0.5, 1.5, 3.0, 6.0])
    monkeypatch.setattr(rep, "REFERENCE_PHASES", 2000)
    payload = _run_json(["reproduce", rep.NAME, "--quick", "--json", "--out", str(tmp_path),
                         "--workers", "1"])
    _check_contract(payload, rep.NAME)
    rows = [r for r in payload["results"] if r["quantity"] == "imbalance_late"]
    assert len(rows) == 2 * 4
    for r in rows:
        if r["params"]["Delta"] == 0.0:
            # the late-time window average of the many-body evolution and of exact free
            # fermions at the same times, each with its standard error over phases
            combined = np.hypot(r["error"], r["reference_error"])
            assert abs(r["value"] - r["reference"]) < 4 * combined, r
        else:
            assert r["reference"] is None
    interacting = {r["params"]["W"]: r["value"] for r in rows if r["params"]["Delta"] == 1.0}
    assert interacting[6.0] > interacting[0.5] + 0.3
