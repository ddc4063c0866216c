"""``mbl estimate`` predicts the peak memory of a dense task within a factor 1.5."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

STUDY = """
[study]
kind = "spectrum"
seed = 1
samples = 1
[model]
name = "anderson"
d = 3
L = 16
W = 16.5
[solver]
method = "dense"
energy = 0.0
[observables]
names = {names}
"""

MEASURE = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


@pytest.mark.parametrize("names", ['["gap_ratio"]', '["gap_ratio", "ipr"]'])
def test_estimate_within_factor_1p5(tmp_path, names):
    study = tmp_path / "mem.toml"
    study.write_text(STUDY.format(names=names))
    mbl = [sys.executable, "-m", "mbl.cli"]
    est = subprocess.run([*mbl, "estimate", str(study)], capture_output=True, text=True,
                         check=True).stdout
    value, unit = re.search(r"4096\s+dense\s+([\d.]+) (GiB|MiB)", est).groups()
    predicted = float(value) * (1024 if unit == "GiB" else 1)
    out = subprocess.run([sys.executable, "-c", MEASURE, *mbl, "run", str(study), "--out",
                          str(tmp_path / "run"), "-q"], capture_output=True, text=True,
                         check=True).stdout
    measured = int(out.split()[-1]) / 1024  # KiB -> MiB
    assert 1 / 1.5 <= predicted / measured <= 1.5, (predicted, measured)
