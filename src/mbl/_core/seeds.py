"""Seeds of the disorder realizations (see ``docs/studies.md``, "Seeds").

The realization of task (point, sample) of a study with root seed ``root`` is drawn from
``SeedSequence(root, spawn_key=(stable_hash(model), sample))``, where ``model`` is the model
section of the point (its name and every value after the grid is applied) restricted to the
model keys the study hashed when it was created (:func:`seed_model`), so that a later release
adding a model field never moves a stored study's disorder. Solver and observable settings
never enter, so different solvers see the same disorder.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import numpy as np


def _canonical(value: Any) -> Any:
    """Numbers become floats (bools stay bools), containers recurse, strings stay."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value) + 0.0  # + 0.0 turns -0.0 into 0.0: the same number, one hash
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_canonical(v) for v in value]
    raise TypeError(f"cannot hash a value of type {type(value).__name__}: {value!r}")


def canonical_json(params: Mapping[str, Any]) -> str:
    """Canonical JSON: sorted keys, no spaces, every number as a float."""
    return json.dumps(_canonical(params), sort_keys=True, separators=(",", ":"))


def stable_hash(params: Mapping[str, Any]) -> int:
    """First 8 bytes (unsigned, big-endian) of SHA-256 of :func:`canonical_json`."""
    digest = hashlib.sha256(canonical_json(params).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def seed_model(model: Mapping[str, Any], keys: list[str] | None) -> dict[str, Any]:
    """The part of a point's model values that its seed hashes: the keys frozen when the study
    was created (all of them when ``keys`` is None)."""
    return dict(model) if keys is None else {k: model[k] for k in keys if k in model}


def task_seed(root: int, model: Mapping[str, Any], sample: int) -> np.random.SeedSequence:
    """The seed sequence of one disorder realization."""
    if sample < 0:
        raise ValueError(f"sample index must be >= 0, got {sample}")
    return np.random.SeedSequence(int(root), spawn_key=(stable_hash(model), int(sample)))


def task_rng(root: int, model: Mapping[str, Any], sample: int) -> np.random.Generator:
    """A fresh generator for task (model point, sample)."""
    return np.random.default_rng(task_seed(root, model, sample))


def draw_root_seed() -> int:
    """A fresh root seed from OS entropy (recorded by the study so it can be repeated)."""
    return int(np.random.SeedSequence().entropy % (2**63))
