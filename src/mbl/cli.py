"""The ``mbl`` command (docs/cli.md). Exit status: 0 ok, 2 bad input, 1 failure."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from mbl._cli.common import _guard, _workers
from mbl._cli.progress import _Bar
from mbl._cli.root import root
from mbl._cli.study import check, estimate, run, status
from mbl._cli.system import info
from mbl._core.errors import InputError

# Plain (click) help, no rich: 'mbl --help' stays fast (heavy imports happen inside commands).
app = typer.Typer(pretty_exceptions_enable=False, no_args_is_help=True, rich_markup_mode=None,
                  context_settings={"max_content_width": 100})
app.callback()(root)

app.command()(run)
app.command()(status)


@app.command()
@_guard
def export(directory: Annotated[Path, typer.Argument(help="study directory")],
           format: Annotated[str, typer.Option(help="netcdf or csv")] = "netcdf",
           output: Annotated[Path | None, typer.Option("-o", "--output", help="file")] = None,
           ) -> None:
    """Export a study to netCDF (an xarray Dataset) or CSV (scalar observables)."""
    from mbl.study.export import to_dataset, write_csv, write_netcdf

    if format not in ("netcdf", "csv"):
        raise InputError(f"--format must be 'netcdf' or 'csv', got {format!r}")
    ds = to_dataset(directory)
    _warn_refused(ds)
    suffix = ".nc" if format == "netcdf" else ".csv"
    path = output or Path(directory) / f"{Path(directory).name}{suffix}"
    (write_netcdf if format == "netcdf" else write_csv)(ds, path)
    typer.echo(str(path))


def _warn_refused(ds: Any) -> None:
    refused = ds.attrs.get("tasks_refused", "")
    if refused:
        typer.echo(f"mbl: warning: stored results that fail verification are exported as NaN "
                   f"with task_status 'corrupt' ({refused}); 'mbl run' recomputes them", err=True)


app.command()(check)


@app.command()
@_guard
def plot(directory: Annotated[Path, typer.Argument(help="study directory")],
         x: Annotated[str, typer.Option(help="dimension on the x axis (grid axis, time, ...)")]
         = "W",
         y: Annotated[str, typer.Option(help="variable or observable (docs/results.md)")]
         = "r_mean",
         hue: Annotated[str | None, typer.Option(help="grid axis, one curve per value")] = None,
         sel: Annotated[list[str] | None, typer.Option(
             "--sel", help="fix a dimension at one value, e.g. --sel L=8 (repeatable)")] = None,
         output: Annotated[Path | None, typer.Option("-o", "--output", help="PNG file")] = None,
         ) -> None:
    """Plot an observable (mean over samples, standard-error bars) against a dimension; labels
    and log axes come from the exported metadata."""
    from mbl.plot import parse_selection, plot_curves, save_figure, select, variable_for
    from mbl.study.export import to_dataset

    ds = to_dataset(directory)
    _warn_refused(ds)
    ds = select(ds, parse_selection(sel or []))
    y = variable_for(ds, y, x)
    if hue is None:
        grid = ds[y].dims[: ds[y].dims.index("sample")] if "sample" in ds[y].dims else ()
        others = [d for d in grid if d != x and ds.sizes[d] > 1]
        hue = others[0] if len(others) == 1 else None
    refs = _references(y)
    fig = plot_curves(ds, x=x, y=y, hue=hue, references=refs)
    typer.echo(str(save_figure(fig, output or Path(directory) / f"{y}_vs_{x}.png")))


def _references(y: str) -> dict[str, float] | None:
    from mbl.observables import R_GOE, R_POISSON

    if y == "r_mean":
        return {f"Poisson {R_POISSON:.4f}": R_POISSON, f"GOE {R_GOE:.4f}": R_GOE}
    return None


app.command()(estimate)
app.command()(info)


@app.command()
@_guard
def reproduce(name: Annotated[str | None, typer.Argument(help="reproduction (none: list)")] = None,
              quick: Annotated[bool, typer.Option("--quick", help="the fast variant")] = False,
              json_: Annotated[bool, typer.Option("--json", help="one JSON object on stdout")]
              = False,
              out: Annotated[Path, typer.Option(help="where studies and figures go")]
              = Path("runs/reproduce"),
              workers: Annotated[int | None, typer.Option(help="workers (default: all cores)")]
              = None,
              quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
              all_: Annotated[bool, typer.Option("--all", help="every reproduction in turn; "
                                                 "one that fails is reported, the rest run")]
              = False,
              report: Annotated[Path | None, typer.Option(
                  help="write a self-contained HTML report into this folder")] = None,
              reuse: Annotated[Path | None, typer.Option(
                  help="take stored results (DIR/NAME/NAME.json of this mode) instead of "
                  "running; --all in full mode: data/reproductions by default")] = None,
              no_reuse: Annotated[bool, typer.Option(
                  "--no-reuse", help="run even where a stored result exists")] = False,
              no_run: Annotated[bool, typer.Option(
                  "--no-run", help="run nothing: report the stored results only")] = False,
              ) -> None:
    """Reproduce a published result end to end: study, analysis, figure, table.

    No NAME: list the reproductions with their typical run times.
    """
    import os

    from mbl._core.errors import MBLError
    from mbl.reproduce import REPRODUCTIONS, get, suite

    if name is None and not all_:
        for line in suite.listing(list(REPRODUCTIONS.values()), suite.default_results()):
            typer.echo(line)
        return
    n = _workers(workers) or os.cpu_count() or 1
    if all_ or report is not None or reuse is not None or no_run:
        if json_:
            raise InputError("--json prints one reproduction's object: drop it with --all, "
                             "--report, --reuse and --no-run")
        entries = suite.run_many(name, all_=all_, quick=quick, out=out, workers=n, reuse=reuse,
                                 no_reuse=no_reuse, no_run=no_run,
                                 bar=lambda label: _Bar(label, quiet), echo=typer.echo)
        if report is not None:
            from mbl.reproduce.report import write_report

            typer.echo(f"report: {write_report(entries, report)}")
        if (message := suite.failure_message(entries)) is not None:
            raise MBLError(message)
        return
    entry = get(name)  # type: ignore[arg-type]
    with _Bar(name, quiet or json_) as bar:
        report = entry.run(quick=quick, out=out, workers=n, progress=bar)
    if json_:
        sys.stdout.write(json.dumps(report.as_json()) + "\n")
    else:
        typer.echo(report.table())


def main() -> None:
    """Console-script entry point: usage errors too become one paragraph and exit 2."""
    from typer._click.exceptions import NoArgsIsHelpError
    from typer.exceptions import TyperException

    try:
        code = app(standalone_mode=False)
    except NoArgsIsHelpError as exc:  # no arguments at all: the help, on stderr
        typer.echo(exc.format_message(), err=True)
        sys.exit(exc.exit_code)
    except TyperException as exc:
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        if message.strip():
            typer.echo(f"mbl: error: {message} (see 'mbl --help' or 'mbl COMMAND --help')",
                       err=True)
        sys.exit(getattr(exc, "exit_code", 2))
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
