"""Recording one call: the merge rules that fold a session's view into the shared ``State``.

Pure: no files, clock or environment (``now`` is passed in). The rules are summarised in
the package docstring (``statusline.history``) and DESIGN section 3.
"""

from __future__ import annotations

from statusline.history.liveness import SNAPSHOT_REFRESH_S
from statusline.history.model import (
    COST_HISTORY_S,
    MAX_SESSIONS,
    SAME_WINDOW_S,
    SESSION_TTL_S,
    Session,
    State,
    Window,
    trim_costs,
)
from statusline.history.usage import fold_usage
from statusline.history.week import add_spend, prune_spend
from statusline.history.windows import (
    accept_reading,
    carry_money,
    expire_windows,
    merge_reading,
    rejection,
    set_value,
    settle_pending,
)
from statusline.payload import SPEND_LIMIT, STDIN_WINDOWS, Payload, RawReading, valid_session_id


def record(state: State, payload: Payload, now: float, host: str | None = None,
           beat_s: float = SNAPSHOT_REFRESH_S) -> bool:
    """Fold one call's payload into ``state`` (in place) and say whether it must be saved.

    ``host`` names the machine the call runs on; the session keeps it.

    The answer is True when the call brought something new (a session, a reading, a cost,
    a pooled value) or when this session's saved snapshot is older than ``beat_s`` (the
    "still here" stamp: ``SNAPSHOT_REFRESH_S``, or ``PROCESS_BEAT_S`` for a session judged
    by its running process); a call that only repeats what the store knows returns False,
    so it never takes the lock. A call without a usable ``session_id`` still shows its own
    readings: they enter ``state`` as replays (they may raise the pool, never lower it), but
    no session is recorded, and the caller must not save such a call.
    """
    changed = expire_windows(state, now)
    if payload.account is not None and (
        payload.account != state.account or payload.account_label != state.account_label
    ):
        state.account, state.account_label = payload.account, payload.account_label
        changed = True
    changed |= fold_usage(state, payload.usage_cache, payload.account, now)
    key = session_key(state, payload, now)
    if key is None:
        return _merge_unkeyed(state, payload, now) or changed
    session = state.sessions.get(key)
    # A session's first call from a process may replay a reply of any age (statusline
    # installed mid-session, a resumed session): it may raise the pool but never lower it.
    known = session is not None and (session.pid is None or session.pid == payload.pid)
    if session is None:
        session = Session(key, now)
        state.sessions[key] = session
        changed = True
    elif not known:
        # The id's previous process is gone and this one took it over: its own cost starts
        # here (its total may be lower than the old process's last), its reading is new.
        session.costs = []
        session.idle_gaps = []
        changed = True
    since_saved = now - session.last_seen
    if since_saved >= beat_s or session.last_seen > now:
        changed = True
    session.last_seen = now
    if host is not None and host != session.host:
        session.host = host
        changed = True
    if payload.pid is not None:
        session.pid = payload.pid
    cost_before = session.cost_usd
    news = _update_snapshot(session, payload, now)
    changed |= news

    reading = _reading_rows(payload.rate_limits)
    fresh = reading != session.reading
    if fresh:
        session.reading = reading
        session.reading_changed_at = now
        changed = True
    elif known and not news and since_saved >= beat_s:
        # Nothing new, saved only to say "still here": a refreshInterval tick's beat.
        session.note_idle_gap(since_saved)
    # Only a reading seen to change came from a new API response; a rise in cost with the
    # same reading is a new reply that confirms it (it can confirm, never lower).
    cost_after = session.cost_usd
    if known and cost_before is not None and cost_after is not None:
        # Against the cost this document holds: a call applied again adds nothing.
        add_spend(state, session, cost_after - cost_before, now)
    replied = known and (fresh or (cost_before is not None and cost_after is not None
                                   and cost_after > cost_before))
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
            changed |= merge_reading(state, name, accepted, session, fresh, now, switching, replied)
            if name == SPEND_LIMIT:
                changed |= carry_money(state.windows.get(name), raw)
    changed |= _note_rejection(state, reasons, now)
    for name, window in state.windows.items():
        changed |= settle_pending(window, now, name)
    changed |= _prune(state, key, now)
    return changed


def session_key(state: State, payload: Payload, now: float) -> str | None:
    """The key this call's session has in ``state.sessions`` (None: it cannot be keyed).

    Normally the session id. Two Claude Code processes can share one id (``claude
    --continue`` in two terminals): each has its own cost total and its own last reply, and
    mixing them under one key made the pooled $/h jump between wrong values. When the id
    belongs to another live process (``payload.pid``, from ``CLAUDE_PID``), this process
    gets ``<id>.<pid>``; a process whose id's owner is gone takes the plain id over.
    """
    sid = payload.session_id
    if sid is None or payload.pid is None:
        return sid
    own = f"{sid}.{payload.pid}"
    if own in state.sessions:
        return own
    owner = state.sessions.get(sid)
    if (owner is None or owner.pid is None or owner.pid == payload.pid
            or not state.is_live(owner, now) or valid_session_id(own) != own):
        return sid
    return own


def _merge_unkeyed(state: State, payload: Payload, now: float) -> bool:
    """Fold the readings of a call that has no session key: as replays, never lowering."""
    if payload.rate_limits is None:
        return False
    changed = False
    for name in STDIN_WINDOWS:
        raw = payload.rate_limits.get(name)
        accepted = None if raw is None else accept_reading(name, raw, now)
        if accepted is None:
            continue
        pct, resets_at = accepted
        window = state.windows.get(name)
        if window is None:
            state.windows[name] = window = Window(resets_at, pct, now, "")
            window.replayed = True
            changed = True
        elif abs(resets_at - window.resets_at) <= SAME_WINDOW_S and pct > window.used_pct:
            set_value(window, pct, now, "")
            window.replayed = True
            changed = True
    return changed


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


def _prune(state: State, caller: str, now: float) -> bool:
    """Drop old cost points and long-gone sessions; bounded work, bounded store."""
    changed = False
    horizon = now - COST_HISTORY_S
    for session in state.sessions.values():  # idle sessions too: the store stays small
        trimmed = trim_costs(session.costs, horizon)
        if trimmed is not session.costs:
            session.costs = trimmed
            changed = True
    changed |= prune_spend(state, now)
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
