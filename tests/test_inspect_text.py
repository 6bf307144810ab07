"""The plain-words inspect report: a pinned snapshot, width, colour and edge cases.

The snapshots in tests/snapshots/ are rewritten with UPDATE_SNAPSHOTS=1 (then
read the diff before committing).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from statusline import forecast
from statusline.history import State
from statusline.inspect import report
from statusline.inspect.text import format_report
from statusline.line.render import cell_width
from statusline.store import local as store
from tests.helpers_cli import NOW, day_of_readings, write_store

SNAPSHOTS = Path(__file__).parent / "snapshots"


def inspect(*args: str, columns: int) -> str:
    """Run ``statusline inspect`` at the pinned clock, width and time zone."""
    env = dict(os.environ)
    env.update({"STATUSLINE_NOW": str(NOW), "COLUMNS": str(columns), "TZ": "UTC"})
    done = subprocess.run([sys.executable, "-m", "statusline", "inspect", *args],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def matches_snapshot(name: str, text: str, state_dir: Path) -> None:
    # The store path is the test's own temporary directory: pin it as a placeholder.
    text = text.replace(str(state_dir), "<state>")
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert text == path.read_text()


@pytest.fixture
def day_store(isolated_env: Path) -> Path:
    """The store of three sessions and a day of readings, in the isolated state dir."""
    directory = isolated_env / "state"
    write_store(directory, day_of_readings())
    return directory


def test_snapshot_three_sessions_a_day_of_readings(day_store: Path) -> None:
    """The whole report at 80 columns: windows with charts, forecast, three sessions."""
    text = inspect(columns=80)
    matches_snapshot("inspect-80.txt", text, day_store)
    assert "\x1b[" not in text  # not a terminal: no colour
    assert "Sessions: 2 live, 3 known" in text
    assert text.count("┴") == 2  # one chart per window, now marked on each


def test_snapshot_ascii_narrow(day_store: Path) -> None:
    """--ascii at 60 columns: the same report drawn with ASCII only, narrower."""
    text = inspect("--ascii", columns=60)
    matches_snapshot("inspect-ascii-60.txt", text, day_store)
    assert text.replace(str(day_store), "").isascii()


def snapshot_of(state: State) -> dict[str, object]:
    projection = forecast.project(state, NOW)
    return report.snapshot(state, projection, NOW, "default", "/s/store.json", "ok")


@pytest.mark.parametrize("width", [40, 57, 80, 100, 160])
def test_every_line_fits_the_width(width: int) -> None:
    """No line is wider than the width asked for (capped at 100 for readability)."""
    text = format_report(snapshot_of(day_of_readings()), NOW, width=width)
    assert max(cell_width(line) for line in text.splitlines()) <= min(width, 100)


def test_colour_when_asked() -> None:
    """color=True adds SGR codes (titles, chart cells); color=False has none."""
    data = snapshot_of(day_of_readings())
    assert "\x1b[" in format_report(data, NOW, color=True)
    assert "\x1b[" not in format_report(data, NOW, color=False)


def test_empty_store_report() -> None:
    """No readings: each window says so, no chart, no sessions table."""
    text = format_report(snapshot_of(State()), NOW)
    assert "5-hour window: no reading yet" in text
    assert "7-day window: no reading yet" in text
    assert "┴" not in text
    assert "Sessions: 0 live, 0 known" in text


def test_report_names_the_session_behind_the_reading() -> None:
    """The last reading names its session as the line's ``via`` does (its project folder)."""
    text = format_report(snapshot_of(day_of_readings()), NOW)
    assert "last reading now from api-server" in text


def test_sessions_show_age_model_context_share_and_project() -> None:
    """Each session row has its age, model, context %, share and project."""
    rows = [r for r in format_report(snapshot_of(day_of_readings()), NOW).splitlines()
            if r.startswith("  docs ")]
    assert len(rows) == 1
    assert "2h ago" in rows[0]
    assert "Haiku 5" in rows[0]
    assert "71%" in rows[0]
    assert "/home/dev/docs (gone)" in rows[0]


def test_ended_window_is_reported(tmp_path: Path) -> None:
    """After a window's reset with no new reading, the report says it ended."""
    later = NOW + 2 * 3600
    state = day_of_readings()
    data = report.snapshot(state, forecast.project(state, later), later, "default", None, "ok")
    text = format_report(data, later)
    assert "5-hour window: ended, no reading since its reset" in text
    assert store.OK == "ok"


def test_api_key_store_explains_the_missing_windows() -> None:
    """Sessions but no rate limits ever: the report says what that means."""
    from statusline import history
    from statusline.payload import from_mapping
    from tests.conftest import example

    state = State()
    history.record(state, from_mapping(example("apikey-001")), NOW)
    text = format_report(snapshot_of(state), NOW)
    assert "No session has reported rate limits: an API-key account has none" in text
