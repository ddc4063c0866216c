"""Fault injection from outside the code, as a tester would: kill the driver or a worker at
random instants, race two drivers, corrupt the database, delete its -wal/-shm, fill the disk.

Every case ends with the same judgement (:meth:`Faults.judge`): no traceback in any output,
every result that was stored before the fault is still there (not recomputed), and the store
either resumes to an export equal (data variables) to an uninterrupted run's, or is refused
with a message naming the damage and the way out, after which ``mbl check --repair`` and a
resume give that export. Each case returns one outcome word for the report table.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

import xarray as xr

from mbl.study.export import to_dataset
from mbl.study.store import check_row

#: 2 x 3 grid points x 6 samples of 3D Anderson, dense: 36 tasks of ~10-50 ms.
STUDY = {"study": {"samples": 6}, "grid": {"L": [6, 8], "W": [12.0, 14.0, 16.5]}}
TASKS = 36


def stored(db: Path) -> dict[tuple[str, int], int]:
    """(point, sample) -> run_id of every row readable right now (empty while none)."""
    if not db.exists():
        return {}
    try:
        con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            return {(p, s): r for p, s, r in con.execute("SELECT point, sample, run_id "
                                                          "FROM results")}
        finally:
            con.close()
    except sqlite3.Error:
        return {}


def verifiable(db: Path) -> dict[tuple[str, int], int]:
    """Like :func:`stored`, but only the rows whose checksum and key still verify."""
    try:
        con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            rows = con.execute("SELECT point, sample, data, checksum, run_id FROM results "
                               "NOT INDEXED").fetchall()
        finally:
            con.close()
    except sqlite3.Error:
        return {}
    return {(p, s): r for p, s, d, c, r in rows if check_row(p, s, d, c)[1] is None}


def children(pid: int) -> list[int]:
    """PIDs of the live descendants of ``pid``."""
    kids: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for k in kids.get(todo.pop(), []):
            out.append(k)
            todo.append(k)
    return out


class Faults:
    """One study file, one uninterrupted reference export, and the fault cases."""

    def __init__(self, cli, study: Path, work: Path, rng: random.Random) -> None:
        self.cli, self.study, self.work, self.rng = cli, study, work, rng
        self.outcomes: dict[str, Counter] = {}
        self.n = 0
        clean = work / "clean"
        cli.run_study(study, clean, "--workers", 2)
        self.clean = clean
        self.reference = self.data(clean)

    @staticmethod
    def data(directory: Path) -> xr.Dataset:
        ds = to_dataset(directory)
        assert (ds["task_status"] == 0).all(), "a task is not ok after the resume"
        ds = ds.drop_vars("task_status")
        ds.attrs.clear()  # provenance and the directory's name differ, the data must not
        return ds

    def fresh(self, name: str) -> Path:
        self.n += 1
        return self.work / f"{name}-{self.n}"

    def start(self, out: Path, *extra: str, study: Path | None = None) -> subprocess.Popen:
        return subprocess.Popen(self.cli.argv("run", study or self.study, "--out", out,
                                              "--workers", 2, *extra),
                                cwd=self.cli.cwd, env=self.cli.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)

    def running(self, out: Path, n: int) -> subprocess.Popen:
        """A run started on ``out`` once it has stored ``n`` results."""
        proc = self.start(out)
        deadline = time.monotonic() + 60
        while len(stored(out / "study.sqlite")) < n:
            assert time.monotonic() < deadline and proc.poll() is None, "run ended too early"
            time.sleep(0.01)
        return proc

    @staticmethod
    def finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            return -999, out + err
        return proc.returncode, out + err

    def record(self, case: str, outcome: str) -> str:
        self.outcomes.setdefault(case, Counter())[outcome] += 1
        return outcome

    def judge(self, case: str, out: Path, before: dict, texts: list[str], *,
              study: Path | None = None, reference: xr.Dataset | None = None,
              first: str = "") -> str:
        """Resume (repairing where refused) and compare; return the outcome word."""
        study = study or self.study
        for t in texts:
            assert "Traceback" not in t, f"{case}: a traceback reached the user:\n{t}"
        run = self.cli.run("run", study, "--out", out)
        texts = [run.stdout + run.stderr]
        outcome = "resumed"
        if run.returncode != 0:
            msg = run.stderr
            assert run.returncode == 1 and "mbl check" in msg and "--repair" in msg, \
                f"{case}: resume refused without naming the way out ({run.returncode}):\n{msg}"
            fix = self.cli.run("check", out, "--repair")
            assert fix.returncode == 0, f"{case}: repair failed:\n{fix.stdout}{fix.stderr}"
            run = self.cli.run("run", study, "--out", out)
            assert run.returncode == 0, f"{case}: resume after repair:\n{run.stderr}"
            texts += [fix.stdout + fix.stderr, run.stdout + run.stderr]
            outcome = "refused, repaired, resumed"
        for t in texts:
            assert "Traceback" not in t, f"{case}: a traceback reached the user:\n{t}"
        after = stored(out / "study.sqlite")
        lost = [k for k, r in before.items() if after.get(k) != r]
        if outcome == "resumed":
            assert not lost, f"{case}: {len(lost)} stored result(s) lost or recomputed: {lost[:3]}"
        xr.testing.assert_identical(self.data(out), self.reference if reference is None
                                    else reference)
        return self.record(case, first + outcome)

    # -- the cases ---------------------------------------------------------------
    def kill_driver(self, in_creation: bool) -> str:
        """``kill -9`` of the driver's process group at a random instant: within the first
        50 ms after its lock appears (creation), or anywhere in the run."""
        out = self.fresh("kill")
        proc = self.start(out)
        if in_creation:
            while not (out / ".lock").exists() and proc.poll() is None:
                time.sleep(0.001)
            time.sleep(self.rng.uniform(0, 0.05))
        else:
            time.sleep(self.rng.uniform(1.5, 6.0))
        before = stored(out / "study.sqlite")
        os.killpg(proc.pid, signal.SIGKILL)
        self.finish(proc)
        return self.judge("kill -9 driver" + (" (creation)" if in_creation else ""), out,
                          before, [])

    def kill_worker(self) -> str:
        """``kill -9`` of one pool worker mid-run: the run goes on and ends complete."""
        out = self.fresh("worker")
        proc = self.running(out, self.rng.randint(1, TASKS // 2))
        workers = [c for c in children(proc.pid) if "resource_tracker" not in
                   Path(f"/proc/{c}/cmdline").read_bytes().decode(errors="replace")]
        if workers:
            os.kill(self.rng.choice(workers), signal.SIGKILL)
        code, text = self.finish(proc)
        assert code == 0, f"kill -9 worker: the run ended {code}:\n{text}"
        before = stored(out / "study.sqlite")
        return self.judge("kill -9 pool worker", out, before, [text])

    def race(self, same_seed: bool) -> str:
        """Two drivers on one new --out, the second started at a random offset."""
        out = self.fresh("race")
        other = self.study
        if not same_seed:
            other = self.work / "other-seed.toml"
            if not other.exists():
                other.write_text(self.study.read_text().replace("seed = 20261123", "seed = 7"))
        a = self.start(out)
        time.sleep(self.rng.uniform(0, 2.5))
        b = self.start(out, study=other)
        (ca, ta), (cb, tb) = self.finish(a), self.finish(b)
        for code, text in ((ca, ta), (cb, tb)):
            assert code in (0, 2), f"race: a driver ended {code}:\n{text}"
            if code == 2:
                assert "one driver per study" in text or "different study" in text, text
        assert 0 in (ca, cb), f"race: no driver succeeded:\n{ta}\n{tb}"
        # the store holds one study, whole: the winner's
        won_b = ca == 2 and not same_seed
        before = stored(out / "study.sqlite")
        return self.judge(f"race, {'equal' if same_seed else 'different'} seeds", out, before,
                          [ta, tb], study=other if won_b else None,
                          reference=self.other_reference(other) if won_b else None,
                          first=("second refused, " if 2 in (ca, cb) else "both ran, "))

    def other_reference(self, study: Path) -> xr.Dataset:
        if not hasattr(self, "_other"):
            out = self.work / "clean-other"
            self.cli.run_study(study, out, "--workers", 2)
            self._other = self.data(out)
        return self._other

    def corrupt(self, how: str) -> str:
        """A completed store damaged at rest: truncation, a random byte, a bit flip (in the
        results table, the primary-key index or anywhere)."""
        out = self.fresh("corrupt")
        shutil.copytree(self.clean, out)
        db = out / "study.sqlite"
        before = stored(db)
        size = db.stat().st_size
        raw = bytearray(db.read_bytes())
        if how == "truncate":
            raw = raw[:self.rng.randrange(0, size)]
        else:
            if how.endswith("index"):
                con = sqlite3.connect(db)
                root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = "
                                   "'sqlite_autoindex_results_1'").fetchone()[0]
                page = con.execute("PRAGMA page_size").fetchone()[0]
                con.close()
                pos = (root - 1) * page + self.rng.randrange(page)
            else:
                pos = self.rng.randrange(size)
            if how.startswith("bit"):
                raw[pos] ^= 1 << self.rng.randrange(8)
            else:
                raw[pos] = (raw[pos] + self.rng.randrange(1, 256)) % 256
        db.write_bytes(bytes(raw))
        status = self.cli.run("status", out)
        check = self.cli.run("check", out)
        _ = before
        return self.judge(f"corrupt: {how}", out, verifiable(db),
                          [status.stdout + status.stderr, check.stdout + check.stderr])

    def delete_wal(self, which: str) -> str:
        """Delete ``-wal`` and/or ``-shm`` mid-run, then ``kill -9`` the driver."""
        out = self.fresh("wal")
        proc = self.running(out, self.rng.randint(2, TASKS // 2))
        for suffix in which.split("+"):
            Path(f"{out / 'study.sqlite'}-{suffix}").unlink(missing_ok=True)
        before = stored(out / "study.sqlite")
        time.sleep(self.rng.uniform(0, 0.3))
        os.killpg(proc.pid, signal.SIGKILL)
        self.finish(proc)
        return self.judge(f"delete -{which} then kill -9", out, before, [])

    def disk_full(self, at: str, mount: Path) -> str:
        """A tmpfs too small for the store: at creation (16 KiB) or mid-run (sized so the
        run fills it); the run must end with a message, then resume once space is freed."""
        out = mount / "study"
        size = "16k" if at == "creation" else "160k"
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", mount], check=True)
        try:
            run = self.cli.run("run", self.study, "--out", out, "--workers", 2)
            text = run.stdout + run.stderr
            assert "Traceback" not in text, text
            if run.returncode == 0:
                outcome = "fitted"
            else:
                assert run.returncode == 1 and ("space" in text or "full" in text), text
                outcome = "refused"
            before = stored(out / "study.sqlite")
            subprocess.run(["mount", "-o", "remount,size=64m", mount], check=True)
            return self.judge(f"disk full at {at}", out, before, [text], first=outcome + ", ")
        finally:
            subprocess.run(["umount", mount], check=False)

    def table(self) -> str:
        lines = ["| case | tries | outcomes |", "|---|---|---|"]
        for case, counts in self.outcomes.items():
            lines.append(f"| {case} | {sum(counts.values())} | "
                         + ", ".join(f"{k} {v}" for k, v in counts.items()) + " |")
        return "\n".join(lines)
