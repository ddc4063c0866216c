"""One entry point for every eigensolver."""

from __future__ import annotations

from mbl._core.errors import InputError
from mbl.solvers.dense import dense
from mbl.solvers.plan import choose_method
from mbl.solvers.polfed import polfed
from mbl.solvers.result import Eigenpairs
from mbl.solvers.shift_invert import shift_invert, spectral_bounds

METHODS = ("dense", "shift_invert", "polfed", "auto")


def target_energy(
    e_min: float, e_max: float, *, energy: float | None, energy_density: float | None
) -> float:
    """Absolute target energy from an explicit ``energy`` or an energy density eps."""
    if energy is not None:
        return float(energy)
    if energy_density is None:
        raise InputError("give a target: energy= (absolute) or energy_density= (eps in [0, 1])")
    return e_min + float(energy_density) * (e_max - e_min)


def solve(
    H,
    *,
    method: str = "dense",
    k: int | None = None,
    energy: float | None = None,
    energy_density: float | None = None,
    vectors: bool = False,
    dense_max: int = 8000,
) -> Eigenpairs:
    """Eigenpairs of a Hermitian ``H``.

    ``method="dense"`` returns the full spectrum (``k``, ``energy`` and ``energy_density``
    are ignored; observables select their own window). ``method="shift_invert"`` (sparse LU)
    and ``method="polfed"`` (polynomial filter, products H @ X only) return the ``k`` pairs
    nearest the target (``energy``, or ``energy_density`` of the spectrum whose extremes
    Lanczos finds first). ``method="auto"`` asks the memory planner
    (:func:`mbl.solvers.plan.choose_method`): dense up to ``dense_max`` when it fits, then
    shift-invert, then POLFED; without ``k`` it means dense.
    """
    if method == "auto":
        method = "dense" if k is None else choose_method(H, k=k, vectors=vectors,
                                                         dense_max=dense_max).method
    if method == "dense":
        return dense(H, vectors=vectors)
    if method in ("shift_invert", "polfed"):
        if k is None:
            raise InputError(f"{method} needs k, the number of eigenpairs near the target")
        bounds = None
        if energy is None or method == "polfed":
            bounds = spectral_bounds(H)
        sigma = target_energy(*(bounds or (0.0, 0.0)), energy=energy, energy_density=energy_density)
        if method == "polfed":
            return polfed(H, sigma=sigma, k=k, bounds=bounds)
        return shift_invert(H, sigma=sigma, k=k, bounds=bounds)
    raise InputError(f"unknown solver method {method!r}; choose one of {', '.join(METHODS)}")
