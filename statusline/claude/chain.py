"""Keep the status line the user had: run their command beside ours and print both.

``statusline install`` over someone else's statusLine writes
``STATUSLINE_CHAIN='their command' /path/to/statusline``. On each call the hot path hands
their command the very payload it read (same stdin, same environment minus our own
``STATUSLINE_CHAIN*`` variables, same working directory) through ``/bin/sh -c``, as Claude Code
would, and does its own work while theirs runs. Their rows come first, exactly as they
printed them (their escape sequences are theirs); ours follows as the last row, or at the end
of their last row with ``STATUSLINE_CHAIN_ROW=shared``.

Their command runs beside the call under a small supervisor (``chain_runner``): in a process
group of its own, one run per session at a time, stopped with its whole group at its own
deadline (``chain_runner.RUN_DEADLINE_S``) and when it ends. The call shows their fresh rows
when the run ends within our budget; otherwise, and when it fails (non-zero exit, as Claude
Code would blank it) or cannot start, the rows it last printed successfully in this session
(a 0600 file per session under the state directory, written by the supervisor when a run
succeeds, even after the call has printed). So a command slower than our budget is shown from
the next call on, and a call after a slow run does not wait for the next one. A depth marker
(``STATUSLINE_CHAIN_DEPTH``) in their environment stops a loop back into ``statusline``.
Only ``os``: no ``subprocess`` (tens of milliseconds of imports) on a call that must stay
fast, and nothing at all is imported unless a chained command is configured.
"""

from __future__ import annotations

import os
import time

from statusline.claude import chain_runner

# Their command is started with os.posix_spawn; without it (Windows) install does not chain.
SUPPORTED = hasattr(os, "posix_spawn")
CHAIN_VAR = chain_runner.CHAIN_VAR
DEPTH_VAR = chain_runner.DEPTH_VAR
ROW_VAR = "STATUSLINE_CHAIN_ROW"
CACHE_DIR = "chain"
# Beside each session's cache: its run lock (held by the supervisor of a run) and in it the
# milliseconds the last run took.
LOCK_SUFFIX = ".lock"
MAX_OUTPUT = chain_runner.MAX_OUTPUT
# A last run slower than this: the next call does not wait for theirs (it would not come in
# time), it shows the rows kept and leaves the run to go on beside it.
SLOW_S = 0.6
# How often a call waiting for another run of its session looks whether it has ended.
POLL_S = 0.02
MAX_ROWS = 20
KEEP_CACHES = 64
SHARED_SEPARATOR = " │ "
# Colours or an OSC 8 link left open at the end of their last row would run into ours
# (Claude Code carries them to the next row): close both before our text.
CLOSE_THEIRS = "\x1b[0m\x1b]8;;\x1b\\"


def compose(theirs: str, ours: str, shared: bool, cells: int) -> str:
    """Their rows (empty ones dropped, as Claude Code does) and then ours: as its own last
    row, or with ``shared`` on their last row when at least 20 cells are left there."""
    rows = [row.rstrip("\r") for row in theirs.split("\n")]
    rows = [row for row in rows if row.strip()][:MAX_ROWS]
    if not rows:
        return ours
    close = CLOSE_THEIRS if "\x1b" in theirs else ""
    if shared:
        room = cells - visible_width(rows[-1]) - len(SHARED_SEPARATOR)
        if room >= 20:
            from statusline.line import render

            if render.cell_width(strip_escapes(ours)) > room:
                ours = render.truncate(strip_escapes(ours), room)
            rows[-1] = f"{rows[-1]}{close}{SHARED_SEPARATOR}{ours}"
            return "\n".join(rows)
    return "\n".join([*rows, close + ours])


def visible_width(text: str) -> int:
    """Cells ``text`` takes on screen, escape sequences excluded."""
    from statusline.line import render

    return render.cell_width(strip_escapes(text))


def strip_escapes(text: str) -> str:
    """``text`` without CSI (colours) and OSC (links, titles) sequences."""
    if "\x1b" not in text:
        return text
    import re

    return re.sub(r"\x1b\[[0-9;:?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.", "",
                  text)


# ---------------------------------------------------------------------------------------
# The last good output, per session


def cache_path(state_dir: str | None, data: bytes) -> str | None:
    """Where this session's last good output of their command is kept (None without a
    state directory or a usable session id)."""
    if state_dir is None:
        return None
    from statusline.payload import decode, valid_session_id

    document = decode(data)
    session = valid_session_id(document.get("session_id")) if isinstance(document, dict) else None
    return os.path.join(state_dir, CACHE_DIR, session or "no-session")


def load(path: str | None, command: str) -> str | None:
    """The cached output of ``command`` at ``path`` (None when there is none, or it is the
    output of another command)."""
    if path is None:
        return None
    from statusline.files import read_bounded

    raw = read_bounded(path, MAX_OUTPUT + len(command.encode()) + 1, owned=True)
    if raw is None:
        return None
    stored, _, output = raw.partition(b"\0")
    if stored != command.encode("utf-8", "replace"):
        return None
    return output.decode("utf-8", "replace")


def save(path: str | None, command: str, output: str, cached: str | None) -> None:
    """Keep ``output`` as the session's last good output (only when it changed)."""
    if path is None or output == cached:
        return
    from statusline import files

    directory = os.path.dirname(path)
    if not files.private_dir(directory, create=True):
        return
    try:
        files.write_atomic(path, command + "\0" + output)
    except (OSError, UnicodeEncodeError):
        return
    _prune(directory)


def _prune(directory: str) -> None:
    """Keep the files of the newest ``KEEP_CACHES`` sessions: sessions end, their files
    need not stay. A file touched within a run's deadline (a run going on) stays."""
    try:
        entries = [e for e in os.scandir(directory) if e.is_file(follow_symlinks=False)]
        keep = 2 * KEEP_CACHES  # a cache and a lock file per session
        if len(entries) <= keep:
            return
        entries.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime)
        recent = time.time() - 2 * chain_runner.RUN_DEADLINE_S
        for entry in entries[: len(entries) - keep]:
            if entry.stat(follow_symlinks=False).st_mtime < recent:
                os.unlink(entry.path)
    except OSError:
        pass


def open_lock(cache: str | None) -> int | None:
    """This session's run lock file (beside its cache), open; None when it cannot be had."""
    if cache is None:
        return None
    from statusline import files

    if not files.private_dir(os.path.dirname(cache), create=True):
        return None
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        fd = os.open(cache + LOCK_SUFFIX, flags, 0o600)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if (info.st_mode & 0o170000) == 0o100000 and info.st_uid == os.geteuid():
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def last_took(lock_fd: int) -> float | None:
    """Seconds the session's last run took (as its supervisor wrote), None when unknown."""
    try:
        text = os.pread(lock_fd, 8, 0)
    except OSError:
        return None
    return int(text) / 1000 if len(text) == 8 and text.isdigit() else None


def is_free(lock_fd: int) -> bool:
    """True when no run of the session holds its lock now (a record lock: its holder's
    until that process ends, however it ends)."""
    try:
        os.lockf(lock_fd, os.F_TLOCK, 0)
    except OSError:
        return False
    try:
        os.lockf(lock_fd, os.F_ULOCK, 0)
    except OSError:
        pass
    return True


# ---------------------------------------------------------------------------------------
# The call


class Call:
    """One call's view of their command: the run it started (or the one already going in
    this session), the rows kept, and how to put theirs and ours together."""

    __slots__ = ("answer", "cache", "cached", "command", "lock_fd", "message", "patient",
                 "received", "shared")

    def __init__(self, command: str, cache: str | None, cached: str | None, shared: bool,
                 answer: int | None = None, lock_fd: int | None = None,
                 patient: bool = True) -> None:
        self.command = command
        self.cache = cache
        # Their last good output in this session: what a slow run and the watchdog show.
        self.cached = cached
        self.shared = shared
        self.answer = answer  # the supervisor's answer: BUSY, or DONE + output, or nothing
        self.lock_fd = lock_fd  # when another run of the session is going: to wait for it
        self.patient = patient  # False after a slow run: do not wait for theirs
        self.received: list[bytes] = []
        self.message: bytes | None = None

    def finish(self, ours: str, deadline: float, cells: int) -> str:
        """Their rows (fresh by ``deadline``, else the last good ones, else none) and ours.
        Never raises."""
        try:
            output = self.fresh(deadline if self.patient else 0.0)
            if output is None:
                output = self.cached
            return ours if output is None else compose(output, ours, self.shared, cells)
        except Exception:  # noqa: BLE001 - their line is a bonus; ours must still go out
            return ours

    def on_timeout(self, ours: str) -> str:
        """The rows to print when the call runs out of time: theirs if they are done by
        now, else the cached ones; and ours. Never raises."""
        try:
            output = self.fresh(0.0)
            if output is None:
                output = self.cached
            return ours if output is None else compose(output, ours, False, 0)
        except Exception:  # noqa: BLE001 - the watchdog must print something
            return ours

    def fresh(self, deadline: float) -> str | None:
        """Their output of this session's current run when it has ended well by
        ``deadline`` (monotonic; one that has passed still takes what is ready), else None."""
        if self.answer is not None or self.message is not None:
            message = self._receive(deadline)
            if message is None:  # still running
                return None
            if message.startswith(chain_runner.DONE):
                return message[len(chain_runner.DONE):].decode("utf-8", "replace")
            if message != chain_runner.BUSY:  # the run failed
                return None
            if self.lock_fd is None:  # another call's run got the lock first
                self.lock_fd = open_lock(self.cache)
        return None if self.lock_fd is None else self._wait(deadline)

    def _receive(self, deadline: float) -> bytes | None:
        """The supervisor's whole answer once it has closed its end by ``deadline``."""
        import select

        while self.answer is not None:
            remaining = max(deadline - time.monotonic(), 0.0)
            readable, _, _ = select.select([self.answer], [], [], remaining)
            if not readable:
                return None
            chunk = os.read(self.answer, 1 << 16)
            if chunk:
                self.received.append(chunk)
                continue
            os.close(self.answer)
            self.answer = None
            self.message = b"".join(self.received)
        return self.message

    def _wait(self, deadline: float) -> str | None:
        """Another run of this session is going: the rows it kept, if it ends by ``deadline``."""
        assert self.lock_fd is not None
        while not is_free(self.lock_fd):
            if time.monotonic() + POLL_S > deadline:
                return None
            time.sleep(POLL_S)
        os.close(self.lock_fd)
        self.lock_fd = None
        return load(self.cache, self.command)


def begin(command: str, data: bytes, env: dict[str, str] | os._Environ[str]) -> Call | None:
    """Start a run of ``command`` on ``data`` beside the call, unless one of this session is
    going; load the session's last good output. None inside a chained command (the depth
    marker): a loop back into statusline does not chain again. Never raises."""
    if chain_runner.depth(env) > 0:
        return None
    from statusline import paths

    cache = cached = None
    answer = lock_fd = None
    patient = True
    try:
        cache = cache_path(paths.state_dir(env), data)
        cached = load(cache, command)
        if SUPPORTED:
            lock_fd = open_lock(cache)
            if lock_fd is not None:
                took = last_took(lock_fd)
                patient = took is None or took <= SLOW_S
            if lock_fd is None or is_free(lock_fd):
                def keep(output: str) -> None:
                    save(cache, command, output, cached)

                answer = chain_runner.launch(command, data, env, lock_fd, keep)
                if lock_fd is not None:
                    os.close(lock_fd)  # the supervisor has its own copy
                    lock_fd = None
    except Exception:  # noqa: BLE001 - never cost our own line
        pass
    return Call(command, cache, cached, env.get(ROW_VAR) == "shared", answer, lock_fd, patient)
