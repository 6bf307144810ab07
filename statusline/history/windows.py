"""How one accepted reading moves a window: the per-window rules of the merge (pure).

A reading is checked (``accept_reading``), then folded into its window
(``merge_reading``): raised, confirmed, re-baselined after a drop, or starting a new window
when its reset moved on, the old one shelved (another account's) or archived (ended). No
files, clock or environment: ``now`` is passed in.
"""

from __future__ import annotations

from statusline.figures import number
from statusline.history.model import (
    ARCHIVE_SAMPLES,
    ARCHIVED_OTHER,
    ARCHIVED_WINDOWS,
    MAX_SAMPLES,
    MAX_SHELVED,
    PCT_ACCEPTED_MAX,
    REBASELINE_CONFIRM_S,
    REBASELINE_GRACE_S,
    SAME_WINDOW_S,
    SPEND_PCT_ACCEPTED_MAX,
    WINDOW_SECONDS,
    ArchivedWindow,
    Session,
    State,
    Window,
    thin,
    window_seconds,
)
from statusline.payload import SPEND_LIMIT, RawReading

# A confirmed drop of the 5h figure by less than this (a session's reading a point under the
# pool's) keeps the forecast's warning memory (``Window.warned``): it says nothing about
# whether the limit comes, and wiping it re-raised the warning from scratch minutes before
# the hits of held-out days (docs/forecast.md). A deeper drop (a real re-baseline), and any
# drop of another window, forgets it: the 7-day doubt is only skipped by a standing warning.
REBASE_KEEPS_WARNING_PCT = 5.0


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


def carry_money(window: Window | None, raw: RawReading) -> bool:
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


def merge_reading(
    state: State, name: str, reading: tuple[float, float], session: Session, fresh: bool,
    now: float, switching: bool = False, replied: bool = False,
) -> bool:
    """Fold one accepted reading of ``session`` into the window ``name``; True if changed.

    ``fresh``: the session's reading changed since its last call (a new reply's headers);
    ``replied``: a new reply came (fresh, or its cost rose) and can confirm the value.
    """
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
        state.windows[name] = window = Window(resets_at, pct, now, by)
        window.replayed = not fresh
        return True
    if pct > window.used_pct:
        if window.rebased_at is not None and session.reading_changed_at < window.rebased_at:
            return False  # a value from before the re-baseline, from a session idle since
        set_value(window, pct, now, by)
        window.replayed = not fresh
        return True
    if pct == window.used_pct:
        if not replied:
            return False  # a repeat of an old reply: no evidence the value still stands
        window.confirmed_at = now
        window.observed_at, window.observed_by = now, by
        window.pending = None
        window.replayed = False
        return True
    if not fresh:
        return False  # an older, lower value replayed by a session that is behind
    if window.pending is None:
        window.pending = (pct, now, by)
    elif now - window.pending[1] >= REBASELINE_CONFIRM_S:
        _rebase(window, pct, now, by, name)  # a later reply confirms the lower value
    return True


def settle_pending(window: Window | None, now: float, name: str) -> bool:
    """Accept a pending re-baseline of window ``name`` nobody contradicted within the grace
    period."""
    if window is None or window.pending is None:
        return False
    pct, since, by = window.pending
    if now - since < REBASELINE_GRACE_S:
        return False
    if window.confirmed_at > since:
        # Someone live kept reporting the higher value after the lower one came in.
        window.pending = None
    else:
        _rebase(window, pct, now, by, name)
    return True


def set_value(window: Window, pct: float, now: float, by: str) -> None:
    window.used_pct = pct
    window.observed_at, window.observed_by, window.confirmed_at = now, by, now
    window.pending = None
    window.replayed = False
    if pct >= 100 and window.full_at is None:
        window.full_at = now
    window.samples.append((now, pct))
    if len(window.samples) > MAX_SAMPLES:
        window.samples = thin(window.samples, MAX_SAMPLES * 3 // 4)


def _rebase(window: Window, pct: float, now: float, by: str, name: str) -> None:
    window.rebased_at = now
    window.full_at = None
    if name != "five_hour" or window.used_pct - pct >= REBASE_KEEPS_WARNING_PCT:
        window.warned = False
    set_value(window, pct, now, by)


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
    archived = ArchivedWindow(window.resets_at, peak, thin(window.samples, ARCHIVE_SAMPLES),
                              limit_noticed(state, name, window.resets_at))
    kept = state.archive.setdefault(name, [])
    kept.append(archived)
    del kept[: -ARCHIVED_WINDOWS.get(name, ARCHIVED_OTHER)]


def limit_noticed(state: State, name: str, resets_at: float) -> bool:
    """Whether the hook's claims (``State.notices``) say it announced the limit of window
    ``name`` resetting at ``resets_at``."""
    claims = state.notices.get(name)
    if not isinstance(claims, dict) or claims.get("limit") is not True:
        return False
    made_for = number(claims.get("resets_at"))
    return made_for is not None and abs(made_for - resets_at) < SAME_WINDOW_S


def expire_windows(state: State, now: float) -> bool:
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
