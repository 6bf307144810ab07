"""Recording one call: the merge rules that fold a session's view into the shared ``State``.

Pure: no files, clock or environment (``now`` is passed in). The rules are summarised in
the package docstring (``statusline.history``) and DESIGN section 3.
"""

from __future__ import annotations

from statusline.history.model import (
    ARCHIVE_SAMPLES,
    ARCHIVED_OTHER,
    ARCHIVED_WINDOWS,
    COST_HISTORY_S,
    MAX_SAMPLES,
    MAX_SESSIONS,
    MAX_SHELVED,
    PCT_ACCEPTED_MAX,
    REBASELINE_GRACE_S,
    SAME_WINDOW_S,
    SESSION_TTL_S,
    SNAPSHOT_REFRESH_S,
    SPEND_PCT_ACCEPTED_MAX,
    WINDOW_SECONDS,
    ArchivedWindow,
    Session,
    State,
    Window,
    thin,
    trim_costs,
    window_seconds,
)
from statusline.history.usage import fold_usage
from statusline.payload import SPEND_LIMIT, STDIN_WINDOWS, Payload, RawReading


def record(state: State, payload: Payload, now: float, host: str | None = None) -> bool:
    """Fold one call's payload into ``state`` (in place) and say whether it must be saved.

    ``host`` names the machine the call runs on; the session keeps it.

    The answer is True when the call brought something new (a session, a reading, a cost,
    a pooled value) or when this session's saved snapshot is older than
    ``SNAPSHOT_REFRESH_S``; a call that only repeats what the store knows returns False,
    so it never takes the lock. Calls without a ``session_id`` change nothing.
    """
    changed = _expire_windows(state, now)
    if payload.account is not None and (
        payload.account != state.account or payload.account_label != state.account_label
    ):
        state.account, state.account_label = payload.account, payload.account_label
        changed = True
    changed |= fold_usage(state, payload.usage_cache, payload.account, now)
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
    if host is not None and host != session.host:
        session.host = host
        changed = True
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
    # A reading that may tell another account's window from a replay: a fresh one, or,
    # when the client names no account (one store for all), a session's first.
    fresh = fresh and known
    switching = fresh or (not known and state.account is None)
    reasons = list(payload.rejected)
    if payload.rate_limits is not None and not session.is_frozen(now):
        for name in STDIN_WINDOWS:
            raw = payload.rate_limits.get(name)
            if raw is None:
                continue
            accepted = accept_reading(name, raw, now)
            if accepted is None:
                reasons.append(rejection(name, raw, now))
                continue
            changed |= _merge(state, name, accepted, session, fresh, now, switching)
            if name == SPEND_LIMIT:
                changed |= _money(state.windows.get(name), raw)
    changed |= _note_rejection(state, reasons, now)
    for window in state.windows.values():
        changed |= _settle_pending(window, now)
    changed |= _prune(state, session_id, now)
    return changed


def accept_reading(name: str, raw: RawReading, now: float) -> tuple[float, float] | None:
    """Return ``(pct, resets_at)`` if the reading is plausible at ``now``, else ``None``."""
    if rejection(name, raw, now):
        return None
    pct = raw.used_pct if name == SPEND_LIMIT else min(raw.used_pct, 100.0)
    return pct, float(int(raw.resets_at))


def rejection(name: str, raw: RawReading, now: float) -> str:
    """Why the reading is not plausible at ``now``; empty when it is."""
    pct, resets_at = raw.used_pct, raw.resets_at
    top = SPEND_PCT_ACCEPTED_MAX if name == SPEND_LIMIT else PCT_ACCEPTED_MAX
    if not 0 <= pct <= top:
        return f"{name}: used_percentage {pct:g} is out of range"
    if resets_at <= now:
        return f"{name}: resets_at {resets_at:.0f} is in the past"
    if resets_at > now + reach(name):
        return f"{name}: resets_at {resets_at:.0f} is further out than the window"
    return ""


def reach(name: str) -> float:
    """How far ahead a plausible ``resets_at`` of window ``name`` may lie."""
    return window_seconds(name) + 3600.0


def _note_rejection(state: State, reasons: list[str], now: float) -> bool:
    """Remember the latest rejected reading for doctor (saved when the reason changes)."""
    if not reasons:
        return False
    reason = reasons[0][:200]
    if (state.rejected is not None and state.rejected[1] == reason
            and now - state.rejected[0] < SNAPSHOT_REFRESH_S):
        return False
    state.rejected = (now, reason)
    return True


def _money(window: Window | None, raw: RawReading) -> bool:
    """Carry the spend limit's dollars and period onto its window (they come and go)."""
    if window is None:
        return False
    changed = False
    for attr in ("used_usd", "limit_usd", "period"):
        value = getattr(raw, attr)
        if value is not None and value != getattr(window, attr):
            setattr(window, attr, value)
            changed = True
    return changed


def _reading_rows(rate_limits: dict[str, RawReading] | None) -> list[list[object]] | None:
    if rate_limits is None:
        return None
    rows: list[list[object]] = []
    for name, r in sorted(rate_limits.items()):
        row: list[object] = [name, r.used_pct, r.resets_at]
        if r.used_usd is not None or r.limit_usd is not None or r.period is not None:
            row += [r.used_usd, r.limit_usd, r.period]
        rows.append(row)
    return rows


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
    state: State, name: str, reading: tuple[float, float], session: Session, fresh: bool,
    now: float, switching: bool = False,
) -> bool:
    pct, resets_at = reading
    window = state.windows.get(name)
    by = session.session_id
    if window is not None and window.resets_at > now + reach(name):
        # A stored window that resets further out than any real one (a store from a clock
        # far ahead, or a bad entry) would reject every plausible reading as "earlier":
        # the plausible reading replaces it, and it is not archived.
        window = state.windows[name] = None
    if window is not None and abs(resets_at - window.resets_at) > SAME_WINDOW_S:
        # One account never has two running windows of a kind (an ended one was expired
        # above): a reading of another still-running window is another account's, or a
        # replay. Only a reading that may tell them apart switches; the window in view is
        # set aside, so switching back finds it again.
        if not switching:
            return False
        _shelve(state, name, window, now)
        window = _unshelve(state, name, resets_at)
        state.windows[name] = window
    if window is None:
        state.windows[name] = Window(resets_at, pct, now, by)
        return True
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


def _shelve(state: State, name: str, window: Window, now: float) -> None:
    shelf = [w for w in state.shelved.get(name, []) if w.resets_at > now]
    shelf.append(window)
    state.shelved[name] = shelf[-MAX_SHELVED:]


def _unshelve(state: State, name: str, resets_at: float) -> Window | None:
    shelf = state.shelved.get(name, [])
    for index, window in enumerate(shelf):
        if abs(window.resets_at - resets_at) <= SAME_WINDOW_S:
            del shelf[index]
            return window
    return None


def _archive(state: State, name: str, window: Window) -> None:
    if name == "five_hour":
        state.rhythm.learn_window(window.resets_at, WINDOW_SECONDS[name], window.samples)
    peak = max(p for _, p in window.samples)
    archived = ArchivedWindow(window.resets_at, peak, thin(window.samples, ARCHIVE_SAMPLES))
    kept = state.archive.setdefault(name, [])
    kept.append(archived)
    del kept[: -ARCHIVED_WINDOWS.get(name, ARCHIVED_OTHER)]


def _expire_windows(state: State, now: float) -> bool:
    changed = False
    for name, window in state.windows.items():
        if window is not None and window.resets_at <= now:
            _archive(state, name, window)
            state.windows[name] = None
            changed = True
    for name, shelf in state.shelved.items():
        running = [w for w in shelf if w.resets_at > now]
        if len(running) != len(shelf):
            state.shelved[name] = running
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
