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

from mbl.observables import density_of_states, gap_ratios, ipr, window
from mbl.solvers import solve, target_energy
from mbl.study.models import model_params

TaskFunction = Callable[[dict[str, Any], np.random.Generator], dict[str, Any]]


@dataclass(frozen=True)
class Kind:
    """A registered study kind."""

    task: TaskFunction
    axes: dict[str, str] = field(default_factory=dict)


def solver_method(solver: dict[str, Any], n: int, observables: dict[str, Any]) -> str:
    """Resolve ``method = "auto"``: dense up to ``dense_max`` (or when the DOS needs it)."""
    method = solver["method"]
    if method != "auto":
        return method
    if "dos" in observables["names"] or n <= solver["dense_max"] or n <= solver["k"] + 2:
        return "dense"
    return "shift_invert"


def needs_vectors(observables: dict[str, Any]) -> bool:
    return bool({"ipr", "participation_ratio"} & set(observables["names"]))


def spectrum_task(point: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """Diagonalize one realization and measure the requested observables.

    Dense runs keep the fraction ``energy_window`` of all levels centred on the target;
    window methods (shift-invert) use their ``k`` pairs nearest the target.
    """
    params = model_params(point["model"])
    solver, obs = point["solver"], point["observables"]
    H = params.build().hamiltonian(rng=rng)
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
    if needs_vectors(obs):
        q = ipr(res.vectors[:, sel])
        if "ipr" in names:
            out["ipr"], out["ipr_mean"] = q, float(q.mean())
        if "participation_ratio" in names:
            out["pr"], out["pr_mean"] = 1.0 / q, float(np.mean(1.0 / q))
        out["residual"] = res.residual
    if "dos" in names:
        centres, rho = density_of_states(res.energies, bins=obs["eps_bins"], e_min=res.e_min,
                                         e_max=res.e_max)
        out["dos"], out["dos_energy"] = rho, centres
    return out


KINDS: dict[str, Kind] = {
    "spectrum": Kind(spectrum_task, axes={"r": "r_index", "ipr": "level", "pr": "level",
                                          "dos": "eps_bin", "dos_energy": "eps_bin"}),
}
