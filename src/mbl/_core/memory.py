"""Memory planning: what the machine has and what a dense or sparse task needs."""

from __future__ import annotations

import os
import resource
import sys

GiB = 1024**3
MiB = 1024**2


def available_memory() -> int:
    """Bytes of memory available to new work (``MemAvailable`` of /proc/meminfo)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 8 * GiB


def total_memory() -> int:
    """Bytes of physical memory."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return available_memory()


def peak_rss() -> int:
    """Peak resident set size of this process so far, in bytes."""
    ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(ru if sys.platform == "darwin" else ru * 1024)


def current_rss() -> int:
    """Current resident set size of this process, in bytes (Linux; else the peak)."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return peak_rss()


def format_bytes(n: float) -> str:
    """Human-readable size with binary prefixes, up to EiB: ``1.47 PiB``, ``512 B``."""
    if n != n:  # NaN
        return "unknown"
    for unit, size in (("EiB", 1024**6), ("PiB", 1024**5), ("TiB", 1024**4), ("GiB", GiB),
                       ("MiB", MiB), ("KiB", 1024)):
        if abs(n) >= size:
            return f"{n / size:.2f} {unit}"
    return f"{int(n)} B"


#: (unit, its size in the unit before) for :func:`format_seconds`; a year is 365.25 days.
_TIME_UNITS = (("min", 60.0), ("h", 60.0), ("days", 24.0), ("years", 365.25))


def format_seconds(s: float) -> str:
    """Human-readable duration, in the largest unit of s, min, h, days, years that leaves at
    least 1: ``0.012 s``, ``42 s``, ``3.5 min``, ``2.1 h``, ``4.0 days``, ``2757 years``;
    ``unknown`` for NaN, ``forever`` for infinity."""
    if s != s:
        return "unknown"
    if abs(s) == float("inf"):
        return "forever"
    value, unit = float(s), "s"
    text = f"{value:.2g}" if abs(value) < 10 else f"{value:.0f}"
    for bigger, size in _TIME_UNITS:
        if abs(float(text)) < size:  # as printed, still below one of the next unit
            break
        value, unit = value / size, bigger
        text = f"{value:.1f}" if abs(value) < 100 else f"{value:.0f}"
    if unit == "years" and abs(value) >= 1e6:
        text = f"{value:.2g}"
    return f"{text} {unit}"
