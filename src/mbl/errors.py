"""Public exception types (see :mod:`mbl._core.errors`)."""

from mbl._core.errors import (
    ConfigError,
    ConvergenceError,
    InputError,
    MBLError,
    MemoryPlanError,
    StoreError,
    StoreLockedError,
    StoreMismatchError,
)

__all__ = [
    "ConfigError",
    "ConvergenceError",
    "InputError",
    "MBLError",
    "MemoryPlanError",
    "StoreError",
    "StoreLockedError",
    "StoreMismatchError",
]
