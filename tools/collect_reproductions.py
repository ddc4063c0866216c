"""Copy the finished full-mode runs of tools/campaign.sh into data/reproductions/NAME/.

    python3 tools/collect_reproductions.py BASE [NAME ...]

For each BASE/results/NAME.json (all, or the names given): the JSON result, its figures (from
BASE/runs/NAME/full/) and provenance.json with the commit the run used, its command, and the
wall time, CPU time (user + system, as core-hours) and peak memory that /usr/bin/time -v
recorded in BASE/logs/NAME.time. Nothing is copied for a run whose JSON is not a full-mode
result.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MACHINE = "2 cores (AVX-512), 24 GiB, shared with development work"


def _time_fields(path: Path) -> dict:
    text = path.read_text()

    def field(label: str) -> str:
        match = re.search(rf"{re.escape(label)}: (.+)", text)
        if match is None:
            raise SystemExit(f"{path}: no '{label}' line; was the run timed with /usr/bin/time -v?")
        return match.group(1).strip()

    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    return {"wall": field("Elapsed (wall clock) time (h:mm:ss or m:ss)"),
            "cpu_seconds": round(cpu, 2), "core_hours": round(cpu / 3600, 3),
            "peak_rss_kib": int(field("Maximum resident set size (kbytes)"))}


def collect(base: Path, name: str) -> Path:
    result = json.loads((base / "results" / f"{name}.json").read_text())
    if result.get("quick") is not False or result.get("name") != name:
        raise SystemExit(f"{name}: the stored JSON is not a full-mode result of {name}")
    dest = REPO / "data" / "reproductions" / name
    dest.mkdir(parents=True, exist_ok=True)
    figures = []
    for fig in result.get("figures", []):
        src = Path(fig) if Path(fig).is_absolute() else base / fig
        shutil.copy2(src, dest / src.name)
        figures.append(src.name)
    result["figures"] = figures
    (dest / f"{name}.json").write_text(json.dumps(result, indent=1) + "\n")
    provenance = {"name": name, "mode": "full",
                  "mbl_commit": (base / "logs" / f"{name}.commit").read_text().strip(),
                  "command": f"mbl reproduce {name} --json --workers 1 "
                             "(nice -n 19, 1 BLAS/numba thread)",
                  "machine": MACHINE, **_time_fields(base / "logs" / f"{name}.time"),
                  "seconds_reported": round(result["seconds"], 3)}
    (dest / "provenance.json").write_text(json.dumps(provenance, indent=1) + "\n")
    return dest


def main(argv: list[str]) -> None:
    if not argv:
        raise SystemExit(__doc__)
    base = Path(argv[0]).resolve()
    names = argv[1:] or sorted(p.stem for p in (base / "results").glob("*.json"))
    for name in names:
        print(f"{name}: {collect(base, name)}")


if __name__ == "__main__":
    main(sys.argv[1:])
