"""Safe files: the ground floor every room that touches a file stands on.

A private directory (ours, 0700, never a symlink), an atomic replace (a fsynced temp file
renamed over the target, never written through a planted link), a durable rename (the
directory fsynced) and a bounded read (a FIFO, device or huge file costs a refusal, not the
call's budget). The store, the outbox, the client's config cache, the chained line's cache
and the settings editor all use these, so each rule is written once. Only ``os`` and
``stat``: nothing here may cost the status-line call an import.
"""

from __future__ import annotations

import errno
import os
import stat

# Open for reading without following a symlink and without blocking on a FIFO.
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def private_dir(path: str, create: bool) -> bool:
    """True when ``path`` is a real directory owned by us and private (0700).

    With ``create`` it is made (0700, whatever the umask) when missing, and repaired to
    0700 when ours but too open. A symlink or someone else's directory is never used.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        if not create:
            return False
        try:
            _make_private_dirs(path)
            info = os.lstat(path)
        except OSError:
            return False
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        return False
    if stat.S_IMODE(info.st_mode) & 0o077:
        if not create:
            return True  # readable as is; the next write repairs it
        try:
            _chmod_private(path)
        except OSError:
            return False
    return True


def _chmod_private(path: str) -> None:
    """Make the directory at ``path`` 0700 without following a symlink planted there.

    Through a file descriptor: ``os.chmod(..., follow_symlinks=False)`` is implemented on
    Linux via ``/proc/self/fd`` and fails with EACCES where ``/proc`` is restricted, which
    left an unprivileged user's calls without a store. ``O_NOFOLLOW | O_DIRECTORY`` refuses a
    symlink or anything but a directory; the owner is checked on the open descriptor.
    """
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except PermissionError:
        # Our own directory without a read bit (made under umask 0277 or 0777): open() needs
        # it, chmod does not. Fall back to the path call, still refusing a symlink.
        os.chmod(path, 0o700, follow_symlinks=False)
        return
    try:
        if os.fstat(fd).st_uid != os.geteuid():
            raise PermissionError(errno.EPERM, "not our directory", path)
        os.fchmod(fd, 0o700)
    finally:
        os.close(fd)


def _make_private_dirs(path: str) -> None:
    """Create ``path`` and any missing parents as 0700 whatever the umask.

    ``os.makedirs`` gives parents the umask's mode (0777 under umask 000), and the leaf
    ``mode & ~umask`` (0500 under umask 0277, which we could not write in). The umask is
    set to 077 around each ``mkdir`` so the directory is born 0700; a chmod follows only
    where something (a default ACL) still changed the mode.
    """
    parent = os.path.dirname(path)
    if parent and parent != path and not os.path.lexists(parent):
        _make_private_dirs(parent)
    previous = os.umask(0o077)
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        return
    finally:
        os.umask(previous)
    info = os.lstat(path)
    if stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) != 0o700:
        _chmod_private(path)


def write_atomic(path: str, text: str | bytes, mode: int = 0o600, *,
                 durable: bool = True) -> None:
    """Replace ``path`` with ``text`` via a fsynced temp file; the old file survives any error.

    The file is ours alone (0600) unless ``mode`` says otherwise (the call's bundle is read
    like a ``.pyc``: 0644). Without ``durable`` nothing is fsynced: for a file whose loss
    costs nothing (a crash may leave it empty or old, never half the old and half the new
    for a reader, who sees one or the other whole)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    directory, name = os.path.split(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for attempt in range(3):
        temp = os.path.join(directory, f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        try:
            fd = os.open(temp, flags, mode)
            break
        except FileExistsError:  # something already holds that name: pick another
            if attempt == 2:
                raise
    try:
        try:
            try:
                os.fchmod(fd, mode)  # the umask may have taken the owner's write bit
            except OSError:
                pass  # a filesystem without modes; the file is still ours alone
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if durable:
                os.fsync(fd)  # a failed fsync is a failed write: never retried
        finally:
            os.close(fd)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    if durable:
        fsync_dir(directory)


def fsync_dir(directory: str) -> None:
    """Make a replace in ``directory`` durable; best effort (the replace already happened)."""
    try:
        dir_fd = os.open(directory or ".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def read_all(fd: int, limit: int) -> bytes:
    """Up to ``limit`` bytes from ``fd`` (read to its end or the limit); may raise ``OSError``."""
    chunks = []
    total = 0
    while total < limit:
        chunk = os.read(fd, min(1 << 16, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def read_bounded(path: str, limit: int, *, follow_symlinks: bool = False,
                 owned: bool = False) -> bytes | None:
    """The bytes of the regular file at ``path``, or None; never raises, never blocks.

    None when the file is missing or unreadable, is not a regular file (a FIFO planted
    there never blocks the call), is larger than ``limit``, or (with ``owned``) belongs to
    another user. A symlink is refused unless ``follow_symlinks`` (the client's own files
    may be links into a dotfiles checkout; our files never are).
    """
    flags = READ_FLAGS if not follow_symlinks else READ_FLAGS & ~os.O_NOFOLLOW
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        if owned and info.st_uid != os.geteuid():
            return None
        data = read_all(fd, limit + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) <= limit else None


# What a file is now, for telling that it changed: (inode, size, mtime ns, ctime ns, mode,
# owner). The ctime moves with any write or rename, even one that restores the mtime.
Signature = tuple[int, int, int, int, int, int]


def signature(path: str) -> Signature | None:
    """The signature of ``path`` (symlinks followed, as its readers follow them), or None
    when it cannot be seen. A rewrite that keeps the size and the inode inside one tick of
    the file system's clock (a few ms) looks the same: see ``settled``."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_mode,
            info.st_uid)


def settled(sign: Signature | None, before: float, margin: float) -> bool:
    """True when the file signed ``sign`` (None: missing) was last changed more than
    ``margin`` seconds before ``before`` (epoch seconds, the real clock): a later change
    then always shows in its signature."""
    return sign is None or max(sign[2], sign[3]) / 1e9 < before - margin

