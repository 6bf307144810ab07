"""Figures that add up, and clock times that are right: through the real entry point.

A rate printed next to an ETA is the rate that ETA implies (room left / rate = time left,
within 10 %), on the line, in ``inspect`` and in ``inspect --json``; a future time uses the
zone's offset at that moment; a clock that is behind still gives a sane countdown.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from statusline import history
from statusline.history import State
from statusline.line.formatting import round_eta
from statusline.payload import from_mapping
from tests.conftest import OAUTH_NOW, example, run_cli
from tests.helpers_cli import NOW, day_of_readings, write_store
from tests.test_line_fit import NOW as FIT_NOW
from tests.test_line_fit import seven_day_binding_payload

SGR = re.compile(r"\x1b\[[0-9;]*m")
BERLIN = "CET-1CEST,M3.5.0,M10.5.0/3"  # POSIX rule: no tz database needed


def hours(text: str) -> float:
    """``2d22h`` / ``4h50`` / ``42m`` as hours."""
    days = re.match(r"(\d+)d(\d+)h$", text)
    if days:
        return int(days[1]) * 24 + int(days[2])
    hm = re.match(r"(\d+)h(\d+)$", text)
    if hm:
        return int(hm[1]) + int(hm[2]) / 60
    minutes = re.match(r"(\d+)m$", text)
    assert minutes, text
    return int(minutes[1]) / 60


def run(payload: dict[str, object] | None, *args: str, at: float, **env: str) -> str:
    done = run_cli(payload, *args, env={"STATUSLINE_NOW": str(at), "COLUMNS": "200",
                                        "NO_COLOR": "1", "TZ": "UTC", **env})
    assert done.returncode == 0 and done.stderr == "", done
    return SGR.sub("", done.stdout)


@pytest.fixture
def seven_day_store(isolated_env: Path) -> dict[str, object]:
    state = State()
    for k in range(24):
        history.record(state, from_mapping(seven_day_binding_payload(k)),
                       FIT_NOW - 7200 + k * 300)
    write_store(isolated_env / "state", state)
    return seven_day_binding_payload(24)


def check_line(line: str) -> int:
    """Every ``NN% +R%/h → limit … (T)`` on ``line`` adds up; returns how many there were."""
    found = 0
    for used, rate, left in re.findall(r"(\d+)% \+([0-9.]+)%/h → limit ~?[^(]*\(~?([^)]+)\)",
                                       line):
        implied = (100 - int(used)) / float(rate)
        assert abs(implied - hours(left)) <= 0.1 * hours(left), (line, implied, left)
        found += 1
    return found


def test_the_rate_on_the_line_is_the_rate_its_eta_implies(
        seven_day_store: dict[str, object]) -> None:
    """7d 88 % binding in a few hours, and the bundled example's week-long 7d ETA."""
    assert check_line(run(seven_day_store, at=FIT_NOW)) == 1
    # the bundled example: whatever its outlook, any rate it prints adds up
    check_line(run(example("oauth-003"), "render", "--example", "oauth-003", at=OAUTH_NOW))


def test_inspect_and_json_rates_add_up(isolated_env: Path) -> None:
    """A day of readings: each window's burn, divided into what is left to its outlook
    (the limit, or the figure at the reset), gives the time printed, in text and JSON."""
    write_store(isolated_env / "state", day_of_readings())
    data = json.loads(run(None, "inspect", "--json", at=NOW))
    checked = 0
    for w in data["windows"].values():
        if w is None:
            continue  # a limit this account does not have
        rate = w["burn_rate_pct_per_hour"]
        if w["limit_before_reset"]:
            room, left = 100 - w["used_percentage"], (w["eta_limit_at"] - NOW) / 3600
        else:
            room = w["projected_pct_at_reset"] - w["used_percentage"]
            left = (w["resets_at"] - NOW) / 3600
        assert abs(room / rate - left) <= 0.1 * left, w
        checked += 1
    assert checked == 2
    text = run(None, "inspect", at=NOW)
    lines = 0
    for used, rate, left in re.findall(
            r"(\d+\.\d)% used.*\n  burn ([0-9.]+)%/h → limit .*\(in ([0-9dhm]+)\)", text):
        assert abs((100 - float(used)) / float(rate) - hours(left)) <= 0.1 * hours(left), text
        lines += 1
    for used, left, rate, projected in re.findall(
            r"(\d+\.\d)% used, resets .*\(in ([0-9dhm]+)\)\n  burn ([0-9.]+)%/h → "
            r"about (\d+\.\d)% at the reset", text):
        rise = float(projected) - float(used)
        assert abs(rise / float(rate) - hours(left)) <= 0.1 * hours(left) + 0.05, text
        lines += 1
    assert lines == 2, text


def test_a_rising_5h_reading_moves_the_shown_rate_within_minutes(isolated_env: Path) -> None:
    """10 %/h for three hours, then sessions join (40 %/h): five minutes later the shown
    rate is up, and it keeps rising with the ramp (README, Forecast)."""
    reset = NOW + 2 * 3600
    start = reset - 5 * 3600

    def doc(pct: float, cost: float) -> dict[str, object]:
        return {"session_id": "a1b2c3d4-0000-4000-8000-00000000000a",
                "cost": {"total_cost_usd": cost},
                "rate_limits": {"five_hour": {"used_percentage": pct, "resets_at": reset}}}

    state = State()
    history.record(state, from_mapping({"session_id": "a1b2c3d4-0000-4000-8000-00000000000a"}),
                   start)
    for minute in range(1, 181):
        history.record(state, from_mapping(doc(round(minute / 6, 1), minute / 10)),
                       start + minute * 60)
    write_store(isolated_env / "state", state)
    rates = []
    for minute in (0, 5, 15):
        if minute:
            run(doc(round(30 + minute * 40 / 60, 1), 20 + minute), at=NOW + minute * 60)
        data = json.loads(run(None, "inspect", "--json", at=NOW + minute * 60))
        rates.append(data["windows"]["five_hour"]["pace_pct_per_hour"])
    assert rates[0] < rates[1] < rates[2], rates


def test_a_reset_after_the_autumn_change_is_shown_in_winter_time(isolated_env: Path) -> None:
    """Europe/Berlin, 01:00 CEST on the night of the change: a reset at 03:10 UTC is 04:10
    local (CET), not 05:10."""
    now = 1792882800.0  # 2026-10-24 23:00 UTC, 01:00 CEST
    doc = {"session_id": "a1b2c3d4-0000-4000-8000-00000000000b",
           "rate_limits": {"five_hour": {"used_percentage": 20.0, "resets_at": now + 4 * 3600
                                         + 600}}}
    run({"session_id": doc["session_id"]}, at=now - 60)
    run(doc, at=now)
    text = run(None, "inspect", at=now, TZ=BERLIN)
    assert "resets 04:10 (in 4h10)" in text, text


def test_a_limit_after_the_autumn_change_is_shown_in_winter_time(isolated_env: Path) -> None:
    """The line's ``limit HH:MM`` for a 7d window filling after the change: its own offset."""
    now = 1792886400.0  # 2026-10-25 00:00 UTC, 02:00 CEST; the change is at 01:00 UTC
    sid = "a1b2c3d4-0000-4000-8000-00000000000c"
    state = State()
    history.record(state, from_mapping({"session_id": sid}), now - 7300)
    for k in range(25):  # 7d: 93 → 97 % over two hours; 2 %/h fills it in ~1h30
        t = now - 7200 + k * 300
        history.record(state, from_mapping({
            "session_id": sid, "cost": {"total_cost_usd": k * 0.5},
            "rate_limits": {"seven_day": {"used_percentage": round(93 + k / 6, 1),
                                          "resets_at": now + 3 * 86400}}}), t)
    write_store(isolated_env / "state", state)
    eta = json.loads(run(None, "inspect", "--json", at=now))["windows"]["seven_day"]
    assert eta["limit_before_reset"] and eta["eta_limit_at"] > now + 3600  # after 01:00 UTC
    shown_at = now + round_eta(eta["eta_limit_at"] - now)  # as the line rounds it
    expected = time.strftime("%H:%M", time.gmtime(shown_at + 3600))  # CET, UTC+1
    assert expected != time.strftime("%H:%M", time.gmtime(shown_at + 7200))
    line = run({"session_id": sid, "cost": {"total_cost_usd": 12.0},
                "rate_limits": {"seven_day": {"used_percentage": 97.0,
                                              "resets_at": now + 3 * 86400}}},
               at=now, TZ=BERLIN)
    assert f"limit {expected}" in line or f"limit ~{expected}" in line, (expected, line)


@pytest.mark.parametrize("behind", [3600.0, 2 * 3600.0])
def test_a_clock_behind_still_shows_the_5h_figure_with_a_sane_countdown(behind: float) -> None:
    """The local clock 1-2 h slow: the 5h reading is kept and resets in at most 5h00."""
    true_now = NOW
    doc = {"session_id": "a1b2c3d4-0000-4000-8000-00000000000d",
           "rate_limits": {"five_hour": {"used_percentage": 30.0,
                                         "resets_at": true_now + 4 * 3600 + 20 * 60}}}
    run({"session_id": doc["session_id"]}, at=true_now - behind - 60)
    line = run(doc, at=true_now - behind)
    countdown = re.search(r"5h 30% (?:✓ )?resets (\d+)h(\d\d)", line)
    assert countdown, line
    assert (int(countdown[1]), int(countdown[2])) <= (5, 0), line
