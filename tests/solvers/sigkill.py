"""Shared by the checkpoint tests: run a solve in a child process and SIGKILL it mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path


def namespace(setup: str) -> dict:
    """The names a test's setup source defines (the same source the child runs)."""
    ns: dict = {}
    exec(setup, ns)  # noqa: S102 - the test's own source
    return ns


def kill_mid_run(child_source: str, tmp_path: Path, checkpoint: Path,
                 progress: Callable[[Path], int], at_least: int) -> int:
    """Start ``child_source`` with the checkpoint path as its argument, SIGKILL it once
    ``progress(checkpoint)`` reaches ``at_least``; returns the progress the checkpoint holds."""
    script = tmp_path / "child.py"
    script.write_text(child_source)
    child = subprocess.Popen([sys.executable, str(script), str(checkpoint)])
    try:
        deadline = time.monotonic() + 120
        while progress(checkpoint) < at_least and child.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL  # killed, not finished
    return progress(checkpoint)
