"""The idle tick: a line already verified, printed again while nothing it rests on moves.

Claude Code runs the command every ``refreshInterval`` for every open session, and most of
those runs see what the last one saw: the same payload, the same store, the same minute.
A call that has printed its line and saved nothing also works out what a call a little
later would print from the same inputs (``statusline.steady_entry.spans``). When
that is the same line and that later call would have nothing to save either, it leaves an
entry for its Claude Code process: the line, what it rested on, and until when it holds.

The next call of that process reads the entry before anything else is loaded (only this
module, ``files``, ``paths`` and ``process``, which import nothing but modules built into
the interpreter or frozen in it) and prints the line again when all of this is as it was:

* the payload's bytes, but for the session's wall time (``cost.total_duration_ms``, which
  moves on every tick and which the call never reads);
* each environment variable the call consulted, with its value (a secret's: whether it is
  set, all the call asks of one; the entry never holds a secret);
* each file the call read (the store, the config, the client's config and our copy of its
  facts, the settings files, the zone file): inode, size, times, mode, owner;
* each Claude Code process of this machine that the store knows: running or not;
* the clock: inside the span the entry was verified for, at the same offset from UTC.

Otherwise the call runs as always, and writes a new entry when it may. A line that could
change between the two ends of its span without showing at either (a countdown is
monotone; so is everything a store at rest drifts by in a minute) does not exist.
"""

from __future__ import annotations

import marshal
import os

from statusline import files, paths, process

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

FORMAT = 1
ENTRY_DIR = "lines"
# An entry with its payload stays small; a payload larger than this is never kept.
MAX_ENTRY_BYTES = 64 << 10
ESC = "\x1b"


def entry_file(env: Mapping[str, str]) -> str | None:
    """Where the entry of this call's Claude Code process lives (``CLAUDE_PID``), or None
    when the process or the state directory is unknown."""
    pid = env.get("CLAUDE_PID", "")
    if not (pid.isascii() and pid.isdigit() and 0 < len(pid) <= 10 and int(pid)):
        return None
    directory = paths.state_dir(env)
    return None if directory is None else os.path.join(directory, ENTRY_DIR, str(int(pid)))


def _private_place(path: str) -> bool:
    """True when the entry's directory and the state directory above it are real
    directories of ours (as the call requires of the state directory: no symlink)."""
    entries = os.path.dirname(path)
    return (files.private_dir(os.path.dirname(entries), create=False)
            and files.private_dir(entries, create=False))


def reprint(data: bytes, env: Mapping[str, str]) -> str | None:
    """The line to print again for payload ``data``, or None when the call must run.

    Never raises: a missing, foreign, corrupt or outdated entry is no entry."""
    try:
        if env.get("STATUSLINE_CHAIN"):  # another command's rows: never ours to repeat
            return None
        path = entry_file(env)
        if path is None or not _private_place(path):
            return None
        raw = files.read_bounded(path, MAX_ENTRY_BYTES, owned=True)
        entry = marshal.loads(raw) if raw else None
        return _line_if_holding(entry, payload_key(data), env)
    except Exception:  # noqa: BLE001 - whatever the file held, the call itself answers
        return None


def payload_key(data: bytes) -> bytes:
    """``data`` without the value of its one ``"total_duration_ms"`` key: the session's wall
    time, new on every tick and read by nothing in the call. Anything else (a second such
    key, no number after it) leaves ``data`` whole, which can only cost a reprint."""
    name = b'"total_duration_ms"'
    at = data.find(name)
    if at < 0 or data.find(name, at + 1) >= 0:
        return data
    start = at + len(name)
    while data[start:start + 1] in (b" ", b"\t", b"\n", b"\r"):
        start += 1
    if data[start:start + 1] != b":":
        return data
    start += 1
    while data[start:start + 1] in (b" ", b"\t", b"\n", b"\r"):
        start += 1
    end = start
    while end < len(data) and data[end] in _NUMBER:
        end += 1
    return data[:start] + data[end:] if end > start else data


_NUMBER = frozenset(b"0123456789+-.eE")


def _line_if_holding(entry: object, key: bytes, env: Mapping[str, str]) -> str | None:
    """The line of ``entry`` when it is a well-formed entry for the payload whose
    ``payload_key`` is ``key`` and its every condition holds now; else None."""
    if not (isinstance(entry, tuple) and len(entry) == 9 and entry[0] == FORMAT
            and entry[1] == key):
        return None
    _, _, consulted, signed, processes, since, until, offset, line = entry
    if not (isinstance(since, float) and isinstance(until, float)
            and isinstance(offset, float) and isinstance(line, str) and safe(line)):
        return None
    for name, value in consulted:  # a secret's entry is only whether it is set
        now_set = env.get(name)
        if (bool(now_set) if isinstance(value, bool) else now_set) != value:
            return None
    now = process.clock(env)
    if not since <= now <= until or process.utc_offset(now) != offset:
        return None
    if any(files.signature(path) != sign for path, sign in signed):
        return None
    if any(process.running(pid) != runs for pid, runs in processes):
        return None
    return line


def safe(line: str) -> bool:
    """True when ``line`` is one row of printable text and colour codes (``ESC [ n ; n m``):
    what the call prints, and nothing a planted entry could add to the terminal."""
    if "\n" in line or "\r" in line:
        return False
    pieces = line.split(ESC)
    if not pieces[0].isprintable():
        return False
    for piece in pieces[1:]:
        end = piece.find("m")
        if not piece.startswith("[") or end < 0:
            return False
        code = piece[1:end]
        if code and not code.replace(";", "").isdigit():
            return False
        if not piece[end + 1:].isprintable():
            return False
    return True
