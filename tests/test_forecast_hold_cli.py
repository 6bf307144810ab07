"""A raised 5h warning near the reset, through the real entry point: a pause puts the pace's
ETA minutes past the reset, the warning holds (forecast.window.held), and what the line and
``inspect`` show stays true: the limit by the reset, never a limit after it."""

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
START = float(calendar.timegm((2026, 9, 8, 10, 0, 0)))  # a Tuesday, 10:00 UTC
RESETS_AT = int(START + 5 * HOUR)  # 15:00 UTC
PACE = 22.0  # %/h for 3h45, then a pause at 82.5 %
PAUSE_FROM = START + 3.75 * HOUR
NOW = START + 4.25 * HOUR  # 14:15, 45 minutes before the reset
ENV = {"TZ": "UTC0", "STATUSLINE_NOW": repr(NOW), "COLUMNS": "200", "NO_COLOR": "1"}


def reading(t: float, cost: float) -> dict[str, object]:
    pct = PACE * (min(t, PAUSE_FROM) - START) / HOUR
    return {
        "session_id": "00000000-0000-4000-8000-000000000001",
        "model": {"id": "claude-opus-5-5", "display_name": "Opus 5.5"},
        "workspace": {"current_dir": "/home/dev/app", "project_dir": "/home/dev/app"},
        "cost": {"total_cost_usd": round(cost, 3)},
        "rate_limits": {"five_hour": {"used_percentage": round(pct, 1),
                                      "resets_at": RESETS_AT}},
    }


def paused_store() -> tuple[State, float]:
    """Readings every 5 minutes up to 14:10 (the warning rose early and stands), and the
    cost the next reading carries."""
    state, cost, t = State(), 0.0, START + 300.0
    while t < NOW:
        cost += 0.2 if t <= PAUSE_FROM else 0.0
        call.advance(state, from_mapping(reading(t, cost)), t, 0.0)
        t += 300.0
    return state, cost


def test_a_warning_held_past_its_pace_shows_the_limit_by_the_reset(isolated_env: Path) -> None:
    state, cost = paused_store()
    window = state.windows["five_hour"]
    assert window is not None and window.warned
    write_store(isolated_env / "state", state)
    line = run_cli(reading(NOW, cost), env=ENV).stdout.strip()
    five = json.loads(run_cli(None, "inspect", "--json", env=ENV).stdout)["windows"]["five_hour"]
    # The pace seen now ends the window short of 100 % and its ETA past the reset ...
    assert 90.0 < five["projected_pct_at_reset"] < 100.0
    assert five["pace_pct_per_hour"] * 0.75 + five["used_percentage"] < 100.0
    # ... the warning holds, with the reset as the latest time the limit can come.
    assert five["limit_before_reset"] and five["eta_limit_at"] == RESETS_AT
    assert "→ limit 15:00 (45m)" in line, line
    words = run_cli(None, "inspect", env=ENV).stdout
    assert "→ limit by the reset, 15:00 (in 45m)" in words and "the warning holds" in words, words
