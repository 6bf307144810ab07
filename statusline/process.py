"""The process's edges: stdin within a budget, one write out, the watchdog, the clock, and
whether another process (a session's Claude Code) still runs.

What every command Claude Code runs (the status-line call, the hook call) needs from the
operating system, and nothing else: ``os``, ``time`` and the C half of ``signal``, all built
into the interpreter (the idle tick's reprint, ``statusline.steady``, loads this module
before anything else). The calls themselves (``call``, ``hook``) decide what to read and
what to say.
"""

from __future__ import annotations

import os
import time

# A payload is read within this long (Claude Code writes it at once and closes the pipe),
# and one larger than this is no payload: the same for every command Claude Code runs.
STDIN_BUDGET_S = 0.3
MAX_STDIN = 1 << 20

TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal
    from collections.abc import Callable, Mapping
    from types import FrameType

    from statusline.history import State
else:
    try:
        # The C module behind ``signal``: the same functions, without building the enums
        # of ``signal.py`` at import (~0.4 ms of every call).
        import _signal as signal
    except ImportError:  # an interpreter without it
        import signal


def read_stdin(fd: int, limit: int, budget: float) -> bytes:
    """Read at most ``limit`` bytes from ``fd`` within ``budget`` seconds.

    Input that is larger than ``limit`` is dropped whole (a cut payload is not a payload);
    a writer that never closes the pipe only costs the budget, and what it sent by then is
    returned. The budget is a real-time alarm around plain blocking reads (no ``select``:
    one shared library fewer on every call); a watchdog already armed (``arm_watchdog``)
    keeps its own deadline: should it come first, its handler runs as it would have.
    """
    chunks: list[bytes] = []
    total = 0
    reading = [True]

    def out_of_time(signum: int, frame: FrameType | None) -> None:
        if reading[0]:  # after the reads a late alarm is no one's business
            raise TimeoutError  # interrupts the blocked read (PEP 475 retries otherwise)

    try:
        watchdog_left = signal.getitimer(signal.ITIMER_REAL)[0]
        previous = signal.signal(signal.SIGALRM, out_of_time)
    except (ValueError, OSError, AttributeError):  # not the main thread, or no SIGALRM
        return _read_polled(fd, limit, budget)
    started = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, min(budget, watchdog_left) if watchdog_left else budget)
    try:
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                chunks = []
                break
            chunks.append(chunk)
    except (OSError, ValueError):  # TimeoutError (the budget) is an OSError
        pass
    finally:
        reading[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if watchdog_left:  # the watchdog's deadline stands (due already: it fires at once)
            left = watchdog_left - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-6))
    return b"".join(chunks)


def _read_polled(fd: int, limit: int, budget: float) -> bytes:
    """``read_stdin`` where no alarm can be set (not the main thread; no SIGALRM): each
    read waits in ``select`` for what is left of the budget."""
    import select

    deadline = time.monotonic() + budget
    chunks: list[bytes] = []
    total = 0
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            if not select.select([fd], [], [], remaining)[0]:
                break
            chunk = os.read(fd, 1 << 16)
        except (OSError, ValueError):
            break
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            return b""
        chunks.append(chunk)
    return b"".join(chunks)


def emit(text: str) -> None:
    """Write ``text`` and a newline to stdout in one write; a closed pipe is not an error."""
    data = (text + "\n").encode("utf-8", "replace")
    try:
        while data:
            data = data[os.write(1, data):]
    except OSError:
        pass


def arm_watchdog(seconds: float, on_timeout: Callable[[int, FrameType | None], None]) -> object:
    """Call ``on_timeout`` after ``seconds`` of real time; the previous handler, or None."""
    try:
        previous = signal.signal(signal.SIGALRM, on_timeout)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        return previous
    except (ValueError, OSError, AttributeError):  # not the main thread, or no SIGALRM
        return None


def disarm_watchdog(previous: object) -> None:
    """Stop the watchdog ``arm_watchdog`` started."""
    try:
        signal.setitimer(signal.ITIMER_REAL, 0)
    except (ValueError, OSError, AttributeError):
        pass


def clock(env: Mapping[str, str]) -> float:
    """Now, in epoch seconds: ``STATUSLINE_NOW`` when set (replays, tests), else the clock;
    plus ``STATUSLINE_CLOCK_SKEW`` (a clock made wrong on purpose, see ``clock_skew``)."""
    override = env.get("STATUSLINE_NOW")
    if override:
        try:
            value = float(override)
            if _finite(value):
                return value + clock_skew(env)
        except ValueError:
            pass
    return time.time() + clock_skew(env)


# A skew beyond a day is a typo, not a clock.
MAX_SKEW_S = 86400.0
_INFINITY = float("inf")


def _finite(value: float) -> bool:
    """False for NaN and the infinities (without ``math``: one shared library fewer)."""
    return -_INFINITY < value < _INFINITY


def clock_skew(env: Mapping[str, str]) -> float:
    """``STATUSLINE_CLOCK_SKEW``: seconds this machine's clock is made to be ahead (negative:
    behind), for tests of machines whose clocks disagree; 0 when unset or not a number."""
    text = env.get("STATUSLINE_CLOCK_SKEW")
    if not text:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        return 0.0
    return value if _finite(value) and abs(value) <= MAX_SKEW_S else 0.0


def running(pid: int) -> bool | None:
    """Whether process ``pid`` exists (signal 0 checks without sending); None when the
    system will not say (on Windows ``os.kill`` would end the process: never asked there)."""
    if os.name != "posix":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    except (OSError, ValueError, OverflowError):
        return None
    return True


def mark_running(state: State, host: str) -> None:
    """Note in ``state.running`` whether each session of this machine whose Claude Code
    process is known still has that process (``State.live_sessions`` then trusts it)."""
    for key, session in state.sessions.items():
        if session.pid is not None and session.host == host:
            runs = running(session.pid)
            if runs is not None:
                state.running[key] = runs


def utc_offset(now: float) -> float:
    """Seconds east of UTC at ``now`` in the local zone (``TZ`` honoured)."""
    try:
        return float(time.localtime(now).tm_gmtoff)
    except (OverflowError, OSError, ValueError):
        return 0.0
