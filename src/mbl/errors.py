"""Public exception types (see :mod:`mbl._core.errors`)."""

from mbl._core.errors import (
    ConfigError,
    ConvergenceError,
    InputError,
    MBLError,
    MemoryPlanError,
    StoreMismatchError,
)

__all__ = [
    "ConfigError",
    "ConvergenceError",
    "InputError",
    "MBLError",
    "MemoryPlanError",
    "StoreMismatchError",
]
