"""Readings kept on this machine until the shared store can take them.

When the shared backend cannot be reached, a call that has something to save records it in
the local store (so this machine's line stays right) and appends what it saw to the outbox,
``<store>.outbox``: one JSON line per call (the payload as received, its clock and host).
The calls that reach the backend again replay the lines through the same merge, in order,
a piece at a time (``redis_store``): each piece goes in the transaction of a call's own
change, and what is left is written back.

The file stays small however long the outage: past ``COMPACT_BYTES`` (and past half again its
size after the last compaction) it is ``compact``ed, which keeps of each session only the
readings that change what the store keeps (see ``compact``): a day-long outage of a busy
machine (4 sessions at 10 s ticks, ~14,000 calls) compacts to a few hundred lines per
session (docs/reliability.md). Only past ``MAX_BYTES`` even after compaction do the oldest
lines go. Every function here runs under the store's lock; the file is 0600 in the private
state directory, never followed through a symlink.
"""

from __future__ import annotations

import errno
import os
import stat

from statusline.history.model import (
    CADENCE_SAMPLES,
    COST_HISTORY_S,
    MAX_COST_POINTS,
    SAME_WINDOW_S,
    thin_by_time,
)
from statusline.jsonread import loads

MAX_LINES = 4000
MAX_BYTES = 8 << 20
# Compact past this size (~650 kept calls), and again once it grew by half since.
COMPACT_BYTES = 1 << 20
# The last readings of each session are always kept: its cadence (idle gaps) and last stamp.
TAIL = CADENCE_SAMPLES + 1
_HEADER = b'{"compacted":'
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def path_for(store_path: str) -> str:
    """The outbox beside the local store file."""
    return store_path + ".outbox"


def pending(store_path: str) -> bool:
    """True when readings wait to be sent (one ``lstat``, no lock)."""
    try:
        info = os.lstat(path_for(store_path))
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size > 0


def append(store_path: str, line: str) -> int:
    """Add one entry (a JSON text without newlines); return how many old entries were dropped.

    Raises ``OSError`` when it cannot be written (the caller then does not acknowledge).
    """
    path = path_for(store_path)
    data = (line + "\n").encode("utf-8")
    dropped = 0
    try:
        size = os.lstat(path).st_size
    except FileNotFoundError:
        size = 0
    if size + len(data) > max(COMPACT_BYTES, _compacted_size(path) * 3 // 2):
        size = _rewrite(path, compact(_parse_lines(_read_bytes(path))))
    if size + len(data) > MAX_BYTES:
        dropped = _shrink(path, MAX_BYTES // 2)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(path, flags, 0o600)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_nlink != 1:
            raise OSError(errno.EPERM, "the outbox path is not our own regular file")
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    return dropped


def read(store_path: str) -> list[dict[str, object]]:
    """The kept entries, oldest first; a torn or foreign line is skipped, never fatal."""
    return _parse_lines(_read_bytes(path_for(store_path)))


def _parse_lines(raw: bytes) -> list[dict[str, object]]:
    entries = []
    for line in raw.split(b"\n")[-MAX_LINES:]:
        if not line.strip() or line.startswith(_HEADER):
            continue
        try:
            entry = loads(line.decode("utf-8"))
        except (ValueError, RecursionError):
            continue  # the last line of a writer killed mid-append
        if isinstance(entry, dict):
            entries.append(entry)
    return entries


def clear(store_path: str) -> None:
    """Empty the outbox once its entries are in the shared store."""
    try:
        os.unlink(path_for(store_path))
    except FileNotFoundError:
        pass


def keep_only(store_path: str, entries: list[dict[str, object]]) -> None:
    """Leave only ``entries`` (those not sent yet) in the outbox; may raise ``OSError``."""
    if not entries:
        clear(store_path)
    else:
        _rewrite(path_for(store_path), entries)


def compact(entries: list[dict[str, object]]) -> list[dict[str, object]]:
    """The entries whose replay changes what the store keeps, in their order.

    Per session (``sid``), a kept call is dropped only when the merge would keep nothing of
    it by the time the session's last kept call is replayed: it repeats the session's
    previous reading (same windows, same percentages, same money) and host and account,
    and either repeats its cost too, or its cost point falls to the store's own thinning
    (older than ``COST_HISTORY_S`` before the session's last call, but the last one
    before that, as ``history.trim_costs`` keeps; beyond ``MAX_COST_POINTS`` within it,
    thinned as it thins). A reading that changes a window is kept whatever its age when it
    raises the highest value kept for that window, lowers the session's own (a possible
    re-baseline) or names another window (a reset); one that only reports what another
    session already brought is a confirmation, of which the last ones count (the session's
    tail, and its cost points). Each session's first call
    and its last ``TAIL`` are always kept (its first stamp, last stamp and cadence). An
    entry of another kind (a claimed notice) or of an older version (no ``sid``) is kept.
    """
    sessions: dict[str, list[int]] = {}
    for index, entry in enumerate(entries):
        sid = entry.get("sid")
        if isinstance(sid, str) and isinstance(entry.get("now"), float):
            sessions.setdefault(sid, []).append(index)
    dropped: set[int] = set()
    highest: dict[tuple[str, int], float] = {}
    raises = _raising(entries, highest)
    for indexes in sessions.values():
        dropped |= _droppable(entries, indexes, raises)
    return [entry for index, entry in enumerate(entries) if index not in dropped]


def _limits(entry: dict[str, object]) -> dict[str, list[object]]:
    limits = entry.get("limits")
    return limits if isinstance(limits, dict) else {}


def _raising(entries: list[dict[str, object]],
             highest: dict[tuple[str, int], float]) -> set[int]:
    """The entries that raise a window (by name and reset) above every earlier one."""
    found = set()
    for index, entry in enumerate(entries):
        for name, row in _limits(entry).items():
            if not (isinstance(row, list) and len(row) >= 2):
                continue
            pct, resets = row[0], row[1]
            if not isinstance(pct, float | int) or not isinstance(resets, float | int):
                continue
            bucket = (name, int(resets // SAME_WINDOW_S))
            if pct > highest.get(bucket, -1.0):
                highest[bucket] = float(pct)
                found.add(index)
    return found


def _same_reading(a: dict[str, list[object]], b: dict[str, list[object]]) -> bool:
    if a.keys() != b.keys():
        return False
    for name, row in a.items():
        other = b[name]
        if not (isinstance(row, list) and isinstance(other, list) and len(row) == len(other)
                and len(row) >= 2):
            return False
        if row[0] != other[0] or row[2:] != other[2:]:
            return False
        if not (isinstance(row[1], float | int) and isinstance(other[1], float | int)
                and abs(row[1] - other[1]) <= SAME_WINDOW_S):
            return False
    return True


def _lowers(now: dict[str, list[object]], before: dict[str, list[object]]) -> bool:
    for name, row in now.items():
        other = before.get(name)
        if (isinstance(row, list) and isinstance(other, list) and row and other
                and isinstance(row[0], float | int) and isinstance(other[0], float | int)
                and row[0] < other[0]):
            return True
    return False


def _new_window(now: dict[str, list[object]], before: dict[str, list[object]]) -> bool:
    """True when a window appears, goes, or resets (its ``resets_at`` moved)."""
    if now.keys() != before.keys():
        return True
    for name, row in now.items():
        other = before[name]
        if not (isinstance(row, list) and isinstance(other, list) and len(row) >= 2
                and len(other) >= 2 and isinstance(row[1], float | int)
                and isinstance(other[1], float | int)):
            return True
        if abs(row[1] - other[1]) > SAME_WINDOW_S or row[2:] != other[2:]:
            return True
    return False


def _droppable(entries: list[dict[str, object]], indexes: list[int],
               raises: set[int]) -> set[int]:
    """The calls of one session (``indexes``, in order) that ``compact`` may drop."""
    last_now = entries[indexes[-1]]["now"]
    assert isinstance(last_now, float)
    horizon = last_now - COST_HISTORY_S
    protected = {indexes[0], *indexes[-TAIL:]}
    cost_points: list[tuple[float, float, int]] = []  # (time, cost, index) of cost changes
    dropped: set[int] = set()
    previous = entries[indexes[0]]
    for index in indexes[1:]:
        entry = entries[index]
        now = entry["now"]
        assert isinstance(now, float)
        limits, before = _limits(entry), _limits(previous)
        moved = (entry.get("host") != previous.get("host")
                 or entry.get("account") != previous.get("account"))
        changed = not _same_reading(limits, before)
        cost = entry.get("cost")
        if moved or (changed and (index in raises or _lowers(limits, before)
                                  or _new_window(limits, before))):
            pass  # a change the store keeps: a new high, a possible re-baseline, a reset
        elif cost != previous.get("cost") and isinstance(cost, float | int):
            cost_points.append((now, float(cost), index))
        elif index not in protected:
            dropped.add(index)  # a repeat, or a reading others already brought
        previous = entry
    # Cost points: the last one at or before the horizon, and the rest thinned as the store
    # thins them (the newest half exact, the older half spread by time).
    before_horizon = [p for p in cost_points if p[0] <= horizon]
    within = [p for p in cost_points if p[0] > horizon]
    exact = MAX_COST_POINTS // 2
    if len(within) > MAX_COST_POINTS:
        older = thin_by_time([(t, float(i)) for t, _, i in within[:-exact]],
                             MAX_COST_POINTS - exact)
        kept_older = {int(i) for _, i in older}
        within = [p for p in within[:-exact] if p[2] in kept_older] + within[-exact:]
    keep = {p[2] for p in within} | {p[2] for p in before_horizon[-1:]}
    dropped |= {p[2] for p in cost_points if p[2] not in keep and p[2] not in protected}
    return dropped


def _read_bytes(path: str) -> bytes:
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:
        return b""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return b""
        chunks = []
        total = 0
        while total <= MAX_BYTES:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return b"".join(chunks)
    except OSError:
        return b""
    finally:
        os.close(fd)


def _compacted_size(path: str) -> int:
    """The outbox's size after its last compaction (its header line), 0 if never."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:
        return 0
    try:
        head = os.read(fd, 64)
    except OSError:
        return 0
    finally:
        os.close(fd)
    if not head.startswith(_HEADER):
        return 0
    digits = head[len(_HEADER):].split(b"}", 1)[0]
    return int(digits) if digits.isdigit() and len(digits) < 16 else 0


def _rewrite(path: str, entries: list[dict[str, object]]) -> int:
    """Replace the outbox with ``entries`` under a header giving its size; the new size."""
    from statusline import jsonwrite  # only a compaction or a partial send pays for it
    from statusline.files import write_atomic

    body = "".join(jsonwrite.dumps(entry) + "\n" for entry in entries)
    size = len(body.encode("utf-8"))
    header = f'{_HEADER.decode()}{size}}}\n'
    write_atomic(path, header + body)
    return size + len(header)


def _shrink(path: str, keep_bytes: int) -> int:
    """Rewrite the outbox with only its newest lines (about ``keep_bytes``); how many went."""
    from statusline.files import write_atomic

    lines = [line for line in _read_bytes(path).split(b"\n") if line.strip()]
    kept: list[bytes] = []
    size = 0
    for line in reversed(lines[-MAX_LINES:]):
        if size + len(line) + 1 > keep_bytes:
            break
        kept.append(line)
        size += len(line) + 1
    kept.reverse()
    write_atomic(path, b"".join(line + b"\n" for line in kept).decode("utf-8", "replace"))
    return len(lines) - len(kept)
