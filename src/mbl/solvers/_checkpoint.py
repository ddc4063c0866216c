"""Checkpoint files of long single solves (Krylov evolution, POLFED).

A checkpoint is one ``.npz`` file holding a format tag, a key (a SHA-256 hash of everything
the result depends on) and the solver's state arrays. It is written to a temporary file,
flushed to disk and moved into place with ``os.replace``, so a kill at any moment leaves the
previous checkpoint intact. Loading refuses a file of another format or key with an
:class:`~mbl.errors.InputError` that names the fix (delete the file, or call with the
arguments that wrote it); the solver removes the file when it completes.

Inside ``with checkpoints_in(directory):`` every Krylov evolution and POLFED solve that is
not given a checkpoint path of its own checkpoints to ``directory/<solver>-<key>.npz``: the
file is named by the solve's key, so a rerun of the same solve (a study task retried after
its worker died) resumes from it and no two solves share a file. A solve shorter than its
``checkpoint_every`` never writes one, and a failed write of such an implicit checkpoint (a
full disk) is logged and the solve goes on without checkpoints.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging
import os
import time
from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp

from mbl._core.errors import InputError

log = logging.getLogger(__name__)

_DIRECTORY: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "mbl_checkpoint_directory", default=None)


@contextlib.contextmanager
def checkpoints_in(directory: str | os.PathLike | None) -> Iterator[None]:
    """Long solves inside the block checkpoint to ``directory`` (see the module docstring);
    None: no implicit checkpoints."""
    token = _DIRECTORY.set(None if directory is None else os.fspath(directory))
    try:
        yield
    finally:
        _DIRECTORY.reset(token)


def implicit_path(solver: str, key: str) -> str | None:
    """The implicit checkpoint file of a solve, or None outside :func:`checkpoints_in`."""
    directory = _DIRECTORY.get()
    return None if directory is None else os.path.join(directory, f"{solver}-{key[:24]}.npz")


#: Fixed pseudo-random vector seed that keys a LinearOperator (by its product with it).
_PROBE_SEED = 20240917


def solve_key(fmt: str, H, params: tuple, arrays: tuple = ()) -> str:
    """SHA-256 of the format tag, H, the scalar parameters and the arrays. A matrix is
    hashed by its data; a LinearOperator by its product with a fixed pseudo-random vector
    (one product, so the same H given as a matrix and as an operator has two keys)."""
    h = hashlib.sha256(fmt.encode())
    h.update(repr((tuple(H.shape), str(np.dtype(H.dtype)), *params)).encode())
    if sp.issparse(H):
        A = H.tocsr()
        hashed = [A.indptr, A.indices, A.data]
    elif isinstance(H, np.ndarray):
        hashed = [H]
    else:
        probe = np.random.default_rng(_PROBE_SEED).standard_normal(H.shape[0])
        hashed = [np.asarray(H @ probe)]
    for x in [*hashed, *arrays]:
        x = np.asarray(x)
        h.update(str(x.dtype).encode())
        h.update(np.ascontiguousarray(x).tobytes())
    return h.hexdigest()


class Checkpoint:
    """The checkpoint file of one solve: ``load``, ``due``, ``save``, ``remove``.

    ``what`` names the solve in messages ("evolution", "POLFED solve"); ``differs`` lists
    what the key covers ("H, psi0, times, tol or krylov_dim")."""

    def __init__(self, path, every: float, key: str, fmt: str, what: str, differs: str,
                 implicit: bool = False):
        self.path, self.every, self.key = os.fspath(path), float(every), key
        self.fmt, self.what, self.differs = fmt, what, differs
        self.implicit = implicit
        self.last = time.monotonic()

    @property
    def fix(self) -> str:
        return (f"delete {self.path!r} (or pass another checkpoint path) to start this "
                f"{self.what} afresh")

    def load(self, names: tuple[str, ...]) -> dict[str, np.ndarray] | None:
        """The saved arrays ``names``, or None when there is no file."""
        if not os.path.exists(self.path):
            return None
        try:
            with np.load(self.path, allow_pickle=False) as f:
                key, fmt = str(f["key"]), str(f["format"])
                state = {name: f[name] for name in names} if fmt == self.fmt else {}
        except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same answer
            raise InputError(f"checkpoint {self.path!r} cannot be read ({exc}); "
                             f"{self.fix}") from None
        if fmt != self.fmt or key != self.key:
            raise InputError(
                f"checkpoint {self.path!r} belongs to a different {self.what} "
                f"({self.differs} differ: key {key[:12]}... against {self.key[:12]}...); "
                f"{self.fix}, or call with the arguments that wrote it")
        return state

    def inconsistent(self) -> InputError:
        return InputError(f"checkpoint {self.path!r} is inconsistent with its key; {self.fix}")

    def due(self) -> bool:
        return self.every >= 0 and time.monotonic() - self.last >= self.every

    def save(self, **arrays: np.ndarray) -> None:
        tmp = f"{self.path}.tmp-{os.getpid()}"
        try:
            if self.implicit:
                os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            with open(tmp, "wb") as f:
                np.savez(f, format=np.array(self.fmt), key=np.array(self.key), **arrays)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.remove(tmp)
            if not self.implicit:
                raise
            log.warning("cannot write the checkpoint %s (%s); the %s goes on without "
                        "checkpoints", self.path, exc, self.what)
            self.every = -1.0  # never due again
        self.last = time.monotonic()

    def remove(self) -> None:
        if os.path.exists(self.path):
            os.remove(self.path)
