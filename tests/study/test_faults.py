"""Fault injection (see ``faults.py`` beside this file): the quick variant runs in CI; the long one
(``-m slow``) tries each fault at the counts of the acceptance list and prints the table."""

from __future__ import annotations

import random
import subprocess

import pytest

from .faults import STUDY, Faults

#: tries per case: (quick, slow)
COUNTS = {
    "kill_creation": (1, 35), "kill_run": (1, 70), "kill_worker": (1, 20),
    "race_same": (1, 10), "race_other": (1, 10),
    "truncate": (1, 10), "byte": (1, 20), "bit": (0, 10), "byte_index": (0, 6),
    "bit_index": (1, 4), "wal": (1, 2), "shm": (0, 1), "wal+shm": (0, 1),
    "full_creation": (1, 1), "full_run": (1, 1),
}


def _can_mount(path) -> bool:
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", path],
                        capture_output=True).returncode == 0
    if ok:
        subprocess.run(["umount", path], check=True)
    return ok


def _campaign(cli, tiny_study, tmp_path, slow: bool) -> Faults:
    f = Faults(cli, tiny_study(tmp_path, **STUDY), tmp_path, random.Random(20261203))
    n = {k: v[slow] for k, v in COUNTS.items()}
    for _ in range(n["kill_creation"]):
        f.kill_driver(in_creation=True)
    for _ in range(n["kill_run"]):
        f.kill_driver(in_creation=False)
    for _ in range(n["kill_worker"]):
        f.kill_worker()
    for same in (True, False):
        for _ in range(n["race_same" if same else "race_other"]):
            f.race(same_seed=same)
    for how in ("truncate", "byte", "bit", "byte_index", "bit_index"):
        for _ in range(n[how]):
            f.corrupt(how.replace("_", " in the "))
    for which in ("wal", "shm", "wal+shm"):
        for _ in range(n[which]):
            f.delete_wal(which)
    mount = tmp_path / "mnt"
    mount.mkdir()
    if _can_mount(mount):
        for at in ("creation", "run"):
            for _ in range(n[f"full_{at}"]):
                f.disk_full(at, mount)
    print("\n" + f.table())
    return f


def test_faults_quick(cli, tiny_study, tmp_path):
    _campaign(cli, tiny_study, tmp_path, slow=False)


@pytest.mark.slow
def test_faults_long(cli, tiny_study, tmp_path):
    _campaign(cli, tiny_study, tmp_path, slow=True)
