"""``mbl estimate`` predicts the peak memory of a dense task within a factor 1.5."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_memory.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_memory", _BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("vectors", [False, True])
def test_estimate_within_factor_1p5(vectors):
    predicted, measured = _bench().measure(16, vectors)  # N = 4096
    assert 1 / 1.5 <= predicted / measured <= 1.5, (predicted, measured)
