"""Study kinds: each contributes one task function ``task(point, rng) -> dict`` (DESIGN §4).

A task receives the resolved sections of its grid point (``model``, ``solver``,
``observables``) and a generator seeded for (point, sample); it returns named scalars and
arrays. ``Kind.axes`` names the own axis of each array output (used by the export).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mbl._core.errors import InputError
from mbl.observables import (
    density_of_states,
    entanglement_entropy,
    gap_ratios,
    imbalance,
    ipr,
    kl_divergence_neighbours,
    participation_entropies,
    return_probability,
    window,
)
from mbl.observables.spectral import fermi_sea_plus_one, quasiparticle_weights
from mbl.solvers import evolve, solve, target_energy
from mbl.solvers.shift_invert import SUPERLU_MAX, has_mumps
from mbl.study.models import model_params
from mbl.transfer import lyapunov

TaskFunction = Callable[[dict[str, Any], np.random.Generator], dict[str, Any]]


@dataclass(frozen=True)
class Kind:
    """A registered study kind."""

    task: TaskFunction
    axes: dict[str, str] = field(default_factory=dict)


def solver_method(solver: dict[str, Any], n: int, observables: dict[str, Any]) -> str:
    """Resolve ``method = "auto"`` for a study: dense up to ``dense_max`` (or when the DOS
    needs the whole spectrum), else shift-invert where a backend factorizes N (MUMPS, or
    SuperLU up to its limit), else POLFED.

    The rule depends on the installation only, never on the free memory of the moment, so
    every task of a study resolves alike; the memory plan then refuses a study whose tasks
    will not fit, naming the methods that would (:func:`mbl.study.runner.check_memory`).
    """
    method = solver["method"]
    if method != "auto":
        return method
    if "dos" in observables["names"] or n <= solver["dense_max"] or 2 * solver["k"] >= n:
        return "dense"
    return "shift_invert" if has_mumps() or n <= SUPERLU_MAX else "polfed"


def dynamics_method(solver: dict[str, Any], n: int) -> str:
    """Resolve a dynamics study's method: "auto" is dense up to ``dense_max``, Krylov above."""
    method = solver["method"]
    if method == "auto":
        return "dense" if n <= solver["dense_max"] else "krylov"
    if method not in ("dense", "krylov"):
        raise InputError(f"study kind 'dynamics' needs solver.method 'auto', 'dense' or "
                         f"'krylov', not {method!r}")
    return method


VECTOR_OBSERVABLES = {"ipr", "participation_ratio", "entanglement", "participation_entropy", "kl",
                      "quasiparticle"}


def needs_vectors(observables: dict[str, Any]) -> bool:
    return bool(VECTOR_OBSERVABLES & set(observables["names"]))


def gap_ratio_by_energy_density(energies: np.ndarray, e_min: float, e_max: float,
                                bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean r in ``bins`` equal windows of eps = (E - E_min)/(E_max - E_min): (centres, r)."""
    r = gap_ratios(energies)
    eps = (energies[1:-1] - e_min) / max(e_max - e_min, np.finfo(float).tiny)
    idx = np.clip((eps * bins).astype(int), 0, bins - 1)
    ok = np.isfinite(r)
    total = np.bincount(idx[ok], weights=r[ok], minlength=bins)
    count = np.bincount(idx[ok], minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return (np.arange(bins) + 0.5) / bins, mean


def spectrum_task(point: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """Diagonalize one realization and measure the requested observables.

    Dense runs keep the fraction ``energy_window`` of all levels centred on the target;
    window methods (shift-invert) use their ``k`` pairs nearest the target.
    """
    params = model_params(point["model"])
    solver, obs = point["solver"], point["observables"]
    realize = getattr(params, "realize", None)  # models that report more than H (the dot)
    H, info = realize(rng) if realize is not None else (params.hamiltonian(rng), {})
    method = solver_method(solver, H.shape[0], obs)
    res = solve(H, method=method, k=solver["k"], energy=solver["energy"],
                energy_density=solver["energy_density"], vectors=needs_vectors(obs))
    out: dict[str, Any] = {}
    if method == "dense":
        target = target_energy(res.e_min, res.e_max, energy=solver["energy"],
                               energy_density=solver["energy_density"])
        sel = window(res.energies, target, obs["energy_window"])
    else:
        sel = slice(None)
        target = float(np.median(res.energies))
    out["target_energy"] = target
    if res.e_min is not None:
        out["e_min"], out["e_max"] = res.e_min, res.e_max
    energies = res.energies[sel]
    names = obs["names"]
    if "gap_ratio" in names:
        r = gap_ratios(energies)
        out["r"] = r
        out["r_mean"] = float(np.nanmean(r)) if np.any(np.isfinite(r)) else np.nan
    if {"ipr", "participation_ratio"} & set(names):
        q = ipr(res.vectors[:, sel])
        if "ipr" in names:
            out["ipr"], out["ipr_mean"] = q, float(q.mean())
        if "participation_ratio" in names:
            out["pr"], out["pr_mean"] = 1.0 / q, float(np.mean(1.0 / q))
    if needs_vectors(obs):
        out["residual"] = res.residual
    if "r_eps" in names and method == "dense":
        out["eps"], out["r_eps"] = gap_ratio_by_energy_density(res.energies, res.e_min,
                                                               res.e_max, obs["eps_bins"])
    if needs_vectors(obs):
        _eigenstate_measures(out, params, res.vectors[:, sel], obs)
    if "quasiparticle" in names:
        out["qp_eps"], out["qp_ipr"] = _quasiparticle(params, info, res, method)
    if "dos" in names:
        centres, rho = density_of_states(res.energies, bins=obs["eps_bins"], e_min=res.e_min,
                                         e_max=res.e_max)
        out["dos"], out["dos_energy"] = rho, centres
    return out


def _quasiparticle(params: Any, info: dict[str, Any], res: Any,
                   method: str) -> tuple[np.ndarray, np.ndarray]:
    """Fock-space IPR of c†_alpha|FS> for every empty orbital alpha, with eps_alpha - eps_F
    in units of the level spacing (AGKL, THEORY §7.3); needs the full (dense) spectrum."""
    if "levels" not in info:
        raise InputError(f"observable 'quasiparticle' needs the quantum dot (model 'dot'), "
                         f"not {params.name!r}")
    if method != "dense":
        raise InputError("observable 'quasiparticle' needs all eigenvectors: solver.method = "
                         "'dense'")
    levels, n = info["levels"], info["n_particles"]
    alphas = range(n, levels.size)
    eps = (levels[n:] - info["fermi_level"]) / params.Delta
    q = [quasiparticle_weights(res.vectors, res.energies, info["states"],
                               fermi_sea_plus_one(levels.size, n, a)).ipr for a in alphas]
    return eps, np.array(q)


def _eigenstate_measures(out: dict[str, Any], params: Any, vectors: np.ndarray,
                         obs: dict[str, Any]) -> None:
    """Entanglement, participation entropies and KL divergences of the window's states."""
    names = obs["names"]
    if "entanglement" in names:
        L = params.L
        cut = L // 2 if obs["cut"] is None else obs["cut"]
        s = entanglement_entropy(vectors, params.basis().states, L, cut, renyi=(1, 2))
        out["entropy"], out["entropy_mean"] = s[1], float(np.mean(s[1]))
        out["entropy2_mean"] = float(np.mean(s[2]))
    if "participation_entropy" in names:
        s = participation_entropies(vectors, qs=(1, 2))
        out["s1_mean"], out["s2_mean"] = float(np.mean(s[1])), float(np.mean(s[2]))
    if "kl" in names:
        out["kl_mean"] = float(np.mean(kl_divergence_neighbours(vectors)))


def tmm_task(point: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """Smallest positive Lyapunov exponent of one bar, to the target ``rel_error``."""
    bar, solver = point["model"], point["solver"]
    res = lyapunov(d=bar["d"], M=bar["M"], W=bar["W"], E=bar["E"], bc=bar["bc"],
                   disorder=bar["disorder"], rel_error=solver["rel_error"],
                   qr_every=solver["qr_every"], rng=rng)
    return {"gamma": res.gamma, "gamma_error": res.error, "Lambda": res.Lambda,
            "Lambda_error": res.Lambda_error, "slices": float(res.slices)}


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


KINDS: dict[str, Kind] = {
    "spectrum": Kind(spectrum_task, axes={"r": "r_index", "ipr": "level", "pr": "level",
                                          "dos": "eps_bin", "dos_energy": "eps_bin",
                                          "entropy": "level", "eps": "eps_bin",
                                          "r_eps": "eps_bin", "qp_eps": "orbital",
                                          "qp_ipr": "orbital"}),
    "tmm": Kind(tmm_task),
    "dynamics": Kind(dynamics_task, axes={"times": "time", "imbalance": "time",
                                          "return_probability": "time", "entropy_t": "time"}),
}
