"""Generate the study-file reference from the config schema and the kind declarations.

The page is written at build time (``config-inited``), so it always says what the installed
code accepts: every key of ``[study]``, ``[solver]``, ``[observables]`` and of each model's
``[model]`` section, with its type, default, allowed range and description, and per study
kind its models, observables, solver methods and output dimensions.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

_BOUNDS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}


def _type(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " \\| ".join(f"`{v!r}`".replace("'", '"') for v in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        parts = [_type(a) for a in typing.get_args(annotation) if a is not type(None)]
        optional = type(None) in typing.get_args(annotation)
        return " \\| ".join(parts) + (" (optional)" if optional else "")
    if origin is list:
        (inner,) = typing.get_args(annotation)
        return f"list of {_type(inner)}"
    return getattr(annotation, "__name__", str(annotation))


def _range(field: Any) -> str:
    out = []
    for meta in field.metadata:
        for attr, sym in _BOUNDS.items():
            value = getattr(meta, attr, None)
            if value is not None:
                out.append(f"{sym} {value}")
    return ", ".join(out)


def _default(field: Any) -> str:
    if field.is_required():
        return "**required**"
    value = field.default
    if value is PydanticUndefined or value is None:
        return "—"
    return f"`{value!r}`".replace("'", '"')


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def schema_table(schema: type[BaseModel], skip: tuple[str, ...] = ()) -> list[str]:
    """A Markdown table of a section's keys."""
    lines = ["| key | type | default | range | meaning |", "|---|---|---|---|---|"]
    for name, field in schema.model_fields.items():
        if name in skip:
            continue
        lines.append(f"| `{name}` | {_type(field.annotation)} | {_default(field)} | "
                     f"{_range(field)} | {_cell(field.description or '')} |")
    return lines


def _doc(obj: Any) -> str:
    return " ".join((obj.__doc__ or "").strip().split())


def render() -> str:
    from mbl.study.config import ObservablesSection, SolverSection, StudySection
    from mbl.study.kinds import KINDS
    from mbl.study.models import MODELS

    out = ["# Study-file reference", "",
           "A study is a TOML file with the sections below; `mbl run STUDY.toml` validates it "
           "completely before any work and names every bad key (exit 2). Any key of "
           "`[model]` or `[solver]` may instead appear under `[grid]` as a "
           "list (or a range `{ start, stop, num }` / `{ start, stop, step }`), making it an "
           "axis of the study; the grid is the product of its axes. See "
           "[the study engine](../studies.md) for how studies run, resume and are stored.", "",
           "This page is generated from the schema that `mbl run` itself uses, so it lists "
           "exactly what the installed version accepts. Energies are in units of the hopping "
           "(or of the level spacing where a model says so), times in units of 1/hopping "
           "(hbar = 1); see [the conventions](../conventions.md).", ""]
    for title, schema in (("[study]", StudySection), ("[solver]", SolverSection),
                          ("[observables]", ObservablesSection)):
        out += [f"## `{title}`", "", _doc(schema) if schema.__doc__ else "", "",
                *schema_table(schema), ""]
    out += ["## `[model]`", "",
            "The `name` key picks the model; each model accepts the keys of its table.", ""]
    for name, entry in MODELS.items():
        out += [f"### `{name}`", "", _doc(entry.schema), "",
                *schema_table(entry.schema, skip=("name",)), ""]
    out += ["## Study kinds", "",
            "`[study] kind` selects what each task computes. The variables each observable "
            "writes, with their units and dimensions, are listed in "
            "[the exported variables](variables.md).", ""]
    for name, kind in KINDS.items():
        obs = ", ".join(f"`{o}`" for o in kind.observables) or "(fixed set, no `names`)"
        default = ", ".join(f"`{o}`" for o in kind.default_observables) or "—"
        axes = ", ".join(f"`{v}` → `{d}`" for v, d in kind.axes.items()) or "none (scalars)"
        out += [f"### `{name}`", "",
                f"- models: {', '.join(f'`{m}`' for m in kind.models)}",
                f"- observables: {obs}",
                f"- default observables: {default}",
                f"- solver methods: {', '.join(f'`{m}`' for m in kind.methods)}",
                f"- array outputs and their own dimension: {axes}", ""]
    return "\n".join(out).rstrip() + "\n"


def write(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render()
    if not path.exists() or path.read_text() != text:  # unchanged: keep Sphinx's cache valid
        path.write_text(text)
    return path
