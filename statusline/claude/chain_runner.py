"""Run the user's own status line so that it is never lost and never leaks.

Their command runs through ``/bin/sh -c`` (as Claude Code runs it) in a process group of its
own, so that everything it starts can be stopped together: at its deadline, and after it
exits (a child it left in the background), the whole group gets SIGTERM and, still there
``GRACE_S`` later, SIGKILL.

A status-line call cannot wait for a slow command (Claude Code kills a run still going when
the next one is due, and ours must answer within its budget), so the call does not run their
command itself: ``launch`` forks a small supervisor, which runs it beside the call. The
supervisor is in a group of its own (Claude Code stopping our call's group leaves it to
finish its job), holds this session's run lock while it lives (one run per session at a
time), hands their output to the call if the call is still waiting, keeps it for the next
calls when the run succeeds, and stops their group. It never outlives ``RUN_DEADLINE_S``
plus two grace periods: no daemon. Only ``os``, ``select`` and ``time``, as the call has them.
"""

from __future__ import annotations

import os
import select
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal
    from collections.abc import Callable, Mapping
else:
    try:
        import _signal as signal  # as the call has it: without signal.py's enums
    except ImportError:  # an interpreter without it
        import signal

SHELL = "/bin/sh"
CHAIN_VAR = "STATUSLINE_CHAIN"
# Set in their environment and never removed: a statusline call that finds it (their command
# runs statusline again, e.g. a wrapper that sets STATUSLINE_CHAIN) does not chain again.
DEPTH_VAR = "STATUSLINE_CHAIN_DEPTH"
MAX_OUTPUT = 64 * 1024
# How long a run beside the call may take (a cold `npx -y ccstatusline@latest` downloads).
RUN_DEADLINE_S = 10.0
# Between SIGTERM to their group and SIGKILL to what is left of it.
GRACE_S = 0.3
# The supervisor's answer to the call: a run of this session is already going ...
BUSY = b"B"
# ... or their output follows (the run succeeded); nothing at all: it failed.
DONE = b"1"
SIGTERM, SIGKILL = 15, 9


class Run:
    """Their command, started in its own process group: fed, read, waited for, stopped."""

    __slots__ = ("chunks", "pending", "pid", "pidfd", "read_fd", "size", "status", "write_fd")

    def __init__(self, pid: int, read_fd: int, write_fd: int, pending: bytes) -> None:
        self.pid = pid  # also their process group's id (POSIX_SPAWN_SETPGROUP, 0)
        self.read_fd: int | None = read_fd
        self.write_fd: int | None = write_fd
        self.pending = pending
        self.chunks: list[bytes] = []
        self.size = 0
        self.status: int | None = None
        try:
            self.pidfd: int | None = os.pidfd_open(pid)  # readable once they exit (Linux)
        except (AttributeError, OSError):
            self.pidfd = None

    def wait(self, deadline: float) -> bytes | None:
        """Their output when their shell exited with status 0 by ``deadline`` (monotonic
        seconds; a deadline that has passed still takes what is ready now), else None.

        The end of the run is their shell's exit, not the end of their output: a child
        left in the background may hold the pipe open for long."""
        try:
            while self.status is None:
                self._reap()
                if self.status is not None:
                    break
                remaining = max(deadline - time.monotonic(), 0.0)
                readers = [fd for fd in (self.read_fd, self.pidfd) if fd is not None]
                writers = [self.write_fd] if self.write_fd is not None else []
                # Without a pidfd their exit is noticed by polling.
                step = remaining if self.pidfd is not None else min(remaining, 0.005)
                readable, writable, _ = select.select(readers, writers, [], step)
                if writable:
                    self._feed()
                if self.read_fd in readable:
                    self._read()
                if not readable and not writable and remaining == 0.0:
                    self._reap()
                    break
            if self.status is None:
                return None
            self._drain()
        except OSError:
            return None
        if self.status != 0:
            return None
        return b"".join(self.chunks)[:MAX_OUTPUT]

    def stop(self, grace: float = GRACE_S) -> None:
        """End the run: SIGTERM to their whole group, SIGKILL to what is left after
        ``grace`` seconds; their shell reaped, our ends of the pipes closed. Never raises."""
        self._close()
        try:
            stop_group(self.pid, grace, self._reap)
            if self.status is None:
                os.waitpid(self.pid, 0)  # killed by now: this does not wait long
                self.status = -SIGKILL
        except OSError:
            pass
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None

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

    def _read(self) -> bool:
        """Take what their stdout has; False at its end (or when it would block)."""
        assert self.read_fd is not None
        try:
            chunk = os.read(self.read_fd, 1 << 16)
        except BlockingIOError:
            return False
        if not chunk:
            os.close(self.read_fd)
            self.read_fd = None
            return False
        if self.size < MAX_OUTPUT:
            self.chunks.append(chunk)
            self.size += len(chunk)
        return True

    def _drain(self) -> None:
        """After their exit, what is still in the pipe (a background child keeping it open
        is not waited for)."""
        if self.read_fd is None:
            return
        os.set_blocking(self.read_fd, False)
        while self.read_fd is not None and self._read():
            pass

    def _reap(self) -> None:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)

    def _close(self) -> None:
        for fd in (self.read_fd, self.write_fd):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.read_fd = self.write_fd = None


def stop_group(group: int, grace: float, reap: Callable[[], None] | None = None) -> None:
    """SIGTERM to process group ``group``; SIGKILL if any of it is still there ``grace``
    seconds later (``reap`` collects our own child meanwhile, so that it does not count)."""
    try:
        os.killpg(group, SIGTERM)
    except ProcessLookupError:
        return
    end = time.monotonic() + grace
    while True:
        if reap is not None:
            try:
                reap()
            except OSError:
                pass
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        if time.monotonic() >= end:
            break
        time.sleep(0.01)
    try:
        os.killpg(group, SIGKILL)
    except ProcessLookupError:
        pass


def their_env(env: Mapping[str, str]) -> dict[str, str]:
    """What their command gets: ``env`` less our chain variables, with the depth marker."""
    child = {k: v for k, v in env.items() if not k.startswith(CHAIN_VAR)}
    child[DEPTH_VAR] = str(depth(env) + 1)
    return child


def depth(env: Mapping[str, str]) -> int:
    """How deep in chained status lines this process runs (0: Claude Code ran us)."""
    text = env.get(DEPTH_VAR, "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 4 else (1 if text else 0)


def spawn(command: str, data: bytes, env: Mapping[str, str]) -> Run | None:
    """Start ``command`` through ``/bin/sh -c`` in its own process group, with ``data`` on
    its stdin, stderr to /dev/null and ``their_env(env)``; None when it cannot start."""
    in_read, in_write = os.pipe()
    out_read, out_write = os.pipe()
    try:
        pid = os.posix_spawn(
            SHELL, ["sh", "-c", command], their_env(env),
            file_actions=[
                (os.POSIX_SPAWN_DUP2, in_read, 0),
                (os.POSIX_SPAWN_DUP2, out_write, 1),
                (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
            ],
            setpgroup=0,
        )
    except (OSError, AttributeError, ValueError, TypeError):  # no posix_spawn (Windows)
        for fd in (in_read, in_write, out_read, out_write):
            os.close(fd)
        return None
    os.close(in_read)
    os.close(out_write)
    os.set_blocking(in_write, False)
    run = Run(pid, out_read, in_write, data)
    run._feed()
    return run


# ---------------------------------------------------------------------------------------
# The supervisor, forked by the call


def launch(command: str, data: bytes, env: Mapping[str, str], lock_fd: int | None,
           keep: Callable[[str], None]) -> int | None:
    """Fork the supervisor of one run of ``command``; the fd the call reads its answer
    from (``BUSY``; ``DONE`` and their output; or nothing when the run failed), or None
    when it could not be forked. ``keep`` saves a successful run's output, ``lock_fd`` is
    this session's run lock (the supervisor takes it, or answers ``BUSY``)."""
    started = time.monotonic()
    answer_read, answer_write = os.pipe()
    try:
        pid = os.fork()
    except (OSError, AttributeError):  # AttributeError: no fork (Windows)
        os.close(answer_read)
        os.close(answer_write)
        return None
    if pid == 0:  # the supervisor: never returns
        try:
            os.close(answer_read)
            _supervise(command, data, env, lock_fd, keep, answer_write, started)
        finally:
            if _running is not None:  # something went wrong: their group goes too
                try:
                    os.killpg(_running.pid, SIGKILL)
                except OSError:
                    pass
            os._exit(0)
    os.close(answer_write)
    return answer_read


_running: Run | None = None


def _supervise(command: str, data: bytes, env: Mapping[str, str], lock_fd: int | None,
               keep: Callable[[str], None], answer: int, started: float) -> None:
    global _running  # noqa: PLW0603 - the supervisor's signal handlers stop this run
    os.setpgid(0, 0)  # Claude Code stopping the call's group must not stop the supervisor
    _own_signals(started + RUN_DEADLINE_S + 3 * GRACE_S + 1.0)
    _leave_stdio()  # the call's stdout is Claude Code's pipe: holding it would hold the line
    if lock_fd is not None:
        try:
            os.lockf(lock_fd, os.F_TLOCK, 0)  # a record lock: ours until we exit
        except OSError:
            _answer(answer, BUSY)
            return
        try:
            os.utime(lock_fd)  # a running session's lock file is not pruned
        except OSError:
            pass
    _running = spawn(command, data, env)
    output = None if _running is None else _running.wait(started + RUN_DEADLINE_S)
    _answer(answer, DONE + output if output is not None else b"")
    if output is not None:
        try:
            keep(output.decode("utf-8", "replace"))
        except Exception:  # noqa: BLE001 - a cache we cannot write costs only the cache
            pass
    took = min(time.monotonic() - started, RUN_DEADLINE_S)
    if lock_fd is not None:
        try:
            os.pwrite(lock_fd, b"%08d" % round(took * 1000), 0)
        except OSError:
            pass
    if _running is not None:
        _running.stop()
        _running = None


def _answer(fd: int, message: bytes) -> None:
    try:
        view = memoryview(message)
        while view:
            view = view[os.write(fd, view):]
    except OSError:  # the call has gone (printed its line): fine, the cache has it
        pass
    try:
        os.close(fd)
    except OSError:
        pass


def _own_signals(last_moment: float) -> None:
    """Our handlers were the call's (its watchdog prints a line); the supervisor's stop
    their group and leave, and an alarm makes sure it never outlives ``last_moment``."""
    def give_up(signum: int, frame: object) -> None:
        if _running is not None:
            try:
                os.killpg(_running.pid, SIGKILL)
            except OSError:
                pass
        os._exit(0)

    for name in ("SIGTERM", "SIGALRM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, give_up)
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.setitimer(signal.ITIMER_REAL, max(last_moment - time.monotonic(), 0.1))


def _leave_stdio() -> None:
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    if null > 2:
        os.close(null)
