"""Study configuration: TOML -> validated, resolved config -> grid points (docs/studies.md)."""

from __future__ import annotations

import copy
import hashlib
import itertools
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mbl._core.errors import ConfigError, InputError
from mbl._core.seeds import canonical_json, draw_root_seed
from mbl.solvers.plan import max_pairs
from mbl.study.kinds import (
    DENSE_OBSERVABLES,
    KINDS,
    METHODS,
    OBSERVABLE_MODELS,
    OBSERVABLES,
    STUDY_KINDS,
    solver_method,
)
from mbl.study.models import MODELS, model_params

Scalar = int | float | str | bool


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StudySection(_Section):
    """What each task computes, how many disorder realizations, and the root seed."""

    kind: Literal[STUDY_KINDS] = Field(description="the study kind (see below): what a task "
                                       "computes")
    seed: int | None = Field(None, ge=0, lt=2**63, description="root seed (drawn when absent)")
    samples: int = Field(1, ge=1, description="disorder realizations per grid point")
    threads: int = Field(1, ge=1, description="BLAS/numba threads per worker")


class SolverSection(_Section):
    """How a task solves its model: the eigensolver or propagator and its targets."""

    method: Literal[METHODS] = Field("auto", description="eigensolver or propagator")
    energy: float | None = Field(None, allow_inf_nan=False, description="absolute target energy")
    energy_density: float | None = Field(None, ge=0, le=1, description="target energy "
                                         "density (E - E_min)/(E_max - E_min)")
    k: int = Field(100, ge=1, description="eigenpairs for window methods")
    dense_max: int = Field(8000, ge=1, description="largest N that method='auto' treats dense")
    rel_error: float = Field(1e-3, gt=0, lt=1, description="transfer matrix: target error")
    qr_every: int | None = Field(None, ge=1, description="transfer matrix: slices between "
                                 "QRs (default: as seldom as the exponents' spread allows)")
    t_min: float = Field(0.1, gt=0, allow_inf_nan=False, description="dynamics: first time")
    t_max: float = Field(1000.0, gt=0, allow_inf_nan=False, description="dynamics: last time")
    n_times: int = Field(41, ge=2, description="dynamics: log-spaced times (plus t = 0)")
    initial: Literal["random_product", "neel"] = Field(
        "random_product", description="dynamics: a random basis state of the sector, or Néel")


class ObservablesSection(_Section):
    """What a task measures on the levels, eigenstates or time evolution."""

    names: list[Literal[OBSERVABLES]] | None = Field(
        None, description="what to measure (default: the study kind's default observables)")
    energy_window: float = Field(0.1, gt=0, le=1, description="fraction of the levels, centred "
                                 "on the target, that the level observables use")
    eps_bins: int = Field(20, ge=1, description="energy-density bins of r_eps and dos")
    cut: int | None = Field(None, ge=1, description="entanglement cut: sites 0..cut-1 (L/2)")

    @field_validator("names")
    @classmethod
    def _unique(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and len(set(v)) != len(v):
            raise ValueError("observable names must not repeat")
        return v


class RangeSpec(_Section):
    """``{ start = 14.0, stop = 19.0, num = 11 }`` (inclusive) or ``{ start, stop, step }``."""

    start: float
    stop: float
    num: int | None = Field(None, ge=1)
    step: float | None = Field(None, gt=0)

    def values(self) -> list[float]:
        if (self.num is None) == (self.step is None):
            raise ValueError("a range needs exactly one of num or step")
        if self.num is not None:
            return [float(x) for x in np.linspace(self.start, self.stop, self.num)]
        n = int(np.floor((self.stop - self.start) / self.step + 1e-9)) + 1
        return [float(self.start + i * self.step) for i in range(max(n, 0))]


@dataclass(frozen=True)
class Point:
    """One grid point: its coordinates on the grid axes and its resolved sections."""

    coords: dict[str, Scalar]
    model: dict[str, Any]
    solver: dict[str, Any]
    observables: dict[str, Any]

    @property
    def key(self) -> str:
        """Canonical identity of the point within its study."""
        return canonical_json(self.coords)

    def as_task(self) -> dict[str, Any]:
        """The dict handed to a task function."""
        return {"model": self.model, "solver": self.solver, "observables": self.observables}


@dataclass(frozen=True)
class StudyConfig:
    """A validated study: sections with defaults filled in and the grid expanded."""

    study: StudySection
    model: dict[str, Any]
    solver: SolverSection
    observables: ObservablesSection
    grid: dict[str, list[Scalar]]
    source: str = "<config>"

    @property
    def seed(self) -> int:
        if self.study.seed is None:
            raise ConfigError("the study has no seed yet; call with_seed() first")
        return self.study.seed

    def with_seed(self, seed: int | None = None) -> StudyConfig:
        """The same study with a root seed (drawn from OS entropy when absent)."""
        if self.study.seed is not None and seed is None:
            return self
        s = draw_root_seed() if seed is None else seed
        return StudyConfig(self.study.model_copy(update={"seed": s}), self.model, self.solver,
                           self.observables, self.grid, self.source)

    def resolved(self) -> dict[str, Any]:
        """The full config as plain data (defaults included), as stored with the results."""
        return {
            "study": self.study.model_dump(),
            "model": dict(self.model),
            "grid": {k: list(v) for k, v in self.grid.items()},
            "solver": self.solver.model_dump(),
            "observables": self.observables.model_dump(),
        }

    def config_hash(self, *, with_seed: bool = True) -> str:
        """SHA-256 (hex) of the canonical resolved config."""
        data = self.resolved()
        if not with_seed:
            data["study"]["seed"] = None
        return hashlib.sha256(canonical_json(data).encode()).hexdigest()

    def points(self) -> list[Point]:
        """Every grid point in order (the last axis varies fastest)."""
        axes = list(self.grid)
        out = []
        for values in itertools.product(*(self.grid[a] for a in axes)):
            coords = dict(zip(axes, values, strict=True))
            out.append(_point(self, coords))
        return out

    @property
    def n_tasks(self) -> int:
        return len(self.points()) * self.study.samples


def _point(cfg: StudyConfig, coords: dict[str, Scalar]) -> Point:
    model = dict(cfg.model)
    solver = cfg.solver.model_dump()
    for axis, value in coords.items():
        (model if axis in _model_fields(cfg.model["name"]) else solver)[axis] = value
    params = model_params(model).model_dump()
    solver = SolverSection.model_validate(solver).model_dump()
    return Point(coords, params, solver, cfg.observables.model_dump())


def _model_fields(name: str) -> set[str]:
    return set(MODELS[name].schema.model_fields) - {"name"}


# --------------------------------------------------------------------------- loading


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML study file, turning every failure into a :class:`ConfigError`."""
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"study file '{p}' does not exist; check the path (see the examples "
                          "in the README)")
    if p.is_dir():
        raise ConfigError(f"'{p}' is a directory, not a study file; give the path of a .toml file")
    try:
        return tomllib.loads(p.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"study file '{p}' is not valid TOML: {exc}; fix the syntax "
                          "(strings need quotes, tables are [section])") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"study file '{p}' is not UTF-8 text") from exc


def apply_overrides(raw: dict[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """Apply ``--set section.key=value`` (value parsed as TOML, else taken as a string).

    A key of ``[model]`` or ``[solver]`` that is also a ``[grid]`` axis is refused: the grid
    would override it at every point; ``--set grid.key=[value]`` sets the axis instead.
    """
    data = copy.deepcopy(raw)
    sections: list[tuple[str, str, str]] = []
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"--set expects section.key=value, got {item!r}")
        key, text = item.split("=", 1)
        parts = key.strip().split(".")
        if len(parts) < 2 or not all(parts):
            raise ConfigError(f"--set key {key!r} must be dotted, e.g. study.samples=10")
        try:
            value = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            value = text
        node = data
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--set {key}: '{p}' is not a section")
        node[parts[-1]] = value
        if len(parts) == 2 and parts[0] in ("model", "solver"):
            sections.append((parts[0], parts[1], text.strip()))
    grid = data.get("grid")
    for section, axis, text in sections:
        if isinstance(grid, Mapping) and axis in grid:
            raise ConfigError(f"--set {section}.{axis}={text}: {axis} is a [grid] axis, which "
                              f"sets {axis} at every point; use --set grid.{axis}=[{text}]")
    return data


def load_config(path: str | Path, overrides: Iterable[str] = ()) -> StudyConfig:
    """Read, override and validate a study file."""
    return parse_config(apply_overrides(read_toml(path), overrides), source=str(path))


def parse_config(raw: Mapping[str, Any], *, source: str = "<config>") -> StudyConfig:
    """Validate a study given as a dict (as parsed from TOML).

    Everything a task would trip over is refused here, before any work, with a
    :class:`ConfigError` naming the key and what is allowed: unknown keys and bad values, a
    model, observable or solver method the study kind does not declare
    (:data:`mbl.study.kinds.KINDS`), a model point that cannot be built, and, for a spectrum,
    a window method asked for more pairs than its sector has or for an observable of the
    whole spectrum.
    """
    allowed = {"study", "model", "grid", "solver", "observables"}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ConfigError(f"{source}: unknown section(s) {', '.join(f'[{u}]' for u in unknown)}; "
                          f"allowed sections are {', '.join(f'[{a}]' for a in sorted(allowed))}")
    for name in allowed & set(raw):
        if not isinstance(raw[name], Mapping):
            raise ConfigError(f"{source}: '{name}' must be a table [{name}], got {raw[name]!r}")
    study = _validate(StudySection, raw.get("study"), "study", source)
    solver = _validate(SolverSection, raw.get("solver", {}), "solver", source)
    observables = _validate(ObservablesSection, raw.get("observables", {}), "observables", source)
    model = dict(raw.get("model") or {})
    name = model.get("name")
    if name not in MODELS:
        raise ConfigError(f"{source}: [model] name = {name!r} is not a known model; "
                          f"allowed: {', '.join(repr(m) for m in MODELS)}")
    grid = _expand_grid(raw.get("grid", {}), name, source)
    if observables.names is None:
        default = list(KINDS[study.kind].default_observables)
        observables = observables.model_copy(update={"names": default})
    _check_kind(study.kind, name, observables.names, grid, solver.method, source)
    schema = MODELS[name].schema
    defaults = {k: f.default for k, f in schema.model_fields.items()
                if not f.is_required() and k not in grid}
    model = {**defaults, **model}
    if solver.energy is not None and solver.energy_density is not None:
        raise ConfigError(f"{source}: [solver] sets both energy and energy_density; keep one")
    if solver.energy is None and solver.energy_density is None:
        solver = solver.model_copy(update={"energy_density": 0.5})
    cfg = StudyConfig(study, model, solver, observables, grid, source)
    _check_points(cfg, source)
    _check_windows(cfg, source)
    return cfg


def _allowed(values: Iterable[str]) -> str:
    return ", ".join(repr(v) for v in values) or "none"


def _check_kind(kind: str, model: str, observables: list[str], grid: dict[str, list[Scalar]],
                method: str, source: str) -> None:
    """Refuse a model, an observable or a solver method (of ``[solver]`` or of a ``[grid]``
    axis) that study kind ``kind`` does not declare (:data:`mbl.study.kinds.KINDS`)."""
    declared = KINDS[kind]
    if model not in declared.models:
        raise ConfigError(f"{source}: [model] name = {model!r} is not a model of study kind "
                          f"{kind!r}; allowed: {_allowed(declared.models)}")
    for obs in observables:
        if obs not in declared.observables:
            hint = "" if declared.observables else " (leave [observables] names out)"
            raise ConfigError(f"{source}: [observables] names: {obs!r} is not an observable of "
                              f"study kind {kind!r}; allowed: "
                              f"{_allowed(declared.observables)}{hint}")
        models = OBSERVABLE_MODELS.get(obs, declared.models)
        if model not in models:
            raise ConfigError(f"{source}: [observables] {obs!r} needs one of the models "
                              f"{_allowed(models)}, not {model!r}")
    where = "[grid]" if "method" in grid else "[solver]"
    for value in grid.get("method", [method]):
        if value not in declared.methods:
            raise ConfigError(f"{source}: {where} method = {value!r} is not a method of study "
                              f"kind {kind!r}; allowed: {_allowed(declared.methods)}")


def _expand_grid(raw: Mapping[str, Any], model_name: str, source: str) -> dict[str, list[Scalar]]:
    model_keys = _model_fields(model_name)
    solver_keys = set(SolverSection.model_fields)
    grid: dict[str, list[Scalar]] = {}
    for axis, spec in raw.items():
        if axis not in model_keys | solver_keys:
            raise ConfigError(
                f"{source}: [grid] {axis}: not a key of [model] ({', '.join(sorted(model_keys))})"
                f" or [solver] ({', '.join(sorted(solver_keys))}); grid axes override those keys")
        if isinstance(spec, Mapping):
            try:
                values = RangeSpec.model_validate(spec).values()
            except (ValidationError, ValueError) as exc:
                raise ConfigError(f"{source}: [grid] {axis} = {dict(spec)}: {_short(exc)}; write "
                                  "{ start = 1.0, stop = 2.0, num = 5 } or a list") from None
        elif isinstance(spec, list):
            values = list(spec)
        else:
            values = [spec]
        if not values:
            raise ConfigError(f"{source}: [grid] {axis} is empty; give at least one value")
        if len({canonical_json({"v": v}) for v in values}) != len(values):
            raise ConfigError(f"{source}: [grid] {axis} repeats a value: {values}")
        for v in values:
            if not isinstance(v, (int, float, str, bool)):
                raise ConfigError(f"{source}: [grid] {axis} holds {v!r}; values must be numbers "
                                  "or strings")
        grid[axis] = values
    return grid


def _check_points(cfg: StudyConfig, source: str) -> None:
    """Validate every point's model and solver values (grid overrides included)."""
    fields = _model_fields(cfg.model["name"])
    for p_coords in _corners(cfg.grid):
        model = {**cfg.model, **{k: v for k, v in p_coords.items() if k in fields}}
        solver = {**cfg.solver.model_dump(), **{k: v for k, v in p_coords.items()
                                                  if k not in fields}}
        grid_keys = set(p_coords)
        params = _validate(MODELS[cfg.model["name"]].schema, model, "model", source, grid_keys)
        try:
            params.build()
        except InputError as exc:
            raise ConfigError(f"{source}: [model] at grid point {p_coords}: {exc}") from None
        cut = cfg.observables.cut
        if cut is not None and "entanglement" in cfg.observables.names and cut >= params.L:
            raise ConfigError(f"{source}: [observables] cut = {cut} is outside the chain of "
                              f"L = {params.L} sites; choose 1 <= cut <= {params.L - 1}")
        _validate(SolverSection, solver, "solver", source, grid_keys)


def _check_windows(cfg: StudyConfig, source: str) -> None:
    """At every grid point of a spectrum study whose method may be a window method: the
    method resolves as the task will resolve it (:func:`mbl.study.kinds.solver_method`), it
    can return ``k`` pairs of that point's N, and no observable of the whole spectrum is asked
    of it."""
    methods = set(cfg.grid.get("method", [cfg.solver.method]))
    if cfg.study.kind != "spectrum" or methods == {"dense"}:
        return
    whole = [name for name in cfg.observables.names if name in DENSE_OBSERVABLES]
    k_key = "[grid] k" if "k" in cfg.grid else "[solver] k"
    for p in cfg.points():
        where = f" at grid point {p.coords}" if p.coords else ""
        try:
            n = model_params(p.model).dimension()
        except InputError as exc:
            raise ConfigError(f"{source}: [model]{where}: {exc}") from None
        method = solver_method(p.solver, n, p.observables)
        if method == "dense":
            continue
        if whole:
            raise ConfigError(
                f"{source}: [observables] {whole[0]!r} needs the whole spectrum, but [solver] "
                f"method = {p.solver['method']!r} runs {method!r}{where} (N = {n}); set "
                f"method = \"dense\" (or dense_max >= {n} with \"auto\") or drop {whole[0]!r}")
        k, most = p.solver["k"], max_pairs(method, n)
        if k > most:
            raise ConfigError(
                f"{source}: {k_key} = {k}{where}: method {method!r} finds at most {most} of the "
                f"N = {n} levels; lower k or use method = \"dense\"")


def _corners(grid: Mapping[str, list[Scalar]]) -> Iterable[dict[str, Scalar]]:
    """Every value of every axis appears at least once (cheap check of a large grid)."""
    axes = list(grid)
    if not axes:
        yield {}
        return
    n = max(len(v) for v in grid.values())
    for i in range(n):
        yield {a: grid[a][min(i, len(grid[a]) - 1)] for a in axes}


def _validate(schema: type[BaseModel], data: Any, section: str, source: str,
              grid_keys: set[str] = frozenset()) -> Any:
    try:
        return schema.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise ConfigError(f"{source}: " + _describe(exc, schema, section, grid_keys)) from None


def _describe(exc: ValidationError, schema: type[BaseModel], section: str,
              grid_keys: set[str]) -> str:
    msgs = []
    allowed = ", ".join(schema.model_fields)
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "(section)"
        where = f"[grid] {loc}" if loc in grid_keys else f"[{section}] {loc}"
        kind = err["type"]
        if kind == "extra_forbidden":
            msgs.append(f"{where}: unknown key; allowed keys of [{section}] are {allowed}")
        elif kind == "missing":
            msgs.append(f"{where}: required key is missing; set it in [{section}] or [grid]")
        else:
            field = schema.model_fields.get(str(err["loc"][0])) if err["loc"] else None
            hint = f" ({field.description})" if field is not None and field.description else ""
            msgs.append(f"{where} = {err.get('input')!r}: {err['msg']}{hint}")
    return "; ".join(msgs) + ". Fix the study file or override with --set section.key=value."


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(e["msg"] for e in exc.errors())
    return str(exc)
