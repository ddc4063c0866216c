"""Verdicts, ``mbl reproduce --all --report``, the HTML report and the docs' gallery, built from
fake reproductions and the committed ``data/reproductions`` (nothing physical is run)."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import mbl.reproduce as reproduce
from mbl.cli import app
from mbl.reproduce import Report, Reproduction, Row
from mbl.reproduce import verdict as v
from mbl.reproduce.report import write_gallery, write_report
from mbl.reproduce.suite import RESULTS, Entry, collect, load_stored, run_one

# --- verdicts at the 2-sigma edge -------------------------------------------------------------


def test_verdict_at_the_two_sigma_edge():
    assert v.verdict(0.0, 1.0, 2.0) == v.AGREES
    assert v.verdict(0.0, 1.0, -2.0) == v.AGREES
    assert v.verdict(0.0, 1.0, 2.0 + 1e-9) == v.DISAGREES
    # sigma = sqrt(3^2 + 4^2) = 5: the edge is 10
    assert v.verdict(0.0, 3.0, 10.0, reference_error=4.0) == v.AGREES
    assert v.verdict(0.0, 3.0, 10.0 + 1e-9, reference_error=4.0) == v.DISAGREES


def test_verdict_interval_judged_on_the_reference_side():
    iv = (-1.96, 3.92)  # 95% interval of 0: sigma 1 below, 2 above
    assert v.verdict(0.0, None, -1.99, interval=iv) == v.AGREES
    assert v.verdict(0.0, None, -2.01, interval=iv) == v.DISAGREES
    assert v.verdict(0.0, None, 3.99, interval=iv) == v.AGREES
    assert v.verdict(0.0, None, 4.01, interval=iv) == v.DISAGREES
    # a symmetric value +- 1.96 error interval gives the error's bound
    assert v.verdict(0.0, 1.0, 1.999, interval=(-1.96, 1.96)) == v.AGREES
    assert v.verdict(0.0, 1.0, 2.001, interval=(-1.96, 1.96)) == v.DISAGREES
    assert v.verdict(0.0, 1.0, 2.0, interval=[None, 1.0]) == v.AGREES  # broken: the error


def test_verdict_without_reference_error_or_value():
    assert v.verdict(1.0, 0.1, None) == v.NO_REFERENCE
    assert v.verdict(1.0, None, 1.0) == v.NO_ERROR  # equal, but not judged
    assert v.verdict(1.0, None, 1.0, reference_error=0.5) == v.NO_ERROR
    assert v.verdict(1.0, 0.0, 1.0, reference_error=0.0) == v.NO_ERROR
    assert v.verdict(None, 0.1, 1.0) == v.NO_VALUE
    assert v.verdict(math.nan, 0.1, 1.0) == v.NO_VALUE
    assert v.deviation(0.0, 1.0, 3.0) == pytest.approx(-3.0)
    assert v.deviation(0.0, None, 3.0) is None


def test_row_and_report_json_carry_schema_provenance_and_verdicts():
    rows = [Row("x", 1.0, 0.1, 1.1, "s"), Row("y", 1.0, None, 2.0, "s"),
            Row("z", float("nan"), None, None, "s")]
    payload = Report("fake", True, 1.5, ["f.png"], rows).as_json()
    assert payload["schema"] == v.SCHEMA == 1
    assert {"name", "quick", "seconds", "figures", "results"} < set(payload)
    assert [r["verdict"] for r in payload["results"]] == [v.AGREES, v.NO_ERROR, v.NO_VALUE]
    prov = payload["provenance"]
    assert prov["mode"] == "quick" and prov["numpy"] == np.__version__
    assert {"mbl", "git_revision", "python", "host", "date"} <= set(prov)
    json.dumps(payload)


# --- fake reproductions -------------------------------------------------------------------------


def _fake(name: str, rows: list[Row] | None, figures: int = 1) -> Reproduction:
    def run(*, quick, out, workers, progress):
        if rows is None:
            raise RuntimeError(f"{name} broke on purpose")
        base = Path(out) / name / ("quick" if quick else "full")
        base.mkdir(parents=True, exist_ok=True)
        figs = []
        for i in range(figures):
            import matplotlib.image

            path = base / f"{name}-{i}.png"
            matplotlib.image.imsave(path, np.arange(64.0).reshape(8, 8))
            figs.append(str(path))
        return Report(name, quick, 0.25, figs, rows)

    return Reproduction(name, f"the {name} title", run, quick_seconds=2)


ROWS = [Row("a", 0.0, 1.0, 2.0, "exact edge"), Row("b", 0.0, 1.0, 2.5, "too far"),
        Row("c", 1.0, 0.1, None, "nothing to compare"), Row("d", 1.0, None, 1.0, "no bar"),
        Row("e <&>", 3.0, 0.2, 3.1, "escaping | $x$ *y*", params={"L": [8, 10]},
            interval=(2.6, 3.4), reference_error=0.05)]
VERDICTS = [v.AGREES, v.DISAGREES, v.NO_REFERENCE, v.NO_ERROR, v.AGREES]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.verdicts: list[str] = []
        self._in_verdict = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.refs.append(a["src"])
        if tag == "a":
            self.refs.append(a["href"])
        if tag == "link" or tag == "script":
            self.refs.append(a.get("href") or a.get("src") or "")
        self._in_verdict = tag == "td" and "verdict" in (a.get("class") or "").split()

    def handle_data(self, data):
        if self._in_verdict:
            self.verdicts.append(data)
            self._in_verdict = False


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _check_self_contained(directory: Path) -> dict[Path, _Links]:
    pages = {p: _parse(p) for p in directory.rglob("*.html")}
    for page, parsed in pages.items():
        for ref in parsed.refs:
            assert "://" not in ref and not ref.startswith("/"), (page, ref)
            assert (page.parent / ref).resolve().is_file(), (page, ref)
    return pages


def test_report_from_fake_and_failing_entries(tmp_path):
    good = run_one(_fake("fake-good", ROWS, figures=2), quick=True, out=tmp_path / "runs",
                   workers=1)
    bad = run_one(_fake("fake-bad", None), quick=True, out=tmp_path / "runs", workers=1)
    assert good.status == "ok" and bad.status == "failed" and "broke on purpose" in bad.error
    index = write_report([good, bad], tmp_path / "report")
    pages = _check_self_contained(tmp_path / "report")
    assert set(pages) == {index, tmp_path / "report/fake-good/index.html",
                          tmp_path / "report/fake-bad/index.html"}
    assert {"fake-good/index.html", "fake-bad/index.html"} <= set(pages[index].refs)
    assert pages[tmp_path / "report/fake-good/index.html"].verdicts == VERDICTS
    assert sorted(p.name for p in (tmp_path / "report/fake-good").glob("*.png")) == [
        "fake-good-0.png", "fake-good-1.png"]
    text = (tmp_path / "report/fake-good/index.html").read_text()
    assert "e &lt;&amp;&gt;" in text and "<style>" in text and "http" not in text.lower()
    assert "broke on purpose" in (tmp_path / "report/fake-bad/index.html").read_text()


#: The repository's committed full modes (the package's RESULTS points there only when mbl runs
#: from this source tree; CI tests an installed copy).
COMMITTED = Path(__file__).resolve().parents[2] / "data" / "reproductions"


def test_report_and_gallery_from_committed_results(tmp_path):
    stored = collect(reproduce.REPRODUCTIONS.values(), quick=False, out=tmp_path / "none",
                     workers=1, reuse=COMMITTED, run=False)
    done = [e for e in stored if e.status == "ok"]
    assert done and {e.name for e in done} == {p.name for p in COMMITTED.iterdir() if p.is_dir()}
    assert not (tmp_path / "none").exists()  # nothing ran
    index = write_report(stored, tmp_path / "report")
    pages = _check_self_contained(tmp_path / "report")
    for e in done:
        parsed = pages[tmp_path / "report" / e.name / "index.html"]
        assert len(parsed.verdicts) == len(e.rows) > 0
        assert all(x in v.VERDICTS for x in parsed.verdicts)
        assert any(r.endswith(".png") for r in parsed.refs)
    assert len(pages) == len(reproduce.REPRODUCTIONS) + 1 and index in pages

    page = write_gallery(COMMITTED, tmp_path / "gallery")
    text = page.read_text()
    for e in done:
        assert f"## {e.name}" in text and (tmp_path / "gallery" / f"{e.name}.png").is_file()
    images = [ln.split("](")[1].rstrip(")") for ln in text.splitlines() if ln.startswith("![")]
    assert images and all((page.parent / name).is_file() for name in images)
    mtime = page.stat().st_mtime_ns
    write_gallery(COMMITTED, tmp_path / "gallery")  # unchanged: not rewritten
    assert page.stat().st_mtime_ns == mtime


def test_load_stored_checks_the_mode(tmp_path):
    entry = run_one(_fake("fake-good", ROWS), quick=True, out=tmp_path, workers=1)
    folder = tmp_path / "stored" / "fake-good"
    folder.mkdir(parents=True)
    (folder / "fake-good.json").write_text(json.dumps(entry.payload))
    shutil.copy(entry.figures[0], folder)
    repro = _fake("fake-good", ROWS)
    assert load_stored(tmp_path / "stored", repro, quick=False) is None
    got = load_stored(tmp_path / "stored", repro, quick=True)
    assert got is not None and got.figures == [folder / "fake-good-0.png"]
    assert [x["verdict"] for x in got.rows] == VERDICTS


# --- the command --------------------------------------------------------------------------------


def test_all_goes_on_past_a_failure(tmp_path, monkeypatch):
    fakes = {r.name: r for r in (_fake("fake-one", ROWS[:2]), _fake("fake-bad", None),
                                 _fake("fake-two", ROWS[2:]))}
    monkeypatch.setattr(reproduce, "REPRODUCTIONS", fakes)
    args = ["reproduce", "--all", "--quick", "--report", str(tmp_path / "r"), "--out",
            str(tmp_path / "runs"), "--workers", "1", "-q"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "1 of 3 reproduction(s) failed: fake-bad" in result.output
    assert "RuntimeError: fake-bad broke on purpose" in result.output
    pages = _check_self_contained(tmp_path / "r")
    assert pages[tmp_path / "r/fake-one/index.html"].verdicts == VERDICTS[:2]
    assert pages[tmp_path / "r/fake-two/index.html"].verdicts == VERDICTS[2:]
    assert "broke on purpose" in (tmp_path / "r/fake-bad/index.html").read_text()

    listing = CliRunner().invoke(app, ["reproduce"])
    assert listing.exit_code == 0
    line = next(ln for ln in listing.output.splitlines() if ln.startswith("fake-one"))
    assert line.split()[1:3] == ["2", "s"]


def test_all_options_refused(tmp_path):
    for args in (["--all", "--json"], ["anderson-1d-lyapunov", "--all"],
                 ["--all", "--quick", "--no-run"], ["--all", "--no-reuse", "--no-run"],
                 ["--all", "--reuse", str(tmp_path / "missing")]):
        result = CliRunner().invoke(app, ["reproduce", *args, "--out", str(tmp_path)])
        assert result.exit_code == 2, (args, result.output)


def test_listing_shows_typical_times():
    result = CliRunner().invoke(app, ["reproduce"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["name", "quick", "full"]
    from mbl._core.memory import format_seconds
    from mbl.reproduce import REPRODUCTIONS

    lyap = next(ln for ln in lines if ln.startswith("anderson-1d-lyapunov "))
    assert format_seconds(REPRODUCTIONS["anderson-1d-lyapunov"].quick_seconds) in lyap
    if (RESULTS / "anderson-1d-lyapunov").is_dir():
        assert "min*" in lyap  # measured in the committed full run


# --- what a browser shows -------------------------------------------------------------------------

CHROMIUM = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(b)), None)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary")
def test_report_renders_in_headless_chromium(tmp_path):
    import os

    from PIL import Image

    good = run_one(_fake("fake-good", ROWS), quick=True, out=tmp_path / "runs", workers=1)
    bad = run_one(_fake("fake-bad", None), quick=True, out=tmp_path / "runs", workers=1)
    entries: list[Entry] = [good, bad]
    if COMMITTED.is_dir():
        entries += [e for e in collect(reproduce.REPRODUCTIONS.values(), quick=False,
                                       out=tmp_path, workers=1, reuse=COMMITTED, run=False)
                    if e.status == "ok"][:1]
    index = write_report(entries, tmp_path / "report")
    page = index.parent / entries[-1].name / "index.html"
    keep = os.environ.get("MBL_REPORT_SHOTS")
    for html_file, shot in ((index, "index.png"), (page, "entry.png")):
        png = tmp_path / shot
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", f"--screenshot={png}", "--window-size=1280,1600",
                        html_file.as_uri()], check=True, capture_output=True, timeout=120)
        pixels = np.asarray(Image.open(png).convert("L"), dtype=float)
        assert pixels.shape == (1600, 1280)
        assert pixels.std() > 5 and (pixels < 128).mean() > 0.005  # text and tables, not blank
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(png, Path(keep) / shot)
