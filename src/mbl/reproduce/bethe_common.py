"""Helpers shared by the cavity reproductions (bethe-critical, bethe-gamma-distribution,
agkl-threshold): seeded streams per unit of work and progress ticks."""

from __future__ import annotations

import numpy as np

from mbl.study.runner import Progress


def streams(seed: int, n: int) -> list[np.random.Generator]:
    """``n`` independent generators spawned from one root seed (deterministic)."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(n)]


class Ticker:
    """Reports ``done`` out of ``total`` units to an optional progress callback."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0
        self.tick(0)

    def tick(self, units: int = 1) -> None:
        self.done += units
        if self.progress is not None:
            self.progress(self.done, self.total, 0)


def interval(value: float, error: float) -> tuple[float, float]:
    """The 95% interval value +- 1.96 error."""
    return (value - 1.96 * error, value + 1.96 * error)
