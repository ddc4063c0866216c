"""The generated documentation pages say everything the code accepts (they cannot drift)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def studyref():
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        import studyref
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    return studyref


def _sections():
    from mbl.study.config import ObservablesSection, SolverSection, StudySection
    from mbl.study.models import MODELS

    yield "study", StudySection
    yield "solver", SolverSection
    yield "observables", ObservablesSection
    for name, entry in MODELS.items():
        yield f"model {name}", entry.schema


def test_every_key_has_a_description():
    missing = [f"[{section}] {key}" for section, schema in _sections()
               for key, field in schema.model_fields.items()
               if key != "name" and not (field.description or "").strip()]
    assert not missing, f"keys without a description for the study-file reference: {missing}"


def test_the_study_file_reference_lists_every_key_and_kind(studyref):
    from mbl.study.kinds import KINDS
    from mbl.study.models import MODELS

    text = studyref.render()
    for section, schema in _sections():
        for key in schema.model_fields:
            if key != "name":
                assert f"| `{key}` |" in text, f"[{section}] {key} missing from the reference"
    for name in (*MODELS, *KINDS):
        assert f"### `{name}`" in text
    for kind in KINDS.values():
        for observable in kind.observables:
            assert f"`{observable}`" in text


def test_required_keys_and_defaults_are_shown(studyref):
    text = studyref.render()
    assert "| `kind` |" in text and "**required**" in text
    assert '| `method` | `"auto"` \\| `"dense"`' in text
    assert '| `samples` | int | `1` | >= 1 |' in text
