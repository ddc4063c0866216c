"""Memory and time plan of a study's tasks, before anything runs (``mbl estimate``).

The eigensolvers' peaks come from :mod:`mbl.solvers.plan` (dense: the measured multiple of
8 N^2; shift-invert: MUMPS's own symbolic analysis of the Hamiltonian's pattern, built once
per model shape; POLFED: its block Lanczos basis). Dynamics tasks hold the Krylov basis and
the stored states. The interpreter and imports are the resident size of this process when
the plan is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mbl._core.memory import current_rss
from mbl.solvers.plan import dense_bytes, polfed_bytes, shift_invert_bytes
from mbl.study.config import StudyConfig
from mbl.study.kinds import dynamics_method, needs_vectors, solver_method
from mbl.study.models import model_params

#: Seconds per N^3 of a one-thread LAPACK eigh (values / vectors), measured at N = 4096.
DENSE_SECONDS_VALUES = 8.0e-11
DENSE_SECONDS_VECTORS = 1.7e-10
#: Krylov dimension of the time evolution (:mod:`mbl.solvers.krylov`).
KRYLOV_VECTORS = 31


@dataclass(frozen=True)
class TaskPlan:
    """The plan of one grid point's task."""

    coords: dict[str, Any]
    dimension: int
    method: str
    peak_bytes: int
    seconds: float


def _hamiltonian(params: Any, cache: dict) -> Any:
    """One realization's H (fixed seed) for the planner; its pattern is what matters, so one
    per model shape is built (the disorder strength does not change it)."""
    key = (type(params).__name__, params.dimension(), getattr(params, "bc", None))
    if key not in cache:
        cache[key] = params.hamiltonian(np.random.default_rng(0))
    return cache[key]


def task_needs_vectors(kind: str, observables: dict[str, Any]) -> bool:
    """Whether a task of this study kind keeps eigenvectors (dense propagation does)."""
    return kind == "dynamics" or needs_vectors(observables)


def method_bytes(method: str, params: Any, solver: dict[str, Any], *, vectors: bool,
                 n_times: int = 0, cache: dict | None = None) -> int:
    """Predicted peak bytes (above the interpreter) of ``method`` on this model point."""
    cache = {} if cache is None else cache
    n = params.dimension()
    if method == "dense":
        return dense_bytes(n, vectors=vectors)
    H = _hamiltonian(params, cache)
    if method == "krylov":  # the Lanczos basis, the CSR matrix, the output states
        return 16 * n * (KRYLOV_VECTORS + n_times + 1) + 12 * H.nnz
    if method == "polfed":
        return polfed_bytes(n, H.nnz, solver["k"])
    return shift_invert_bytes(H, solver["k"])[0]


def plan(cfg: StudyConfig, *, baseline: int | None = None) -> list[TaskPlan]:
    """One :class:`TaskPlan` per grid point (every sample of a point costs the same)."""
    base = current_rss() if baseline is None else baseline
    out, cache = [], {}
    for p in cfg.points():
        params = model_params(p.model)
        n = params.dimension()
        if cfg.study.kind == "tmm":  # a block of disorder and the 2m x m columns; time unknown
            mem = 8 * (max(512, 20000 // n) * n + 6 * n * n)
            out.append(TaskPlan(p.coords, n, "tmm", base + mem, float("nan")))
            continue
        method = (dynamics_method(p.solver, n) if cfg.study.kind == "dynamics"
                  else solver_method(p.solver, n, p.observables))
        vec = task_needs_vectors(cfg.study.kind, p.observables)
        mem = method_bytes(method, params, p.solver, vectors=vec,
                           n_times=p.solver["n_times"], cache=cache)
        sec = float("nan")
        if method == "dense":
            sec = (DENSE_SECONDS_VECTORS if vec else DENSE_SECONDS_VALUES) * n**3
        out.append(TaskPlan(p.coords, n, method, base + mem, sec))
    return out
