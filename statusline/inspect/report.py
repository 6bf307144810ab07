"""The store as data for people and scripts: what ``statusline inspect`` shows (pure).

``snapshot`` returns the stable JSON contract of ``inspect --json`` (DESIGN section 6 and
the forecast benchmark's contract); the plain-text report is drawn from the same dict.
"""

from __future__ import annotations

from statusline.forecast import Projection, WindowForecast
from statusline.forecast.what_if import IfPaused, if_paused, pause_hint
from statusline.history import State, week
from statusline.history.rhythm import PRIOR_DAYS, local_rates
from statusline.inspect.report_limits import limits_json
from statusline.line.formatting import implied_rate
from statusline.line.names import session_names
from statusline.payload import SPEND_LIMIT, WINDOW_NAMES
from statusline.sanitize import clean


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def window_json(w: WindowForecast, now: float) -> dict[str, object]:
    """One window of the contract.

    ``burn_rate_pct_per_hour`` is the rate the outlook implies (``segments.implied_rate``:
    room left over the time to ``eta_limit_at`` when the limit comes first, else the rise to
    ``projected_pct_at_reset`` over the time to the reset), so it divides into the ETA;
    ``pace_pct_per_hour`` is the forecast's momentary pace, which need not.
    """
    return {
        "used_percentage": w.used_pct,
        "resets_at": int(w.resets_at),
        "burn_rate_pct_per_hour": _round(implied_rate(w, now), 4),
        "pace_pct_per_hour": _round(w.rate_pct_per_hour, 4),
        "eta_limit_at": _round(w.eta_limit_at, 3),
        "limit_before_reset": w.limit_before_reset,
        "hit_probability": _round(w.hit_odds, 3),
        "projected_pct_at_reset": _round(w.projected_pct_at_reset, 2),
        "observed_at": _round(w.observed_at, 3),
        # Any string can sit in a hand-edited or damaged store: never print it raw.
        "observed_by": clean(w.observed_by, 64) or None,
        "thin": w.thin,
    }


def snapshot(
    state: State,
    projection: Projection,
    now: float,
    profile: str,
    store_path: str | None,
    store_status: str,
    account_source: str | None = None,
    utc_offset: float = 0.0,
    shared: dict[str, object] | None = None,
) -> dict[str, object]:
    """The whole ``inspect --json`` document for ``state`` at ``now``.

    Keys are always present; values the store cannot know yet are null. Strings that came
    from payloads are sanitised, so the JSON is safe to print too. ``shared`` describes a
    shared backend (``kind``, ``location`` without credentials, ``problem``) when one is
    configured; ``store.path`` is then this machine's copy.
    """
    live = {s.session_id for s in state.live_sessions(now)}
    known_as = session_names(state.sessions.values())
    outcomes = if_paused(state, projection, now)
    hint = pause_hint(state, projection, now, outcomes)
    sessions = []
    for session in sorted(state.sessions.values(), key=lambda s: s.last_seen, reverse=True):
        sessions.append(
            {
                "session_id": clean(session.session_id, 128),
                "name": known_as[session.session_id],
                "share": _round(projection.shares.get(session.session_id, 0.0), 4),
                "context_pct": session.context_pct,
                "model": clean(session.model, 60) if session.model else None,
                "project_dir": clean(session.project_dir, 200) if session.project_dir else None,
                "session_name": clean(session.session_name, 60) if session.session_name else None,
                "host": clean(session.host, 64) if session.host else None,
                "first_seen": _round(session.first_seen, 3),
                "last_seen": _round(session.last_seen, 3),
                "live": session.session_id in live,
                "frozen": session.is_frozen(now),
                "cost_usd": session.cost_usd,
                "if_paused": _if_paused_json(outcomes.get(session.session_id)),
            }
        )
    windows: dict[str, object] = {}
    for name in WINDOW_NAMES:
        forecast = projection.windows.get(name)
        windows[name] = None if forecast is None else window_json(forecast, now)
    history: dict[str, list[list[float]]] = {}
    for name in (*WINDOW_NAMES, SPEND_LIMIT):
        window = state.windows.get(name)
        history[name] = [] if window is None else [[round(t, 3), v] for t, v in window.samples]
    limits = limits_json(state, projection, now, lambda w: window_json(w, now), account_source)
    windows[SPEND_LIMIT] = limits.pop("spend_limit")
    return {
        "now": now,
        "profile": profile,
        "store": {
            "path": store_path,
            "status": store_status,
            "schema_version": state.schema_version,
            "shared": shared,
        },
        "hosts": sorted({clean(s.host, 64) for s in state.sessions.values() if s.host}),
        "windows": windows,
        "binding_window": projection.binding_window,
        "ended_windows": sorted(projection.ended),
        "sessions": sessions,
        "live_sessions": len(live),
        "cost": {"usd_per_hour": _round(projection.usd_per_hour, 4)},
        "history": history,
        **limits,
        "rhythm": rhythm_json(state, utc_offset),
        "pause_hint": None if hint is None else {
            "session_id": clean(hint.session_id, 128),
            "name": known_as.get(hint.session_id, "?"),
            "window": hint.window,
            "share": round(hint.share, 4),
            "lasts_to_reset": hint.lasts_to_reset,
            "eta_limit_at": _round(hint.eta_limit_at, 3),
            "eta_limit_at_now": round(hint.eta_now, 3),
            "resets_at": int(hint.resets_at),
            "tracked_fraction": round(hint.tracked, 4),
        },
        "week": week_json(state, now, utc_offset),
        "limit_notices": limit_notices_json(state),
    }


def limit_notices_json(state: State) -> dict[str, dict[str, int]]:
    """The account's record of limit notices, per window the store keeps ended ones of:
    how many ended windows it keeps, of those how many had their limit announced by the
    hook, and how many of the announced ones did reach 100 %."""
    record: dict[str, dict[str, int]] = {}
    for name, ended in state.archive.items():
        if not ended:
            continue
        announced = [kept for kept in ended if kept.limit_noticed]
        record[name] = {"ended_windows": len(ended), "announced": len(announced),
                        "reached": sum(kept.peak_pct >= 100.0 for kept in announced)}
    return record


def _if_paused_json(outcome: IfPaused | None) -> dict[str, object] | None:
    """What pausing one live session would do to the binding window (None: nothing binds,
    or the session is gone)."""
    if outcome is None:
        return None
    return {"window": outcome.window, "share": round(outcome.share, 4),
            "eta_limit_at": _round(outcome.eta_limit_at, 3),
            "limit_before_reset": outcome.limit_before_reset,
            "pace_pct_per_hour": _round(outcome.rate_pct_per_hour, 4)}


def week_json(state: State, now: float, utc_offset: float) -> dict[str, object]:
    """Where the running 7-day window went (``history.week.summary``), names cleaned as the
    line gives them; two folders that clean to one name are one project."""
    data = week.summary(state, now, utc_offset)
    projects: dict[str, dict[str, float]] = {}
    raw = data["projects"]
    assert isinstance(raw, list)
    for entry in raw:
        name = clean(entry["name"], 20) or "?"
        merged = projects.setdefault(name, {"usd": 0.0, "share": 0.0})
        merged["usd"] += entry["usd"]
        merged["share"] += entry["share"]
    data["projects"] = [{"name": name, "share": round(v["share"], 4), "usd": round(v["usd"], 4)}
                        for name, v in projects.items()]
    days = data["days"]
    assert isinstance(days, list)
    for day in days:
        cleaned: dict[str, float] = {}
        for name, usd in day["by_project"].items():
            key = clean(name, 20) or "?"
            cleaned[key] = round(cleaned.get(key, 0.0) + usd, 4)
        day["by_project"] = cleaned
    return data


def rhythm_json(state: State, utc_offset: float) -> dict[str, object]:
    """The account's learned rhythm: days it rests on, its weight against the prior, how
    many recent windows (decayed) ended and filled, and %/h by local hour of the week
    (``hourly``: Monday 00:00 first, 168 values, null where never watched)."""
    rhythm = state.rhythm
    days = rhythm.days
    return {
        "days": round(days, 2),
        "weight": round(days / (days + PRIOR_DAYS), 3),
        "windows": round(rhythm.windows, 2),
        "filled": round(rhythm.filled, 2),
        "hourly": [None if r is None else round(r, 3) for r in local_rates(rhythm, utc_offset)],
    }
