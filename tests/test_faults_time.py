"""Clock faults (reliability.md R7, T12): entries from the future or from 1970, a clock that
jumps back a day or forward ten years. No negative ages, no mass pruning, a past
``resets_at`` is shown as reset. The clock is ``STATUSLINE_NOW`` (the clock of every call).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from statusline.store import local as store

from .helpers_reliability import (
    NOW,
    OUR_SGR,
    call_env,
    call_in_process,
    encode,
    reading_payload,
    run_call,
    stored,
)

DAY = 86400.0
YEAR = 365 * DAY
NEGATIVE = re.compile(r"(?<![\w])-\d|-\d+[smhd]")


def _plain(line: str) -> str:
    return OUR_SGR.sub("", line)


def _assert_no_negative_figures(line: str) -> None:
    assert NEGATIVE.search(_plain(line)) is None, line


def _seed(state_dir: Path, sessions: int = 4) -> None:
    for i in range(sessions):
        assert call_in_process(reading_payload(f"s{i}", cost=1.0 + i), state_dir).wrote


def _plant_session(state_dir: Path, name: str, last_seen: float) -> None:
    doc = stored(state_dir)
    sessions = doc["sessions"]
    assert isinstance(sessions, dict)
    sessions[name] = dict(sessions["s0"], last_seen=last_seen, first_seen=last_seen,
                          reading_changed_at=last_seen)
    (state_dir / "store.json").write_text(json.dumps(doc))


@pytest.mark.parametrize("stamp", [NOW + YEAR, NOW + 10 * YEAR, 1e15])
def test_a_session_from_the_future_prunes_nobody(tmp_path: Path, stamp: float) -> None:
    state_dir = tmp_path / "state"
    _seed(state_dir)
    _plant_session(state_dir, "from-future", stamp)
    for i in range(4):
        outcome = call_in_process(reading_payload(f"s{i}", cost=10.0 + i), state_dir)
        _assert_no_negative_figures(outcome.line)
        # The future entry is not live: four sessions, not five.
        assert "4 sessions" in _plain(outcome.line), outcome.line
    assert set(stored(state_dir)["sessions"]) == {"s0", "s1", "s2", "s3", "from-future"}


def test_a_session_from_1970_is_pruned_alone(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    _seed(state_dir)
    _plant_session(state_dir, "from-1970", 1.0)
    outcome = call_in_process(reading_payload("s1", cost=9.0), state_dir)
    _assert_no_negative_figures(outcome.line)
    assert set(stored(state_dir)["sessions"]) == {"s0", "s1", "s2", "s3"}


def test_clock_back_a_day(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    _seed(state_dir)
    before = set(stored(state_dir)["sessions"])
    for i in range(3):
        outcome = call_in_process(reading_payload(f"s{i}", cost=20.0 + i), state_dir,
                                  now=NOW - DAY)
        _assert_no_negative_figures(outcome.line)
    assert set(stored(state_dir)["sessions"]) == before
    # Back to the right time: everything is still there and the pooled windows are intact
    # (the calls stamped a day back simply look a day old now).
    outcome = call_in_process(reading_payload("s3", cost=30.0), state_dir, now=NOW + 60)
    assert set(stored(state_dir)["sessions"]) == before
    assert "5h 24%" in _plain(outcome.line) and "7d 42%" in _plain(outcome.line)


def test_clock_forward_ten_years_prunes_nobody_at_once(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    _seed(state_dir)
    later = NOW + 10 * YEAR
    outcome = call_in_process(reading_payload("s0", cost=40.0), state_dir, now=later)
    _assert_no_negative_figures(outcome.line)
    plain = _plain(outcome.line)
    # Both windows reset long ago: shown as reset, never as the stale percentage.
    assert "5h reset" in plain and "7d reset" in plain
    assert "24%" not in plain and "42%" not in plain
    # One call with a jumped clock does not wipe the other sessions.
    assert set(stored(state_dir)["sessions"]) == {"s0", "s1", "s2", "s3"}
    # And the clock coming back leaves them all in place.
    outcome = call_in_process(reading_payload("s1", cost=41.0), state_dir, now=NOW + 120)
    _assert_no_negative_figures(outcome.line)
    assert set(stored(state_dir)["sessions"]) >= {"s0", "s1", "s2", "s3"}


def test_past_resets_at_is_shown_as_reset_end_to_end(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    env = call_env(state_dir)
    run_call(encode(reading_payload("r1")), env).assert_contract()
    # 5 hours and a bit later, a call without rate limits (e.g. before the first reply).
    later = call_env(state_dir, now=NOW + 5 * 3600 + 60)
    line = run_call(encode(reading_payload("r1", five_hour=None, seven_day=None)), later) \
        .assert_contract()
    assert "5h reset" in _plain(line)
    assert "24%" not in _plain(line)
    assert "7d 42%" in _plain(line)


def test_a_stale_reading_with_a_past_reset_is_not_shown(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    # A session replays a reading whose window already reset.
    doc = reading_payload("replay", five_reset=NOW - 60)
    outcome = call_in_process(doc, state_dir)
    assert "24%" not in _plain(outcome.line)


def test_a_store_window_from_the_future_does_not_block_readings(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    _seed(state_dir, sessions=1)
    for stamp in (NOW + YEAR, 1e300):
        doc = stored(state_dir)
        windows = doc["windows"]
        assert isinstance(windows, dict)
        windows["five_hour"]["resets_at"] = stamp
        windows["five_hour"]["observed_at"] = stamp
        (state_dir / "store.json").write_text(json.dumps(doc))
        outcome = call_in_process(reading_payload("s0", five_hour=61.0, cost=5.0), state_dir)
        assert "5h 61%" in _plain(outcome.line), outcome.line
        saved = store.read(str(state_dir / "store.json")).state.windows["five_hour"]
        assert saved is not None and saved.resets_at < NOW + 6 * 3600


def test_observations_from_the_future_show_no_negative_age(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    _seed(state_dir, sessions=2)
    doc = stored(state_dir)
    windows = doc["windows"]
    assert isinstance(windows, dict)
    for window in windows.values():
        window["observed_at"] = NOW + DAY
        window["samples"] = [[NOW + DAY, 10.0], [NOW + 2 * DAY, 20.0]]
    (state_dir / "store.json").write_text(json.dumps(doc))
    outcome = call_in_process(reading_payload("s1", cost=7.0), state_dir)
    _assert_no_negative_figures(outcome.line)
