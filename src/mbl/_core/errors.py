"""Exception hierarchy of :mod:`mbl`.

Every error a user can cause derives from :class:`MBLError` and carries a message that names
the problem and the fix. The command line turns :class:`InputError` into exit status 2 with
one paragraph and no traceback.
"""

from __future__ import annotations


class MBLError(Exception):
    """Base class of every error raised deliberately by :mod:`mbl`."""


class InputError(MBLError, ValueError):
    """The input (arguments, study file, command line) is invalid; nothing was computed."""


class ConfigError(InputError):
    """A study configuration is refused by the schema or by a consistency check."""


class MemoryPlanError(InputError):
    """The memory plan says a task cannot fit in the memory available."""


class StoreMismatchError(InputError):
    """An output directory holds a different study than the one asked for."""


class StoreLockedError(InputError):
    """Another live driver holds the study directory's lock; nothing was touched."""


class StoreError(MBLError):
    """A study store is damaged or cannot be written (disk full, read-only, corrupted); the
    message names the damage and the way out (``mbl check DIR --repair``, free space, ...)."""


class ConvergenceError(MBLError, RuntimeError):
    """An iterative solver did not reach the requested accuracy."""
