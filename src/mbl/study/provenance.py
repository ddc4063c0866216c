"""Provenance: what produced a result (versions, git revision, BLAS, host, times)."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy


def git_revision(path: str | Path | None = None) -> str | None:
    """Git revision of the source tree holding ``path`` (mbl's own by default), '+dirty' marked."""
    where = Path(path) if path is not None else Path(__file__).resolve().parent
    try:
        rev = subprocess.run(["git", "-C", str(where), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10)
        if rev.returncode != 0:
            return None
        if path is None:  # an installed copy inside some other repository is no checkout
            mine = subprocess.run(["git", "-C", str(where), "ls-files", "--error-unmatch",
                                   Path(__file__).name], capture_output=True, text=True,
                                  timeout=10)
            if mine.returncode != 0:
                return None
        dirty = subprocess.run(["git", "-C", str(where), "status", "--porcelain", "-uno"],
                               capture_output=True, text=True, timeout=10)
        return rev.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def blas_info() -> list[dict[str, Any]]:
    """The BLAS/LAPACK/OpenMP libraries loaded, with versions and thread counts."""
    from threadpoolctl import threadpool_info

    keep = ("user_api", "internal_api", "version", "num_threads", "threading_layer",
            "architecture")
    return [{k: lib.get(k) for k in keep} for lib in threadpool_info()]


def provenance() -> dict[str, Any]:
    """A record of the software and machine, taken now."""
    import numba

    from mbl import __version__

    return {
        "mbl": __version__,
        "git_revision": git_revision(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "numba": numba.__version__,
        "blas": blas_info(),
        "host": socket.gethostname(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "argv": sys.argv,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
