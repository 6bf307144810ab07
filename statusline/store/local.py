"""The only code that touches the store file.

Reads never lock: every write is a temp file in the same directory, fsynced, then
``os.replace``d over the store, so a reader sees the old or the new document, never a torn
one. Writers serialise on the sidecar lock (``store.lock``: flock, as filelock takes it) with
a short timeout; a writer that cannot get it in time skips its save (the next call brings the
same news again). The directory is created 0700 and files 0600; a symlink, FIFO, directory
or hard link planted at a path is never written through, and a file that does not parse is
moved aside and rebuilt.
"""

from __future__ import annotations

import errno
import os
import stat
import time

from statusline import history, jsonwrite
from statusline.files import private_dir, read_all, write_atomic
from statusline.history import State
from statusline.jsonread import loads

# A save holds the lock for a millisecond or two, but with a dozen sessions starting at once
# on two cores the holder can sit descheduled for tens of milliseconds: 0.1 s skipped a
# quarter of the saves in the 16-session storm. 0.2 s keeps a call under a hung lock well
# inside the watchdog budget (call.BUDGET_S) and Claude Code's 300 ms debounce.
LOCK_TIMEOUT_S = 0.2
LOCK_POLL_S = 0.005
MAX_STORE_BYTES = 4 << 20
QUARANTINE_KEPT = 3
ORPHAN_TEMP_AGE_S = 10.0

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from statusline.store.lock import StoreLock

# What a read found, which decides whether this call may write.
OK, MISSING, CORRUPT, NEWER, FOREIGN, UNUSABLE = (
    "ok", "missing", "corrupt", "newer", "foreign", "unusable",
)


class ReadResult:
    """A store read: the state (empty when there was none) and what was found."""

    __slots__ = ("detail", "dropped", "state", "status")

    def __init__(self, state: State, status: str, detail: str = "",
                 dropped: list[str] | None = None) -> None:
        self.state = state
        self.status = status
        self.detail = detail
        # Fields left out for their type (``history.codec.audit``), for doctor.
        self.dropped: list[str] = dropped or []

    @property
    def writable(self) -> bool:
        """True when a locked update may replace the file."""
        return self.status in (OK, MISSING, CORRUPT)


def read(path: str) -> ReadResult:
    """Read the store at ``path`` without locking; never raises, never blocks on a FIFO."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return ReadResult(State(), MISSING)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return ReadResult(State(), CORRUPT, "a symlink stands at the store path")
        if error.errno in (errno.EISDIR, errno.ENXIO):
            return ReadResult(State(), CORRUPT, "the store path is not a regular file")
        return ReadResult(State(), UNUSABLE, error.strerror or str(error))
    try:
        info = os.fstat(fd)
        # Ownership first: whatever another account put here (file, FIFO, directory) is
        # left alone, never moved aside or replaced.
        if info.st_uid != os.geteuid():
            return ReadResult(State(), FOREIGN, "the store belongs to another user")
        if not stat.S_ISREG(info.st_mode):
            return ReadResult(State(), CORRUPT, "the store path is not a regular file")
        if info.st_size > MAX_STORE_BYTES:
            return ReadResult(State(), CORRUPT, f"the store is {info.st_size} bytes")
        data = read_all(fd, MAX_STORE_BYTES + 1)
    except OSError as error:
        return ReadResult(State(), UNUSABLE, error.strerror or str(error))
    finally:
        os.close(fd)
    return parse(data)


def parse(data: bytes) -> ReadResult:
    """Turn store bytes into a ``ReadResult`` (``corrupt`` when they are not a store).

    A field of an unexpected type costs that field (named in ``dropped``); what cannot be
    read at all is ``corrupt``: not UTF-8 or JSON (``ValueError``), nested past the
    parser's depth (``RecursionError``), or a number the arithmetic refuses
    (``OverflowError``: an integer beyond any float), and, should a field's check ever
    miss a type, the ``TypeError`` it raises: the store is then quarantined, never
    left to blank every call.
    """
    dropped: list[str] = []
    try:
        document = loads(data.decode("utf-8"))  # json.loads without importing json
        state = history.from_json(document, dropped)
    except (ValueError, RecursionError, OverflowError, TypeError) as error:
        from statusline.sanitize import clean

        return ReadResult(State(), CORRUPT,
                          clean(f"the store does not parse: {error}", 200))
    if state.schema_version > history.SCHEMA_VERSION:
        return ReadResult(state, NEWER, f"schema_version {state.schema_version} is newer")
    return ReadResult(state, OK, dropped=dropped)


def update(path: str, change: Callable[[State], bool]) -> State | None:
    """Apply ``change`` to the store under its lock and save the result atomically.

    ``change`` mutates the freshly read state and says whether it must be saved. Returns
    the state as it now stands, or None when the store could not be locked or written (the
    caller then renders from what it read). Never raises ``OSError`` or a lock timeout.
    """
    from statusline.store.lock import LockBusyError

    held = lock(path)
    if held is None:
        return None
    try:
        with held:
            return update_locked(path, change)
    except (LockBusyError, OSError, ValueError, RuntimeError, ImportError):
        # Busy, unwritable, full, or a lock the platform cannot provide: skip this save.
        return None


def lock(path: str) -> StoreLock | None:
    """The store's sidecar lock (not yet taken), or None when the directory is not usable.

    Creates the private directory when missing; refuses a lock path that is not our own
    regular file.
    """
    if not private_dir(os.path.dirname(path), create=True):
        return None
    lock_path = path + ".lock"
    if not _safe_lock_path(lock_path):
        return None
    from statusline.store.lock import StoreLock

    return StoreLock(lock_path, LOCK_TIMEOUT_S, LOCK_POLL_S)


def update_locked(path: str, change: Callable[[State], bool],
                  before_save: Callable[[], None] | None = None) -> State | None:
    """``update``'s work, for a caller that holds the lock; may raise ``OSError``.

    ``before_save`` runs (under the same lock) when the change is to be saved, before the
    store is replaced: an error there leaves the store as it was.
    """
    current = read(path)
    if current.status == CORRUPT:
        quarantine(path)
    elif not current.writable:
        return None
    state = current.state
    if change(state) or current.status != OK:
        if before_save is not None:
            before_save()
        save_locked(path, state)
    sweep_orphans(path)
    return state


def save_locked(path: str, state: State) -> None:
    """Replace the store with ``state`` (the caller holds the lock); may raise ``OSError``."""
    write_atomic(path, dumps(state))


def dumps(state: State) -> str:
    """The store document for ``state`` as compact, strict JSON text."""
    # allow_nan=False: never write a document a strict JSON reader rejects.
    return jsonwrite.dumps(history.to_json(state), allow_nan=False)


def _safe_lock_path(lock_path: str) -> bool:
    """False when something other than our own regular file stands at the lock path."""
    try:
        info = os.lstat(lock_path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    # A second name means the lock path was hard-linked to (or from) another file.
    return stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid() and info.st_nlink == 1


def quarantine(path: str) -> str | None:
    """Move whatever stands at ``path`` aside as ``<path>.corrupt-<time>``; keep the newest few.

    Renaming moves a planted symlink itself, never its target.
    """
    # UTC down to the microsecond, so that sorting the names sorts the quarantines by age.
    stamp = time.time_ns() // 1000
    utc = time.strftime("%Y%m%dT%H%M%S", time.gmtime(stamp // 1_000_000))
    target = f"{path}.corrupt-{utc}.{stamp % 1_000_000:06d}-{os.getpid()}"
    try:
        os.rename(path, target)
    except OSError:
        return None
    directory, name = os.path.split(path)
    try:
        kept = sorted(n for n in os.listdir(directory or ".") if n.startswith(name + ".corrupt-"))
        for old in kept[:-QUARANTINE_KEPT]:
            _remove_entry(os.path.join(directory, old))
    except OSError:
        pass
    return target


def _remove_entry(path: str) -> None:
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            import shutil  # rare: a directory that once stood at the store path

            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except OSError:
        pass


def sweep_orphans(path: str, now: float | None = None) -> int:
    """Delete temp files left by killed writers (older than a few seconds); return how many."""
    directory, name = os.path.split(path)
    prefix = f".{name}."
    cutoff = (time.time() if now is None else now) - ORPHAN_TEMP_AGE_S
    removed = 0
    try:
        entries = os.listdir(directory or ".")
    except OSError:
        return 0
    for entry in entries:
        if entry.startswith(prefix) and entry.endswith(".tmp"):
            full = os.path.join(directory, entry)
            try:
                info = os.lstat(full)
                if info.st_mtime < cutoff and stat.S_ISREG(info.st_mode):
                    os.unlink(full)
                    removed += 1
            except OSError:
                pass
    return removed

