"""Keep the status line the user had: run their command beside ours and print both.

``statusline install`` over someone else's statusLine writes
``STATUSLINE_CHAIN='their command' /path/to/statusline``. On each call the hot path hands
their command the very payload it read (same stdin, same environment minus our own
``STATUSLINE_CHAIN*`` variables, same working directory) through ``/bin/sh -c``, as Claude Code
would, and does its own work while theirs runs. Their rows come first, exactly as they
printed them (their escape sequences are theirs); ours follows as the last row, or at the end
of their last row with ``STATUSLINE_CHAIN_ROW=shared``.

Their command gets what is left of our budget. When it is slow, fails (non-zero exit, as
Claude Code would blank it) or cannot start, the rows it last printed successfully in this
session are shown instead (a 0600 file per session under the state directory), so their part
neither flickers nor blanks. Only ``os`` is used: no ``subprocess`` (tens of milliseconds of
imports) on a call that must stay fast, and nothing at all is imported unless a chained
command is configured.
"""

from __future__ import annotations

import os
import select
import time

# Their command is started with os.posix_spawn; without it (Windows) install does not chain.
SUPPORTED = hasattr(os, "posix_spawn")
CHAIN_VAR = "STATUSLINE_CHAIN"
ROW_VAR = "STATUSLINE_CHAIN_ROW"
SHELL = "/bin/sh"
CACHE_DIR = "chain"
MAX_OUTPUT = 64 * 1024
MAX_ROWS = 20
KEEP_CACHES = 64
SHARED_SEPARATOR = " │ "
# Colours or an OSC 8 link left open at the end of their last row would run into ours
# (Claude Code carries them to the next row): close both before our text.
CLOSE_THEIRS = "\x1b[0m\x1b]8;;\x1b\\"


class Chained:
    """Their command, started: feed it, wait for it within a deadline, compose the rows."""

    __slots__ = ("cache_path", "command", "pending", "pid", "read_fd", "write_fd")

    def __init__(self, command: str, pid: int, read_fd: int, write_fd: int | None,
                 pending: bytes) -> None:
        self.command = command
        self.pid = pid
        self.read_fd = read_fd
        self.write_fd = write_fd
        self.pending = pending
        self.cache_path: str | None = None

    def collect(self, deadline: float) -> str | None:
        """Their output when the command finished successfully by ``deadline`` (monotonic
        seconds; one that has passed still takes what is ready now), else None; a command
        still running then is terminated."""
        if self.read_fd < 0:  # collected already
            return None
        chunks: list[bytes] = []
        size = 0
        eof = False
        try:
            while not eof:
                # Past the deadline one last poll (timeout 0) still takes what is ready.
                remaining = max(deadline - time.monotonic(), 0.0)
                writers = [self.write_fd] if self.write_fd is not None else []
                readable, writable, _ = select.select([self.read_fd], writers, [], remaining)
                if not readable and not writable and remaining == 0.0:
                    break
                if writable:
                    self._feed()
                if readable:
                    chunk = os.read(self.read_fd, 1 << 16)
                    if not chunk:
                        eof = True
                    elif size < MAX_OUTPUT:
                        chunks.append(chunk)
                        size += len(chunk)
            status = self._reap(deadline) if eof else None
        except OSError:
            status = None
        finally:
            self._close()
        if status != 0:
            self._stop()
            return None
        return b"".join(chunks)[:MAX_OUTPUT].decode("utf-8", "replace")

    def _feed(self) -> None:
        assert self.write_fd is not None
        try:
            written = os.write(self.write_fd, self.pending)
            self.pending = self.pending[written:]
        except BlockingIOError:
            return
        except OSError:  # they closed their stdin (never read it): fine, as in Claude Code
            self.pending = b""
        if not self.pending:
            os.close(self.write_fd)
            self.write_fd = None

    def _reap(self, deadline: float) -> int | None:
        """Their exit status once they have exited (by ``deadline``), else None."""
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pid = 0
                return os.waitstatus_to_exitcode(status)
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.002)

    def _stop(self) -> None:
        if self.pid:
            try:
                os.kill(self.pid, 15)  # SIGTERM, as Claude Code stops a status line
            except OSError:
                pass

    def _close(self) -> None:
        for fd in (self.read_fd, self.write_fd):
            if fd is not None and fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.read_fd, self.write_fd = -1, None


def start(command: str, data: bytes, env: dict[str, str] | os._Environ[str]) -> Chained | None:
    """Start ``command`` through ``/bin/sh -c`` with ``data`` on its stdin and ``env`` (less
    our chain variables); None when it cannot be started."""
    child_env = {k: v for k, v in env.items() if not k.startswith(CHAIN_VAR)}
    in_read, in_write = os.pipe()
    out_read, out_write = os.pipe()
    try:
        pid = os.posix_spawn(
            SHELL, ["sh", "-c", command], child_env,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, in_read, 0),
                (os.POSIX_SPAWN_DUP2, out_write, 1),
                (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
            ],
        )
    except (OSError, AttributeError, ValueError):  # AttributeError: no posix_spawn (Windows)
        for fd in (in_read, in_write, out_read, out_write):
            os.close(fd)
        return None
    os.close(in_read)
    os.close(out_write)
    os.set_blocking(in_write, False)
    chained = Chained(command, pid, out_read, in_write, data)
    chained._feed()
    return chained


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
    """Keep the newest ``KEEP_CACHES`` session files: sessions end, their files need not stay."""
    try:
        entries = [e for e in os.scandir(directory) if e.is_file(follow_symlinks=False)]
        if len(entries) <= KEEP_CACHES:
            return
        entries.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime)
        for entry in entries[: len(entries) - KEEP_CACHES]:
            os.unlink(entry.path)
    except OSError:
        pass


# ---------------------------------------------------------------------------------------
# The call


class Call:
    """One call's chained command: started by ``begin``, its rows put together by ``finish``."""

    __slots__ = ("cache", "cached", "chained", "command", "shared")

    def __init__(self, command: str, chained: Chained | None, cache: str | None,
                 cached: str | None, shared: bool) -> None:
        self.command = command
        self.chained = chained
        self.cache = cache
        # Their last good output in this session: what the watchdog and a late run show.
        self.cached = cached
        self.shared = shared

    def finish(self, ours: str, deadline: float, cells: int) -> str:
        """Their rows (fresh by ``deadline``, else the last good ones, else none) and ours.
        Never raises."""
        try:
            output = self.chained.collect(deadline) if self.chained is not None else None
            if output is None:
                output = self.cached
            else:
                save(self.cache, self.command, output, self.cached)
            return ours if output is None else compose(output, ours, self.shared, cells)
        except Exception:  # noqa: BLE001 - their line is a bonus; ours must still go out
            return ours

    def on_timeout(self, ours: str) -> str:
        """The rows to print when the call runs out of time: theirs if they are done by
        now (kept for next time), else the cached ones; and ours. Never raises."""
        try:
            output = self.chained.collect(0.0) if self.chained is not None else None
            if output is not None:
                save(self.cache, self.command, output, self.cached)
            else:
                output = self.cached
            return ours if output is None else compose(output, ours, False, 0)
        except Exception:  # noqa: BLE001 - the watchdog must print something
            return ours


def begin(command: str, data: bytes, env: dict[str, str] | os._Environ[str]) -> Call:
    """Start ``command`` on ``data`` and load this session's last good output. Never raises."""
    from statusline import paths

    chained = None
    cache = cached = None
    try:
        chained = start(command, data, env)
        cache = cache_path(paths.state_dir(env), data)
        cached = load(cache, command)
    except Exception:  # noqa: BLE001 - never cost our own line
        pass
    return Call(command, chained, cache, cached, env.get(ROW_VAR) == "shared")
