"""Shared pieces of the ``mbl`` commands: error handling, signals, option checks."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer

from mbl._core.errors import InputError, MBLError


def _fail(message: str, code: int) -> None:
    typer.echo(f"mbl: error: {message}", err=True)
    raise typer.Exit(code)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: stops the run like Ctrl-C (workers stopped, the run recorded)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, frame: object) -> None:
    raise Terminated(signum)


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn mbl's errors, OS faults and signals into one paragraph on stderr and the
    documented exit status."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import signal

        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _terminate)
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            _fail(str(exc), 2)
        except MBLError as exc:
            _fail(str(exc), 1)
        except BrokenPipeError:  # the reader went away ('mbl reproduce | head'): stop quietly
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(128 + signal.SIGPIPE) from None
        except OSError as exc:
            where = f" '{exc.filename}'" if exc.filename else ""
            _fail(f"cannot write or read{where}: {exc.strerror or exc}; check the path, its "
                  "permissions and the free space, then run the same command again", 1)
        except Terminated as exc:
            name = signal.Signals(exc.signum).name
            _fail(f"stopped by {name}; every finished task is stored, run the same command to "
                  "resume", 128 + exc.signum)
        except KeyboardInterrupt:
            _fail("interrupted; every finished task is stored, run the same command to resume",
                  130)

    return wrapper


def _workers(n: int | None) -> int | None:
    if n is not None and n < 1:
        raise InputError(f"--workers must be >= 1, got {n}")
    return n


Sets = Annotated[list[str] | None, typer.Option("--set", help="override: section.key=value")]
Json = Annotated[bool, typer.Option("--json", help="one JSON object on stdout (keys above)")]


def echo_json(obj: Any) -> None:
    """``obj`` as one line of JSON on stdout (NaN and infinities as null)."""
    import json
    import math

    def clean(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        return v

    typer.echo(json.dumps(clean(obj), default=str))


def _executor_choice(workers: int | None, scheduler: str | None,
                     cluster: str | None) -> tuple[int, str | None]:
    """(workers, dask) for :func:`mbl.study.runner.run_study` from the three options."""
    if scheduler is not None and cluster is not None:
        raise InputError("give either --scheduler ADDRESS or --cluster local:N, not both")
    if workers is not None and (scheduler is not None or cluster is not None):
        raise InputError("--workers sizes the local pool; a Dask cluster brings its own workers "
                         "(--cluster local:N starts N): drop --workers")
    if scheduler is not None:
        return 1, scheduler
    if cluster is None:
        return (1 if workers is None else workers), None
    kind, _, count = cluster.partition(":")
    if kind != "local" or not count.isdigit() or int(count) < 1:
        raise InputError(f"--cluster must be local:N with N >= 1 worker processes, got "
                         f"{cluster!r}; to use a cluster started elsewhere (dask-jobqueue, "
                         "'dask scheduler'), pass its address with --scheduler tcp://host:8786")
    return int(count), "local"
