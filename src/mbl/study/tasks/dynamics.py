"""The ``dynamics`` task: a quench from a basis state, observed at log-spaced times."""

from __future__ import annotations

from typing import Any

import numpy as np

from mbl._core.errors import InputError
from mbl.observables import entanglement_entropy, imbalance, return_probability
from mbl.solvers import evolve
from mbl.study.kinds import dynamics_method
from mbl.study.models import model_params


def initial_state(states: np.ndarray, L: int, initial: str, rng: np.random.Generator) -> int:
    """Index in ``states`` of the initial basis state: Néel (sites 1, 3, ... up) or random."""
    if initial == "random_product":
        return int(rng.integers(states.size))
    neel = sum(1 << i for i in range(1, L, 2))
    i = int(np.searchsorted(states, neel))
    if i == states.size or states[i] != neel:
        raise InputError(f"the Néel state is not in this sector (L = {L}); use sz = 0 with an "
                         "even L, or initial = 'random_product'")
    return i


def dynamics_task(point: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """Quench from a basis state: psi(t) at t = 0 and log-spaced times, and the requested
    observables of psi(t) (imbalance, half-chain entanglement, return probability)."""
    params = model_params(point["model"])
    solver, obs = point["solver"], point["observables"]
    H = params.hamiltonian(rng)  # the disorder first: the initial state never changes it
    states = params.basis().states
    psi0 = np.zeros(H.shape[0])
    start = initial_state(states, params.L, solver["initial"], rng)
    psi0[start] = 1.0
    times = np.concatenate([[0.0], np.geomspace(solver["t_min"], solver["t_max"],
                                                solver["n_times"])])
    ev = evolve(H, psi0, times, method=dynamics_method(solver, H.shape[0]))
    out: dict[str, Any] = {"times": times, "initial_state": float(states[start]),
                           "matvecs": float(ev.matvecs)}
    names = obs["names"]
    if "imbalance" in names:
        out["imbalance"] = imbalance(ev.states, states, params.L, states[start])
    if "return_probability" in names:
        out["return_probability"] = return_probability(ev.states, psi0)
    if "entanglement" in names:
        cut = params.L // 2 if obs["cut"] is None else obs["cut"]
        out["entropy_t"] = entanglement_entropy(ev.states, states, params.L, cut, renyi=(1,))[1]
    return out
