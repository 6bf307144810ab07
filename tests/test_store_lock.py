"""statusline.store.lock: flock on the sidecar file, taking turns with filelock's FileLock."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import filelock
import pytest

from statusline.store import lock as lock_module
from statusline.store.lock import LockBusyError, StoreLock

# Each worker adds 1 to the counter file N times, reading and rewriting it under the lock
# (with a pause in between to widen the race): a lost update means the locks did not exclude.
WORKER = """
import os, sys, time
kind, lock_path, counter, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path.insert(0, sys.argv[5])
if kind == "filelock":
    import filelock
    def held():
        return filelock.FileLock(lock_path, timeout=30, mode=0o600)
else:
    from statusline.store.lock import StoreLock
    def held():
        return StoreLock(lock_path, 30.0, 0.0005)
for _ in range(rounds):
    with held():
        with open(counter) as handle:
            value = int(handle.read())
        time.sleep(0.0005)
        with open(counter, "w") as handle:
            handle.write(str(value + 1))
"""
REPO = str(Path(__file__).resolve().parent.parent)


def _holder(kind: str, lock_path: Path) -> subprocess.Popen[bytes]:
    """A process that holds ``lock_path`` with ``kind`` until its stdin closes."""
    take = (
        f"import filelock; lock = filelock.FileLock({str(lock_path)!r}, mode=0o600); lock.acquire()"
        if kind == "filelock" else
        # Kept in a name: where the lock is filelock's (no fcntl), dropping it releases it.
        f"from statusline.store.lock import StoreLock; held = StoreLock({str(lock_path)!r}, 5, "
        "0.01); held.__enter__()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {REPO!r})\n{take}\n"
         "print('held', flush=True)\nsys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )
    assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
    return holder


def _release(holder: subprocess.Popen[bytes]) -> None:
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.close()
    holder.stdout.close()
    assert holder.wait(timeout=10) == 0


def test_a_filelock_holder_keeps_us_out_until_it_lets_go(tmp_path: Path) -> None:
    lock_path = tmp_path / "store.json.lock"
    holder = _holder("filelock", lock_path)
    try:
        started = time.monotonic()
        with pytest.raises(LockBusyError), StoreLock(str(lock_path), 0.2, 0.01):
            pass
        assert time.monotonic() - started >= 0.2
    finally:
        _release(holder)
    with StoreLock(str(lock_path), 0.2, 0.01):
        assert lock_path.exists()


def test_our_holder_keeps_filelock_out_until_it_lets_go(tmp_path: Path) -> None:
    lock_path = tmp_path / "store.json.lock"
    holder = _holder("flock", lock_path)
    try:
        with pytest.raises(filelock.Timeout):
            filelock.FileLock(str(lock_path), mode=0o600).acquire(timeout=0.2)
    finally:
        _release(holder)
    with filelock.FileLock(str(lock_path), mode=0o600, timeout=1):
        pass


def test_filelock_and_flock_take_turns_on_one_file(tmp_path: Path) -> None:
    """Two processes of each kind, one counter: every increment survives."""
    lock_path, counter = tmp_path / "store.json.lock", tmp_path / "counter"
    counter.write_text("0")
    rounds = 150
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, kind, str(lock_path), str(counter),
                          str(rounds), REPO])
        for kind in ("filelock", "flock", "filelock", "flock")
    ]
    assert [w.wait(timeout=120) for w in workers] == [0, 0, 0, 0]
    assert int(counter.read_text()) == 4 * rounds


def test_the_lock_file_is_private_and_never_deleted(tmp_path: Path) -> None:
    lock_path = tmp_path / "store.json.lock"
    old_umask = os.umask(0)
    try:
        with StoreLock(str(lock_path), 0.2, 0.01):
            pass
    finally:
        os.umask(old_umask)
    info = lock_path.stat()
    assert stat.S_IMODE(info.st_mode) == 0o600
    with StoreLock(str(lock_path), 0.2, 0.01):
        pass
    assert lock_path.stat().st_ino == info.st_ino


def test_a_symlink_at_the_lock_path_is_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "precious"
    target.write_text("keep")
    target.chmod(0o644)
    lock_path = tmp_path / "store.json.lock"
    lock_path.symlink_to(target)
    with pytest.raises(OSError), StoreLock(str(lock_path), 0.2, 0.01):
        pass
    assert target.read_text() == "keep"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert lock_path.is_symlink()


def test_a_fifo_at_the_lock_path_fails_at_once(tmp_path: Path) -> None:
    lock_path = tmp_path / "store.json.lock"
    os.mkfifo(lock_path)
    started = time.monotonic()
    with pytest.raises(OSError), StoreLock(str(lock_path), 5.0, 0.01):
        pass
    assert time.monotonic() - started < 1.0


def test_a_lock_file_deleted_under_its_holder_is_made_anew(tmp_path: Path) -> None:
    """A person deletes the lock file: the next writer locks the file now at the path."""
    lock_path = tmp_path / "store.json.lock"
    holder = _holder("flock", lock_path)
    try:
        lock_path.unlink()
        with StoreLock(str(lock_path), 0.5, 0.01):
            assert lock_path.exists()
    finally:
        _release(holder)


def test_without_fcntl_the_lock_is_filelock(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Platforms without fcntl (Windows) take filelock's native lock: same exclusion."""
    monkeypatch.setattr(lock_module, "fcntl", None)
    lock_path = tmp_path / "store.json.lock"
    holder = _holder("flock", lock_path)
    try:
        with pytest.raises(LockBusyError), StoreLock(str(lock_path), 0.2, 0.01):
            pass
    finally:
        _release(holder)
    taken = StoreLock(str(lock_path), 0.2, 0.01)
    with taken:
        assert isinstance(taken._fallback, filelock.BaseFileLock)
        assert taken._fallback.is_locked
    assert taken._fallback is None
