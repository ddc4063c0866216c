"""A new config against a stored study: resume, extend, or refuse naming the keys."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from mbl._core.errors import StoreMismatchError
from mbl._core.seeds import canonical_json
from mbl.study.config import StudyConfig

#: Keys that never change a result: a resumed study may change them freely.
FREE_KEYS = {("study", "samples"), ("study", "threads")}


def identity(cfg: StudyConfig) -> str:
    """SHA-256 of what identifies a study: its config without the seed, the sample count, the
    thread count and the grid values (the grid axes stay), so that adding samples or grid
    values keeps the study's default directory."""
    data = cfg.resolved()
    for section, key in FREE_KEYS | {("study", "seed")}:
        data[section].pop(key, None)
    data["grid"] = sorted(data["grid"])
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


def upgrade(stored: dict[str, Any]) -> dict[str, Any]:
    """A config stored by an earlier mbl, in this release's terms: before kinds declared their
    observables, a study that named none recorded the schema's ``["gap_ratio"]``, which the
    tmm and dynamics tasks ignored; it becomes ``[]`` (what those tasks measured)."""
    from mbl.study.kinds import KINDS

    kind = KINDS.get(stored.get("study", {}).get("kind"))
    obs = stored.get("observables", {})
    if kind is not None and obs.get("names") == ["gap_ratio"] and \
            "gap_ratio" not in kind.observables:
        return {**stored, "observables": {**obs, "names": []}}
    return stored


def _default(section: str, resolved: dict[str, Any], key: str) -> Any:
    """The schema default of ``section.key`` (a sentinel when the key is required)."""
    from mbl.study.config import ObservablesSection, SolverSection, StudySection
    from mbl.study.models import MODELS

    schema = {"study": StudySection, "solver": SolverSection,
              "observables": ObservablesSection}.get(section)
    if schema is None:
        schema = MODELS[resolved["model"]["name"]].schema
    field = schema.model_fields.get(key)
    return object() if field is None or field.is_required() else field.default


def reconcile(stored: dict[str, Any], cfg: StudyConfig) -> StudyConfig:
    """Compare a new config with the stored one: resume, extend, or refuse (naming keys).

    The new config may add grid values and raise the sample count; everything else must
    match. A new config without a seed adopts the stored seed. The grid keeps its stored
    order, new values after the stored ones (so a reversed axis changes nothing).
    """
    new = cfg if cfg.study.seed is not None else cfg.with_seed(stored["study"]["seed"])
    res = new.resolved()
    diffs: list[str] = []
    for section in ("study", "model", "solver", "observables"):
        for key in sorted(set(stored[section]) | set(res[section])):
            if (section, key) in FREE_KEYS:
                continue
            if key not in stored[section] and res[section][key] == _default(section, res, key):
                continue  # a key added by a newer mbl, at its default: the same study
            if stored[section].get(key) != res[section].get(key):
                diffs.append(f"{section}.{key}: {stored[section].get(key)!r} -> "
                             f"{res[section].get(key)!r}")
    if res["study"]["samples"] < stored["study"]["samples"]:
        diffs.append(f"study.samples: {stored['study']['samples']} -> {res['study']['samples']} "
                     "(samples can only grow)")
    grid = {}
    if sorted(stored["grid"]) != sorted(res["grid"]):
        diffs.append(f"grid axes: {list(stored['grid'])} -> {list(res['grid'])}")
    else:
        for axis, values in stored["grid"].items():
            lost = [v for v in values if v not in res["grid"][axis]]
            if lost:
                diffs.append(f"grid.{axis} drops {lost} (values can only be added)")
            grid[axis] = list(values) + [v for v in res["grid"][axis] if v not in values]
    if diffs:
        raise StoreMismatchError(
            "the output directory holds a different study; differing keys: " + "; ".join(diffs)
            + ". Use another --out directory (nothing in this one was changed).")
    return dataclasses.replace(new, grid=grid)
