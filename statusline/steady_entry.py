"""Leaving the idle tick its entry: what a call's line rested on, verified for a span.

``statusline.steady`` reads the entry on the next tick and says what it holds and why a
line printed again from it is the line the call would print. This module writes it, after
the line has gone out, and only when the call is one whose line can hold: it saved
nothing and had nothing to save, its store is this machine's file, its Claude Code process
is known, and no file it read changed in the last ``SETTLED_S`` (a change inside one tick
of the file system's clock could keep a file's signature).

The span is the first of ``spans`` at whose end a call on the same inputs prints the same
line and has nothing to save either (``later_line`` runs the call at that clock): each try
is one more call's work on a tick that is not reprinted, so the first is aimed just short
of the next minute a countdown or an age on the line turns.
"""

from __future__ import annotations

import marshal
import os
import time

from statusline import files, paths, steady
from statusline.claude import client_config, padding
from statusline.process import running, utc_offset

TYPE_CHECKING = False
if TYPE_CHECKING:
    from _collections_abc import dict_items, dict_keys, dict_values
    from collections.abc import Callable, Iterator, Mapping

    from statusline.call import Outcome
    from statusline.history import State

# A span is at most this long, and one shorter than a refresh interval (10 s, what install
# writes) plus a margin for the tick's own lateness serves no tick: it is not tried.
MAX_SPAN_S = 51.0
MIN_SPAN_S = 10.5
# Countdowns and ages on the line turn on whole minutes of their anchor (a reset, a reading);
# an age says "now" for its first ten seconds.
TURN_S = 60.0
AGE_NOW_S = 10.0
# The short span is tried after a failed first only when it is this much shorter.
FALLBACK_GAP_S = 5.0
SETTLED_S = 2.0
# Names whose value is a secret or may hold one: the entry keeps only whether they are set
# (all the call asks of a token; a store URL set means a store the entry is never left for).
SECRET_WORDS = ("TOKEN", "KEY", "SECRET", "PASSWORD", "URL", "AUTH", "CREDENTIAL")
# Variables that set the clock (``process.clock``): judged by the span, not by value.
CLOCK_NAMES = ("STATUSLINE_NOW", "STATUSLINE_CLOCK_SKEW")
# A temp file left by a write cut short is removed once it is this old.
STRAY_TEMP_S = 60.0
# The local zone's file: a change of zone changes every clock time on the line.
ZONE_FILE = "/etc/localtime"


class ConsultedEnv(dict[str, str]):
    """The environment, noting every name the call looks up (``get``, ``[]``, ``in``);
    anything that walks it whole (``items``, iteration) marks it as read entirely."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        super().__init__(environ)
        self.names: set[str] = set()
        self.whole = False

    def get(self, name: str, default: object = None) -> object:  # type: ignore[override]
        self.names.add(name)
        return super().get(name, default)

    def __getitem__(self, name: str) -> str:
        self.names.add(name)
        return super().__getitem__(name)

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str):
            self.names.add(name)
        return super().__contains__(name)

    def __iter__(self) -> Iterator[str]:
        self.whole = True
        return super().__iter__()

    def items(self) -> dict_items[str, str]:
        self.whole = True
        return super().items()

    def values(self) -> dict_values[str, str]:
        self.whole = True
        return super().values()

    def keys(self) -> dict_keys[str, str]:
        self.whole = True
        return super().keys()


def leave(outcome: Outcome, data: bytes, env: ConsultedEnv, started: float,
          later_line: Callable[[bytes, Mapping[str, str], float], tuple[str, bool]]) -> bool:
    """Write this call's entry when its line holds for one of ``spans``; True if written.

    ``started`` is when the call began (``time.monotonic``): files changed since a little
    before it are not trusted to show a change. Never raises."""
    try:
        return _leave(outcome, data, env, started, later_line)
    except Exception:  # noqa: BLE001 - the line is out; a missing entry costs one full call
        return False


def _leave(outcome: Outcome, data: bytes, env: ConsultedEnv, started: float,
           later_line: Callable[[bytes, Mapping[str, str], float], tuple[str, bool]]) -> bool:
    path = steady.entry_file(env)
    payload = outcome.payload
    if (path is None or payload is None or outcome.wrote or outcome.wants_save
            or not outcome.local or outcome.store_status != "ok" or not steady.safe(outcome.line)
            or len(data) > steady.MAX_ENTRY_BYTES // 2):
        return False
    # A file that changed just before the call (a store another session saved) settles
    # first: looked at before the tries, which cost a call's work each.
    began = time.time() - (time.monotonic() - started)
    read = _read_files(env, outcome)
    if not all(files.settled(files.signature(name), began, SETTLED_S) for name in read):
        return False
    span = next((span for span in spans(outcome.state, outcome.now)
                 if later_line(data, env, outcome.clock + span) == (outcome.line, False)), None)
    if span is None or env.whole:
        return False
    signed = [(name, files.signature(name)) for name in read]  # as they are after the tries
    if not all(files.settled(sign, began, SETTLED_S) for _, sign in signed):
        return False
    # The clock's variables are the clock, which the entry's span already judges.
    names = sorted((env.names | {"TZ"}) - set(CLOCK_NAMES))
    offset = utc_offset(outcome.clock)
    if utc_offset(outcome.clock + span) != offset:
        return False
    host = paths.host_name(env)
    processes = [(session.pid, running(session.pid))
                 for session in outcome.state.sessions.values()
                 if session.pid is not None and session.host == host]
    entry = (steady.FORMAT, steady.payload_key(data),
             tuple((name, _kept_value(name, dict.get(env, name))) for name in names),
             tuple(signed),
             tuple(processes), outcome.clock, outcome.clock + span, offset, outcome.line)
    directory = os.path.dirname(path)
    if not files.private_dir(directory, create=True):
        return False
    files.write_atomic(path, marshal.dumps(entry), durable=False)
    _sweep(directory, {str(pid) for pid, runs in processes if runs})
    return True


def spans(state: State, now: float) -> list[float]:
    """The spans worth trying, longest first: up to half a second before the line's next
    countdown or age turns (``MAX_SPAN_S`` at most), then one refresh interval (a line that
    moves for another reason may still hold that long). None shorter than ``MIN_SPAN_S``.

    A countdown (``formatting.format_duration``) turns on whole minutes before its reset;
    the age of the pooled figure (``format_age``, from the newest reading not replayed)
    says "now" for ten seconds, then counts seconds, then whole minutes."""
    windows = [window for window in state.windows.values() if window is not None]
    turns = [((window.resets_at - now) % TURN_S) or TURN_S for window in windows]
    seen = [window.observed_at for window in windows if not window.replayed]
    if seen:
        age = max(now - max(seen), 0.0)
        turns.append(AGE_NOW_S - age if age < AGE_NOW_S else
                     0.0 if age < TURN_S else TURN_S - age % TURN_S)
    first = min(MAX_SPAN_S, min(turns, default=TURN_S) - 0.5)
    fallback = MIN_SPAN_S + 0.5
    if first < MIN_SPAN_S:
        return []
    return [first, fallback] if first - fallback >= FALLBACK_GAP_S else [first]


def _kept_value(name: str, value: str | None) -> str | bool | None:
    """What the entry keeps of variable ``name``: its value, or for a secret only whether it
    is set (``steady`` compares it so)."""
    if any(word in name.upper() for word in SECRET_WORDS):
        return bool(value)
    return value


def _read_files(env: Mapping[str, str], outcome: Outcome) -> list[str]:
    """Every file a call reads on its way to the line (not the ones it only writes)."""
    state_dir = paths.state_dir(env)
    payload = outcome.payload
    # (The state directory is not among them: the reprint checks it is ours, as the call
    # does; its times move with every file made in it.)
    read = [ZONE_FILE, paths.config_file(env), client_config.config_path(env),
            outcome.store_path]
    if state_dir is not None:
        read.append(paths.client_facts_file(state_dir, paths.profile_name(env)))
    read.extend(padding.settings_files(env, payload.project_dir if payload else None))
    return [name for name in read if name]


def _sweep(directory: str, alive: set[str]) -> None:
    """Remove the entries of Claude Code processes that have ended, and the temp file of a
    write cut short (a watchdog ends a call at once) once it is a minute old."""
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        try:
            ended = name.isdigit() and name not in alive and running(int(name)) is False
            stray = name.endswith(".tmp") and os.lstat(path).st_mtime < time.time() - STRAY_TEMP_S
            if ended or stray:
                os.unlink(path)
        except OSError:
            pass
