"""Strict layering (docs/architecture.md §1): a module never imports from a layer above its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import mbl

LAYERS = ["_core", "errors", "lattice", "basis", "operators", "models", "solvers", "transfer",
          "cavity", "observables", "baa", "transport",
          "scaling", "study", "plot", "reproduce", "_cli", "cli", "__main__"]
RANK = {name: i for i, name in enumerate(LAYERS)}
ROOT = Path(mbl.__file__).parent
ALLOWED_UP = {"errors": {"_core"}}  # mbl.errors re-exports _core.errors


def _layer(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0].removesuffix(".py")


def _imported_layers(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "mbl" and len(parts) > 1:
                found.add(parts[1])
    return found


MODULES = [p for p in ROOT.rglob("*.py") if p.name != "__init__.py" or p.parent != ROOT]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_upward_imports(path):
    own = _layer(path)
    for target in _imported_layers(path):
        assert target in RANK, f"{path}: imports unknown layer mbl.{target}"
        assert RANK[target] <= RANK[own] or target in ALLOWED_UP.get(own, set()), (
            f"{path} (layer {own}) imports the higher layer mbl.{target}")
