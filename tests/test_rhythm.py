"""The account's rhythm: learning from ended windows, decay, bounds, profile and JSON."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statusline.history import rhythm
from statusline.history.rhythm import SLOTS, Profile, Rhythm, utc_slot

HOUR = 3600.0
MONDAY = 1790553600.0  # 2026-09-28 00:00 UTC, a Monday
FIVE_H = 5 * HOUR


def night_window(day: int, pct_per_hour: float = 15.0) -> tuple[float, list[tuple[float, float]]]:
    """A 5h window from 21:00 UTC on ``day`` that grows steadily until 02:00."""
    start = MONDAY + day * 86400 + 21 * HOUR
    samples = [(start + k * 600, round(pct_per_hour * k / 6, 1)) for k in range(1, 31)]
    return start + FIVE_H, samples


def test_slot_zero_is_monday_midnight_utc() -> None:
    assert utc_slot(MONDAY) == 0
    assert utc_slot(MONDAY + 23 * HOUR + 59) == 23
    assert utc_slot(MONDAY + 6 * 86400 + 23 * HOUR) == SLOTS - 1
    assert utc_slot(MONDAY + 7 * 86400) == 0


def test_a_window_puts_its_growth_in_the_hours_it_ran() -> None:
    record = Rhythm()
    resets_at, samples = night_window(0)
    assert record.learn_window(resets_at, FIVE_H, samples)
    assert sum(record.usage) == pytest.approx(samples[-1][1])
    assert sum(record.hours) == pytest.approx(5.0)
    busy = {s for s in range(SLOTS) if record.usage[s] > 0}
    assert busy == {21, 22, 23, 24, 25}  # Monday 21-23 h, Tuesday 0-1 h
    assert record.windows == 1 and record.filled == 0


def test_learning_is_idempotent_and_counts_gaps_as_empty_hours() -> None:
    record = Rhythm()
    first = night_window(0)
    record.learn_window(first[0], FIVE_H, first[1])
    assert not record.learn_window(first[0], FIVE_H, first[1])  # the same window again
    second = night_window(1)
    record.learn_window(second[0], FIVE_H, second[1])
    # 5 h, then 19 h of nobody (no window ran), then 5 h: a day and five hours watched.
    assert sum(record.hours) == pytest.approx(29.0, rel=0.01)
    assert record.usage[12 + 24] == 0.0 and record.hours[12 + 24] > 0.9  # Tuesday noon


def test_a_long_holiday_counts_as_at_most_three_empty_days() -> None:
    record = Rhythm()
    first = night_window(0)
    record.learn_window(first[0], FIVE_H, first[1])
    later = night_window(20)
    record.learn_window(later[0], FIVE_H, later[1])
    # The old window's 5 h have faded; the gap counts 72 h, then the new window's 5 h.
    assert 77.0 < sum(record.hours) < 77.0 + 5 * 0.5 ** (20 * 86400 / rhythm.HALF_LIFE_S) + 1e-6


def test_old_weeks_fade_with_the_half_life() -> None:
    record = Rhythm()
    first = night_window(0)
    record.learn_window(first[0], FIVE_H, first[1])
    before = record.usage[21]
    later = night_window(14)
    record.learn_window(later[0], FIVE_H, later[1])
    assert record.usage[21] == pytest.approx(before * 0.5 + later[1][5][1], rel=0.02)


def test_full_windows_are_counted() -> None:
    record = Rhythm()
    resets_at, samples = night_window(0, pct_per_hour=30.0)
    samples = [(t, min(v, 100.0)) for t, v in samples]
    record.learn_window(resets_at, FIVE_H, samples)
    assert record.filled == 1.0


def test_without_data_the_profile_is_the_prior() -> None:
    prior = [1.0 if 9 <= s % 24 < 18 else 0.25 for s in range(SLOTS)]
    profile = Profile(Rhythm(), prior, 0.0)
    assert profile.weight == 0.0 and profile.days == 0.0
    mean = sum(prior) / SLOTS
    assert profile.intensity == pytest.approx([p / mean for p in prior])


def test_ten_nights_teach_when_this_person_works() -> None:
    record = Rhythm()
    for day in range(10):
        resets_at, samples = night_window(day)
        record.learn_window(resets_at, FIVE_H, samples)
    prior = [1.0 if 9 <= s % 24 < 18 and s < 120 else 0.25 for s in range(SLOTS)]
    profile = Profile(record, prior, 0.0)
    assert 7.0 < record.days < 9.25  # 221 h watched, the first nights faded
    assert profile.weight == pytest.approx(record.days / (record.days + rhythm.PRIOR_DAYS))
    wednesday = 2 * 24
    assert profile.intensity[wednesday + 23] > 3 * profile.intensity[wednesday + 12]
    assert profile.intensity[wednesday + 23] > 3 * profile.intensity[wednesday + 4]
    # Local hours: the same nights seen from UTC+2 fall two slots later.
    shifted = Profile(record, prior, 2 * HOUR)
    assert shifted.intensity[wednesday + 23 + 2] == pytest.approx(
        profile.intensity[wednesday + 23], rel=0.2)


def test_json_round_trip_and_size() -> None:
    record = Rhythm()
    for day in range(10):
        resets_at, samples = night_window(day)
        record.learn_window(resets_at, FIVE_H, samples)
    document = rhythm.to_json(record)
    again = rhythm.from_json(json.loads(json.dumps(document)))
    assert again.usage == pytest.approx(record.usage, abs=1e-4)
    assert again.hours == pytest.approx(record.hours, abs=1e-4)
    assert again.learned_until == record.learned_until
    assert (again.windows, again.filled) == (pytest.approx(record.windows, abs=1e-4), 0.0)
    assert record.windows == pytest.approx(8.1, abs=0.2)  # ten windows, the first ones decayed
    assert len(json.dumps(document)) < 4000


@pytest.mark.parametrize("raw", [
    None, [], "x", {"usage": [1.0] * 10, "hours": [1.0] * SLOTS},
    {"usage": [float("nan")] * SLOTS, "hours": [1.0] * SLOTS},
    {"usage": [-1.0] * SLOTS, "hours": [1.0] * SLOTS},
    {"usage": [True] * SLOTS, "hours": [1.0] * SLOTS},
])
def test_malformed_records_load_empty(raw: object) -> None:
    record = rhythm.from_json(raw)
    assert record.usage == [0.0] * SLOTS and record.days == 0.0


def test_malformed_counters_are_dropped_not_fatal() -> None:
    raw = rhythm.to_json(Rhythm())
    raw.update(windows="many", filled=-3, learned_until=float("inf"), decayed_at=True)
    record = rhythm.from_json(raw)
    assert (record.windows, record.filled, record.learned_until, record.decayed_at) == (
        0.0, 0.0, None, None)


windows = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=60 * 86400),  # when the window ends, after MONDAY
        st.lists(st.tuples(st.floats(0, FIVE_H), st.floats(0, 100)), min_size=1, max_size=20),
    ),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(windows)
def test_any_history_keeps_the_record_bounded_and_finite(history: list) -> None:
    record = Rhythm()
    for end, points in history:
        resets_at = MONDAY + end
        samples = sorted((resets_at - FIVE_H + t, v) for t, v in points)
        record.learn_window(resets_at, FIVE_H, samples)
    assert len(record.usage) == len(record.hours) == SLOTS
    assert all(u >= 0 and h >= 0 for u, h in zip(record.usage, record.hours, strict=True))
    assert 0 <= record.filled <= record.windows
    # Watched time never exceeds the span it could cover.
    assert sum(record.hours) <= 60 * 86400 / 3600 + 5 + 1e-6
    profile = Profile(record, [1.0] * SLOTS, 3600.0)
    assert all(0 <= v < float("inf") for v in profile.intensity)


def test_a_kind_of_day_never_watched_keeps_the_prior() -> None:
    """Weekday nights only: the weekend is the prior's until a weekend is watched."""
    record = Rhythm()
    for day in range(4):  # Monday to Thursday nights, ending Friday 02:00
        resets_at, samples = night_window(day)
        record.learn_window(resets_at, FIVE_H, samples)
    prior = [1.0 if 9 <= s % 24 < 18 and s < 120 else 0.25 for s in range(SLOTS)]
    mean = sum(prior) / SLOTS
    profile = Profile(record, prior, 0.0)
    sunday = 6 * 24
    assert profile.intensity[sunday + 23] == pytest.approx(prior[sunday + 23] / mean)
    assert profile.intensity[2 * 24 + 23] != pytest.approx(prior[2 * 24 + 23] / mean)


def test_a_kind_of_day_never_watched_is_never_busier_than_the_accounts_mean_hour() -> None:
    """A Saturday and a Sunday afternoon only: the weekdays keep the prior's shape, but the
    prior's busy office hours (2.2 times its mean hour) count as the account's mean hour at
    most: someone seen only at a weekend must not have their weekend's pace projected over
    five office days."""
    record = Rhythm()
    for day in (5, 6):
        start = MONDAY + day * 86400 + 12 * HOUR
        samples = [(start + k * 600, round(15.0 * k / 6, 1)) for k in range(1, 31)]
        record.learn_window(start + FIVE_H, FIVE_H, samples)
    prior = [1.0 if 9 <= s % 24 < 18 and s < 120 else 0.25 for s in range(SLOTS)]
    mean = sum(prior) / SLOTS
    profile = Profile(record, prior, 0.0)
    wednesday_noon, wednesday_evening = 2 * 24 + 12, 2 * 24 + 20
    assert prior[wednesday_noon] / mean > 2.0
    assert profile.intensity[wednesday_noon] == pytest.approx(rhythm.UNWATCHED_CAP)
    assert profile.intensity[wednesday_evening] == pytest.approx(prior[wednesday_evening] / mean)
