"""The tutorials in examples/ run to the end, and keep the shape sphinx-gallery needs.

Each ``examples/plot_*.py`` runs in a subprocess (MPLBACKEND=Agg, one BLAS/numba thread, a
temporary working directory) and must exit 0; the docs build executes the same scripts. The
ones that take more than about 20 s on a loaded core run with ``-m slow``. Measured on the
shared 2-core machine (CPU seconds, one thread): anderson 3.5, transport 7, study 5 (default
suite); bethe 8-9, quench 9, baa 11, xxz 14 (slow; 20-30 s wall there under load).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

#: name -> runs in the default suite (False: marked slow).
FAST = {
    "plot_anderson_levels_tmm.py": True,
    "plot_xxz_mid_spectrum.py": False,
    "plot_quench_imbalance.py": False,
    "plot_bethe_cavity.py": False,
    "plot_baa_theory.py": False,
    "plot_transport_network.py": True,
    "plot_study_workflow.py": True,
}
#: Seconds before a run counts as hung (a cold numba cache adds compilation on first runs).
TIMEOUT = {True: 300, False: 600}
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "BLIS_NUM_THREADS", "NUMBA_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")


def _scripts() -> list[str]:
    return sorted(p.name for p in EXAMPLES.glob("plot_*.py"))


def test_every_example_is_listed() -> None:
    """A new tutorial must be added to FAST (and so be run here)."""
    assert _scripts() == sorted(FAST)


@pytest.mark.parametrize("name", sorted(FAST))
def test_gallery_shape(name: str) -> None:
    """A docstring with an underlined title, ``# %%`` cells, an explicit generator (or, for a
    study, its seed), no global random state, and a printed check."""
    source = (EXAMPLES / name).read_text(encoding="utf-8")
    doc = ast.get_docstring(ast.parse(source), clean=False)
    assert doc, f"{name}: sphinx-gallery needs a module docstring"
    title, underline = doc.strip("\n").splitlines()[:2]
    assert set(underline) == {"="} and len(underline) >= len(title.strip()), name
    assert "# %%" in source, f"{name}: no cells"
    assert "np.random.default_rng(" in source or re.search(r"^seed = \d+$", source, re.M), \
        f"{name}: no explicit generator (or study seed)"
    assert not re.search(r"np\.random\.(seed|rand|randn|randint|uniform|normal)\(", source), \
        f"{name}: global random state"
    assert "print(" in source, f"{name}: no printed check"


@pytest.mark.parametrize(
    "name", [n if fast else pytest.param(n, marks=pytest.mark.slow) for n, fast in FAST.items()])
def test_example_runs(name: str, tmp_path: Path) -> None:
    env = {**os.environ, "MPLBACKEND": "Agg", **dict.fromkeys(THREAD_VARIABLES, "1")}
    proc = subprocess.run([sys.executable, str(EXAMPLES / name)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT[FAST[name]])
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert proc.stdout.strip(), f"{name} printed no check"
    assert not list(tmp_path.iterdir()), f"{name} left files in its working directory"
