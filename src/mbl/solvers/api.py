"""One entry point for every eigensolver."""

from __future__ import annotations

import numpy as np

from mbl._core.errors import InputError
from mbl._core.threads import blas_defaults, solver_threads
from mbl.solvers.dense import dense
from mbl.solvers.plan import choose_method
from mbl.solvers.polfed import fused_kernels, polfed
from mbl.solvers.result import Eigenpairs, orthogonality_error, residual_norm
from mbl.solvers.shift_invert import shift_invert, spectral_bounds

METHODS = ("dense", "shift_invert", "polfed", "auto")
_NO_TARGET = "give a target: energy= (absolute) or energy_density= (eps in [0, 1])"

blas_defaults()  # BLAS thread counts before any solver call: the user's limits read against them


def target_energy(
    e_min: float, e_max: float, *, energy: float | None, energy_density: float | None
) -> float:
    """Absolute target energy from an explicit ``energy`` or an energy density eps."""
    if energy is not None:
        return float(energy)
    if energy_density is None:
        raise InputError(_NO_TARGET)
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
    Lanczos finds first). ``method="auto"`` with ``k`` returns the same window whichever
    method the memory planner takes (:func:`mbl.solvers.plan.choose_method`: dense up to
    ``dense_max`` when it fits, then shift-invert, then POLFED); when it takes dense, the
    ``k`` levels of the full spectrum nearest the target (all N when k >= N), with their
    residual and orthogonality when vectors are asked for. Without ``k`` it means dense.

    Thread pools: POLFED on a real CSR matrix (numba kernels between BLAS calls) runs with
    BLAS limited so that BLAS times numba threads stays within the cores; dense and
    shift-invert leave BLAS its threads; a limit the user set is never overridden
    (:mod:`mbl._core.threads`).
    """
    if method == "auto":
        if k is None:
            return dense(H, vectors=vectors)
        if energy is None and energy_density is None:  # before any diagonalization
            raise InputError(_NO_TARGET)
        method = choose_method(H, k=k, vectors=vectors, dense_max=dense_max).method
        if method == "dense":
            full = dense(H, vectors=vectors, check=False)
            target = target_energy(full.e_min, full.e_max, energy=energy,
                                   energy_density=energy_density)
            return _nearest(H, full, k, target)
    if method == "dense":
        return dense(H, vectors=vectors)
    if method in ("shift_invert", "polfed"):
        if k is None:
            raise InputError(f"{method} needs k, the number of eigenpairs near the target")
        with solver_threads(numba=method == "polfed" and fused_kernels(H)):
            bounds = None
            if energy is None or method == "polfed":
                bounds = spectral_bounds(H)
            sigma = target_energy(*(bounds or (0.0, 0.0)), energy=energy,
                                  energy_density=energy_density)
            if method == "polfed":
                return polfed(H, sigma=sigma, k=k, bounds=bounds)
            return shift_invert(H, sigma=sigma, k=k, bounds=bounds)
    raise InputError(f"unknown solver method {method!r}; choose one of {', '.join(METHODS)}")


def _nearest(H, full: Eigenpairs, k: int, target: float) -> Eigenpairs:
    """The ``k`` pairs of a full spectrum ``full`` of ``H`` nearest ``target``, ascending.

    Parameters
    ----------
    H : matrix
        The operator ``full`` diagonalizes (for the residuals of the kept vectors).
    full : Eigenpairs
        All N levels (ascending), with or without vectors.
    k : int
        Pairs to keep (all N when k >= N).
    target : float
        Absolute energy the window is centred on.

    Returns
    -------
    Eigenpairs
        The window, with ``residual`` and ``orthogonality`` of its vectors when there are
        vectors (None otherwise), and the extremes of the full spectrum.
    """
    keep = np.sort(np.argsort(np.abs(full.energies - target), kind="stable")[:k])
    w = full.energies[keep]
    if full.vectors is None:
        return Eigenpairs(w, None, None, None, full.method, full.e_min, full.e_max)
    v = full.vectors[:, keep]
    return Eigenpairs(w, v, residual_norm(H, w, v), orthogonality_error(v), full.method,
                      full.e_min, full.e_max)
