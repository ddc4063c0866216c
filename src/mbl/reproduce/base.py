"""What every reproduction returns, and how it runs its built-in study (docs/cli.md §3)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import xarray as xr

from mbl.reproduce.verdict import SCHEMA, run_provenance, verdict
from mbl.study.config import parse_config
from mbl.study.export import to_dataset
from mbl.study.runner import Progress, run_study


@dataclass(frozen=True)
class Row:
    """One measured quantity next to its reference.

    ``error`` is one standard error, ``interval`` a 95% interval; missing values are None.
    """

    quantity: str
    value: float
    error: float | None
    reference: float | None
    source: str
    params: dict[str, Any] = field(default_factory=dict)
    interval: tuple[float, float] | None = None
    reference_error: float | None = None

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("value", "error", "reference", "reference_error"):
            d[key] = _finite(d[key])
        d["interval"] = None if self.interval is None else [_finite(v) for v in self.interval]
        d["verdict"] = verdict(d["value"], d["error"], d["reference"], d["reference_error"],
                               d["interval"])
        return d


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


@dataclass(frozen=True)
class Report:
    """A reproduction's result; ``provenance`` is taken when the report is made (end of run)."""

    name: str
    quick: bool
    seconds: float
    figures: list[str]
    results: list[Row]
    provenance: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.provenance is None:
            object.__setattr__(self, "provenance",
                               run_provenance("quick" if self.quick else "full"))

    def as_json(self) -> dict[str, Any]:
        """The ``mbl reproduce --json`` object (schema :data:`~mbl.reproduce.verdict.SCHEMA`)."""
        return {"schema": SCHEMA, "name": self.name, "quick": self.quick,
                "seconds": round(self.seconds, 3), "figures": self.figures,
                "results": [r.as_json() for r in self.results],
                "provenance": self.provenance}

    def table(self) -> str:
        """Measured vs reference, one line per row."""
        head = f"{'quantity':<12} {'params':<22} {'measured':>20} {'reference':>18}  source"
        lines = [f"{self.name} ({'quick' if self.quick else 'full'}, {self.seconds:.1f} s)", head,
                 "-" * len(head)]
        for r in self.results:
            meas = _pm(r.value, r.error)
            ref = "-" if r.reference is None else _pm(r.reference, r.reference_error)
            params = ", ".join(f"{k}={v}" for k, v in r.params.items())
            lines.append(f"{r.quantity:<12} {params:<22} {meas:>20} {ref:>18}  {r.source}")
        lines += [f"figure: {f}" for f in self.figures]
        return "\n".join(lines)


def _pm(value: float, error: float | None) -> str:
    if error is None or not math.isfinite(error):
        return f"{value:.4g}"
    return f"{value:.4g} ± {error:.2g}"


class Runner(Protocol):
    def __call__(self, *, quick: bool, out: Path, workers: int,
                 progress: Progress | None) -> Report: ...


@dataclass(frozen=True)
class Reproduction:
    """A registered reproduction; ``quick_seconds``/``full_seconds``: its typical wall time on a
    2-core machine where one was measured (one worker, beside other work: an upper figure).
    ``mbl reproduce`` lists them; a full mode without one shows the time of its committed run
    in ``data/reproductions``."""

    name: str
    title: str
    run: Runner
    quick_seconds: float | None = None
    full_seconds: float | None = None


def output_directory(out: str | Path, name: str, quick: bool) -> Path:
    """Where a reproduction keeps its studies and figures: ``out/name/quick`` or ``.../full``."""
    return Path(out) / name / ("quick" if quick else "full")


def run_builtin_study(config: Mapping[str, Any], directory: Path, *, workers: int,
                      progress: Progress | None) -> xr.Dataset:
    """Run (or resume) a reproduction's study and return its dataset."""
    cfg = parse_config(config, source=f"built-in study {directory.name}")
    run_study(cfg, directory, workers=workers, progress=progress)
    return to_dataset(directory)


Analysis = Callable[[xr.Dataset], list[Row]]
