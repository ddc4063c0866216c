"""Peak memory of a dense study task: ``mbl estimate`` against the measured peak.

Writes a one-task study (3D Anderson, L = 16, N = 4096 by default), asks ``mbl estimate`` for
its plan, runs it with ``/usr/bin/time -v mbl run`` (falling back to the children's rusage),
and prints predicted / measured. The interpreter and imports are included in both.

Usage: python3 benchmarks/bench_memory.py [L] [vectors: 0|1]
"""

from __future__ import annotations

import re
import resource
import shutil
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


def _mib(text: str) -> float:
    value, unit = re.search(r"([\d.]+) (GiB|MiB|KiB)", text).groups()
    return float(value) * {"GiB": 1024, "MiB": 1, "KiB": 1 / 1024}[unit]


def measure(L: int, vectors: bool) -> tuple[float, float]:
    """(predicted MiB, measured MiB)."""
    names = '["gap_ratio", "ipr"]' if vectors else '["gap_ratio"]'
    with tempfile.TemporaryDirectory() as tmp:
        study = Path(tmp) / "mem.toml"
        study.write_text(STUDY.format(L=L, names=names))
        est = subprocess.run([sys.executable, "-m", "mbl.cli", "estimate", str(study)],
                             capture_output=True, text=True, check=True).stdout
        predicted = _mib(est.splitlines()[1])
        cmd = [sys.executable, "-m", "mbl.cli", "run", str(study), "--out", f"{tmp}/run", "-q"]
        gnu_time = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists()
                                            else None)
        if gnu_time:
            res = subprocess.run([gnu_time, "-v", *cmd], capture_output=True, text=True,
                                 check=True)
            kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                                res.stderr).group(1))
        else:
            subprocess.run(cmd, capture_output=True, check=True)
            kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        return predicted, kib / 1024


if __name__ == "__main__":
    L = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    for vectors in ((bool(int(sys.argv[2])),) if len(sys.argv) > 2 else (False, True)):
        p, m = measure(L, vectors)
        print(f"L = {L}, N = {L**3}, vectors = {vectors}: estimate {p:.0f} MiB, measured "
              f"{m:.0f} MiB, ratio {p / m:.2f}")
