"""The shared store's model and its merge rules (pure: no files, clock or environment).

Each status-line call brings one session's view; ``record`` folds it into the account-wide
``State`` that every session shares:

* per session: a snapshot (model, project, context %, cost and a short cost history) and
  the last rate-limit reading it reported, with the time that reading last changed;
* per window (``five_hour``, ``seven_day``): the merged reading of the window running now,
  keyed by ``resets_at``, with the series of values it took.

Merge rules (DESIGN section 3): readings that are not finite, negative or above 101 % are
dropped (the client has put the epoch into the percentage); (100, 101] counts as 100; a
``resets_at`` that is past, or further out than the window length plus an hour, is dropped;
a later ``resets_at`` starts a new window; within a window the value only rises, except an
official re-baseline: a lower value from a known session whose own reading just changed, accepted
at once when nobody confirmed the higher value for ``REBASELINE_GRACE_S``, or once it is
confirmed by another fresh reading, or still standing after the grace period. A session
whose reading has not changed for ``FROZEN_AFTER_S`` replays a frozen snapshot: it can show
the pool but neither raise, lower nor confirm it.
"""

from __future__ import annotations

from math import isfinite

from statusline.payload import WINDOW_NAMES, Payload, RawReading, number, valid_session_id

SCHEMA_VERSION = 1
WINDOW_SECONDS = {"five_hour": 5 * 3600.0, "seven_day": 7 * 86400.0}
PCT_ACCEPTED_MAX = 101.0
FROZEN_AFTER_S = 600.0
REBASELINE_GRACE_S = 120.0
# Two readings whose resets_at differ by less than this describe the same window
# (the client rounds the reset header to whole seconds).
SAME_WINDOW_S = 60.0
# Timestamps that only say "still alive" are saved at most this often, so most calls
# (refreshInterval ticks repeating the same reading) never take the lock or write.
SNAPSHOT_REFRESH_S = 30.0
LIVE_SESSION_S = 15 * 60.0
# Timestamps further ahead than this are from a clock that jumped: not live, not a yardstick.
FUTURE_SKEW_S = 300.0
SESSION_TTL_S = 2 * 86400.0
MAX_SESSIONS = 64
MAX_SAMPLES = 500
MAX_COST_POINTS = 120
COST_HISTORY_S = 2 * 3600.0
ARCHIVED_WINDOWS = {"five_hour": 12, "seven_day": 4}
ARCHIVE_SAMPLES = 120


class Session:
    """One Claude Code session as last seen by any call."""

    __slots__ = (
        "agent_name",
        "context_pct",
        "costs",
        "first_seen",
        "last_seen",
        "model",
        "project_dir",
        "reading",
        "reading_changed_at",
        "session_id",
        "session_name",
    )

    def __init__(self, session_id: str, now: float) -> None:
        self.session_id = session_id
        self.first_seen = now
        self.last_seen = now
        self.model: str | None = None
        self.project_dir: str | None = None
        self.session_name: str | None = None
        self.agent_name: str | None = None
        self.context_pct: float | None = None
        # (time, cumulative cost in USD), appended when the cost changes.
        self.costs: list[tuple[float, float]] = []
        # The raw rate_limits as last reported ([window, pct, resets_at] rows), None if absent.
        self.reading: list[list[object]] | None = None
        self.reading_changed_at = now

    @property
    def cost_usd(self) -> float | None:
        """The session's latest cumulative cost, if it ever reported one."""
        return self.costs[-1][1] if self.costs else None

    def is_frozen(self, now: float) -> bool:
        """True when the session's reading has not changed for ``FROZEN_AFTER_S``."""
        return now - self.reading_changed_at > FROZEN_AFTER_S


class Window:
    """The merged reading of one running rate-limit window (one ``resets_at``)."""

    __slots__ = (
        "confirmed_at",
        "full_at",
        "observed_at",
        "observed_by",
        "pending",
        "rebased_at",
        "resets_at",
        "samples",
        "used_pct",
        "warned",
    )

    def __init__(self, resets_at: float, used_pct: float, now: float, by: str) -> None:
        self.resets_at = resets_at
        self.used_pct = used_pct
        # When a fresh reading last produced or matched the value, and from which session.
        self.observed_at = now
        self.observed_by = by
        # When any live session last reported the same value (it guards re-baselines).
        self.confirmed_at = now
        self.rebased_at: float | None = None
        self.full_at: float | None = now if used_pct >= 100 else None
        # A lower fresh reading waiting to be confirmed as a re-baseline: (pct, since, by).
        self.pending: tuple[float, float, str] | None = None
        # (time, value) each time the merged value changed.
        self.samples: list[tuple[float, float]] = [(now, used_pct)]
        # Whether the last forecast warned of the limit (the forecast's hysteresis memory).
        self.warned = False

    def samples_since_rebase(self) -> list[tuple[float, float]]:
        """The samples that belong to the current baseline (all of them if never re-based)."""
        if self.rebased_at is None:
            return self.samples
        return [s for s in self.samples if s[0] >= self.rebased_at]


class ArchivedWindow:
    """A window that has ended: kept, thinned, for the chart and for learning the pace."""

    __slots__ = ("peak_pct", "resets_at", "samples")

    def __init__(self, resets_at: float, peak_pct: float, samples: list[tuple[float, float]]):
        self.resets_at = resets_at
        self.peak_pct = peak_pct
        self.samples = samples


class State:
    """Everything the store holds for one Claude Code profile."""

    __slots__ = ("archive", "schema_version", "sessions", "windows")

    def __init__(self) -> None:
        self.schema_version = SCHEMA_VERSION
        self.sessions: dict[str, Session] = {}
        self.windows: dict[str, Window | None] = {name: None for name in WINDOW_NAMES}
        self.archive: dict[str, list[ArchivedWindow]] = {name: [] for name in WINDOW_NAMES}

    def live_sessions(self, now: float) -> list[Session]:
        """Sessions seen within ``LIVE_SESSION_S``, most recently seen first.

        A session stamped more than ``FUTURE_SKEW_S`` ahead of ``now`` (a clock that jumped)
        is not shown as live: it would otherwise stay "live" until the clock catches up.
        """
        live = [s for s in self.sessions.values()
                if -FUTURE_SKEW_S <= now - s.last_seen <= LIVE_SESSION_S]
        live.sort(key=lambda s: s.last_seen, reverse=True)
        return live

    def current_window(self, name: str, now: float) -> Window | None:
        """The merged window ``name`` if it is still running at ``now``."""
        window = self.windows.get(name)
        if window is None or window.resets_at <= now:
            return None
        return window


# ---------------------------------------------------------------------------------------
# Recording one call


def record(state: State, payload: Payload, now: float) -> bool:
    """Fold one call's payload into ``state`` (in place) and say whether it must be saved.

    The answer is True when the call brought something new (a session, a reading, a cost,
    a pooled value) or when this session's saved snapshot is older than
    ``SNAPSHOT_REFRESH_S``; a call that only repeats what the store knows returns False,
    so it never takes the lock. Calls without a ``session_id`` change nothing.
    """
    changed = _expire_windows(state, now)
    session_id = payload.session_id
    if session_id is None:
        return changed
    session = state.sessions.get(session_id)
    known = session is not None
    if session is None:
        session = Session(session_id, now)
        state.sessions[session_id] = session
        changed = True
    elif now - session.last_seen >= SNAPSHOT_REFRESH_S or session.last_seen > now:
        changed = True
    session.last_seen = now
    changed |= _update_snapshot(session, payload, now)

    reading = _reading_rows(payload.rate_limits)
    fresh = reading != session.reading
    if fresh:
        session.reading = reading
        session.reading_changed_at = now
        changed = True
    # Only a reading seen to change came from a new API response. A session's first call
    # may replay a reply of any age (statusline installed mid-session), so it may raise
    # the pool but never lower it.
    fresh = fresh and known
    if payload.rate_limits is not None and not session.is_frozen(now):
        for name in WINDOW_NAMES:
            raw = payload.rate_limits.get(name)
            accepted = None if raw is None else accept_reading(name, raw, now)
            if accepted is not None:
                changed |= _merge(state, name, accepted, session, fresh, now)
    for name in WINDOW_NAMES:
        changed |= _settle_pending(state.windows[name], now)
    changed |= _prune(state, session_id, now)
    return changed


def accept_reading(name: str, raw: RawReading, now: float) -> tuple[float, float] | None:
    """Return ``(pct, resets_at)`` if the reading is plausible at ``now``, else ``None``."""
    pct, resets_at = raw.used_pct, raw.resets_at
    if not 0 <= pct <= PCT_ACCEPTED_MAX:
        return None
    if resets_at <= now or resets_at > now + WINDOW_SECONDS[name] + 3600:
        return None
    return min(pct, 100.0), float(int(resets_at))


def _reading_rows(rate_limits: dict[str, RawReading] | None) -> list[list[object]] | None:
    if rate_limits is None:
        return None
    return [[name, r.used_pct, r.resets_at] for name, r in sorted(rate_limits.items())]


def _update_snapshot(session: Session, payload: Payload, now: float) -> bool:
    changed = False
    for attr in ("model", "project_dir", "session_name", "agent_name", "context_pct"):
        value = getattr(payload, attr)
        if value is not None and value != getattr(session, attr):
            setattr(session, attr, value)
            changed = True
    cost = payload.cost_usd
    if cost is not None and cost != session.cost_usd:
        session.costs.append((now, cost))
        changed = True
    return changed


def _merge(
    state: State, name: str, reading: tuple[float, float], session: Session, fresh: bool, now: float
) -> bool:
    pct, resets_at = reading
    window = state.windows[name]
    by = session.session_id
    if window is not None and window.resets_at > now + WINDOW_SECONDS[name] + 3600:
        # A stored window that resets further out than any real one (a store from a clock
        # far ahead, or a bad entry) would reject every plausible reading as "earlier":
        # the plausible reading replaces it, and it is not archived.
        window = state.windows[name] = None
    if window is None or resets_at > window.resets_at + SAME_WINDOW_S:
        if window is not None:
            _archive(state, name, window)
        state.windows[name] = Window(resets_at, pct, now, by)
        return True
    if resets_at < window.resets_at - SAME_WINDOW_S:
        return False  # an earlier window than the one running: a replay from before a reset
    if pct > window.used_pct:
        if window.rebased_at is not None and session.reading_changed_at < window.rebased_at:
            return False  # a value from before the re-baseline, from a session idle since
        _set_value(window, pct, now, by)
        return True
    if pct == window.used_pct:
        # A confirmation is saved when fresh news, or when the saved one is getting old
        # enough that a re-baseline could slip past it.
        due = fresh or now - window.confirmed_at >= SNAPSHOT_REFRESH_S
        window.confirmed_at = now
        if fresh:
            window.observed_at, window.observed_by = now, by
            window.pending = None
        return due
    if not fresh:
        return False  # an older, lower value replayed by a session that is behind
    if now - window.confirmed_at > REBASELINE_GRACE_S or window.pending is not None:
        _rebase(window, pct, now, by)
    else:
        window.pending = (pct, now, by)
    return True


def _settle_pending(window: Window | None, now: float) -> bool:
    """Accept a pending re-baseline nobody contradicted within the grace period."""
    if window is None or window.pending is None:
        return False
    pct, since, by = window.pending
    if now - since < REBASELINE_GRACE_S:
        return False
    if window.confirmed_at > since:
        # Someone live kept reporting the higher value after the lower one came in.
        window.pending = None
    else:
        _rebase(window, pct, now, by)
    return True


def _set_value(window: Window, pct: float, now: float, by: str) -> None:
    window.used_pct = pct
    window.observed_at, window.observed_by, window.confirmed_at = now, by, now
    window.pending = None
    if pct >= 100 and window.full_at is None:
        window.full_at = now
    window.samples.append((now, pct))
    if len(window.samples) > MAX_SAMPLES:
        window.samples = thin(window.samples, MAX_SAMPLES * 3 // 4)


def _rebase(window: Window, pct: float, now: float, by: str) -> None:
    window.rebased_at = now
    window.full_at = None
    window.warned = False
    _set_value(window, pct, now, by)


def _archive(state: State, name: str, window: Window) -> None:
    peak = max(p for _, p in window.samples)
    archived = ArchivedWindow(window.resets_at, peak, thin(window.samples, ARCHIVE_SAMPLES))
    kept = state.archive[name]
    kept.append(archived)
    del kept[: -ARCHIVED_WINDOWS[name]]


def _expire_windows(state: State, now: float) -> bool:
    changed = False
    for name in WINDOW_NAMES:
        window = state.windows[name]
        if window is not None and window.resets_at <= now:
            _archive(state, name, window)
            state.windows[name] = None
            changed = True
    return changed


def _prune(state: State, caller: str, now: float) -> bool:
    """Drop old cost points and long-gone sessions; bounded work, bounded store."""
    changed = False
    horizon = now - COST_HISTORY_S
    for session in state.sessions.values():  # idle sessions too: the store stays small
        trimmed = trim_costs(session.costs, horizon)
        if trimmed is not session.costs:
            session.costs = trimmed
            changed = True
    # Age is judged against the newest activity of the *other* sessions, so a single call
    # with a clock jumped years ahead cannot wipe everybody else.
    others = [s.last_seen for s in state.sessions.values() if s.session_id != caller]
    if others:
        # Capped at now: one entry stamped in the future (a clock that was ahead) must not
        # make every other session look two days old.
        newest = min(max(others), now)
        stale = [s.session_id for s in state.sessions.values()
                 if s.session_id != caller and s.last_seen < newest - SESSION_TTL_S]
        for session_id in stale:
            del state.sessions[session_id]
            changed = True
    if len(state.sessions) > MAX_SESSIONS:
        by_age = sorted(state.sessions.values(), key=lambda s: s.last_seen)
        for old in by_age[: len(state.sessions) - MAX_SESSIONS]:
            if old.session_id != caller:
                del state.sessions[old.session_id]
        changed = True
    return changed


def trim_costs(costs: list[tuple[float, float]], horizon: float) -> list[tuple[float, float]]:
    """Cost points after ``horizon`` (plus the one before it), at most ``MAX_COST_POINTS``.

    Returns ``costs`` itself when nothing changes. Past the cap the newest half stays exact
    and the older half is thinned, so spend over the last hour stays within a few percent.
    """
    first_kept = 0
    while first_kept + 1 < len(costs) and costs[first_kept + 1][0] <= horizon:
        first_kept += 1
    if not first_kept and len(costs) <= MAX_COST_POINTS:
        return costs
    kept = costs[first_kept:]
    if len(kept) > MAX_COST_POINTS:
        exact = MAX_COST_POINTS // 2
        kept = thin_by_time(kept[:-exact], MAX_COST_POINTS - exact) + kept[-exact:]
    return kept


def thin_by_time(points: list[tuple[float, float]], limit: int) -> list[tuple[float, float]]:
    """At most ``limit`` points spread evenly in time, keeping the first and last.

    For each of ``limit`` evenly spaced times the first point at or after it is kept. By
    time, not by index, so thinning an already thinned list again (every call does) keeps
    the old end of the span covered.
    """
    if len(points) <= limit or limit < 2:
        return points
    first = points[0][0]
    gap = (points[-1][0] - first) / (limit - 1)
    kept: list[tuple[float, float]] = []
    index = 0
    for k in range(limit):
        target = first + k * gap
        while index < len(points) - 1 and points[index][0] < target:
            index += 1
        if not kept or points[index] is not kept[-1]:
            kept.append(points[index])
    return kept


def thin(samples: list[tuple[float, float]], limit: int) -> list[tuple[float, float]]:
    """Return at most ``limit`` samples spread evenly, always keeping the first and last."""
    if len(samples) <= limit or limit < 2:
        return samples[-limit:] if limit > 0 else []
    step = (len(samples) - 1) / (limit - 1)
    return [samples[round(i * step)] for i in range(limit)]


# ---------------------------------------------------------------------------------------
# To and from JSON (tolerant on the way in: a bad entry is skipped, never fatal)


def to_json(state: State) -> dict[str, object]:
    """Return the store document for ``state`` (JSON-ready: dicts, lists, str, float)."""
    return {
        "schema_version": state.schema_version,
        "sessions": {sid: _session_json(s) for sid, s in state.sessions.items()},
        "windows": {
            name: None if w is None else _window_json(w) for name, w in state.windows.items()
        },
        "archive": {
            name: [
                {
                    "resets_at": a.resets_at,
                    "peak_pct": a.peak_pct,
                    "samples": _pairs_json(a.samples),
                }
                for a in windows
            ]
            for name, windows in state.archive.items()
        },
    }


def from_json(document: object) -> State:
    """Rebuild a ``State`` from a store document; anything malformed is left out.

    Raises ``ValueError`` only when the document is not a store at all (not an object, or
    no usable ``schema_version``), so the caller can quarantine it.
    """
    if not isinstance(document, dict):
        raise ValueError("store document is not a JSON object")
    version = document.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError("store document has no valid schema_version")
    state = State()
    state.schema_version = version
    sessions = document.get("sessions")
    if isinstance(sessions, dict):
        for sid, raw in sessions.items():
            session = _session_from(sid, raw)
            if session is not None:
                state.sessions[sid] = session
    windows = document.get("windows")
    archive = document.get("archive")
    for name in WINDOW_NAMES:
        if isinstance(windows, dict):
            state.windows[name] = _window_from(windows.get(name))
        if isinstance(archive, dict) and isinstance(archive.get(name), list):
            state.archive[name] = [
                a for a in map(_archived_from, archive[name]) if a is not None
            ][-ARCHIVED_WINDOWS[name]:]
    return state


def _pairs_json(pairs: list[tuple[float, float]]) -> list[list[float]]:
    return [[round(t, 3), p] for t, p in pairs]


def _pairs_from(value: object, limit: int) -> list[tuple[float, float]]:
    if not isinstance(value, list):
        return []
    pairs = []
    for item in value[-limit:]:
        if type(item) is list and len(item) == 2:
            t, v = item
            # The common case (two floats) without a function call per number: this loop
            # runs for every point in the store on every call.
            if type(t) is not float or type(v) is not float:
                t, v = number(t), number(v)
                if t is None or v is None:
                    continue
            elif not (isfinite(t) and isfinite(v)):
                continue
            pairs.append((t, v))
    return pairs


def _session_json(s: Session) -> dict[str, object]:
    return {
        "first_seen": s.first_seen,
        "last_seen": s.last_seen,
        "model": s.model,
        "project_dir": s.project_dir,
        "session_name": s.session_name,
        "agent_name": s.agent_name,
        "context_pct": s.context_pct,
        "costs": _pairs_json(s.costs),
        "reading": s.reading,
        "reading_changed_at": s.reading_changed_at,
    }


def _str_or_none(value: object) -> str | None:
    return value[:512] if isinstance(value, str) else None


def _session_from(sid: object, raw: object) -> Session | None:
    if not isinstance(raw, dict) or not isinstance(sid, str) or valid_session_id(sid) != sid:
        return None
    last_seen = number(raw.get("last_seen"))
    if last_seen is None:
        return None
    session = Session(sid, last_seen)
    session.first_seen = number(raw.get("first_seen")) or last_seen
    session.model = _str_or_none(raw.get("model"))
    session.project_dir = _str_or_none(raw.get("project_dir"))
    session.session_name = _str_or_none(raw.get("session_name"))
    session.agent_name = _str_or_none(raw.get("agent_name"))
    context = number(raw.get("context_pct"))
    session.context_pct = context if context is not None and 0 <= context <= 100 else None
    session.costs = _pairs_from(raw.get("costs"), MAX_COST_POINTS)
    reading = raw.get("reading")
    if isinstance(reading, list) and all(
        isinstance(row, list) and len(row) == 3 and isinstance(row[0], str) for row in reading
    ):
        session.reading = reading
    session.reading_changed_at = number(raw.get("reading_changed_at")) or last_seen
    return session


def _window_json(w: Window) -> dict[str, object]:
    return {
        "resets_at": w.resets_at,
        "used_pct": w.used_pct,
        "observed_at": w.observed_at,
        "observed_by": w.observed_by,
        "confirmed_at": w.confirmed_at,
        "rebased_at": w.rebased_at,
        "full_at": w.full_at,
        "pending": None if w.pending is None else list(w.pending),
        "warned": w.warned,
        "samples": _pairs_json(w.samples),
    }


def _window_from(raw: object) -> Window | None:
    if not isinstance(raw, dict):
        return None
    resets_at = number(raw.get("resets_at"))
    used = number(raw.get("used_pct"))
    observed_at = number(raw.get("observed_at"))
    by = raw.get("observed_by")
    if resets_at is None or used is None or observed_at is None or not 0 <= used <= 100:
        return None
    window = Window(resets_at, used, observed_at, by if isinstance(by, str) else "")
    window.confirmed_at = number(raw.get("confirmed_at")) or observed_at
    window.rebased_at = number(raw.get("rebased_at"))
    window.full_at = number(raw.get("full_at"))
    pending = raw.get("pending")
    if isinstance(pending, list) and len(pending) == 3:
        pct, since, pby = number(pending[0]), number(pending[1]), pending[2]
        if pct is not None and since is not None and isinstance(pby, str):
            window.pending = (pct, since, pby)
    samples = _pairs_from(raw.get("samples"), MAX_SAMPLES)
    window.samples = samples or [(observed_at, used)]
    window.warned = raw.get("warned") is True
    return window


def _archived_from(raw: object) -> ArchivedWindow | None:
    if not isinstance(raw, dict):
        return None
    resets_at, peak = number(raw.get("resets_at")), number(raw.get("peak_pct"))
    if resets_at is None or peak is None:
        return None
    return ArchivedWindow(resets_at, peak, _pairs_from(raw.get("samples"), ARCHIVE_SAMPLES))
