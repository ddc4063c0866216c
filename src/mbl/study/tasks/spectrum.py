"""The ``spectrum`` task: diagonalize one realization, measure the requested observables."""

from __future__ import annotations

from typing import Any

import numpy as np

from mbl.observables import (
    density_of_states,
    entanglement_entropy,
    gap_ratios,
    ipr,
    kl_divergence_neighbours,
    participation_entropies,
    window,
)
from mbl.observables.spectral import fermi_sea_plus_one, quasiparticle_weights
from mbl.solvers import solve, target_energy
from mbl.study.kinds import needs_vectors, solver_method
from mbl.study.models import model_params


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
    window methods (shift-invert, POLFED) use their ``k`` pairs nearest the target. The
    observables of the whole spectrum (``r_eps``, ``dos``, ``quasiparticle``) come with dense
    runs only, which the config guarantees.
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
    if {"ipr", "participation_ratio", "entanglement"} & set(names):
        out["level_energy"] = energies  # the energies of the per-level arrays
    if "r_eps" in names:
        out["eps"], out["r_eps"] = gap_ratio_by_energy_density(res.energies, res.e_min,
                                                               res.e_max, obs["eps_bins"])
    if needs_vectors(obs):
        _eigenstate_measures(out, params, res.vectors[:, sel], obs)
    if "quasiparticle" in names:
        out["qp_eps"], out["qp_ipr"] = _quasiparticle(params, info, res)
    if "dos" in names:
        centres, rho = density_of_states(res.energies, bins=obs["eps_bins"], e_min=res.e_min,
                                         e_max=res.e_max)
        out["dos"], out["dos_energy"] = rho, centres
    return out


def _quasiparticle(params: Any, info: dict[str, Any], res: Any) -> tuple[np.ndarray, np.ndarray]:
    """Fock-space IPR of c†_alpha|FS> for every empty orbital alpha of the dot, with
    eps_alpha - eps_F in units of the level spacing (AGKL), from the full spectrum."""
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
