"""The reproduction JSON contract (docs/cli.md §3), shared by the reproduction tests."""

from __future__ import annotations

import json
import math

from typer.testing import CliRunner

from mbl.cli import app

KEYS = {"quantity", "params", "value", "error", "interval", "reference", "reference_error",
        "source", "verdict"}


def _check_contract(payload: dict, name: str) -> None:
    assert set(payload) == {"schema", "name", "quick", "seconds", "figures", "results",
                            "provenance"}
    assert payload["name"] == name and payload["quick"] is True
    assert payload["seconds"] > 0
    assert payload["figures"] and all(f.endswith(".png") for f in payload["figures"])
    for row in payload["results"]:
        assert set(row) == KEYS
        for key in ("value", "error", "reference", "reference_error"):
            v = row[key]
            assert v is None or (isinstance(v, float) and math.isfinite(v)), (key, v)


def _run_json(args: list[str]) -> dict:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, "stdout must hold exactly one JSON object"
    return json.loads(lines[0])
