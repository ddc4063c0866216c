"""Checkpointed maps over disorder realizations: a long ensemble survives ``kill -9``.

:func:`map_realizations` runs ``fn(s)`` for realizations ``s = 0 .. n-1`` on an executor
(:func:`mbl.study.executors.make_executor`) and writes each result, as it arrives, to
``directory/r<s>.npy`` (written to a temporary name, then renamed, so a file is either whole
or absent). A rerun loads the realizations already on disk and computes only the rest. The
directory's ``manifest.json`` records what the realizations are of; a rerun with a different
manifest is refused, so results of two setups never mix.

Use it for ensembles whose realizations are arrays of one shape and need no store of their own
(a study of the :mod:`mbl.study.runner` kind is the general tool). ``fn`` must be picklable
(a module-level function, or :func:`functools.partial` of one) and draw its randomness from
``s`` alone, so the result does not depend on the number of workers or on interruptions.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from mbl._core.errors import InputError, StoreMismatchError
from mbl._core.seeds import canonical_json
from mbl.study.executors import make_executor
from mbl.study.runner import Progress

MANIFEST = "manifest.json"


def _path(directory: Path, s: int) -> Path:
    return directory / f"r{s:06d}.npy"


def _open(directory: Path, manifest: Mapping[str, Any]) -> None:
    """Create ``directory`` with its manifest, or check that it holds the same manifest."""
    wanted = json.loads(canonical_json(dict(manifest)))
    path = directory / MANIFEST
    if path.exists():
        held = json.loads(path.read_text())
        if held != wanted:
            diff = sorted(k for k in set(held) | set(wanted) if held.get(k) != wanted.get(k))
            raise StoreMismatchError(
                f"'{directory}' holds realizations of another setup (differs in {diff}); "
                "remove the directory or choose another --out")
        return
    if directory.exists() and any(directory.iterdir()):
        raise StoreMismatchError(f"'{directory}' exists and holds no {MANIFEST}; choose an "
                                 "empty or new --out directory")
    directory.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(wanted, indent=1, sort_keys=True))
    os.replace(tmp, path)


def _save(directory: Path, s: int, value: np.ndarray) -> None:
    path = _path(directory, s)
    tmp = path.with_name(path.stem + ".tmp.npy")
    np.save(tmp, value)
    os.replace(tmp, path)


def map_realizations(fn: Callable[[int], np.ndarray], n: int, directory: str | Path,
                     manifest: Mapping[str, Any], *, workers: int = 1,
                     progress: Progress | None = None) -> np.ndarray:
    """``np.stack([fn(s) for s in range(n)])``, checkpointed in ``directory`` (see module).

    ``manifest`` (JSON-serializable) identifies the setup; ``progress(done, total, failed)``
    is called as realizations finish (those loaded from disk count as done at the start).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"the number of realizations must be an integer >= 1, got {n!r}")
    if workers < 1:
        raise InputError(f"--workers must be >= 1, got {workers}")
    directory = Path(directory)
    _open(directory, manifest)
    results: dict[int, np.ndarray] = {}
    for s in range(n):
        if _path(directory, s).exists():
            results[s] = np.load(_path(directory, s))
    todo = [s for s in range(n) if s not in results]
    if progress is not None:
        progress(len(results), n, 0)
    if todo:
        ex = make_executor(min(workers, len(todo)))
        try:
            for s, value in ex.map_unordered(fn, todo):
                value = np.asarray(value)
                _save(directory, s, value)
                results[s] = value
                if progress is not None:
                    progress(len(results), n, 0)
        finally:
            ex.close()
    return np.stack([results[s] for s in range(n)])

