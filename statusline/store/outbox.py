"""Readings kept on this machine until the shared store can take them.

When the shared backend cannot be reached, a call that has something to save records it in
the local store (so this machine's line stays right) and appends what it saw to the outbox,
``<store>.outbox``: one JSON line per call (the payload as received, its clock and host).
The next call that reaches the backend replays the lines through the same merge, in order,
in the same transaction as its own change, and then empties the file. Every function here
runs under the store's lock; the file is 0600 in the private state directory, never
followed through a symlink, and bounded (the oldest lines go first past ``MAX_LINES`` or
``MAX_BYTES``, which a day-long outage of a busy machine stays under).
"""

from __future__ import annotations

import errno
import os
import stat

from statusline.jsonread import loads

MAX_LINES = 4000
MAX_BYTES = 8 << 20
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def path_for(store_path: str) -> str:
    """The outbox beside the local store file."""
    return store_path + ".outbox"


def pending(store_path: str) -> bool:
    """True when readings wait to be sent (one ``lstat``, no lock)."""
    try:
        info = os.lstat(path_for(store_path))
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size > 0


def append(store_path: str, line: str) -> int:
    """Add one entry (a JSON text without newlines); return how many old entries were dropped.

    Raises ``OSError`` when it cannot be written (the caller then does not acknowledge).
    """
    path = path_for(store_path)
    data = (line + "\n").encode("utf-8")
    dropped = 0
    try:
        size = os.lstat(path).st_size
    except FileNotFoundError:
        size = 0
    if size + len(data) > MAX_BYTES:
        dropped = _shrink(path, MAX_BYTES // 2)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(path, flags, 0o600)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_nlink != 1:
            raise OSError(errno.EPERM, "the outbox path is not our own regular file")
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    return dropped


def read(store_path: str) -> list[dict[str, object]]:
    """The kept entries, oldest first; a torn or foreign line is skipped, never fatal."""
    raw = _read_bytes(path_for(store_path))
    entries = []
    for line in raw.split(b"\n")[-MAX_LINES:]:
        if not line.strip():
            continue
        try:
            entry = loads(line.decode("utf-8"))
        except (ValueError, RecursionError):
            continue  # the last line of a writer killed mid-append
        if isinstance(entry, dict):
            entries.append(entry)
    return entries


def clear(store_path: str) -> None:
    """Empty the outbox once its entries are in the shared store."""
    try:
        os.unlink(path_for(store_path))
    except FileNotFoundError:
        pass


def _read_bytes(path: str) -> bytes:
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:
        return b""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return b""
        chunks = []
        total = 0
        while total <= MAX_BYTES:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)
    except OSError:
        return b""
    finally:
        os.close(fd)


def _shrink(path: str, keep_bytes: int) -> int:
    """Rewrite the outbox with only its newest lines (about ``keep_bytes``); how many went."""
    from statusline.files import write_atomic

    lines = [line for line in _read_bytes(path).split(b"\n") if line.strip()]
    kept: list[bytes] = []
    size = 0
    for line in reversed(lines[-MAX_LINES:]):
        if size + len(line) + 1 > keep_bytes:
            break
        kept.append(line)
        size += len(line) + 1
    kept.reverse()
    write_atomic(path, b"".join(line + b"\n" for line in kept).decode("utf-8", "replace"))
    return len(lines) - len(kept)
