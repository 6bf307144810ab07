"""The store on Redis (6+ or Valkey): one key per profile and account, shared by machines.

Concurrency is optimistic: ``WATCH`` the key, ``GET`` it, apply the same pure merge as the
file store (the caller's ``change``), then ``MULTI``/``SET … EX``/``EXEC``; when another
machine wrote in between, ``EXEC`` refuses and the merge re-runs on the fresh document, at
most ``MAX_ATTEMPTS`` times. A lock with an expiry (``SET lock NX PX``) was the other choice
and is worse here: Claude Code kills a status-line run that is still going when the next
update arrives, so lock holders do die mid-save, and every machine would then wait out the
expiry, which must be longer than the slowest save over a network yet shorter than the
0.8 s budget of the waiting calls; releasing it safely takes a compare-and-delete script, one
more round trip on every save. ``WATCH`` costs nothing when nobody else wrote (the usual
case: a save happens when a reading changes), a killed client holds nothing, and a save
still crossed after ``MAX_ATTEMPTS`` is kept and sent later, as in an outage. The read
that renders the line is already made under ``WATCH``, so a save with no competitor costs
one more round trip.

Never worse than the file store:

* The local file stays, as this machine's copy: each save that reaches Redis is mirrored
  into it, under its lock, so a call that cannot reach Redis renders from what this
  machine last knew rather than from nothing.
* All Redis work of one call shares a deadline (``CALL_BUDGET_S``, connecting within
  ``CONNECT_TIMEOUT_S``), well inside the hot path's budget; after one failure the call
  does not try again.
* A call that cannot save to Redis (down, slow, wrong password, TLS) saves into the local
  file and keeps its payload in the outbox (``outbox.py``), under the same lock; the next
  call that reaches Redis replays the outbox through the same merge, in the transaction of
  its own save, and empties it. A save acknowledged locally is not lost.
* Error messages carry the URL redacted (``resp.Url.redacted``), never the password.
"""

from __future__ import annotations

import os
import time

from statusline import files, history
from statusline.store import local, outbox
from statusline.store.resp import BUSY, Connection, RedisError, parse_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from statusline.history import State
    from statusline.store.resp import Url

KEY_PREFIX = "statusline:v1:"
# The key outlives the longest window it holds (7 days) by a day; every save renews it.
TTL_S = 8 * 86400
CONNECT_TIMEOUT_S = 0.15
CALL_BUDGET_S = 0.25
MAX_ATTEMPTS = 4
# Kept readings replayed by one call, at most this long (then the call's own change and
# the save): an outbox of any size drains a piece per call, never past the call's budget.
DRAIN_SLICE_S = 0.08
# A shared document that cannot be read is copied here, for a week, before it is replaced.
CORRUPT_TTL_S = 7 * 86400


def key_for(store_path: str, name: str | None = None) -> str:
    """The Redis key of a store: its name (``paths.store_name``: one per profile and
    account), else the name of its local file without ``.json``; never a local path."""
    if not name:
        name = os.path.basename(store_path)
        if name.endswith(".json"):
            name = name[:-5]
    return KEY_PREFIX + name


class RedisBackend:
    """The shared store on Redis, with the local file as this machine's copy and outbox."""

    kind = "redis"

    def __init__(self, path: str, url: Url,
                 replay: Callable[[State, dict[str, object]], bool] | None,
                 name: str | None = None) -> None:
        self.path = path
        self.url = url
        self.key = key_for(path, name)
        self.replay = replay
        self.problem: str | None = None
        self._deadline: float | None = None
        self._connection: Connection | None = None
        # The document as read under WATCH (None: the key does not exist), and whether the
        # read happened: a save with no competitor since reuses it.
        self._watched: bytes | None = None
        self._have_watched = False
        # The server's clock less this machine's (``time.time``), measured with TIME at the
        # first read; None until then, or when the server would not say.
        self.server_offset: float | None = None
        # What the last transaction sent of the outbox, and what it left (for tests, doctor).
        self.drained = 0
        self.left = 0

    @property
    def location(self) -> str:
        return f"{self.url.redacted()} key {self.key}"

    @property
    def wants_write(self) -> bool:
        """True when kept readings wait for a call that reaches Redis."""
        return self.problem is None and self.replay is not None and outbox.pending(self.path)

    def read(self) -> local.ReadResult:
        """The shared document; this machine's copy when Redis cannot be reached in time."""
        try:
            data = self._watch_and_get()
        except RedisError as error:
            self._fail(error)
            result = self._read_local()
            result.detail = f"shared store not reachable, showing this machine's copy: {error}"
            return result
        if data is None:
            return self._seed()
        result = local.parse(data)
        if result.status == local.CORRUPT:
            # Unreadable (another version's, or damaged): the line shows this machine's copy;
            # the next save copies the value aside and replaces it.
            copy = self._read_local()
            state = copy.state if copy.status == local.OK else history.State()
            return local.ReadResult(state, local.CORRUPT,
                                    f"shared value {self.key} cannot be read ({result.detail}); "
                                    "showing this machine's copy", result.dropped)
        return result

    def update(self, change: Callable[[State], bool],
               record: dict[str, object] | None = None) -> State | None:
        """Save ``change`` to Redis, or to this machine's copy and outbox when it cannot.

        Returns the state as saved, or None when nothing was saved (the local lock busy, or
        no save possible at all); never raises.
        """
        from statusline.store.lock import LockBusyError

        held = local.lock(self.path)
        if held is None:
            return None
        try:
            with held:
                if self.problem is None:
                    try:
                        return self._save_remote(change, record)
                    except RedisError as error:
                        self._fail(error)
                return self._save_local(change, record)
        except (LockBusyError, OSError, ValueError, RuntimeError):
            return None
        finally:
            self.close()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # -- Redis ----------------------------------------------------------------------------

    def _connect(self) -> Connection:
        if self._connection is None:
            if self._deadline is None:
                self._deadline = time.monotonic() + CALL_BUDGET_S
            self._connection = Connection(self.url, self._deadline, CONNECT_TIMEOUT_S)
        return self._connection

    def _watch_and_get(self) -> bytes | None:
        commands: list[tuple[object, ...]] = [("WATCH", self.key), ("GET", self.key)]
        measure = self.server_offset is None
        if measure:
            commands.append(("TIME",))
        sent = time.time()
        replies = self._connect().pipeline(commands)
        received = time.time()
        watch, data = replies[0], replies[1]
        for reply in (watch, data):
            if isinstance(reply, RedisError):
                raise reply
        if data is not None and not isinstance(data, bytes):
            raise RedisError("protocol", f"{self.url.redacted()}: {self.key} is not a string")
        if measure:
            self.server_offset = server_offset(replies[2], (sent + received) / 2)
        self._watched, self._have_watched = data, True
        return data

    def _save_remote(self, change: Callable[[State], bool],
                     record: dict[str, object] | None = None) -> State | None:
        """The transaction, with a piece of the outbox replayed first; the lock is held.

        The piece is every kept call of this call's own session (they are older than its
        reading, which would otherwise make them look sent), then others, oldest first,
        while ``DRAIN_SLICE_S`` lasts; this call's change comes last, so the line shows
        now. What was not sent stays in the outbox for the next call.
        """
        kept = outbox.compact(outbox.read(self.path)) if self.replay is not None else []
        own = record.get("sid") if record is not None else None
        for attempt in range(MAX_ATTEMPTS):
            data = self._watched if self._have_watched and attempt == 0 else None
            if not (self._have_watched and attempt == 0):
                data = self._watch_and_get()
            self._have_watched = False  # EXEC (or the next WATCH) ends this watch
            current = self._seed() if data is None else local.parse(data)
            if current.status == local.CORRUPT:
                current = self._seed()
                current.status = local.CORRUPT
            if not current.writable:
                return None  # a newer schema than this build knows: read, never overwritten
            state = current.state
            left = self._replay_piece(state, kept, own, DRAIN_SLICE_S / (attempt + 1))
            sent = len(kept) - len(left)
            changed = change(state) or sent > 0
            if not (changed or kept or current.status != local.OK or current.dropped):
                return state  # nothing new for Redis, nor for this machine's copy
            text = local.dumps(state)
            commands: list[tuple[object, ...]] = [("MULTI",)]
            if data is not None and (current.status == local.CORRUPT or current.dropped):
                # What cannot be read (or read whole) is kept aside before it is replaced.
                aside = f"{self.key}:corrupt:{int(time.time())}"
                commands.append(("SET", aside, data, "EX", CORRUPT_TTL_S))
            commands += [("SET", self.key, text, "EX", TTL_S), ("EXEC",)]
            replies = self._connect().pipeline(commands)
            executed = replies[-1]
            # A command can fail inside EXEC too (out of memory, a read-only replica).
            for reply in [*replies, *(executed if isinstance(executed, list) else ())]:
                if isinstance(reply, RedisError):
                    raise reply
            if executed is None:
                continue  # someone saved since our WATCH: merge again on their document
            if kept:
                self.drained, self.left = sent, len(left)
                try:
                    outbox.keep_only(self.path, left)
                except OSError:
                    pass  # sent again later: the replay skips what a session already shows
            self._mirror(text)
            return state
        # Contended past MAX_ATTEMPTS: kept here and sent with a later call, like an outage.
        raise RedisError(BUSY, f"{self.url.redacted()}: {MAX_ATTEMPTS} saves in a row crossed "
                         "another machine's; kept for the next call")

    def _replay_piece(self, state: State, kept: list[dict[str, object]], own: object,
                      slice_s: float) -> list[dict[str, object]]:
        """Replay this session's kept calls, then others while ``slice_s`` lasts; the rest."""
        if not kept or self.replay is None:
            return []
        started = time.monotonic()
        mine = [entry for entry in kept if own is not None and entry.get("sid") == own]
        for entry in mine:
            self.replay(state, entry)
        others = [entry for entry in kept if own is None or entry.get("sid") != own]
        for index, entry in enumerate(others):
            if time.monotonic() - started > slice_s:
                return others[index:]
            self.replay(state, entry)
        return []

    def _mirror(self, text: str) -> None:
        """Keep this machine's copy current (best effort: Redis has the save)."""
        try:
            files.write_atomic(self.path, text)
        except OSError:
            pass

    def _fail(self, error: RedisError) -> None:
        if self.problem is None:
            self.problem = str(error)
        self.close()

    # -- this machine's copy ----------------------------------------------------------------

    def _seed(self) -> local.ReadResult:
        """What an empty key starts from: this machine's copy, when it has a usable one.

        A machine that used the file store before (or a server that lost its data, or a
        key that expired) so keeps its history; the status stays ``missing``, so the first
        save writes it.
        """
        copy = self._read_local()
        state = copy.state if copy.status == local.OK else history.State()
        return local.ReadResult(state, local.MISSING)

    def _read_local(self) -> local.ReadResult:
        if not files.private_dir(os.path.dirname(self.path), create=False):
            return local.ReadResult(history.State(), local.MISSING)
        return local.read(self.path)

    def _save_local(self, change: Callable[[State], bool],
                    record: dict[str, object] | None) -> State | None:
        def keep() -> None:
            if record is not None:
                from statusline import jsonwrite

                outbox.append(self.path, jsonwrite.dumps(record))

        return local.update_locked(self.path, change, before_save=keep)


def server_offset(reply: object, local_time: float) -> float | None:
    """The server's clock less ``local_time`` from a TIME reply; None when it is not one."""
    if not (isinstance(reply, list) and len(reply) == 2
            and all(isinstance(part, bytes) and part.isdigit() and len(part) < 16
                    for part in reply)):
        return None
    seconds, micros = int(reply[0]), int(reply[1])
    return seconds + micros / 1e6 - local_time


def open_redis(path: str, url_text: str,
               replay: Callable[[State, dict[str, object]], bool] | None,
               name: str | None = None) -> RedisBackend:
    """The Redis backend for ``path``'s store; ``ValueError`` (safe to print) on a bad URL."""
    return RedisBackend(path, parse_url(url_text), replay, name)
