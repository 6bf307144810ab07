"""files.py: the ground floor's safe-file rules (private dir, atomic write, bounded read)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from statusline import files


def test_read_bounded_reads_a_small_regular_file(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"hello")
    assert files.read_bounded(str(path), 5) == b"hello"


def test_read_bounded_refuses_a_file_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 6)
    assert files.read_bounded(str(path), 5) is None


def test_read_bounded_never_blocks_on_a_fifo(tmp_path: Path) -> None:
    """A FIFO planted where a file is expected is refused at once, not waited on."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert files.read_bounded(str(fifo), 100) is None


def test_read_bounded_follows_a_symlink_only_when_asked(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_bytes(b"theirs")
    link = tmp_path / "link"
    link.symlink_to(target)
    assert files.read_bounded(str(link), 100) is None
    assert files.read_bounded(str(link), 100, follow_symlinks=True) == b"theirs"


def test_read_bounded_missing_file_is_none(tmp_path: Path) -> None:
    assert files.read_bounded(str(tmp_path / "absent"), 100) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make a file another user owns")
def test_read_bounded_owned_refuses_another_users_file(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x")
    os.chown(path, 65534, 65534)
    assert files.read_bounded(str(path), 10, owned=True) is None
    assert files.read_bounded(str(path), 10) == b"x"


def test_write_atomic_makes_a_private_file_and_leaves_no_temp(tmp_path: Path) -> None:
    directory = tmp_path / "state"
    directory.mkdir()
    path = directory / "store.json"
    files.write_atomic(str(path), "{}")
    assert path.read_text() == "{}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in directory.iterdir()) == ["store.json"]


def test_write_atomic_replaces_a_planted_symlink_not_its_target(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep")
    path = tmp_path / "store.json"
    path.symlink_to(victim)
    files.write_atomic(str(path), "{}")
    assert victim.read_text() == "keep"
    assert not path.is_symlink() and path.read_text() == "{}"


def test_private_dir_creates_0700_under_any_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        target = tmp_path / "a" / "b"
        assert files.private_dir(str(target), create=True)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700


def test_private_dir_refuses_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    assert not files.private_dir(str(link), create=True)
