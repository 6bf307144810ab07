"""``statusline doctor`` with a kept (chained) status line: the kept command is tried, and the
checks that run ours run the program itself, not the shell wrapper around it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from statusline import doctor
from statusline.doctor import OK, WARN
from tests.conftest import WINDOWS_LIKE_RUN

# Chaining starts their command with os.posix_spawn; without it (Windows, and the
# Windows-like test pass) install does not chain: tests/test_windows_like.py checks that.
NEEDS_POSIX_SPAWN = pytest.mark.skipif(WINDOWS_LIKE_RUN, reason="chaining needs os.posix_spawn")


def install_over(claude_dir: Path, script: Path, body: str) -> None:
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    (claude_dir / "settings.json").write_text(
        json.dumps({"statusLine": {"type": "command", "command": str(script)}}))
    done = subprocess.run([sys.executable, "-m", "statusline", "install"], capture_output=True,
                          text=True, env=dict(os.environ), timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def checks(tmp_path: Path) -> dict[str, doctor.Check]:
    return {c.name: c for c in doctor.run_checks(os.environ, str(tmp_path))}


@NEEDS_POSIX_SPAWN
def test_a_kept_status_line_that_prints_is_ok(claude_dir: Path, tmp_path: Path) -> None:
    install_over(claude_dir, tmp_path / "mine.sh", "cat >/dev/null; echo mine\n")
    found = checks(tmp_path)
    kept = found["kept status line"]
    assert kept.status == OK and "printed 1 row(s)" in kept.detail
    assert found["render"].status == OK, found["render"].detail


@NEEDS_POSIX_SPAWN
def test_a_kept_status_line_that_fails_is_a_warning(claude_dir: Path, tmp_path: Path) -> None:
    install_over(claude_dir, tmp_path / "mine.sh", "exit 4\n")
    kept = checks(tmp_path)["kept status line"]
    assert kept.status == WARN
    assert kept.hint is not None and "--force" in kept.hint


def test_without_a_kept_status_line_the_check_says_so(claude_dir: Path, tmp_path: Path) -> None:
    assert subprocess.run([sys.executable, "-m", "statusline", "install"], capture_output=True,
                          env=dict(os.environ), timeout=120, check=False).returncode == 0
    assert checks(tmp_path)["kept status line"].status == OK


@NEEDS_POSIX_SPAWN
def test_a_kept_status_line_slower_than_the_budget_is_ok_and_said_so(claude_dir: Path,
                                                                     tmp_path: Path) -> None:
    """Slower than our budget but within its own deadline: shown from the next call on."""
    install_over(claude_dir, tmp_path / "mine.sh", "cat >/dev/null; sleep 1; echo mine\n")
    kept = checks(tmp_path)["kept status line"]
    assert kept.status == OK and "printed 1 row(s)" in kept.detail
    assert "runs beside the line" in kept.detail


@NEEDS_POSIX_SPAWN
def test_the_kept_status_line_is_stopped_with_its_children(claude_dir: Path,
                                                          tmp_path: Path) -> None:
    """Doctor runs theirs in its own process group and stops it all afterwards."""
    import time

    pid_file = tmp_path / "child.pid"
    install_over(claude_dir, tmp_path / "mine.sh",
                 f"cat >/dev/null; sleep 30 & echo $! > {pid_file}; echo mine\n")
    assert checks(tmp_path)["kept status line"].status == OK
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 3
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    stat_file = Path(f"/proc/{child}/stat")
    assert not stat_file.exists() or stat_file.read_text().split()[2] == "Z"
