"""Memory and time plan of a study's tasks, before anything runs (``mbl estimate``).

The eigensolvers' peaks come from :mod:`mbl.solvers.plan` (dense: the measured multiple of
8 N^2; shift-invert: MUMPS's own symbolic analysis of the Hamiltonian's pattern, built once
per model shape; POLFED: its block Lanczos basis). Dynamics tasks hold the Krylov basis and
the stored states. The interpreter and imports are the resident size of this process when
the plan is made. :func:`check_memory` is the one refusal of a study that will not fit, for
``mbl estimate`` and ``mbl run`` alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mbl._core.errors import InputError, MemoryPlanError
from mbl._core.memory import available_memory, current_rss, format_bytes
from mbl.solvers.plan import dense_bytes, polfed_bytes, shift_invert_bytes, window_methods
from mbl.study.config import StudyConfig
from mbl.study.kinds import DENSE_OBSERVABLES, dynamics_method, needs_vectors, solver_method
from mbl.study.models import model_params

#: Seconds per N^3 of a one-thread LAPACK eigh (values / vectors), measured at N = 4096.
DENSE_SECONDS_VALUES = 8.0e-11
DENSE_SECONDS_VECTORS = 1.7e-10
#: Lanczos vectors held by the time evolution (:mod:`mbl.solvers.krylov`): krylov_dim + 1.
KRYLOV_VECTORS = 101
#: Rough costs for :func:`task_costs` (ETA weights): seconds a task takes whatever its size
#: (model, observables, store), per N^2 of a sparse solve, per M^3 of a transfer-matrix bar.
TASK_OVERHEAD_SECONDS = 0.01
SPARSE_SECONDS = 1e-9
TMM_SECONDS = 1e-7


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


def task_costs(cfg: StudyConfig) -> dict[str, float]:
    """A rough cost in seconds of one task (sample) of each grid point, by point key, to
    weight a progress bar's ETA (only the ratios matter: the bar measures the real rate).
    Cheap, no Hamiltonian is built: a fixed :data:`TASK_OVERHEAD_SECONDS`, plus the dense
    seconds of :func:`plan`, or :data:`SPARSE_SECONDS` N^2 for the sparse solvers, or
    :data:`TMM_SECONDS` M^3 for transfer matrices."""
    out = {}
    for p in cfg.points():
        n = model_params(p.model).dimension()
        if cfg.study.kind == "tmm":
            out[p.key] = TASK_OVERHEAD_SECONDS + TMM_SECONDS * float(n) ** 3
            continue
        method = (dynamics_method(p.solver, n) if cfg.study.kind == "dynamics"
                  else solver_method(p.solver, n, p.observables))
        if method == "dense":
            vec = task_needs_vectors(cfg.study.kind, p.observables)
            work = (DENSE_SECONDS_VECTORS if vec else DENSE_SECONDS_VALUES) * float(n) ** 3
        else:
            work = SPARSE_SECONDS * float(n) ** 2
        out[p.key] = TASK_OVERHEAD_SECONDS + work
    return out


def check_memory(cfg: StudyConfig, workers: int) -> None:
    """Refuse a study whose largest task, times the workers, exceeds the available memory.

    Parameters
    ----------
    cfg : StudyConfig
        The study, as parsed.
    workers : int
        Worker processes that will run tasks at once (never more than the tasks).

    Raises
    ------
    MemoryPlanError
        Naming the largest task, its peak per worker and in all, the memory available, and
        what would fit (:func:`alternatives`).
    """
    tasks = plan(cfg)
    worst = max(tasks, key=lambda t: t.peak_bytes)
    concurrent = min(workers, cfg.n_tasks)
    need = worst.peak_bytes * concurrent
    have = available_memory()
    if need <= have:
        return
    raise MemoryPlanError(
        f"the largest task ({worst.coords}, N = {worst.dimension}, {worst.method}) needs about "
        f"{format_bytes(worst.peak_bytes)} per worker, {format_bytes(need)} with {workers} "
        f"worker(s), but only {format_bytes(have)} is available; "
        + alternatives(cfg, worst, have // concurrent))


def alternatives(cfg: StudyConfig, worst: TaskPlan, budget: int) -> str:
    """What would fit ``budget`` bytes per worker: another method for the same task (the
    window methods of :func:`mbl.solvers.plan.window_methods` for a spectrum, unless an
    observable needs the whole spectrum; Krylov propagation for dynamics), else the largest
    chain length (or lattice side) with the same method; for transfer matrices, a thinner
    bar."""
    if cfg.study.kind == "tmm":  # the bar's columns and disorder, whatever its length
        return "lower M (the bar's cross-section) or use fewer workers"
    point = next(p for p in cfg.points() if p.coords == worst.coords)
    params = model_params(point.model)
    vectors = task_needs_vectors(cfg.study.kind, point.observables)
    n_times = point.solver["n_times"]
    base = worst.peak_bytes - method_bytes(worst.method, params, point.solver, vectors=vectors,
                                           n_times=n_times)
    others: tuple[str, ...] = ()
    if cfg.study.kind == "dynamics":
        others = ("krylov",)
    elif cfg.study.kind == "spectrum" and not DENSE_OBSERVABLES & set(point.observables["names"]):
        others = window_methods(params.dimension(), point.solver["k"])
    others = tuple(m for m in others if m != worst.method)
    fits = []
    for method in others:
        mem = base + method_bytes(method, params, point.solver, vectors=vectors, n_times=n_times)
        if mem <= budget:
            fits.append(f'[solver] method = "{method}" needs about {format_bytes(mem)}')
    if fits:
        return "these would fit: " + "; ".join(fits)
    advice = "lower L or use fewer workers" + "".join(
        f' or [solver] method = "{m}"' for m in others[-1:])
    size = point.model.get("L")
    while isinstance(size, int) and size > 2:
        size -= 1
        try:
            smaller = model_params({**point.model, "L": size})
            smaller.dimension()
        except (InputError, ValueError):  # not a valid size (odd L at S^z = 0): the next one
            continue
        mem = base + method_bytes(worst.method, smaller, point.solver, vectors=vectors,
                                  n_times=n_times)
        if mem <= budget:
            return f"L = {size} would fit with the same method ({format_bytes(mem)}); {advice}"
    return advice
