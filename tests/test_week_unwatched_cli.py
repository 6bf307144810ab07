"""Done when: an account first seen at a weekend gets no 7-day warning from the weekdays it
was never seen on, and ``explain`` says so; a week first seen well used still warns.

Through the real entry point with ``STATUSLINE_NOW`` and ``TZ`` (seven_day.unwatched_hours).
"""

from __future__ import annotations

import calendar
import json
from pathlib import Path

from statusline import call
from statusline.history import State
from statusline.payload import from_mapping
from tests.conftest import run_cli
from tests.helpers_cli import write_store

HOUR = 3600.0
SATURDAY = float(calendar.timegm((2026, 9, 12, 0, 0, 0)))
WEEK_START = SATURDAY + 8 * HOUR
ENV = {"TZ": "UTC0", "COLUMNS": "200", "NO_COLOR": "1"}
SID = "11111111-2222-4333-8444-555555555555"


def reading(t: float, five: float, five_resets: float, week: float) -> dict[str, object]:
    return {
        "session_id": SID,
        "model": {"id": "claude-opus-5-5", "display_name": "Opus 5.5"},
        "workspace": {"current_dir": "/home/wk/app", "project_dir": "/home/wk/app"},
        "cost": {"total_cost_usd": round((t - WEEK_START) / HOUR, 3)},
        "rate_limits": {
            "five_hour": {"used_percentage": round(five, 1), "resets_at": int(five_resets)},
            "seven_day": {"used_percentage": round(week, 1),
                          "resets_at": int(WEEK_START + 7 * 86400)},
        },
    }


def weekend_store(first_week_pct: float) -> tuple[State, dict[str, object], float]:
    """Saturday 08:00-23:00 and Sunday 08:00-12:00 of steady work (12 %/h of the 5h window,
    three windows a Saturday), the week rising from ``first_week_pct`` to 40 %: the store,
    the last payload and its time."""
    state = State()
    spans = [(SATURDAY + 8 * HOUR, SATURDAY + 23 * HOUR), (SATURDAY + 32 * HOUR,
                                                           SATURDAY + 36 * HOUR)]
    active = sum(end - start for start, end in spans)
    worked, doc, t = 0.0, None, 0.0
    for start, end in spans:
        t = start
        while t <= end:
            opened = start + ((t - start) // (5 * HOUR)) * 5 * HOUR
            week = first_week_pct + (40.0 - first_week_pct) * (worked + t - start) / active
            doc = reading(t, 12.0 * (t - opened) / HOUR, opened + 5 * HOUR, week)
            call.advance(state, from_mapping(doc), t, 0.0)
            t += 600.0
        worked += end - start
    assert doc is not None
    return state, doc, t - 600.0


def run_at(state: State, doc: dict[str, object], now: float, state_dir: Path,
           tmp_path: Path) -> tuple[str, dict[str, object], str]:
    """The line, the 7d window of ``inspect --json`` and ``explain``'s text at ``now``."""
    write_store(state_dir, state)
    env = {**ENV, "STATUSLINE_NOW": repr(now)}
    line = run_cli(doc, env=env).stdout.strip()
    week = json.loads(run_cli(None, "inspect", "--json", env=env).stdout)["windows"]["seven_day"]
    payload_file = tmp_path / "payload.json"
    payload_file.write_text(json.dumps(doc))
    explained = run_cli(None, "explain", str(payload_file), env=env).stdout
    return line, week, explained


def test_a_weekend_account_gets_no_warning_from_weekdays_never_seen(
        isolated_env: Path, tmp_path: Path) -> None:
    state, doc, now = weekend_store(0.0)
    line, week, explained = run_at(state, doc, now + 60, isolated_env / "state", tmp_path)
    assert week["projected_pct_at_reset"] > 100.0
    assert not week["limit_before_reset"], line
    assert "7-day forecast" in explained and "not been seen on yet" in explained, explained


def test_a_week_first_seen_well_used_still_warns(isolated_env: Path, tmp_path: Path) -> None:
    state, doc, now = weekend_store(30.0)
    line, week, explained = run_at(state, doc, now + 60, isolated_env / "state", tmp_path)
    assert week["limit_before_reset"], line
    assert "not been seen on yet" not in explained
