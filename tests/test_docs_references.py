"""Every documentation reference in the sources and pages resolves to a page of the repository.

Docstrings, comments, the README and the pages cite the documentation as ``docs/<page>.md``,
optionally followed by a section, ``docs/theory/insulator.md §3.4`` (a section list or range,
``§2.1-§2.2``, ``§6.1, §6.7``, checks each number given with a §). A cited page must exist, and a
cited section must be a heading of that page that starts with the number (``## 3.4 ...``).
Relative Markdown links in the README and the pages must point to existing files, and a link
whose text names a section (``[§1.2](baa-model.md)``) must find that heading too. No source may
refer to the design or theory notes outside the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
#: Folders under docs/ that Sphinx writes at build time (git-ignored): not sources.
BUILT = {"_build", "generated", "tutorials"}

SECTION = r"§[ \t]*(\d+(?:\.\d+)*)"
#: ``docs/<page>.md`` with an optional chain of sections on the same line.
REFERENCE = re.compile(r"docs/((?:[\w-]+/)*[\w-]+\.md)"
                       r"((?:[ \t]*(?:,|;|and|-|–)?[ \t]*§[ \t]*\d+(?:\.\d+)*)*)")
LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
#: Notes that live outside the repository (the names are split so this file does not match).
_NOTES = "(?:" + "DESI" + "GN|" + "THEO" + "RY)"
FORBIDDEN = re.compile(rf"\b{_NOTES}(?:\.md)?[ \t]*§|\b{_NOTES}\.md|" + "ANCH" + "ORS")


def _sources() -> list[Path]:
    files = sorted((ROOT / "src").rglob("*.py")) + sorted((ROOT / "tests").rglob("*.py"))
    # this file is left out: its probes are broken references on purpose
    files = [p for p in files if "__pycache__" not in p.parts and p != Path(__file__).resolve()]
    return files + [ROOT / "README.md"] + _pages()


def _pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md")
                  if not BUILT.intersection(p.relative_to(DOCS).parts))


def _headings(page: Path) -> list[str]:
    """The heading texts of a Markdown page (outside fenced code blocks)."""
    out, fenced = [], False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and (m := re.match(r"#{1,6}[ \t]+(.*)", line)):
            out.append(m.group(1).strip())
    return out


def _has_section(page: Path, number: str) -> bool:
    return any(re.match(re.escape(number) + r"(\s|$)", h) for h in _headings(page))


def _where(path: Path, text: str, pos: int) -> str:
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    return f"{name}:{text.count(chr(10), 0, pos) + 1}"


def reference_problems(path: Path) -> tuple[list[str], int]:
    """Broken ``docs/...md §N`` references of one file, and how many references it holds."""
    text = path.read_text(encoding="utf-8")
    problems, count = [], 0
    for m in REFERENCE.finditer(text):
        count += 1
        page = DOCS / m.group(1)
        where = _where(path, text, m.start())
        if not page.is_file():
            problems.append(f"{where}: docs/{m.group(1)} does not exist")
            continue
        for number in re.findall(SECTION, m.group(2)):
            if not _has_section(page, number):
                problems.append(f"{where}: docs/{m.group(1)} has no heading '{number} ...'")
    return problems, count


def link_problems(path: Path) -> list[str]:
    """Broken relative links of one Markdown file (the README or a page)."""
    text = path.read_text(encoding="utf-8")
    problems = []
    for m in LINK.finditer(text):
        label, target = m.group(1), m.group(2).split("#")[0]
        if not target or re.match(r"[a-z]+:", target):
            continue  # a URL, a mail address or an anchor on the same page
        resolved = (path.parent / target).resolve()
        if resolved.is_relative_to(DOCS) and BUILT.intersection(resolved.relative_to(DOCS).parts):
            continue  # written by the Sphinx build
        where = _where(path, text, m.start())
        if not resolved.exists():
            problems.append(f"{where}: link target {m.group(2)} does not exist")
            continue
        if resolved.suffix == ".md":
            for number in re.findall(SECTION, label):
                if not _has_section(resolved, number):
                    problems.append(f"{where}: {target} has no heading '{number} ...'")
    return problems


def test_every_docs_reference_resolves():
    problems, total = [], 0
    for path in _sources():
        found, count = reference_problems(path)
        problems += found
        total += count
    assert not problems, "broken documentation references:\n" + "\n".join(problems)
    assert total > 100  # the scan sees the references (a broken pattern would find none)


def test_relative_links_resolve():
    problems = [p for path in [ROOT / "README.md"] + _pages() for p in link_problems(path)]
    assert not problems, "broken links:\n" + "\n".join(problems)


def test_no_reference_outside_the_repository():
    hits = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        hits += [f"{_where(path, text, m.start())}: {m.group(0)!r}"
                 for m in FORBIDDEN.finditer(text)]
    assert not hits, "references to notes outside the repository:\n" + "\n".join(hits)


@pytest.mark.parametrize("text, broken", [
    ("see docs/theory/insulator.md §3.4", False),
    ("see docs/theory/scba.md §2.1-§2.2", False),
    ("see docs/conventions.md §6", False),
    ("see docs/theory/insulator.md §3.9", True),
    ("see docs/theory/insulator.md §3.4, §9.9", True),
    ("see docs/no-such-page.md", True),
])
def test_the_checker_can_fail(tmp_path, text, broken):
    probe = tmp_path / "probe.py"
    probe.write_text(f'"""{text}."""\n', encoding="utf-8")
    problems, count = reference_problems(probe)
    assert count == 1 and bool(problems) is broken

