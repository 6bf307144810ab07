"""The store's sidecar lock: one writer at a time, across processes, containers and hosts' mounts.

On POSIX the lock is ``fcntl.flock`` on the sidecar file, taken here directly: it is what
filelock's ``UnixFileLock`` does underneath (same file, same open flags, mode 0600, the file
never deleted), so a process using filelock and one using this module take turns on the same
file, but importing filelock costs a status-line call ~37 ms (typing, logging, inspect) and
this costs nothing. ``flock`` locks belong to the open file in the kernel, so they also hold
across bind mounts of one directory into containers on the same host.

Where ``fcntl`` is missing (Windows), the lock is filelock's ``FileLock`` (never its soft,
marker-file fallback). Either way the lock dies with the process: nothing to clean up after
a kill, and a stale lock file is just an empty file.
"""

from __future__ import annotations

import errno
import os
import stat
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import TracebackType

try:
    import fcntl
except ImportError:  # no POSIX locks here: filelock's native Windows lock instead
    fcntl = None  # type: ignore[assignment]

# flock reports contention as EWOULDBLOCK (== EAGAIN on Linux); some filesystems say EACCES.
_BUSY = frozenset({errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES})
# filelock's flags for its lock file: no symlink followed, never blocking on a FIFO.
_OPEN_FLAGS = os.O_RDWR | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
MODE = 0o600


class LockBusyError(Exception):
    """The lock was not free within the timeout."""


class StoreLock:
    """An exclusive lock on ``path``, held for a ``with`` block.

    ``__enter__`` raises ``LockBusyError`` after ``timeout`` seconds, and ``OSError`` when
    the lock file cannot be opened or the filesystem has no locks; it never deletes the file.
    """

    __slots__ = ("_fallback", "_fd", "path", "poll", "timeout")

    def __init__(self, path: str, timeout: float, poll: float) -> None:
        self.path = path
        self.timeout = timeout
        self.poll = poll
        self._fd: int | None = None
        self._fallback: object = None

    def __enter__(self) -> StoreLock:
        if fcntl is None:
            self._fallback = _filelock_acquire(self.path, self.timeout, self.poll)
            return self
        deadline = time.monotonic() + self.timeout
        while True:
            fd = _open_lock_file(self.path)
            try:
                locked = _try_flock(fd)
                # A peer may have replaced the file between our open and our lock (we never
                # do, but a person may delete it): the lock must be on the inode at the path.
                if locked and _same_file(fd, self.path):
                    self._fd = fd
                    return self
                if locked:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LockBusyError(self.path)
            time.sleep(min(self.poll, remaining))

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)  # closing alone would release it too; unlocking first is explicit
        elif self._fallback is not None:
            lock, self._fallback = self._fallback, None
            lock.release()  # type: ignore[attr-defined]


def _open_lock_file(path: str) -> int:
    """Open (creating 0600 if missing) the lock file; a symlink or FIFO there is an error."""
    try:
        fd = os.open(path, _OPEN_FLAGS | os.O_CREAT | os.O_EXCL, MODE)
    except FileExistsError:
        return os.open(path, _OPEN_FLAGS)
    try:
        os.fchmod(fd, MODE)  # the umask may have taken bits; filelock applies an explicit mode too
    except OSError:
        pass
    return fd


def _try_flock(fd: int) -> bool:
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        raise OSError(errno.EINVAL, "the lock path is not a regular file")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        if error.errno in _BUSY:
            return False
        raise
    return True


def _same_file(fd: int, path: str) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.lstat(path))
    except OSError:
        return False


def _filelock_acquire(path: str, timeout: float, poll: float) -> object:
    """filelock's native lock (no ``fcntl`` here); raises ``LockBusyError`` on timeout, and
    ``OSError`` when something other than a regular file (a symlink, a FIFO) is at the path,
    as the flock path does."""
    from filelock import FileLock, Timeout

    try:
        found = os.lstat(path)
    except FileNotFoundError:
        pass
    else:
        if not stat.S_ISREG(found.st_mode):
            raise OSError(errno.EINVAL, "the lock path is not a regular file", path)

    try:
        lock = FileLock(path, timeout=timeout, mode=MODE, fallback_to_soft=False)
    except TypeError:  # filelock older than 3.30 has no switch (and no fallback to avoid)
        lock = FileLock(path, timeout=timeout, mode=MODE)
    try:
        lock.acquire(timeout=timeout, poll_interval=poll)
    except Timeout as error:
        raise LockBusyError(path) from error
    return lock
