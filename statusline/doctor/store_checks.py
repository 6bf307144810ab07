"""Doctor checks of the state: the private directory, the lock, the store, what it has
seen, and the log."""

from __future__ import annotations

import os
import shlex
import stat
import tempfile
import time

from statusline import paths
from statusline.doctor.base import FAIL, OK, WARN, Check
from statusline.sanitize import clean
from statusline.store import local as store


def _nearest_existing(path: str) -> str:
    """The deepest ancestor of ``path`` that exists (``path`` itself when it does)."""
    current = path
    while not os.path.lexists(current):
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return current


def check_state_dir(state_dir: str | None) -> Check:
    """The state directory is ours, private (0700) and writable, or the first call can
    create it."""
    name = "state directory"
    if state_dir is None:
        return Check(name, FAIL, "no state directory (HOME is not set)",
                     "set HOME, or STATUSLINE_STATE_DIR to a private directory")
    try:
        info = os.lstat(state_dir)
    except (FileNotFoundError, NotADirectoryError):
        return _check_creatable(name, state_dir)
    except OSError as error:
        return Check(name, FAIL, f"{state_dir}: {error.strerror}", "check its permissions")
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        return Check(name, FAIL, f"{state_dir} is not a directory (or is a symlink)",
                     f"move it aside: mv {shlex.quote(state_dir)} {shlex.quote(state_dir)}.old")
    if info.st_uid != os.geteuid():
        return Check(name, FAIL, f"{state_dir} belongs to another user",
                     "set STATUSLINE_STATE_DIR to a directory of your own")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        return Check(name, FAIL, f"{state_dir} is mode {mode:04o}, readable by others",
                     f"chmod 700 {shlex.quote(state_dir)}")
    try:
        with tempfile.NamedTemporaryFile(dir=state_dir, prefix=".doctor-"):
            pass
    except OSError as error:
        return Check(name, FAIL, f"cannot write in {state_dir}: {error.strerror}",
                     f"chmod 700 {shlex.quote(state_dir)}")
    return Check(name, OK, f"{state_dir} is private (0700) and writable")


def _check_creatable(name: str, state_dir: str) -> Check:
    """A missing state directory: ok only when the first call will be able to make it."""
    ancestor = _nearest_existing(state_dir)
    fix = ("set STATUSLINE_STATE_DIR to a directory of your own, or create "
           f"{shlex.quote(state_dir)} (mode 700)")
    if not os.path.isdir(ancestor):
        return Check(name, FAIL,
                     f"{state_dir} cannot be created: {ancestor} is not a directory", fix)
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return Check(name, FAIL,
                     f"{state_dir} cannot be created: {ancestor} is not writable by you, so "
                     "the line would never save", fix)
    return Check(name, OK, f"{state_dir} does not exist yet; the first call creates it "
                 f"({ancestor} is writable)")


def check_lock(store_path: str | None, timeout: float = 1.0, verbose: bool = False) -> Check:
    """The store's sidecar lock can be taken."""
    name = "lock"
    if store_path is None or not os.path.isdir(os.path.dirname(store_path)):
        return Check(name, OK, "no store yet, so nothing to lock")
    lock_path = paths.lock_file(store_path)
    if not os.path.lexists(lock_path):  # taking it would create it: doctor writes nothing
        return Check(name, OK, "the store's lock is free (no call has taken it yet"
                     + (f": {lock_path} does not exist)" if verbose else ")"))
    from statusline.store.lock import LockBusyError, StoreLock  # the hot path's own lock

    started = time.monotonic()
    try:
        with StoreLock(lock_path, timeout, 0.01):
            waited = time.monotonic() - started
    except LockBusyError:
        return Check(name, FAIL, f"{lock_path} is held by another process for over {timeout:g}s",
                     "a stuck process holds it: find it with `fuser " + lock_path + "`")
    except OSError as error:
        return Check(name, FAIL, f"cannot take {lock_path}: {error.strerror}",
                     "check the state directory's permissions")
    detail = "the store's lock is free"
    if verbose:
        detail += f" ({lock_path}, taken in {waited * 1000:.0f} ms)"
    return Check(name, OK, detail)


def check_store(store_path: str | None, verbose: bool = False) -> Check:
    """The store file parses (or does not exist yet)."""
    name = "store"
    if store_path is None:
        return Check(name, FAIL, "no store path (HOME is not set)", "set HOME")
    result = store.read(store_path)
    if result.status == store.MISSING:
        return Check(name, OK, f"{store_path} does not exist yet (the first call creates it)")
    if result.status == store.OK:
        state = result.state
        count = len(state.sessions)
        detail = f"{store_path} holds {count} session{'' if count == 1 else 's'}"
        if verbose:
            detail += f" (schema {state.schema_version})"
        if result.dropped:
            return Check(name, WARN, f"{detail}; {dropped_text(result.dropped)}",
                         "nothing to do: the next save rewrites it without them (another "
                         "version or machine may have written them)")
        return Check(name, OK, detail)
    hints = {
        store.CORRUPT: "nothing to do: the next call moves it aside and starts afresh",
        store.NEWER: "a newer statusline wrote it: upgrade this one",
        store.FOREIGN: "set STATUSLINE_STATE_DIR to a directory of your own",
    }
    return Check(name, FAIL, f"{store_path}: {result.status}: {result.detail}",
                 hints.get(result.status, "check the file's permissions"))


def dropped_text(fields: list[str]) -> str:
    """``field X of unexpected type ignored`` for each field a store read left out."""
    names = ", ".join(clean(field, 80) for field in fields[:5])
    more = f" (and {len(fields) - 5} more)" if len(fields) > 5 else ""
    word = "field" if len(fields) == 1 else "fields"
    return f"{word} {names}{more} of unexpected type ignored"


def check_rate_limits(store_path: str | None) -> Check:
    """Whether any session has ever reported rate_limits (and what it means when not)."""
    name = "rate limits"
    if store_path is None:
        return Check(name, WARN, "no store", None)
    result = store.read(store_path)
    state = result.state
    seen = any(w is not None for w in state.windows.values()) or any(
        state.archive.values()
    ) or any(s.reading is not None for s in state.sessions.values())
    newest = max((w.observed_at for w in state.windows.values() if w is not None), default=None)
    if state.rejected is not None and (newest is None or state.rejected[0] >= newest):
        # The latest reading was left out: the line may be showing nothing, or old figures.
        return Check(name, WARN, f"rate limits seen but rejected: {clean(state.rejected[1], 200)}",
                     "report it with the Claude Code version: the payload's format changed")
    if seen:
        return Check(name, OK, "seen: the line shows the pooled 5h and 7d usage")
    if not state.sessions:
        return Check(name, WARN, "no status-line call recorded yet",
                     "open Claude Code: the first reply brings the first reading")
    return Check(
        name, WARN,
        f"never seen in {len(state.sessions)} sessions: an API-key account has no rate limits "
        "(the line shows $ and $/h instead), an old Claude Code does not send them, and a "
        "new session has none until its first reply",
        "to see them, log in with a Claude subscription (/login) and update Claude Code",
    )


def check_log(state_dir: str | None) -> Check:
    """Where the diagnostic log is, and its latest warning."""
    name = "log"
    if state_dir is None:
        return Check(name, OK, "no state directory, so no log")
    log_path = paths.log_file(state_dir)
    try:
        with open(log_path, "rb") as handle:
            handle.seek(max(os.fstat(handle.fileno()).st_size - 16384, 0))
            tail = handle.read().decode("utf-8", "replace").splitlines()
    except FileNotFoundError:
        return Check(name, OK, f"{log_path} (empty: nothing logged)")
    except OSError as error:
        return Check(name, WARN, f"cannot read {log_path}: {error.strerror}", None)
    problems = [row for row in tail if " WARNING " in row or " ERROR " in row]
    if not problems:
        return Check(name, OK, f"{log_path} (no warnings)")
    from statusline.sanitize import clean

    return Check(name, OK, f"{log_path}; latest: {clean(problems[-1], 160)}")
