"""Known traps of a pooled-limit forecast, each closed and held closed here.

* a rate learned over active hours used as a wall-clock rate (ETAs come out early);
* the client's usage cache is a lower bound of the truth, never a ceiling;
* a window whose reset has passed carries nothing forward;
* after a daylight-saving change the rhythm's hours are the person's hours.
"""

from __future__ import annotations

import datetime

import pytest

from statusline import call, forecast, notice
from statusline.config import NotifyConfig
from statusline.forecast.five_hour import ramp_eta
from statusline.history import State, record
from statusline.history.rhythm import Rhythm, from_json, to_json
from statusline.history.usage import fold_usage
from statusline.payload import Payload, RawReading, from_mapping

HOUR = 3600.0
MONDAY = 1790553600.0  # 2026-09-28 00:00 UTC, a Monday
FIVE_H = 5 * HOUR
ACCOUNT = "00000000-0000-4000-8000-00000000a001"


def office_rhythm(days: int = 14, offset: float = 0.0) -> Rhythm:
    """Weekdays 09:00-17:00 local (on the clock ``offset``) at 12 %/h, two windows a day."""
    record_ = Rhythm()
    record_.follow_clock(offset)
    for day in range(days):
        if day % 7 >= 5:
            continue
        for first_h in (9.0, 14.0):
            start = MONDAY + day * 86400 + first_h * HOUR - offset
            hours = 5.0 if first_h == 9.0 else 3.0
            samples = [(start + k * 600, round(12.0 * k / 6, 1))
                       for k in range(1, int(hours * 6) + 1)]
            record_.learn_window(start + FIVE_H, FIVE_H, samples)
    return record_


def test_an_active_rate_in_a_quiet_hour_does_not_bring_the_eta_early() -> None:
    """07:30 on a Monday is quiet in this rhythm because most days nobody works then, not
    because people work slower: 20 %/h from someone working now, with 50 % left, fills the
    window in 2.5 h, not sooner because 09:00-17:00 are busier on average."""
    profile = forecast.rhythm_profile("five_hour", office_rhythm(), 0.0)
    assert profile.weight > 0.7
    now = MONDAY + 14 * 86400 + 7.5 * HOUR
    eta = ramp_eta(now, 50.0, 20.0, now + FIVE_H, 0.0, profile)
    assert eta is not None
    assert eta >= now + 2.5 * HOUR - 300.0


def test_the_ramp_still_follows_a_busier_block_from_a_working_hour() -> None:
    """From a working hour the ramp is unchanged by the guard: never slower than the pace."""
    profile = forecast.rhythm_profile("five_hour", office_rhythm(), 0.0)
    now = MONDAY + 14 * 86400 + 10 * HOUR
    eta = ramp_eta(now, 50.0, 20.0, now + FIVE_H, 0.0, profile)
    assert eta is not None and eta <= now + 2.5 * HOUR + 1.0


def usage_cache(fetched: float, five_hour: float, resets_at: float) -> dict[str, object]:
    iso = datetime.datetime.fromtimestamp(resets_at, datetime.UTC).isoformat()
    return {"fetchedAtMs": fetched * 1000, "accountUuid": ACCOUNT,
            "utilization": {"five_hour": {"utilization": five_hour, "resets_at": iso}}}


def five_hour_reading(sid: str, pct: float, resets_at: float) -> Payload:
    return Payload(session_id=sid, rate_limits={"five_hour": RawReading(pct, resets_at)})


def test_the_usage_cache_raises_a_stale_figure_and_never_lowers_one() -> None:
    t0 = MONDAY + 10 * HOUR
    resets_at = t0 + 3 * HOUR
    state = State()
    record(state, five_hour_reading("a", 40.0, resets_at), t0)
    # The client fetched 55 % after our last reading: the account used at least that much.
    assert fold_usage(state, usage_cache(t0 + 600, 55.0, resets_at), ACCOUNT, t0 + 700)
    window = state.windows["five_hour"]
    assert window is not None and window.used_pct == 55.0
    assert window.samples == sorted(window.samples)
    # A later, lower cache figure is an older view of the same window: never a ceiling.
    record(state, five_hour_reading("a", 62.0, resets_at), t0 + 900)
    fold_usage(state, usage_cache(t0 + 1000, 58.0, resets_at), ACCOUNT, t0 + 1100)
    assert state.windows["five_hour"].used_pct == 62.0  # type: ignore[union-attr]
    # And it never starts a window of its own (another reset: stdin's windows are stdin's).
    fold_usage(state, usage_cache(t0 + 1200, 90.0, resets_at + 5 * HOUR), ACCOUNT, t0 + 1300)
    assert state.windows["five_hour"].resets_at == resets_at  # type: ignore[union-attr]


def test_the_forecast_reads_the_raised_figure() -> None:
    t0 = MONDAY + 10 * HOUR
    resets_at = t0 + 3 * HOUR
    state = State()
    record(state, five_hour_reading("a", 40.0, resets_at), t0)
    fold_usage(state, usage_cache(t0 + 600, 96.0, resets_at), ACCOUNT, t0 + 700)
    projection = forecast.project(state, t0 + 800, 0.0)
    assert projection.windows["five_hour"].used_pct == 96.0


def burn(state: State, sid: str, start: float, end: float, pace: float, resets_at: float,
         first: float = 0.0, seven: tuple[float, float] | None = None) -> float:
    """Feed readings every 5 minutes at ``pace`` %/h; the last value."""
    t, pct, cost = start, first, 0.0
    while t <= end:
        limits: dict[str, object] = {"five_hour": {"used_percentage": round(min(pct, 100.0), 1),
                                                   "resets_at": resets_at}}
        if seven is not None:
            limits["seven_day"] = {"used_percentage": seven[0], "resets_at": seven[1]}
        call.advance(state, from_mapping({
            "session_id": sid, "model": {"id": "claude-opus-5-5"},
            "cost": {"total_cost_usd": round(cost, 2)}, "rate_limits": limits}), t, 0.0)
        t += 300.0
        pct += pace * 300.0 / HOUR
        cost += 0.4
    return min(pct, 100.0)


def test_a_window_whose_reset_passed_carries_nothing_forward() -> None:
    """A window warned at 97 % resets; an idle session keeps re-sending its old reading. Until
    a new window shows, nothing about 5h is forecast or announced; the new window starts
    from its own readings: no warning, no limit notice, a rate of its own."""
    sid_old = "00000000-0000-4000-8000-000000000001"
    sid_new = "00000000-0000-4000-8000-000000000002"
    t0 = MONDAY + 9 * HOUR
    old_reset = t0 + FIVE_H
    week = (40.0, MONDAY + 4 * 86400)
    state = State()
    last = burn(state, sid_old, t0, t0 + 4.4 * HOUR, 22.0, old_reset, seven=week)
    before = forecast.project(state, t0 + 4.4 * HOUR, 0.0).windows["five_hour"]
    assert last > 90 and before.limit_before_reset
    for k in range(1, 4):  # the stale session ticks its old reading after the reset
        now = old_reset + k * 300.0
        call.advance(state, from_mapping({
            "session_id": sid_old, "rate_limits": {
                "five_hour": {"used_percentage": last, "resets_at": old_reset},
                "seven_day": {"used_percentage": week[0], "resets_at": week[1]}}}), now, 0.0)
        projection = forecast.project(state, now, 0.0)
        assert "five_hour" not in projection.windows and "five_hour" in projection.ended
        assert notice.due(state, projection, now, NotifyConfig(), 0.0) is None
    start = old_reset + 1800.0
    new_reset = start + FIVE_H
    burn(state, sid_new, start, start + 1800.0, 6.0, new_reset, first=1.0, seven=week)
    now = start + 1800.0
    projection = forecast.project(state, now, 0.0)
    fresh = projection.windows["five_hour"]
    assert fresh.resets_at == new_reset and fresh.used_pct < 5
    assert not fresh.limit_before_reset
    assert fresh.rate_pct_per_hour is not None and fresh.rate_pct_per_hour < 15
    window = state.windows["five_hour"]
    assert window is not None and not window.warned and window.full_at is None
    assert notice.due(state, projection, now, NotifyConfig(), 0.0) is None


CET, CEST = 3600.0, 7200.0


def test_after_a_daylight_saving_change_the_hours_are_the_persons() -> None:
    """Ten office days learned on CET (UTC+1); then the clocks go forward (UTC+2). 09:30 is
    still a working hour and 17:30 still the evening: the record is on the person's clock."""
    learned = office_rhythm(days=14, offset=CET)
    assert learned.follow_clock(CEST)  # the first call on summer time
    profile = forecast.rhythm_profile("five_hour", learned, CEST)
    monday = MONDAY + 14 * 86400
    morning = monday + 9.5 * HOUR - CEST  # 09:30 local, summer time
    evening = monday + 17.5 * HOUR - CEST  # 17:30 local
    early = monday + 7.5 * HOUR - CEST  # 07:30 local
    assert profile.at(morning, CEST) > 2 * profile.at(early, CEST)
    assert profile.at(morning, CEST) > 2 * profile.at(evening, CEST)


def test_the_clock_is_kept_through_the_store_and_an_old_record_is_turned_once() -> None:
    learned = office_rhythm(days=7, offset=CET)
    again = from_json(to_json(learned))
    assert again.offset == CET and again.usage == pytest.approx(learned.usage, abs=1e-3)
    # A record written before the clock was kept holds UTC hours: turned once to local.
    utc_record = office_rhythm(days=7, offset=0.0)
    raw = to_json(utc_record)
    del raw["offset"]
    old = from_json(raw)
    assert old.offset is None
    busy_utc = max(range(168), key=lambda s: old.usage[s])
    assert old.follow_clock(CET)
    assert max(range(168), key=lambda s: old.usage[s]) == busy_utc + 1
    assert not old.follow_clock(CET)
    assert old.follow_clock(CEST)  # summer time: the hours stay where they are
    assert max(range(168), key=lambda s: old.usage[s]) == busy_utc + 1


def test_the_call_tells_the_record_its_clock() -> None:
    """call.advance (every call) leaves the record on the call's clock."""
    state = State()
    burn(state, "00000000-0000-4000-8000-000000000003", MONDAY + 9 * HOUR,
         MONDAY + 9.5 * HOUR, 10.0, MONDAY + 14 * HOUR)
    assert state.rhythm.offset == 0.0
