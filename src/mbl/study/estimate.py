"""Memory and time plan of a study's tasks, before anything runs (``mbl estimate``).

Dense tasks: the matrix is made dense in Fortran order (8 N^2 bytes) and LAPACK works on it in
place (values only: 1.1 x 8 N^2 at the peak); with vectors ``dsyevd`` adds a workspace of
2 N^2 (3.15 x 8 N^2), measured with ``/usr/bin/time -v`` on N = 4096. Shift-invert tasks: the
sparse LU factors (fill ~ N x the lattice's cross section) and the Lanczos basis. The
interpreter and imports are the resident size of this process when the plan is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mbl._core.memory import current_rss
from mbl.study.config import StudyConfig
from mbl.study.kinds import dynamics_method, needs_vectors, solver_method
from mbl.study.models import model_params

#: Peak of a dense task in units of one dense matrix (8 N^2 bytes), measured here.
DENSE_FACTOR_VALUES = 1.1
DENSE_FACTOR_VECTORS = 3.15
#: Seconds per N^3 of a one-thread LAPACK eigh (values / vectors), measured at N = 4096.
DENSE_SECONDS_VALUES = 8.0e-11
DENSE_SECONDS_VECTORS = 1.7e-10


@dataclass(frozen=True)
class TaskPlan:
    """The plan of one grid point's task."""

    coords: dict[str, Any]
    dimension: int
    method: str
    peak_bytes: int
    seconds: float


def _shift_invert_cost(n: int, model: dict[str, Any], k: int) -> tuple[int, float]:
    section = model["L"] ** (model["d"] - 1) if "L" in model and "d" in model else n
    fill = 2 * n * min(n, 2 * section)  # LU factors of a banded-like matrix
    ncv = max(2 * k + 1, 20)
    mem = 16 * fill + 8 * n * (ncv + k) + 16 * 7 * n
    seconds = 2e-8 * fill * min(n, 2 * section) / max(section, 1) + 1e-8 * n * ncv * 30
    return int(mem), float(seconds)


def plan(cfg: StudyConfig, *, baseline: int | None = None) -> list[TaskPlan]:
    """One :class:`TaskPlan` per grid point (every sample of a point costs the same)."""
    base = current_rss() if baseline is None else baseline
    out = []
    for p in cfg.points():
        params = model_params(p.model)
        n = params.dimension()
        if cfg.study.kind == "tmm":  # a block of disorder and the 2m x m columns; time unknown
            mem = 8 * (max(512, 20000 // n) * n + 6 * n * n)
            out.append(TaskPlan(p.coords, n, "tmm", base + mem, float("nan")))
            continue
        method = (dynamics_method(p.solver, n) if cfg.study.kind == "dynamics"
                  else solver_method(p.solver, n, p.observables))
        nnz = n * (2 * params.L if hasattr(params, "L") else 8)
        if method == "krylov":  # 31 complex Lanczos vectors, the CSR matrix, the output states
            mem = 16 * n * (31 + p.solver["n_times"] + 1) + 12 * nnz
            sec = float("nan")
        elif method == "polfed":  # ARPACK's 2 x (k + k/2) vectors, H V, recurrence blocks, CSR
            want = p.solver["k"] + max(10, p.solver["k"] // 2)
            mem = 8 * n * (4 * want + 8) + 12 * nnz
            sec = float("nan")
        elif method == "dense":
            vec = needs_vectors(p.observables) or cfg.study.kind == "dynamics"
            factor = DENSE_FACTOR_VECTORS if vec else DENSE_FACTOR_VALUES
            per_n3 = DENSE_SECONDS_VECTORS if vec else DENSE_SECONDS_VALUES
            mem, sec = int(factor * 8 * n * n), per_n3 * n**3
        else:
            mem, sec = _shift_invert_cost(n, p.model, p.solver["k"])
        out.append(TaskPlan(p.coords, n, method, base + mem, sec))
    return out
