"""The global options of ``mbl`` (before the command): ``--version``, ``--log-level``,
``--progress-every``."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from mbl._cli.common import _guard
from mbl._cli.progress import ENV_EVERY, set_progress_every
from mbl._core.errors import InputError

LEVELS = ("debug", "info", "warning", "error", "critical")


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """A handler on whatever ``sys.stderr`` is at the time of each record."""

    @property  # type: ignore[override]
    def stream(self):  # noqa: ANN201
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


def configure_logging(level: str) -> None:
    """Python logging of mbl and its libraries at ``level`` and above, on stderr."""
    name = level.lower()
    if name not in LEVELS:
        raise InputError(f"--log-level must be one of {', '.join(LEVELS)}, got {level!r}")
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _Stderr)), None)
    if handler is None:
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("mbl: %(levelname)s: %(name)s: %(message)s"))
        root.addHandler(handler)
    # the handler filters too: libraries that set their own loggers' levels (distributed logs
    # at INFO) propagate records that the root logger's level alone would not stop
    handler.setLevel(name.upper())
    root.setLevel(name.upper())


def _version(value: bool) -> None:
    if value:
        from mbl import __version__

        typer.echo(f"mbl {__version__}")
        raise typer.Exit()


@_guard
def root(version: Annotated[bool, typer.Option(
             "--version", is_eager=True, callback=_version,
             help="Print mbl's version and exit.")] = False,
         log_level: Annotated[str, typer.Option(
             "--log-level", envvar="MBL_LOG_LEVEL", metavar="LEVEL",
             help=f"Python logging shown on stderr: {', '.join(LEVELS)}.")] = "warning",
         progress_every: Annotated[float | None, typer.Option(
             "--progress-every", envvar=ENV_EVERY, metavar="SECONDS",
             help="Off a terminal (a batch log), print a progress line every SECONDS "
                  "(0: none) [default: 30].")] = None,
         ) -> None:
    """Localization in disordered electron systems: studies, reproductions.

    Exit status: 0 ok, 1 failure, 2 bad input. Shell completion: mbl --install-completion.
    """
    configure_logging(log_level)
    set_progress_every(progress_every)
