"""The line at every width, through the real entry point: fitted by importance.

A store whose 7-day window binds first (88 %, two sessions, limit in a few hours) and whose
5-hour window resets first; the line is rendered at the widths people use and below.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from statusline import history
from statusline.history import State
from statusline.payload import from_mapping
from tests.conftest import run_cli
from tests.helpers_cli import write_store

SGR = re.compile(r"\x1b\[[0-9;]*m")
NOW = 1795519800.0
SESSIONS = ("a1b2c3d4-0000-4000-8000-000000000001", "b2c3d4e5-0000-4000-8000-000000000002")
ROW_MARGIN = 4  # Claude Code's row is 4 cells narrower than the terminal


def seven_day_binding_payload(k: int) -> dict[str, object]:
    """Call ``k`` of 25, five minutes apart, the last at NOW: 7d 84 → 88 %, 5h 20 → 30 %."""
    t = NOW - 7200 + k * 300
    return {
        "session_id": SESSIONS[k % 2],
        "model": {"id": "opus-5-5", "display_name": "Opus 5.5"},
        "workspace": {"project_dir": "/home/dev/" + ("api-server" if k % 2 else "web")},
        "cost": {"total_cost_usd": 0.5 * k},
        "context_window": {"used_percentage": 12},
        "rate_limits": {
            "five_hour": {"used_percentage": round(20 + (t - NOW + 7200) / 3600 * 5, 1),
                          "resets_at": NOW + 7200},
            "seven_day": {"used_percentage": round(84 + (t - NOW + 7200) / 3600 * 2, 1),
                          "resets_at": NOW + 3 * 86400},
        },
    }


@pytest.fixture
def seven_day_store(isolated_env: Path) -> dict[str, object]:
    """Write the store of the first 24 calls; return the 25th call's payload (at NOW)."""
    state = State()
    for k in range(24):
        history.record(state, from_mapping(seven_day_binding_payload(k)), NOW - 7200 + k * 300)
    write_store(isolated_env / "state", state)
    return seven_day_binding_payload(24)


def line_at(payload: dict[str, object], columns: int, **env: str) -> str:
    done = run_cli(payload, env={"STATUSLINE_NOW": str(NOW), "COLUMNS": str(columns),
                                 "TZ": "UTC", **env})
    assert done.returncode == 0 and done.stderr == "", done
    assert done.stdout.count("\n") == 1
    return SGR.sub("", done.stdout.rstrip("\n"))


@pytest.mark.parametrize("columns", [200, 120, 80, 60, 40, 30])
def test_the_binding_figure_is_on_every_row_and_no_row_is_too_wide(
        seven_day_store: dict[str, object], columns: int) -> None:
    """7d 88 % binds first: its figure is on the line at every width, within the row."""
    line = line_at(seven_day_store, columns)
    assert len(line) <= columns - ROW_MARGIN, line
    assert "7d 88%" in line, line
    assert "ctx 12%" in line, line  # the context goes only after every pooled detail


def test_the_least_useful_parts_go_first(seven_day_store: dict[str, object]) -> None:
    """Wide: everything. Narrower: pace first, the model before any pooled figure, then the
    binding window takes its short form (``7d 88% → 5h45``), and it is the last to go."""
    wide = line_at(seven_day_store, 200)
    assert wide.startswith("Opus 5.5 · ctx 12% · 5h 30%"), wide
    assert "5h pace" in wide and "2 sessions" in wide
    at_80 = line_at(seven_day_store, 80)
    assert "5h pace" not in at_80
    at_40 = line_at(seven_day_store, 40)
    assert "Opus" not in at_40
    assert re.search(r"7d 88% → ~?\dh\d\d", at_40), at_40
    for columns in (60, 40, 30):
        narrow = line_at(seven_day_store, columns)
        # whichever parts are gone, the model went before the binding window shortened
        if "Opus 5.5" in narrow:
            assert "limit" in narrow, narrow


@pytest.mark.parametrize("columns", [23, 16, 12, 10, 8, 5, 2, 1])
def test_below_24_columns_the_line_still_fits(seven_day_store: dict[str, object],
                                              columns: int) -> None:
    """Very narrow terminals: never wider than the row (at least one cell), never empty."""
    line = line_at(seven_day_store, columns)
    assert 0 < len(line) <= max(columns - ROW_MARGIN, 1), line
    if columns - ROW_MARGIN >= len("7d 88%"):
        assert "7d 88%" in line, line


@pytest.mark.parametrize("where", ["user", "project", "project-local"])
def test_the_statusline_padding_counts(seven_day_store: dict[str, object], isolated_env: Path,
                                       where: str) -> None:
    """``padding: 5`` in any settings file Claude Code reads takes 5 cells off each side."""
    project = isolated_env / "project"
    target = {"user": isolated_env / "home" / ".claude" / "settings.json",
              "project": project / ".claude" / "settings.json",
              "project-local": project / ".claude" / "settings.local.json"}[where]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"statusLine": {"type": "command", "command": "statusline",
                                                 "padding": 5}}))
    payload = dict(seven_day_store, workspace={"project_dir": str(project)})
    for columns in (80, 40, 24):
        line = line_at(payload, columns)
        assert len(line) <= columns - ROW_MARGIN - 10, (columns, line)
        assert "7d 88%" in line
    # the same call without the padding is wider
    target.unlink()
    assert len(line_at(payload, 80)) > 80 - ROW_MARGIN - 10

