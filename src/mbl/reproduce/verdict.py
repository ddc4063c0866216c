"""Whether a measured row agrees with its reference, and the record of the run that measured it.

The rule (one per row, written into ``mbl reproduce --json`` as ``verdict``):

- ``"no value"``: nothing was measured (a crossing not found: the value is null);
- ``"no reference"``: the row has no reference value;
- ``"no error"``: there is a reference but the measured value has no error bar (neither an
  error nor an interval, or both errors are zero): the difference is shown, not judged;
- ``"agrees"``: ``|value - reference| <= 2 sigma``, ``sigma = sqrt(error^2 + reference_error^2)``;
  with a 95% ``interval`` the error is its half-width on the reference's side over 1.96
  (the same bound as the error for a symmetric value +- 1.96 error; an asymmetric interval
  is judged on the side where the reference lies);
- ``"disagrees"``: otherwise.
"""

from __future__ import annotations

import math
import socket
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

SCHEMA = 1
"""Version of the ``mbl reproduce --json`` object; 1 added ``schema``, ``provenance`` and the
per-row ``verdict`` to the keys of before (which are unchanged)."""

AGREES, DISAGREES, NO_REFERENCE, NO_ERROR, NO_VALUE = (
    "agrees", "disagrees", "no reference", "no error", "no value")
VERDICTS = (AGREES, DISAGREES, NO_REFERENCE, NO_ERROR, NO_VALUE)
SIGMAS = 2.0
Z95 = 1.96  # half-width of a 95% interval in standard errors


def _num(x: Any) -> float | None:
    if x is None:
        return None
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _allowed(value: float, reference: float, error: float | None,
             reference_error: float | None, interval: Sequence[Any] | None) -> float | None:
    """The largest |value - reference| that counts as agreement (2 sigma), None if unjudgeable."""
    ref2 = SIGMAS * abs(reference_error or 0.0)
    bounds = [_num(b) for b in interval] if interval is not None and len(interval) == 2 else None
    if bounds is not None and None not in bounds:
        lo, hi = sorted(bounds)  # type: ignore[type-var]
        side = max(hi - value, 0.0) if reference >= value else max(value - lo, 0.0)
        sigma = side / Z95
    elif error is not None:
        sigma = abs(error)
    else:
        return None
    allowed = math.hypot(SIGMAS * sigma, ref2)
    return allowed if allowed > 0 else None


def verdict(value: Any, error: Any, reference: Any, reference_error: Any = None,
            interval: Sequence[Any] | None = None) -> str:
    """One of :data:`VERDICTS` for a measured ``value`` against ``reference`` (module doc)."""
    v, r = _num(value), _num(reference)
    if v is None:
        return NO_VALUE
    if r is None:
        return NO_REFERENCE
    allowed = _allowed(v, r, _num(error), _num(reference_error), interval)
    if allowed is None:
        return NO_ERROR
    return AGREES if abs(v - r) <= allowed else DISAGREES


def deviation(value: Any, error: Any, reference: Any, reference_error: Any = None,
              interval: Sequence[Any] | None = None) -> float | None:
    """(value - reference) in units of the combined sigma (half the agreement bound)."""
    v, r = _num(value), _num(reference)
    if v is None or r is None:
        return None
    allowed = _allowed(v, r, _num(error), _num(reference_error), interval)
    return None if allowed is None else (v - r) / (allowed / SIGMAS)


def row_verdict(row: Mapping[str, Any]) -> str:
    """The verdict of one row of the JSON object (recomputed from its numbers)."""
    return verdict(row.get("value"), row.get("error"), row.get("reference"),
                   row.get("reference_error"), row.get("interval"))


def row_deviation(row: Mapping[str, Any]) -> float | None:
    return deviation(row.get("value"), row.get("error"), row.get("reference"),
                     row.get("reference_error"), row.get("interval"))


def count(rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """How many rows have each verdict (every verdict present as a key)."""
    counts = dict.fromkeys(VERDICTS, 0)
    for row in rows:
        counts[row_verdict(row)] += 1
    return counts


def run_provenance(mode: str) -> dict[str, Any]:
    """What produced a reproduction's result: versions, source revision, host, date, mode."""
    import platform

    import numpy as np
    import scipy

    from mbl import __version__
    from mbl.study.provenance import git_revision

    return {"mbl": __version__, "git_revision": git_revision(), "python": sys.version.split()[0],
            "numpy": np.__version__, "scipy": scipy.__version__, "host": socket.gethostname(),
            "platform": platform.platform(), "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "mode": mode}
