"""One driver per study directory: an exclusive ``flock`` held for the driver's life.

The lock is taken on ``DIR/.lock`` with ``flock(LOCK_EX | LOCK_NB)``; the operating system
releases it when the driver's process ends, however it ends (``kill -9`` included), so a lock
is never stale. The file holds the holder's host, PID and start time for the message that
refuses a second driver, and for ``mbl status`` to tell a live run from an interrupted one.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path
from typing import Any

from mbl._core.errors import StoreError, StoreLockedError

LOCK_NAME = ".lock"


def _describe(holder: dict[str, Any] | None) -> str:
    if not holder:
        return "another mbl process (it is starting; its details are not written yet)"
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(holder.get("started", 0)))
    return (f"mbl run on host {holder.get('host')!s}, PID {holder.get('pid')}, "
            f"started {started}")


def _lock(fd: int, patience: float = 1.0) -> bool:
    """Try to lock for ``patience`` seconds: a ``mbl status`` probing the lock holds it shared
    for microseconds, which must not turn a driver away."""
    deadline = time.monotonic() + patience
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)


def _read(path: Path) -> dict[str, Any] | None:
    try:
        text = path.read_text()
        return json.loads(text) if text.strip() else None
    except (OSError, ValueError):
        return None


class DriverLock:
    """The exclusive lock of a study directory (a context manager).

    Parameters
    ----------
    directory
        The study directory; it is created if it does not exist.
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> DriverLock:
        """Take the lock, or raise :class:`StoreLockedError` naming the live holder."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot use '{self.directory}' as a study directory "
                             f"({exc.strerror or exc}); choose a writable --out directory"
                             ) from None
        if not _lock(fd):
            os.close(fd)
            holder = None
            for _ in range(10):  # the holder writes its details just after locking
                holder = _read(self.path)
                if holder:
                    break
                time.sleep(0.05)
            raise StoreLockedError(
                f"'{self.directory}' is being written by {_describe(holder)}; one driver per "
                "study: wait for it to end (or stop it), then run the same command to resume"
            ) from None
        info = {"host": socket.gethostname(), "pid": os.getpid(), "started": time.time()}
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info).encode(), 0)
        except OSError:
            pass  # the lock holds without its description (a full disk): only messages suffer
        self._fd = fd
        return self

    def release(self) -> None:
        """Release the lock (the file stays: removing it would race a waiting driver)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DriverLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def holder(directory: str | Path) -> dict[str, Any] | None:
    """The live driver holding ``directory``'s lock (host, pid, started), or None.

    Read-only: works on read-only storage, never creates the lock file.
    """
    path = Path(directory) / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _read(path) or {}
    except OSError:
        return None
    finally:
        os.close(fd)
    return None
