"""Environment faults (reliability.md T13, T14): no usable place to save, a full or read-only
disk, I/O errors at every step of a save. The line still prints, the old store stays
byte-identical, no temp file is left, and nothing appears in /tmp or the working directory.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from statusline.store import local as store

from .helpers_reliability import (
    NOBODY,
    as_nobody,
    call_env,
    call_in_process,
    digest,
    encode,
    reading_payload,
    run_call,
    temp_files,
    tree,
)

PAYLOAD = encode(reading_payload("env-1", cost=3.0))


def _tmp_names() -> set[str]:
    return {n for n in os.listdir(tempfile.gettempdir()) if "statusline" in n or "store" in n}


@pytest.fixture
def clean_cwd(tmp_path: Path) -> Iterator[Path]:
    """An empty working directory; the test fails if a call leaves anything in it or /tmp."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    before = _tmp_names()
    yield cwd
    assert tree(cwd) == set()
    assert _tmp_names() <= before


def test_missing_state_dir_is_created_private(tmp_path: Path, clean_cwd: Path) -> None:
    state_dir = tmp_path / "deep" / "er" / "state"
    run_call(PAYLOAD, call_env(state_dir), cwd=clean_cwd).assert_contract()
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700
    assert store.read(str(state_dir / "store.json")).status == store.OK


def test_xdg_state_home_pointing_at_a_file(tmp_path: Path, clean_cwd: Path) -> None:
    a_file = tmp_path / "not-a-dir"
    a_file.write_text("x")
    env = call_env(tmp_path / "unused", XDG_STATE_HOME=str(a_file))
    del env["STATUSLINE_STATE_DIR"]
    assert "Sonnet" in run_call(PAYLOAD, env, cwd=clean_cwd).assert_contract()
    assert a_file.read_text() == "x"


def test_relative_xdg_state_home_is_ignored(tmp_path: Path, clean_cwd: Path) -> None:
    env = call_env(tmp_path / "unused", XDG_STATE_HOME="relative/state")
    del env["STATUSLINE_STATE_DIR"]
    run_call(PAYLOAD, env, cwd=clean_cwd).assert_contract()
    # The spec says to ignore it: the store lands under HOME, not the working directory.
    assert (Path(env["HOME"]) / ".local/state/statusline/store.json").is_file()


def test_home_unset_with_xdg_state_home(tmp_path: Path, clean_cwd: Path) -> None:
    env = call_env(tmp_path / "unused", XDG_STATE_HOME=str(tmp_path / "xdg"))
    del env["STATUSLINE_STATE_DIR"]
    del env["HOME"]
    run_call(PAYLOAD, env, cwd=clean_cwd).assert_contract()
    assert (tmp_path / "xdg" / "statusline" / "store.json").is_file()


def test_home_unset_and_empty(tmp_path: Path, clean_cwd: Path) -> None:
    # XDG_STATE_HOME (set by the isolated environment) keeps the store in tmp_path: without
    # it, an empty HOME falls back to the passwd entry's home, the real user's store.
    env = call_env(tmp_path / "unused", HOME="", XDG_STATE_HOME=str(tmp_path / "xdg"))
    del env["STATUSLINE_STATE_DIR"]
    assert "Sonnet" in run_call(PAYLOAD, env, cwd=clean_cwd).assert_contract()
    assert (tmp_path / "xdg" / "statusline" / "store.json").is_file()


def test_home_unset_as_unprivileged_user(nobody_dir: Path) -> None:
    # uid 65534's passwd home is /nonexistent: nothing may be created anywhere.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "STATUSLINE_NOW": "1795519800"}
    cwd = nobody_dir / "cwd"
    cwd.mkdir()
    os.chown(cwd, NOBODY, NOBODY)
    before = _tmp_names()
    result = run_call(PAYLOAD, env, cwd=cwd, prefix=as_nobody())
    assert "Sonnet" in result.assert_contract()
    assert tree(cwd) == set()
    assert _tmp_names() <= before
    assert not os.path.exists("/nonexistent")


def test_unwritable_state_dir_as_unprivileged_user(nobody_dir: Path) -> None:
    state_dir = nobody_dir / "state"
    state_dir.mkdir(mode=0o700)
    (state_dir / "store.json").write_text("{}")
    os.chown(state_dir / "store.json", NOBODY, NOBODY)
    os.chown(state_dir, NOBODY, NOBODY)
    seeded = run_call(PAYLOAD, call_env(state_dir, HOME=str(nobody_dir)), prefix=as_nobody())
    seeded.assert_contract()
    before = digest(state_dir / "store.json")
    state_dir.chmod(0o500)
    cwd = nobody_dir / "cwd"
    cwd.mkdir()
    os.chown(cwd, NOBODY, NOBODY)
    env = call_env(state_dir, HOME=str(nobody_dir))
    result = run_call(encode(reading_payload("env-2", cost=9.0)), env, cwd=cwd, prefix=as_nobody())
    assert "Sonnet" in result.assert_contract()
    assert digest(state_dir / "store.json") == before
    assert temp_files(state_dir) == []
    assert tree(cwd) == set()


def test_missing_parent_not_creatable_as_unprivileged_user(nobody_dir: Path) -> None:
    locked = nobody_dir / "root-owned"
    locked.mkdir(mode=0o755)  # owned by root: nobody cannot create the state dir in it
    env = call_env(locked / "state", HOME=str(nobody_dir))
    result = run_call(PAYLOAD, env, cwd=nobody_dir, prefix=as_nobody())
    assert "Sonnet" in result.assert_contract()
    assert os.listdir(locked) == []


# --- a real full and a real read-only filesystem (root can mount a tiny tmpfs) -----------------


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs mounted at a fresh directory; skipped when mounting is not allowed."""
    mount_point = tmp_path / "mnt"
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True, check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"mount failed: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, check=False)


def test_disk_full(tiny_tmpfs: Path, clean_cwd: Path) -> None:
    state_dir = tiny_tmpfs / "state"
    run_call(PAYLOAD, call_env(state_dir), cwd=clean_cwd).assert_contract()
    before = digest(state_dir / "store.json")
    # Fill the filesystem to the last block.
    filler = tiny_tmpfs / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 512)
    except OSError as error:
        assert error.errno == errno.ENOSPC
    finally:
        os.close(fd)
    for i in range(3):
        result = run_call(encode(reading_payload(f"full-{i}", cost=i)), call_env(state_dir),
                          cwd=clean_cwd)
        assert "Sonnet" in result.assert_contract()
    assert digest(state_dir / "store.json") == before
    assert temp_files(state_dir) == []


def test_read_only_filesystem(tiny_tmpfs: Path, clean_cwd: Path) -> None:
    state_dir = tiny_tmpfs / "state"
    run_call(PAYLOAD, call_env(state_dir), cwd=clean_cwd).assert_contract()
    before = digest(state_dir / "store.json")
    remount = subprocess.run(["mount", "-o", "remount,ro", str(tiny_tmpfs)], capture_output=True,
                             check=False)
    if remount.returncode != 0:
        pytest.skip("remounting read-only failed")
    result = run_call(encode(reading_payload("ro-1", cost=5.0)), call_env(state_dir), cwd=clean_cwd)
    assert "Sonnet" in result.assert_contract()
    assert digest(state_dir / "store.json") == before


# --- injected errors at each step of a save, through the whole call ---------------------------

STEPS = ["open", "write", "fsync", "close", "replace"]
ERRORS = [errno.ENOSPC, errno.EIO, errno.EROFS, errno.EDQUOT]


@pytest.mark.parametrize("code", ERRORS, ids=errno.errorcode.get)
@pytest.mark.parametrize("step", STEPS)
def test_injected_error_in_a_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, code: int
) -> None:
    state_dir = tmp_path / "state"
    assert call_in_process(reading_payload("inj-1", cost=1.0), state_dir).wrote
    store_path = state_dir / "store.json"
    before = digest(store_path)
    real = getattr(os, step)
    hits = []

    def fail(*args: object, **kwargs: object) -> object:
        # Only the save's temp file (and what follows it) fails; the lock and reads work.
        if step == "open" and not str(args[0]).endswith(".tmp"):
            return real(*args, **kwargs)
        if step in ("write", "fsync", "close") and not _is_temp_fd(args[0]):
            return real(*args, **kwargs)
        hits.append(step)
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, step, fail)
    outcome = call_in_process(reading_payload("inj-2", cost=2.0), state_dir)
    monkeypatch.undo()
    assert hits, f"the fault at {step} was never reached"
    assert not outcome.wrote
    assert "Sonnet" in outcome.line
    assert digest(store_path) == before
    assert temp_files(state_dir) == []
    # The next call, with the fault gone, saves normally.
    assert call_in_process(reading_payload("inj-2", cost=2.0), state_dir).wrote


def _is_temp_fd(fd: object) -> bool:
    if not isinstance(fd, int):
        return False
    try:
        return os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp")
    except OSError:
        return False
