"""Stores and settings files for the command tests (owned by the commands' tests)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from statusline import files, history
from statusline.history import State
from statusline.payload import from_mapping

# The snapshot clock: the oauth-003 capture's moment (5h resets 1h15 later, 7d in 3d10h).
NOW = 1795519800.0
FIVE_HOUR_RESET = 1795524279
SEVEN_DAY_RESET = 1795817079
SESSIONS = (
    # id, model, project, context %, last active (seconds before NOW)
    ("a1b2c3d4-0000-4000-8000-000000000001", "Opus 5.5", "/home/dev/api-server", 43.0, 0),
    ("b2c3d4e5-0000-4000-8000-000000000002", "Sonnet 5.5", "/home/dev/web", 12.0, 240),
    ("c3d4e5f6-0000-4000-8000-000000000003", "Haiku 5", "/home/dev/docs", 71.0, 7200),
)


def payload(session: int, at: float, five: float | None, seven: float | None,
            cost: float, five_reset: float = FIVE_HOUR_RESET) -> dict[str, object]:
    """A payload of session number ``session`` with the given readings."""
    sid, model, project, ctx, _ = SESSIONS[session]
    doc: dict[str, object] = {
        "session_id": sid,
        "model": {"id": model.lower().replace(" ", "-"), "display_name": model},
        "workspace": {"current_dir": project, "project_dir": project},
        "cost": {"total_cost_usd": cost},
        "context_window": {"used_percentage": ctx},
        "version": "2.1.328",
    }
    limits: dict[str, object] = {}
    if five is not None:
        limits["five_hour"] = {"used_percentage": five, "resets_at": five_reset}
    if seven is not None:
        limits["seven_day"] = {"used_percentage": seven, "resets_at": SEVEN_DAY_RESET}
    if limits:
        doc["rate_limits"] = limits
    return doc


def day_of_readings(now: float = NOW) -> State:
    """Three sessions taking turns every 10 minutes over the last 24 hours.

    The 5-hour windows before the current one each climbed to about 60 %; the current one
    started 3h45 ago and stands near 62 %; the 7-day window climbs from 30 % to 41.5 %.
    Session three stopped two hours ago.
    """
    state = State()
    step = 600.0
    start = now - 86400.0
    costs = [0.0, 0.0, 0.0]
    t = start
    turn = 0
    calls = []
    while t < now - 300:
        active = [i for i, s in enumerate(SESSIONS) if t <= now - s[4] - 300]
        calls.append((t, active[turn % len(active)]))
        t += step
        turn += 1
    # Each session's last call is exactly when the table says it was last active.
    calls += sorted(((now - s[4], i) for i, s in enumerate(SESSIONS)), reverse=False)
    for t, session in sorted(calls):
        reset = FIVE_HOUR_RESET
        while reset - 5 * 3600 > t:
            reset -= 5 * 3600
        window_start = reset - 5 * 3600
        five = round(min((t - window_start) / 3600.0 * 16.5, 99.0), 1)
        seven = round(30.0 + (t - start) / 86400.0 * 11.5, 1)
        costs[session] += 0.05 + 0.02 * session
        doc = payload(session, t, five, seven, round(costs[session], 4), five_reset=reset)
        history.record(state, from_mapping(doc), t)
    return state


def write_store(state_dir: Path, state: State) -> Path:
    """Save ``state`` as the default profile's store in ``state_dir`` (0700 / 0600)."""
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(state_dir, 0o700)
    path = state_dir / "store.json"
    files.write_atomic(str(path), json.dumps(history.to_json(state)))
    return path
