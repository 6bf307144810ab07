"""The Windows-like mode of the tests (tests/windows_like/sitecustomize.py) does what it says:
no ``fcntl`` and no ``os.posix_spawn`` in the interpreter and its subprocesses, and the code
then takes its fallbacks: filelock for the store's lock, no chaining at install."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLES, OAUTH_NOW, WINDOWS_LIKE, WINDOWS_LIKE_RUN, run_cli

SITE = Path(__file__).resolve().parent / "windows_like"
PROBE = ("import os, sys\n"
         "try:\n    import fcntl\nexcept ImportError:\n    fcntl = None\n"
         "from statusline.store import lock\n"
         "from statusline.claude import chain\n"
         "print(fcntl is None, hasattr(os, 'posix_spawn'), lock.fcntl is None, chain.SUPPORTED)\n")


def windows_like_env() -> dict[str, str]:
    env = dict(os.environ)
    env[WINDOWS_LIKE] = "1"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SITE), env.get("PYTHONPATH")) if p)
    return env


def test_the_mode_takes_fcntl_and_posix_spawn_away() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], env=windows_like_env(),
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False", "True", "False"]
    plain = {k: v for k, v in windows_like_env().items() if k != WINDOWS_LIKE}
    done = subprocess.run([sys.executable, "-c", PROBE], env=plain, capture_output=True,
                          text=True, check=True)
    assert done.stdout.split() == ["False", "True", "False", "True"]


def test_a_call_that_writes_takes_filelock_without_fcntl(isolated_env: Path) -> None:
    """The status-line call with no fcntl: the line, the store saved under filelock's lock
    (a real OS lock, never the soft marker file), and again on the next call."""
    env = windows_like_env()
    env.update({"NO_COLOR": "1", "STATUSLINE_NOW": repr(OAUTH_NOW),
                "PYTHONPROFILEIMPORTTIME": "1"})
    first = run_cli((EXAMPLES / "oauth-003.json").read_bytes(), env=env)
    assert first.returncode == 0
    assert "5h 24%" in first.stdout
    imported = first.stderr
    assert "filelock" in imported  # on POSIX a write never imports it (test_imports)
    state = isolated_env / "state"
    assert (state / "store.json").is_file()
    assert (state / "store.json.lock").is_file()
    assert sorted(p.name for p in state.iterdir() if "lock" in p.name) == ["store.json.lock"]


def test_this_run_is_what_its_mode_says() -> None:
    """In the Windows-like pass this very process has no fcntl; otherwise it has."""
    try:
        import fcntl  # noqa: F401
    except ImportError:
        has_fcntl = False
    else:
        has_fcntl = True
    assert has_fcntl is not WINDOWS_LIKE_RUN
    assert hasattr(os, "posix_spawn") is not WINDOWS_LIKE_RUN


def test_a_planted_fifo_or_symlink_at_the_lock_path_is_refused_by_the_fallback(
        isolated_env: Path) -> None:
    """filelock would lock a FIFO or follow nothing: the fallback refuses what flock refuses,
    and the call still prints its line and exits 0 (the save is skipped)."""
    state = isolated_env / "state"
    state.mkdir(mode=0o700)
    os.mkfifo(state / "store.json.lock")
    env = windows_like_env()
    env.update({"NO_COLOR": "1", "STATUSLINE_NOW": repr(OAUTH_NOW)})
    done = run_cli((EXAMPLES / "oauth-003.json").read_bytes(), env=env, timeout=10)
    assert done.returncode == 0 and "5h 24%" in done.stdout
    assert not (state / "store.json").exists()
    probe = ("from statusline.store.lock import StoreLock\n"
             "try:\n    StoreLock(%r, 1.0, 0.01).__enter__()\n"
             "except OSError as e:\n    print('refused', e.strerror)\n")
    (state / "target").write_text("")
    os.symlink(state / "target", state / "other.lock")
    for path in (state / "store.json.lock", state / "other.lock"):
        shown = subprocess.run([sys.executable, "-c", probe % str(path)], env=env,
                               capture_output=True, text=True, check=True, timeout=30)
        assert shown.stdout == "refused the lock path is not a regular file\n"


def test_without_posix_spawn_a_kept_line_is_not_run_and_install_does_not_chain(
        isolated_env: Path, claude_dir: Path) -> None:
    """A STATUSLINE_CHAIN entry (say, settings synced from a POSIX machine) leaves just our
    line, at once; install refuses to chain a foreign status line (and --force replaces it)."""
    marker = isolated_env / "ran"
    theirs = isolated_env / "theirs.sh"
    theirs.write_text(f"#!/bin/sh\ntouch {marker}\necho THEIRS\n")
    theirs.chmod(0o755)
    env = windows_like_env()
    env.update({"NO_COLOR": "1", "STATUSLINE_NOW": repr(OAUTH_NOW), "COLUMNS": "200",
                "STATUSLINE_CHAIN": str(theirs)})
    done = run_cli((EXAMPLES / "oauth-003.json").read_bytes(), env=env, timeout=10)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.count("\n") == 1 and "5h 24%" in done.stdout and "THEIRS" not in done.stdout
    assert not marker.exists()

    del env["STATUSLINE_CHAIN"]
    settings = claude_dir / "settings.json"
    foreign = {"statusLine": {"type": "command", "command": str(theirs)}}
    settings.write_text(json.dumps(foreign))
    refused = run_cli(None, "install", env=env)
    assert refused.returncode == 1
    assert "cannot run beside its own on this platform" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert json.loads(settings.read_text()) == foreign
    forced = run_cli(None, "install", "--force", env=env)
    assert forced.returncode == 0, forced.stderr
    assert json.loads(settings.read_text())["statusLine"]["command"].endswith("statusline")
