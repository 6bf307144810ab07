"""Done when: a store that has seen ten nights of a night owl knows when this person stops.

Through the real entry point with ``STATUSLINE_NOW`` and ``TZ``: ``inspect`` shows the learned
rhythm; a burst at the hour this person usually stops does not warn (the same store without
its rhythm does); a night heading to the limit still warns.
"""

from __future__ import annotations

import json
from pathlib import Path

from statusline import call
from statusline.history import State
from statusline.payload import from_mapping
from tests.conftest import run_cli
from tests.helpers_cli import write_store

HOUR = 3600.0
MONDAY_LOCAL = 1790553600.0 + 5 * HOUR  # 2026-09-28 00:00 in EST5 (UTC-5)
ZONE = {"TZ": "EST5"}
OFFSET = -5 * HOUR


def reading(sid: str, t: float, pct: float, resets_at: float, cost: float) -> dict[str, object]:
    return {
        "session_id": sid,
        "model": {"id": "claude-opus-5-5", "display_name": "Opus 5.5"},
        "workspace": {"current_dir": "/home/owl/app", "project_dir": "/home/owl/app"},
        "cost": {"total_cost_usd": round(cost, 3)},
        "rate_limits": {"five_hour": {"used_percentage": round(pct, 1), "resets_at": resets_at}},
    }


def night(state: State, day: int, start_h: float, end_h: float, pace: float,
          first_pct: float = 0.0, opened_h: float | None = None) -> float:
    """Feed one session's readings every 5 minutes from ``start_h`` to ``end_h`` (local hours
    of ``day``) at ``pace`` %/h in a window that opened at ``opened_h`` (default
    ``start_h``); the last moment."""
    start = MONDAY_LOCAL + day * 86400 + start_h * HOUR
    opened = start if opened_h is None else MONDAY_LOCAL + day * 86400 + opened_h * HOUR
    resets_at = int(opened + 5 * HOUR)
    sid = f"0000000{day}-0000-4000-8000-{int(start_h * 100):012d}"
    t, pct, cost = start, first_pct, 0.0
    while t <= MONDAY_LOCAL + day * 86400 + end_h * HOUR:
        cost += 0.2
        call.advance(state, from_mapping(reading(sid, t, min(pct, 100.0), resets_at, cost)),
                        t, OFFSET)
        t += 300.0
        pct += pace * 300.0 / HOUR
    return t - 300.0


def owl_store() -> State:
    """Ten nights of work from 21:00 to 02:00 at 12 %/h: windows end near 60 %."""
    state = State()
    for day in range(10):
        night(state, day, 21.0, 26.0, 12.0)
    return state


def line_and_forecast(state: State, state_dir: Path, now: float) -> tuple[str, dict[str, object]]:
    """The line for a last reading at ``now`` and the 5h forecast ``inspect --json`` gives."""
    doc = last_doc(state, now)
    write_store(state_dir, state)
    env = {**ZONE, "STATUSLINE_NOW": repr(now), "COLUMNS": "200", "NO_COLOR": "1"}
    line = run_cli(doc, env=env).stdout.strip()
    inspected = json.loads(run_cli(None, "inspect", "--json", env=env).stdout)
    return line, inspected["windows"]["five_hour"]


def last_doc(state: State, now: float) -> dict[str, object]:
    window = state.windows["five_hour"]
    assert window is not None
    session = max(state.sessions.values(), key=lambda s: s.last_seen)
    return reading(session.session_id, now, window.used_pct, int(window.resets_at),
                   (session.cost_usd or 0.0) + 0.2)


def test_inspect_shows_the_learned_rhythm(isolated_env: Path) -> None:
    state = owl_store()
    now = MONDAY_LOCAL + 10 * 86400 + 12 * HOUR
    write_store(isolated_env / "state", state)
    env = {**ZONE, "STATUSLINE_NOW": repr(now), "COLUMNS": "100", "NO_COLOR": "1"}
    text = run_cli(None, "inspect", "--ascii", env=env).stdout
    assert "days learned" in text
    rows = [line for line in text.splitlines() if line.strip()[:3] in ("Mon", "Thu")]
    assert len(rows) == 2
    for row in rows:
        cells = row.split("|")[1]
        assert len(cells) == 24
        assert set(cells[21:24]) <= {"*", "#"}  # the nights are the busiest hours
        assert set(cells[8:18]) == {" "}  # nobody works in the day
    data = json.loads(run_cli(None, "inspect", "--json", env=env).stdout)["rhythm"]
    assert 7.0 < data["days"] < 10.0


def test_a_burst_at_the_hour_this_person_stops_does_not_warn(isolated_env: Path) -> None:
    state = owl_store()
    # Night eleven starts late, at 23:00 (the window resets at 04:00), and a second session
    # bursts at 40 %/h from 00:30 to 01:30.
    now = night(state, 10, 23.0, 24.5, 6.0)
    now = night(state, 10, 24.5, 25.5, 40.0, first_pct=state.windows["five_hour"].used_pct,
                opened_h=23.0)
    line, forecast = line_and_forecast(state, isolated_env / "state", now + 60)
    assert not forecast["limit_before_reset"], line
    assert "limit" not in line
    # Without the rhythm the same readings warn: the office-day prior sees a night owl's
    # 01:30 as off-hours where anyone still working goes on at this pace.
    state.rhythm = type(state.rhythm)()
    line, forecast = line_and_forecast(state, isolated_env / "state", now + 60)
    assert forecast["limit_before_reset"], line


def test_a_night_heading_to_the_limit_still_warns(isolated_env: Path) -> None:
    state = owl_store()
    now = night(state, 10, 21.0, 22.5, 30.0)
    line, forecast = line_and_forecast(state, isolated_env / "state", now + 60)
    assert forecast["limit_before_reset"], line
    assert "limit" in line


def test_explain_says_the_rhythm_held_back_the_warning(isolated_env: Path, tmp_path: Path) -> None:
    state = owl_store()
    now = night(state, 10, 23.0, 24.5, 6.0)
    now = night(state, 10, 24.5, 25.5, 40.0, first_pct=state.windows["five_hour"].used_pct,
                opened_h=23.0)
    write_store(isolated_env / "state", state)
    payload_file = tmp_path / "payload.json"
    payload_file.write_text(json.dumps(last_doc(state, now + 60)))
    env = {**ZONE, "STATUSLINE_NOW": repr(now + 60), "COLUMNS": "200", "NO_COLOR": "1"}
    text = run_cli(None, "explain", str(payload_file), env=env).stdout
    assert "5-hour forecast: leans on this account's rhythm" in text
    assert "holds back a warning the prior would give" in text
