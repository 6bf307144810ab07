"""store.py: lock-free reads, locked atomic updates, quarantine, sweep, private directory."""

from __future__ import annotations

import errno
import itertools
import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from statusline import files, history
from statusline.history import State
from statusline.payload import from_mapping
from statusline.store import local as store

from .helpers_reliability import NOW, reading_payload


def _valid_store(tmp_path: Path, sessions: int = 2) -> Path:
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o700, exist_ok=True)
    path = state_dir / "store.json"
    for i in range(sessions):
        result = store.update(str(path), _record(f"s{i}", cost=float(i)))
        assert result is not None
    return path


def _record(session: str, cost: float = 1.0) -> Callable[[State], bool]:
    payload = from_mapping(reading_payload(session, cost=cost))
    return lambda s: history.record(s, payload, NOW)


# --- reads -------------------------------------------------------------------------------


def test_read_missing_is_writable(tmp_path: Path) -> None:
    result = store.read(str(tmp_path / "store.json"))
    assert result.status == store.MISSING
    assert result.writable


def test_read_valid_store(tmp_path: Path) -> None:
    path = _valid_store(tmp_path)
    result = store.read(str(path))
    assert result.status == store.OK
    assert set(result.state.sessions) == {"s0", "s1"}


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"[]", b'"x"', b"1", b"null", b'{"schema_version": "1"}', b"\xff\xfe{}",
     b'{"schema_version": true}', b"[" * 100_000 + b"]" * 100_000],
)
def test_read_unparseable_is_corrupt(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "store.json"
    path.write_bytes(content)
    result = store.read(str(path))
    assert result.status == store.CORRUPT
    assert result.writable


def test_read_fifo_does_not_block(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    os.mkfifo(path)
    assert store.read(str(path)).status == store.CORRUPT


def test_read_symlink_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.json"
    _valid_store(tmp_path)
    victim.write_bytes((tmp_path / "state" / "store.json").read_bytes())
    link = tmp_path / "store.json"
    link.symlink_to(victim)
    assert store.read(str(link)).status == store.CORRUPT


def test_read_directory_is_corrupt(tmp_path: Path) -> None:
    (tmp_path / "store.json").mkdir()
    assert store.read(str(tmp_path / "store.json")).status == store.CORRUPT


def test_read_oversized_store_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    path.write_bytes(b" " * (store.MAX_STORE_BYTES + 1))
    assert store.read(str(path)).status == store.CORRUPT


def test_newer_schema_is_read_only(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    path.write_text(json.dumps({"schema_version": history.SCHEMA_VERSION + 1, "sessions": {}}))
    before = path.read_bytes()
    result = store.read(str(path))
    assert result.status == store.NEWER
    assert not result.writable
    assert store.update(str(path), _record("s9")) is None
    assert path.read_bytes() == before


# --- updates ------------------------------------------------------------------------------


def test_update_creates_private_dir_and_files(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "state" / "store.json"
    old = os.umask(0)
    try:
        assert store.update(str(path), _record("s1")) is not None
    finally:
        os.umask(old)
    for directory in (path.parent, path.parent.parent, path.parent.parent.parent):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(Path(str(path) + ".lock").stat().st_mode) == 0o600


def test_update_under_umask_077_and_0277(tmp_path: Path) -> None:
    for mask, name in ((0o077, "m077"), (0o277, "m277")):
        path = tmp_path / name / "store.json"
        old = os.umask(mask)
        try:
            assert store.update(str(path), _record("s1")) is not None
        finally:
            os.umask(old)
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_update_repairs_own_open_dir(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    state_dir.chmod(0o777)
    assert store.update(str(state_dir / "store.json"), _record("s1")) is not None
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700


@pytest.fixture
def restricted_proc(monkeypatch: pytest.MonkeyPatch) -> None:
    """``os.chmod(..., follow_symlinks=False)`` fails as it does where /proc is restricted
    (glibc implements it through /proc/self/fd)."""
    real_chmod = os.chmod

    def chmod(path: object, mode: int, *, dir_fd: int | None = None,
              follow_symlinks: bool = True) -> None:
        if not follow_symlinks:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        real_chmod(path, mode, dir_fd=dir_fd)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "chmod", chmod)


@pytest.mark.parametrize("mask", [0o000, 0o022, 0o077, 0o277])
def test_private_dir_is_created_without_proc(
    tmp_path: Path, restricted_proc: None, mask: int
) -> None:
    path = tmp_path / "a" / "state" / "store.json"
    old = os.umask(mask)
    try:
        assert store.update(str(path), _record("s1")) is not None
    finally:
        os.umask(old)
    assert os.umask(old) == old  # the umask is left as it was
    for directory in (path.parent, path.parent.parent):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    assert store.read(str(path)).status == store.OK


def test_open_dir_is_repaired_without_proc(tmp_path: Path, restricted_proc: None) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    state_dir.chmod(0o755)
    assert store.update(str(state_dir / "store.json"), _record("s1")) is not None
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700


def test_repair_never_follows_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    real.chmod(0o755)
    (tmp_path / "state").symlink_to(real)
    assert not files.private_dir(str(tmp_path / "state"), create=True)
    assert stat.S_IMODE(real.stat().st_mode) == 0o755


def test_update_refuses_symlinked_dir(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "state").symlink_to(real)
    assert store.update(str(tmp_path / "state" / "store.json"), _record("s1")) is None
    assert os.listdir(real) == []


def test_update_quarantines_corrupt_store_and_keeps_three(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o700)
    path = state_dir / "store.json"
    contents = [f"garbage {i}".encode() for i in range(5)]
    for content in contents:
        path.write_bytes(content)
        assert store.update(str(path), _record("s1")) is not None
        assert store.read(str(path)).status == store.OK
    kept = sorted(n for n in os.listdir(state_dir) if n.startswith("store.json.corrupt-"))
    assert len(kept) == store.QUARANTINE_KEPT
    # The newest three survive, byte-identical, in order.
    assert [(state_dir / n).read_bytes() for n in kept] == contents[-3:]


def test_quarantine_moves_a_symlink_not_its_target(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_text("precious")
    (state_dir / "store.json").symlink_to(victim)
    assert store.update(str(state_dir / "store.json"), _record("s1")) is not None
    assert victim.read_text() == "precious"
    assert not (state_dir / "store.json").is_symlink()
    moved = [n for n in os.listdir(state_dir) if n.startswith("store.json.corrupt-")]
    assert len(moved) == 1 and (state_dir / moved[0]).is_symlink()


def test_hard_linked_store_is_replaced_not_written_through(tmp_path: Path) -> None:
    path = _valid_store(tmp_path, sessions=1)
    victim = tmp_path / "victim"
    os.link(path, victim)
    before = victim.read_bytes()
    assert store.update(str(path), _record("s7")) is not None
    assert victim.read_bytes() == before
    assert "s7" in json.loads(path.read_bytes())["sessions"]


@pytest.mark.parametrize("kind", ["symlink", "fifo", "directory", "hardlink"])
def test_nothing_but_our_own_lock_file_is_used(tmp_path: Path, kind: str) -> None:
    path = _valid_store(tmp_path, sessions=1)
    lock = Path(str(path) + ".lock")
    lock.unlink()
    victim = tmp_path / "victim"
    victim.write_text("precious")
    if kind == "symlink":
        lock.symlink_to(victim)
    elif kind == "fifo":
        os.mkfifo(lock)
    elif kind == "directory":
        lock.mkdir()
    else:
        os.link(victim, lock)
    before = path.read_bytes()
    assert store.update(str(path), _record("s8")) is None
    assert path.read_bytes() == before
    assert victim.read_text() == "precious"


def test_lock_file_is_never_deleted(tmp_path: Path) -> None:
    path = _valid_store(tmp_path, sessions=1)
    lock = Path(str(path) + ".lock")
    inode = lock.stat().st_ino
    for i in range(5):
        assert store.update(str(path), _record("s1", cost=10 + i)) is not None
    assert lock.stat().st_ino == inode


def test_busy_lock_skips_the_save(tmp_path: Path) -> None:
    path = _valid_store(tmp_path, sessions=1)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import filelock, sys, time\n"
         f"lock = filelock.FileLock({str(path) + '.lock'!r}); lock.acquire()\n"
         "print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        before = path.read_bytes()
        assert store.update(str(path), _record("s5")) is None
        assert path.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    # The kernel released the dead holder's lock: the next update gets it at once.
    assert store.update(str(path), _record("s5")) is not None


def test_sweep_removes_only_old_temp_files(tmp_path: Path) -> None:
    path = _valid_store(tmp_path, sessions=1)
    state_dir = path.parent
    old = state_dir / ".store.json.123.deadbeef.tmp"
    young = state_dir / ".store.json.124.cafebabe.tmp"
    other = state_dir / ".other.tmp"
    for temp in (old, young, other):
        temp.write_text("partial")
    past = time.time() - store.ORPHAN_TEMP_AGE_S - 5
    os.utime(old, (past, past))
    os.utime(other, (past, past))
    assert store.update(str(path), _record("s1", cost=42)) is not None
    assert not old.exists()
    assert young.exists() and other.exists()


def test_temp_name_collision_takes_another_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _valid_store(tmp_path, sessions=1)
    planted = path.parent / f".store.json.{os.getpid()}.00000000.tmp"
    planted.write_text("someone else's")
    draws = iter([b"\x00\x00\x00\x00", b"\x01\x02\x03\x04"])
    real_urandom = os.urandom
    monkeypatch.setattr(os, "urandom", lambda n: next(draws, None) or real_urandom(n))
    files.write_atomic(str(path), '{"schema_version": 1}')
    assert planted.read_text() == "someone else's"
    assert json.loads(path.read_bytes()) == {"schema_version": 1}


# --- write_atomic under injected I/O errors ---------------------------------------------------

FAULTS = [errno.ENOSPC, errno.EIO, errno.EROFS, errno.EDQUOT, errno.EACCES]
STEPS = ["open", "write", "fsync", "close", "replace"]


@pytest.mark.parametrize("code", FAULTS, ids=errno.errorcode.get)
@pytest.mark.parametrize("step", STEPS)
def test_update_fault_leaves_old_store_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, code: int
) -> None:
    path = _valid_store(tmp_path, sessions=1)
    before = path.read_bytes()
    calls = {"fsync": 0}
    real = {name: getattr(os, name) for name in STEPS}

    def failing(name: str) -> object:
        def fail(*args: object, **kwargs: object) -> object:
            target = str(args[0]) if args else ""
            if name == "open" and not target.endswith(".tmp"):
                return real[name](*args, **kwargs)  # the lock and the read still work
            if name == "fsync":
                calls["fsync"] += 1
            raise OSError(code, os.strerror(code))

        return fail

    monkeypatch.setattr(os, step, failing(step))
    result = store.update(str(path), _record("s9"))
    monkeypatch.undo()
    assert result is None
    assert path.read_bytes() == before
    assert [n for n in os.listdir(path.parent) if n.endswith(".tmp")] == []
    assert calls["fsync"] <= 1, "a failed fsync must never be retried"


def test_failed_directory_fsync_still_counts_as_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _valid_store(tmp_path, sessions=1)
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "no fsync on directories here")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    assert store.update(str(path), _record("s9")) is not None
    assert "s9" in json.loads(path.read_bytes())["sessions"]


def test_state_written_is_state_read_back(tmp_path: Path) -> None:
    path = _valid_store(tmp_path, sessions=3)
    loaded = store.read(str(path)).state
    assert isinstance(loaded, State)
    assert history.to_json(loaded) == json.loads(path.read_bytes())


def test_private_dir_rejects_foreign_owner(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("chown to another user needs root")
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o700)
    os.chown(state_dir, 65534, 65534)
    assert not files.private_dir(str(state_dir), create=True)
    assert store.update(str(state_dir / "store.json"), _record("s1")) is None
    assert os.listdir(state_dir) == []


def test_foreign_object_at_store_path_is_left_alone(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("chown to another user needs root")
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o700)
    for kind in ("file", "fifo", "directory"):
        path = state_dir / f"store-{kind}.json"
        if kind == "file":
            path.write_text("{}")
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            path.mkdir()
        os.chown(path, 65534, 65534, follow_symlinks=False)
        assert store.read(str(path)).status == store.FOREIGN
        assert store.update(str(path), _record("s1")) is None
        assert os.lstat(path).st_uid == 65534
    assert not [n for n in os.listdir(state_dir) if ".corrupt-" in n]


def test_pre_existing_open_lock_file_still_works(tmp_path: Path) -> None:
    """A lock file left 0644/0666 by an older version is used as is (the dir is private)."""
    path = _valid_store(tmp_path, sessions=1)
    lock = Path(str(path) + ".lock")
    for mode in (0o644, 0o666):
        lock.chmod(mode)
        assert store.update(str(path), _record("s1", cost=float(mode))) is not None
        assert sorted(n for n in os.listdir(path.parent) if n.endswith(".lock")) == [lock.name]


_HOLDER = """
import json, sys, time
from statusline import files
from statusline.store import local as store
path, rounds = sys.argv[1], int(sys.argv[2])
spans = []
def change(state):
    entered = time.clock_gettime(time.CLOCK_MONOTONIC)
    time.sleep(0.001)
    spans.append((entered, time.clock_gettime(time.CLOCK_MONOTONIC)))
    return False
skipped = sum(store.update(path, change) is None for _ in range(rounds))
print(json.dumps({"spans": spans, "skipped": skipped}))
"""


def test_lock_excludes_by_interval_overlap(tmp_path: Path) -> None:
    """reliability.md T2: holds measured inside the lock by 4 processes never overlap."""
    path = _valid_store(tmp_path, sessions=1)
    procs = [
        subprocess.Popen([sys.executable, "-c", _HOLDER, str(path), "25"],
                         stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    spans: list[tuple[float, float]] = []
    for proc in procs:
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0
        result = json.loads(out)
        spans += [(float(a), float(b)) for a, b in result["spans"]]
    assert len(spans) >= 50, "most holds must get the lock within its timeout"
    spans.sort()
    for (_, left_end), (right_start, _) in itertools.pairwise(spans):
        assert right_start >= left_end, "two processes held the lock at once"


def test_lock_file_owned_by_another_user_is_not_used(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("chown to another user needs root")
    path = _valid_store(tmp_path, sessions=1)
    lock = Path(str(path) + ".lock")
    os.chown(lock, 65534, 65534)
    before = path.read_bytes()
    assert store.update(str(path), _record("s4")) is None
    assert path.read_bytes() == before
    assert lock.stat().st_uid == 65534
