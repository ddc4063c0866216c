"""The system command: ``info``."""

from __future__ import annotations

from typing import Any

import typer

from mbl._cli.common import Json, _guard, echo_json

#: Optional extras: name -> (module that must import, distribution, what it enables).
EXTRAS = {
    "mumps": ("mumps", "python-mumps", "shift-invert with MUMPS (pip install 'mbl[mumps]')"),
    "dask": ("dask.distributed", "distributed", "--cluster/--scheduler (pip install 'mbl[dask]')"),
}


def extras() -> dict[str, dict[str, Any]]:
    """Each optional extra: whether its module imports, its version, what it enables."""
    import importlib
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name, (module, dist, enables) in EXTRAS.items():
        try:
            ver: str | None = version(dist)
        except PackageNotFoundError:
            ver = None
        try:
            importlib.import_module(module)
            error = None
        except Exception as exc:  # ImportError, or a broken build failing otherwise
            error = f"{type(exc).__name__}: {exc}"
        out[name] = {"available": error is None, "module": module, "distribution": dist,
                     "version": ver, "error": error, "enables": enables}
    return out


def numba_threads() -> dict[str, Any]:
    """numba's threading layer (the one it picks now: tbb, omp or workqueue), the layer asked
    for (NUMBA_THREADING_LAYER), and its thread count."""
    import numba

    try:  # choosing the layer loads it; numba.threading_layer() tells only after that
        from numba.np.ufunc import parallel

        parallel._launch_threads()
        layer: str | None = numba.threading_layer()
    except Exception:  # noqa: BLE001 (a private helper: any failure only hides the answer)
        layer = None
    return {"layer": layer, "requested": numba.config.THREADING_LAYER,
            "threads": numba.get_num_threads()}


def source(p: dict[str, Any]) -> str:
    """Where this mbl comes from, in words."""
    if p["git_revision"]:
        return f"git checkout, revision {p['git_revision']}"
    return f"not a git checkout (installed package {p['mbl']})"


@_guard
def info(json_: Json = False) -> None:
    """Versions, source, optional extras, BLAS and numba threads, cores, memory.

    --json keys: mbl, git_revision (null: not a git checkout), source, python, numpy, scipy,
    numba, host, platform, cpu_count, memory_total_bytes, memory_available_bytes, blas (one
    object per library: user_api, internal_api, version, num_threads, threading_layer,
    architecture), numba_threading (layer, requested, threads), solver_threads (the rule in
    force inside solvers: cores, pinned_by (why the user's BLAS setting is kept; null: not
    pinned), numba_kernels and blas_only (numba_threads, blas_threads in each kind of solver),
    layer (numba's threading layer), rule (in words)), extras (mumps, dask: available, module,
    distribution, version, error, enables).
    """
    from mbl._core.memory import available_memory, format_bytes, total_memory
    from mbl._core.threads import solver_thread_rule
    from mbl.study.provenance import provenance

    p = provenance()
    keys = ("mbl", "git_revision", "python", "numpy", "scipy", "numba", "host", "platform",
            "cpu_count")
    record = {k: p[k] for k in keys} | {
        "source": source(p), "memory_total_bytes": total_memory(),
        "memory_available_bytes": available_memory(), "blas": p["blas"],
        "numba_threading": numba_threads(), "extras": extras()}
    import mbl.solvers  # noqa: F401 (reads the BLAS defaults the rule is judged against)

    record["solver_threads"] = solver_thread_rule() | {
        "layer": record["numba_threading"]["layer"]}
    if json_:
        echo_json(record)
        return
    for key in keys:
        typer.echo(f"{key:<13} {source(p) if key == 'git_revision' else p[key]}")
    typer.echo(f"{'memory':<13} {format_bytes(record['memory_total_bytes'])} total, "
               f"{format_bytes(record['memory_available_bytes'])} available")
    for lib in p["blas"]:
        typer.echo(f"{'threadpool':<13} {lib['internal_api']} {lib['version']} "
                   f"({lib['user_api']}, {lib['num_threads']} threads)")
    nt = record["numba_threading"]
    typer.echo(f"{'numba layer':<13} {nt['layer'] or 'unknown'} (asked: {nt['requested']}, "
               f"{nt['threads']} threads)")
    st = record["solver_threads"]
    nk, bo = st["numba_kernels"], st["blas_only"]
    typer.echo(f"{'solver pools':<13} numba kernels: numba {nk['numba_threads']} x BLAS "
               f"{nk['blas_threads']}; dense/shift-invert: BLAS {bo['blas_threads']} "
               f"({st['cores']} cores, {st['free_cores']} free now; "
               + (f"user's setting kept: {st['pinned_by']})" if st["pinned_by"]
                  else "threads limited to the free cores inside solvers)"))
    for name, e in record["extras"].items():
        state = (f"yes ({e['distribution']} {e['version']})" if e["available"]
                 else f"no ({e['error']})" if e["version"] else "no (not installed)")
        typer.echo(f"{'extra ' + name:<13} {state}: {e['enables']}")
