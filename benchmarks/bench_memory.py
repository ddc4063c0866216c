"""Peak memory of a study task: ``mbl estimate`` against the measured peak.

Writes a one-task study, asks ``mbl estimate`` for its plan, runs ``mbl run`` under a parent
that reads its peak RSS (what ``/usr/bin/time -v`` reports), and prints predicted / measured.
The interpreter and imports are included in both. Dense: 3D Anderson, L = 16 (N = 4096) by
default. Window methods and dynamics: the XXZ chain (W = 3, S^z = 0, k = 100 pairs at
eps = 0.5, or a Krylov quench to t = 100).

Usage: python3 benchmarks/bench_memory.py [L] [vectors: 0|1]
       python3 benchmarks/bench_memory.py chain METHOD L [L ...]   (shift_invert|polfed|krylov)
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

STUDY = """
[study]
kind = "spectrum"
seed = 1
samples = 1
[model]
name = "anderson"
d = 3
L = {L}
W = 16.5
[solver]
method = "dense"
energy = 0.0
[observables]
names = {names}
"""


CHAIN = """
[study]
kind = "{kind}"
seed = 1
samples = 1
[model]
name = "xxz"
L = {L}
W = 3.0
[solver]
method = "{method}"
{solver}
[observables]
names = {names}
"""


def chain_study(method: str, L: int) -> str:
    """A one-task XXZ study solved by ``method`` (a window eigensolver or Krylov dynamics)."""
    if method == "krylov":
        return CHAIN.format(kind="dynamics", L=L, method=method, names='["imbalance"]',
                            solver="t_max = 100.0\nn_times = 21\ninitial = \"neel\"")
    return CHAIN.format(kind="spectrum", L=L, method=method, names='["gap_ratio"]',
                        solver="energy_density = 0.5\nk = 100")


def _mib(text: str) -> float:
    value, unit = re.search(r"([\d.]+) (GiB|MiB|KiB)", text).groups()
    return float(value) * {"GiB": 1024, "MiB": 1, "KiB": 1 / 1024}[unit]


MEASURE = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def measure(L: int, vectors: bool, text: str | None = None) -> tuple[float, float]:
    """(predicted MiB, measured MiB): the peak RSS of ``mbl run``, as wait4 (and so
    ``/usr/bin/time -v``) reports it, taken in a fresh parent process. ``text`` is the study
    (default: the dense Anderson study of side L)."""
    names = '["gap_ratio", "ipr"]' if vectors else '["gap_ratio"]'
    mbl = [sys.executable, "-m", "mbl.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        study = Path(tmp) / "mem.toml"
        study.write_text(STUDY.format(L=L, names=names) if text is None else text)
        est = subprocess.run([*mbl, "estimate", str(study)], capture_output=True, text=True,
                             check=True).stdout
        predicted = _mib(est.splitlines()[1])
        out = subprocess.run([sys.executable, "-c", MEASURE, *mbl, "run", str(study), "--out",
                              f"{tmp}/run", "-q"], capture_output=True, text=True, check=True)
        return predicted, int(out.stdout.split()[-1]) / 1024


if __name__ == "__main__" and sys.argv[1:2] == ["chain"]:
    method = sys.argv[2]
    for L in map(int, sys.argv[3:]):
        p, m = measure(L, False, chain_study(method, L))
        print(f"XXZ L = {L}, {method}: estimate {p:.0f} MiB, measured {m:.0f} MiB, "
              f"ratio {p / m:.2f}", flush=True)
elif __name__ == "__main__":
    L = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    for vectors in ((bool(int(sys.argv[2])),) if len(sys.argv) > 2 else (False, True)):
        p, m = measure(L, vectors)
        print(f"L = {L}, N = {L**3}, vectors = {vectors}: estimate {p:.0f} MiB, measured "
              f"{m:.0f} MiB, ratio {p / m:.2f}")
