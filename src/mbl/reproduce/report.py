"""The reproductions as a self-contained HTML report (``mbl reproduce --all --report DIR``) and as
the documentation's gallery page (:func:`write_gallery`, from ``data/reproductions``).

The report is ``DIR/index.html`` (one row per reproduction) and ``DIR/NAME/index.html`` (its
figures, copied beside it, its measured-vs-reference table with a verdict per row, its run time,
mode and provenance): relative links, inline CSS, nothing fetched from the network.
"""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mbl.reproduce import verdict as v
from mbl.reproduce.suite import FAILED, NOT_RUN, Entry, format_seconds, load_stored

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:2em;
color:#1b1f24;max-width:1200px}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.8em 0;font-size:.92em}
th,td{border:1px solid #c9ced6;padding:.3em .55em;text-align:left;vertical-align:top}
th{background:#eef1f5}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.agrees{background:#d5f0dc}.disagrees{background:#f7d4d7}.no-error{background:#fdf0c4}
.no-reference,.no-value{background:#e6e8eb}.failed{background:#f7d4d7}.not-run{background:#e6e8eb}
.ok{background:#d5f0dc}small,.muted{color:#5b636d}td.zero{color:#a3a9b1}
img{max-width:100%;border:1px solid #c9ced6;margin:.5em 0}
pre{background:#f5f6f8;border:1px solid #c9ced6;padding:.8em;overflow-x:auto;font-size:.85em}
"""
LABELS = {v.AGREES: "agree", v.DISAGREES: "disagree", v.NO_REFERENCE: "no reference",
          v.NO_ERROR: "no error bar", v.NO_VALUE: "no value"}


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _cls(text: str) -> str:
    return text.replace(" ", "-")


def _num(x: Any) -> str:
    return "–" if x is None else f"{float(x):.5g}"


def measured(row: dict[str, Any]) -> tuple[str, str]:
    """(value ± error, the 95% interval or '') as plain text."""
    value = _num(row.get("value"))
    if row.get("error") is not None and row.get("value") is not None:
        value += f" ± {float(row['error']):.2g}"
    iv = row.get("interval")
    span = f"95%: [{_num(iv[0])}, {_num(iv[1])}]" if iv and None not in iv else ""
    return value, span


def reference(row: dict[str, Any]) -> str:
    if row.get("reference") is None:
        return "–"
    ref = _num(row["reference"])
    return ref + (f" ± {float(row['reference_error']):.2g}" if row.get("reference_error") else "")


def difference(row: dict[str, Any]) -> str:
    """(value - reference) in sigmas, or relative when there is no error bar."""
    z = v.row_deviation(row)
    if z is not None:
        return f"{z:+.2f} σ"
    val, ref = row.get("value"), row.get("reference")
    if val is None or ref is None:
        return "–"
    return f"{val - ref:+.3g}" if ref == 0 else f"{100 * (val - ref) / abs(ref):+.3g} %"


def params(row: dict[str, Any]) -> str:
    return ", ".join(f"{k}={_text(x)}" for k, x in (row.get("params") or {}).items())


def copy_figures(entry: Entry, dest: Path) -> tuple[list[str], list[str]]:
    """Copy the entry's figures into ``dest``: (their names there, the missing ones)."""
    names, missing = [], []
    for i, fig in enumerate(entry.figures):
        if not fig.is_file():
            missing.append(str(fig))
            continue
        name = fig.name if fig.name not in names else f"{i}-{fig.name}"
        if fig.resolve() != (dest / name).resolve():
            shutil.copyfile(fig, dest / name)
        names.append(name)
    return names, missing


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n"
            "</body></html>\n")


def _text(x: Any) -> str:
    return json.dumps(x) if isinstance(x, (list, dict)) else str(x)


def _kv(items: dict[str, Any]) -> str:
    cells = "".join(f"<tr><th>{_e(k)}</th><td>{_e(_text(x))}</td></tr>" for k, x in items.items())
    return f'<table class="facts">{cells}</table>'


def rows_table(rows: Sequence[dict[str, Any]]) -> str:
    """The measured-vs-reference table, one coloured verdict per row."""
    head = ("<tr><th>quantity</th><th>parameters</th><th>measured</th><th>reference</th>"
            "<th>difference</th><th>verdict</th><th>source</th></tr>")
    body = []
    for row in rows:
        verdict = v.row_verdict(row)
        value, span = measured(row)
        span = f"<br><small>{_e(span)}</small>" if span else ""
        body.append(f'<tr class="row"><td>{_e(row.get("quantity", ""))}</td>'
                    f"<td>{_e(params(row))}</td><td class=\"num\">{_e(value)}{span}</td>"
                    f'<td class="num">{_e(reference(row))}</td>'
                    f'<td class="num">{_e(difference(row))}</td>'
                    f'<td class="verdict {_cls(verdict)}">{_e(verdict)}</td>'
                    f"<td>{_e(row.get('source', ''))}</td></tr>")
    return f'<table class="results">{head}{"".join(body)}</table>'


def entry_page(entry: Entry, figures: Sequence[str], missing: Sequence[str]) -> str:
    counts = entry.counts()
    facts = {"mode": entry.mode, "status": entry.status,
             "run time": format_seconds(entry.seconds), "origin": entry.origin or "–",
             "verdicts": ", ".join(f"{n} {LABELS[k]}" for k, n in counts.items() if n) or "–"}
    parts = ['<p><a href="../index.html">← all reproductions</a></p>',
             f"<h1>{_e(entry.name)}</h1><p>{_e(entry.title)}</p>", _kv(facts)]
    if entry.error is not None:
        parts.append(f'<h2>Failure</h2><pre class="failed">{_e(entry.error)}</pre>')
    elif entry.status == NOT_RUN:
        parts.append("<p class=\"not-run\">Not run: no stored result of this mode.</p>")
    for name in figures:
        parts.append(f'<a href="{_e(name)}"><img src="{_e(name)}" alt="{_e(entry.name)}: '
                     f'{_e(name)}"></a>')
    parts += [f"<p class=\"muted\">figure missing: {_e(m)}</p>" for m in missing]
    if entry.payload is not None:
        parts += ["<h2>Measured vs reference</h2>",
                  "<p class=\"muted\">agrees: |measured − reference| ≤ 2σ, σ² = error² + "
                  "reference error² (a 95% interval counts as ±1.96σ, on the reference's "
                  "side); no error bar: the difference is shown, not judged.</p>",
                  rows_table(entry.rows)]
    if entry.provenance:
        parts += ["<h2>Provenance</h2>", _kv(entry.provenance)]
    return _page(f"{entry.name} — mbl reproduction", "\n".join(parts))


def index_page(entries: Sequence[Entry]) -> str:
    from mbl.reproduce.verdict import run_provenance

    head = ("<tr><th>reproduction</th><th>title</th><th>mode</th><th>run time</th><th>status</th>"
            + "".join(f"<th>{_e(LABELS[k])}</th>" for k in v.VERDICTS) + "</tr>")
    body = []
    for e in entries:
        counts = e.counts()
        cells = "".join(f'<td class="num {_cls(k) if counts[k] else "zero"}">{counts[k]}</td>'
                        for k in v.VERDICTS)
        note = (f"<br><small>{_e((e.error or '').splitlines()[0])}</small>" if e.error else
                "<br><small>stored</small>" if e.origin.startswith("stored") else "")
        body.append(f'<tr><td><a href="{_e(e.name)}/index.html">{_e(e.name)}</a></td>'
                    f"<td>{_e(e.title)}</td><td>{_e(e.mode)}</td>"
                    f'<td class="num">{_e(format_seconds(e.seconds))}</td>'
                    f'<td class="{_cls(e.status)}">{_e(e.status)}{note}</td>{cells}</tr>')
    failed = sum(e.status == FAILED for e in entries)
    prov = run_provenance("report")
    made = (f"made {_e(prov['date'])} by mbl {_e(prov['mbl'])} (revision "
            f"{_e(prov['git_revision'])}) on {_e(prov['host'])}")
    return _page("mbl reproductions", "\n".join([
        "<h1>mbl reproductions</h1>",
        f"<p>{len(entries)} reproduction(s), {failed} failed. {made}.</p>",
        f'<table class="index">{head}{"".join(body)}</table>']))


def write_report(entries: Sequence[Entry], directory: str | Path) -> Path:
    """Write the HTML report of ``entries`` into ``directory``; returns its ``index.html``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for entry in entries:
        dest = directory / entry.name
        dest.mkdir(exist_ok=True)
        figures, missing = copy_figures(entry, dest)
        (dest / "index.html").write_text(entry_page(entry, figures, missing), encoding="utf-8")
    index = directory / "index.html"
    index.write_text(index_page(entries), encoding="utf-8")
    return index


# --- the documentation's gallery (MyST Markdown) ------------------------------------------------

def _md(text: Any) -> str:
    """Plain text safe in a MyST table cell (no markup, no math, no cell break)."""
    out = "".join("\\" + c if c in "\\`*_[]<>|$~#{}" else c for c in str(text))
    return out.replace("\n", " ")


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def write_gallery(results_dir: str | Path, out_dir: str | Path) -> Path:
    """Write ``out_dir/gallery.md`` (MyST) and its figures from the stored results in
    ``results_dir`` (``data/reproductions``); nothing is run. Returns the page's path."""
    from mbl.reproduce import REPRODUCTIONS

    results_dir, out_dir = Path(results_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stored = [(r, load_stored(results_dir, r, quick=None) if results_dir.is_dir() else None)
              for r in REPRODUCTIONS.values()]
    done = [(r, e) for r, e in stored if e is not None]
    lines = ["# Gallery of reproductions", "",
             f"The {len(done)} reproductions whose full mode has been run and committed to "
             "`data/reproductions` (generated from those files at build time; nothing is "
             "recomputed). *agrees*: |measured − reference| ≤ 2σ, σ² = error² + reference "
             "error²; *no error bar*: a reference but no error on the measured value, so the "
             "difference is shown and not judged.", "",
             "| reproduction | mode | run time | agree | disagree | no reference | no error bar |"
             " no value |", "|---|---|---|---|---|---|---|---|"]
    for r, e in done:
        c = e.counts()
        lines.append(f"| [{_md(r.name)}](#{r.name}) | {e.mode} | {format_seconds(e.seconds)} | "
                     + " | ".join(str(c[k]) for k in v.VERDICTS) + " |")
    lines.append("")
    for r, e in done:
        lines += [f"## {r.name}", "", _md(r.title), ""]
        for fig in e.figures:
            if fig.is_file():
                target = out_dir / (fig.name if fig.name.startswith(r.name)
                                    else f"{r.name}-{fig.name}")
                if not target.exists() or target.read_bytes() != fig.read_bytes():
                    shutil.copyfile(fig, target)
                lines += [f"![{_md(r.title)}]({target.name})", ""]
        rec = e.provenance
        facts = [f"mode {e.mode}", f"run time {format_seconds(e.seconds)}"]
        facts += [f"{label} {_md(rec[k])}" for k, label in (
            ("core_hours", "core-hours"), ("mbl_commit", "commit"), ("git_revision", "revision"),
            ("date", "run on")) if rec.get(k) is not None]
        lines += ["; ".join(facts), "",
                  "| quantity | parameters | measured | reference | difference | verdict | "
                  "source |", "|---|---|---|---|---|---|---|"]
        for row in e.rows:
            value, span = measured(row)
            value += f" ({span})" if span else ""
            lines.append(f"| {_md(row.get('quantity', ''))} | {_md(params(row))} | {_md(value)} "
                         f"| {_md(reference(row))} | {_md(difference(row))} | "
                         f"{_md(v.row_verdict(row))} | {_md(row.get('source', ''))} |")
        lines.append("")
    missing = [r.name for r, e in stored if e is None]
    if missing:
        lines += ["## Not run in full mode yet", "", *[f"- `{name}`" for name in missing], ""]
    page = out_dir / "gallery.md"
    _write_if_changed(page, "\n".join(lines))
    return page
