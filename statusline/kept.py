"""What a status-line call keeps while the shared store is out of reach, and its replay.

The outbox (``store.outbox``) holds each such call's payload as received, its clock and
host, and a summary its compaction compares (``kept_summary``); ``replay`` folds one kept
call into the shared state through the same merge as the call itself. The hook's kept
claims go through here too (``notice.merge_claims``).
"""

from __future__ import annotations

from statusline import history
from statusline.payload import Payload, parse


def replay(state: history.State, kept: dict[str, object]) -> bool:
    """Fold a call kept while the shared store was out of reach into ``state``.

    The same merge as the call itself (``history.record``), at the call's own clock; the
    forecast's memory is left to the live call that saves with it (replaying thousands of
    kept calls must cost little each). A kept call whose session the state already shows
    at that moment or later is skipped: it arrived before (a send that timed out after the
    server took it), and folding it in again would put old points after new ones. A kept
    reading of a window that has ended since only raises the archive's memory of it
    (``history.late``), and a kept notice claim joins the account's (``notice.merge``).
    """
    claims = kept.get("notices")
    if isinstance(claims, dict):
        from statusline import notice

        return notice.merge_claims(state, claims)
    now, text, host = kept.get("now"), kept.get("payload"), kept.get("host")
    if not isinstance(now, float) or not isinstance(text, str):
        return False
    payload = parse(text.encode("utf-8", "replace"))
    # The account came from the client's config at the time, not from stdin (the usage
    # cache is left out: the next live call folds the fresh one).
    account, label = kept.get("account"), kept.get("account_label")
    payload.account = account if isinstance(account, str) else None
    payload.account_label = label if isinstance(label, str) else None
    session = state.sessions.get(payload.session_id) if payload.session_id else None
    if session is not None and session.last_seen >= now:
        return False
    changed = _late_readings(state, payload, now)
    changed = history.record(state, payload, now, host if isinstance(host, str) else None) \
        or changed
    # Another machine may have saved later readings meanwhile: a kept reading that raised a
    # window went in at its own, earlier time; the forecast reads the series in time order.
    # Only the newest point can be out of place (the series was in order before).
    for window in state.windows.values():
        if window is not None and len(window.samples) > 1 and \
                window.samples[-1][0] < window.samples[-2][0]:
            window.samples.sort(key=lambda sample: sample[0])
    return changed


def _late_readings(state: history.State, payload: Payload, now: float) -> bool:
    """Take out of ``payload`` the readings of windows that ended since; fold them late."""
    if not payload.rate_limits:
        return False
    from statusline.history import late

    changed = False
    for name, reading in list(payload.rate_limits.items()):
        if late.is_late(state, name, reading.resets_at):
            del payload.rate_limits[name]
            changed = late.fold_late(state, name, min(reading.used_pct, 100.0),
                                     float(int(reading.resets_at)), now) or changed
    return changed


def kept_summary(payload: Payload) -> dict[str, object]:
    """What the outbox's compaction compares of a kept call (``outbox.compact``): its
    session, cost and readings, so it never has to parse the payload again."""
    limits: dict[str, list[object]] = {}
    for name, r in (payload.rate_limits or {}).items():
        limits[name] = [r.used_pct, r.resets_at, r.used_usd, r.limit_usd, r.period]
    return {"sid": payload.session_id, "cost": payload.cost_usd, "limits": limits}
