"""map_realizations: per-realization checkpoints, resume, worker independence, mismatch."""

from __future__ import annotations

import json
from functools import partial

import numpy as np
import pytest

from mbl._core.errors import InputError, StoreMismatchError
from mbl.study.checkpoint import map_realizations


def _draw(s: int, *, seed: int) -> np.ndarray:
    return np.random.default_rng([seed, s]).normal(size=3)


def test_matches_a_plain_loop_and_resumes(tmp_path):
    fn = partial(_draw, seed=7)
    expected = np.stack([fn(s) for s in range(6)])
    seen = []
    got = map_realizations(fn, 6, tmp_path / "r", {"seed": 7},
                           progress=lambda d, t, f: seen.append((d, t, f)))
    np.testing.assert_array_equal(got, expected)
    assert seen[0] == (0, 6, 0) and seen[-1] == (6, 6, 0)
    # a killed run leaves some files: the rerun computes only those missing
    (tmp_path / "r" / "r000002.npy").unlink()
    (tmp_path / "r" / "r000004.npy").unlink()
    (tmp_path / "r" / "r000004.tmp.npy").write_bytes(b"half-written")  # killed mid-save
    calls = []

    def counting(s: int) -> np.ndarray:
        calls.append(s)
        return fn(s)

    np.testing.assert_array_equal(map_realizations(counting, 6, tmp_path / "r", {"seed": 7}),
                                  expected)
    assert sorted(calls) == [2, 4]
    assert json.loads((tmp_path / "r" / "manifest.json").read_text()) == {"seed": 7}


def test_two_workers_give_the_same_result(tmp_path):
    fn = partial(_draw, seed=3)
    serial = map_realizations(fn, 5, tmp_path / "a", {"seed": 3})
    pooled = map_realizations(fn, 5, tmp_path / "b", {"seed": 3}, workers=2)
    np.testing.assert_array_equal(serial, pooled)


def test_refuses_another_setup_and_bad_input(tmp_path):
    map_realizations(partial(_draw, seed=1), 2, tmp_path / "r", {"seed": 1, "L": 4})
    with pytest.raises(StoreMismatchError, match=r"differs in \['seed'\]"):
        map_realizations(partial(_draw, seed=2), 2, tmp_path / "r", {"seed": 2, "L": 4})
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(StoreMismatchError, match="holds no manifest.json"):
        map_realizations(partial(_draw, seed=1), 2, tmp_path / "other", {"seed": 1})
    assert (tmp_path / "other" / "notes.txt").read_text() == "mine"
    with pytest.raises(InputError, match="integer >= 1"):
        map_realizations(partial(_draw, seed=1), 0, tmp_path / "z", {})
    with pytest.raises(InputError, match="--workers"):
        map_realizations(partial(_draw, seed=1), 2, tmp_path / "z", {}, workers=0)
