"""forecast: the pure projection of the pooled windows (5h warning, hysteresis, full windows,
working hours, binding window)."""

from __future__ import annotations

import calendar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statusline import forecast
from statusline.forecast import five_hour, seven_day
from statusline.forecast import window as one_window
from statusline.history import State, Window
from statusline.history.rhythm import Rhythm
from statusline.inspect import rhythm_text

NOW = float(calendar.timegm((2026, 9, 8, 10, 0, 0)))  # a Tuesday, 10:00 UTC
HOUR = 3600.0


def five_hour_state(pct_per_hour: float, started_h_ago: float = 1.0) -> State:
    """A 5h window that began ``started_h_ago`` hours before NOW, rising steadily since."""
    start = NOW - started_h_ago * HOUR
    window = Window(start + 5 * HOUR, 0.0, start, "a")
    steps = int(started_h_ago * 12)
    window.samples = [(start + i * 300.0, round(pct_per_hour * i / 12, 1))
                      for i in range(steps + 1)]
    window.used_pct = window.samples[-1][1]
    state = State()
    state.windows["five_hour"] = window
    return state


def test_a_pace_that_fills_the_window_before_the_reset_warns() -> None:
    w = forecast.project(five_hour_state(30.0), NOW).windows["five_hour"]
    assert w.rate_pct_per_hour == pytest.approx(30.0, rel=0.05)
    assert w.eta_limit_at is not None and w.eta_limit_at < w.resets_at
    assert w.hit_odds is not None and w.hit_odds >= forecast.WARN_ODDS
    assert w.limit_before_reset


def test_no_warning_while_the_pace_ends_past_the_reset() -> None:
    w = forecast.project(five_hour_state(10.0), NOW).windows["five_hour"]
    assert w.eta_limit_at is not None and w.eta_limit_at > w.resets_at
    assert not w.limit_before_reset


def test_high_odds_alone_do_not_warn_without_an_eta_before_the_reset(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forecast.limit_odds, "hit_probability", lambda *_args: 0.99)
    w = forecast.project(five_hour_state(10.0), NOW).windows["five_hour"]
    assert w.hit_odds == 0.99 and not w.limit_before_reset


@pytest.mark.parametrize("warned", [False, True])
def test_a_raised_warning_holds_between_the_hold_and_raise_odds(
        monkeypatch: pytest.MonkeyPatch, warned: bool) -> None:
    between = (forecast.HOLD_ODDS + forecast.WARN_ODDS) / 2
    monkeypatch.setattr(forecast.limit_odds, "hit_probability", lambda *_args: between)
    state = five_hour_state(30.0)
    window = state.windows["five_hour"]
    assert window is not None
    window.warned = warned
    assert forecast.project(state, NOW).windows["five_hour"].limit_before_reset is warned


def test_remember_keeps_the_warning_for_the_next_call() -> None:
    state = five_hour_state(30.0)
    assert forecast.remember(state, forecast.project(state, NOW))
    window = state.windows["five_hour"]
    assert window is not None and window.warned
    assert not forecast.remember(state, forecast.project(state, NOW))  # nothing changed


def test_a_full_window_warns_until_its_reset_with_the_time_it_filled() -> None:
    state = five_hour_state(30.0)
    window = state.windows["five_hour"]
    assert window is not None
    window.used_pct, window.full_at = 100.0, NOW - 600
    w = forecast.project(state, NOW).windows["five_hour"]
    assert w.limit_before_reset and w.eta_limit_at == NOW - 600 and w.hit_odds == 1.0


def test_working_hours_count_the_evening_at_the_off_hours_share() -> None:
    afternoon = float(calendar.timegm((2026, 9, 8, 15, 0, 0)))
    assert forecast.working_hours_left(afternoon, afternoon + 4 * HOUR, 0.0) == pytest.approx(
        3 + forecast.INTENSITY_OFF_HOURS)
    late = float(calendar.timegm((2026, 9, 8, 22, 0, 0)))  # already off-hours: all count
    assert forecast.working_hours_left(late, late + 3 * HOUR, 0.0) == pytest.approx(3.0)


def test_the_binding_window_is_the_warned_one_that_fills_first() -> None:
    state = five_hour_state(30.0)
    week = Window(NOW + 2 * 86400, 97.0, NOW - 3 * HOUR, "a")
    state.windows["seven_day"] = week
    projection = forecast.project(state, NOW)
    seven = projection.windows["seven_day"]
    assert seven.limit_before_reset and seven.eta_limit_at is not None
    five = projection.windows["five_hour"]
    expected = min((five, seven), key=lambda w: w.eta_limit_at or 0.0).name
    assert projection.binding_window == expected


def surge_state() -> State:
    """Two hours at 6 %/h, then the last half hour at 40 %/h (sessions joined): 32 % used,
    2.5 hours left. The blend (~18 %/h) ends past the reset; the surge fills it first."""
    start = NOW - 2.5 * HOUR
    window = Window(start + 5 * HOUR, 0.0, start, "a")
    window.samples = [(start + i * 300.0, round(6.0 * i / 12, 1)) for i in range(25)]
    base = window.samples[-1][1]
    window.samples += [(NOW - 1800 + i * 300.0, round(base + 40.0 * i / 12, 1))
                       for i in range(1, 7)]
    window.used_pct = window.samples[-1][1]
    state = State()
    state.windows["five_hour"] = window
    return state


def test_a_surge_that_fills_the_window_first_at_even_odds_becomes_the_pace(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forecast.limit_odds, "hit_probability", lambda *_args: 0.9)
    w = forecast.project(surge_state(), NOW).windows["five_hour"]
    assert w.rate_pct_per_hour == pytest.approx(40.0, rel=0.05)
    assert w.eta_limit_at is not None and w.eta_limit_at < w.resets_at and w.limit_before_reset


def test_a_surge_at_poor_odds_leaves_the_blended_pace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forecast.limit_odds, "hit_probability", lambda *_args: 0.3)
    w = forecast.project(surge_state(), NOW).windows["five_hour"]
    assert w.rate_pct_per_hour == pytest.approx(18.0, rel=0.1)
    assert w.eta_limit_at is not None and w.eta_limit_at > w.resets_at
    assert not w.limit_before_reset


def test_the_written_out_priors_are_the_intensity_functions() -> None:
    """profile.PRIORS is built without calling the functions (every call builds it): it
    must be exactly what they give, hour by hour of the week."""
    from statusline.forecast import profile

    assert profile.PRIORS["five_hour"] == profile.local_slot_prior(profile.workday_intensity)
    assert profile.PRIORS["seven_day"] == profile.local_slot_prior(profile.week_intensity)


def early_block_rhythm(days: int = 14) -> Rhythm:
    """Every day 04:00-06:00 UTC at 50 %/h (a split shift's early block), nothing else."""
    learned = Rhythm()
    learned.follow_clock(0.0)
    midnight = NOW - 10 * HOUR - days * 86400.0
    for day in range(days):
        start = midnight + day * 86400.0 + 4 * HOUR
        samples = [(start + k * 600.0, round(50.0 * k / 6, 1)) for k in range(1, 13)]
        learned.learn_window(start + 5 * HOUR, 5 * HOUR, samples)
    return learned


def early_block_state() -> tuple[State, float]:
    """Today's block: since 04:00 at 75 %/h; at 04:40 the window stands at 50 %."""
    start = NOW - 6 * HOUR
    now = start + 40 * 60.0
    window = Window(start + 5 * HOUR, 0.0, start, "a")
    window.samples = [(start + i * 120.0, round(75.0 * i / 30, 1)) for i in range(21)]
    window.used_pct = window.samples[-1][1]
    state = State()
    state.windows["five_hour"] = window
    state.rhythm = early_block_rhythm()
    return state, now


def test_a_pace_that_fills_the_window_within_the_persons_block_warns_at_poor_odds() -> None:
    """A split shift at 04:40, 75 %/h with half the window left: full by 05:20, inside the
    block this person works every day. The odds model (fitted on office days) reads the
    empty hours to the reset as an evening coming and gives low odds; the pace is the
    answer."""
    state, now = early_block_state()
    w = forecast.project(state, now).windows["five_hour"]
    assert w.rhythm_weight > 0.9
    assert w.eta_limit_at is not None and w.eta_limit_at < now + five_hour.IMMINENT_S
    assert w.hit_odds is not None and w.hit_odds < forecast.HOLD_ODDS
    assert w.limit_before_reset


def test_an_eta_beyond_the_imminent_horizon_waits_for_the_odds(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The same moment with a shorter horizon than the time to the ETA: the odds decide."""
    state, now = early_block_state()
    monkeypatch.setattr(five_hour, "IMMINENT_S", 600.0)
    assert not forecast.project(state, now).windows["five_hour"].limit_before_reset


def fresh_week_state(hours: float, used: float) -> State:
    """A 7-day window the store watched from its start, ``hours`` old at NOW at ``used`` %."""
    start = NOW - hours * HOUR
    window = Window(start + 7 * 86400.0, 0.0, start, "a")
    steps = int(hours * 4)
    window.samples = [(start + i * 900.0, round(used * i / steps, 1)) for i in range(steps + 1)]
    window.used_pct = window.samples[-1][1]
    state = State()
    state.windows["seven_day"] = window
    return state


def test_a_heavy_first_day_of_a_week_does_not_warn_on_the_rest_of_the_week(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """25 % in a week's first six hours projects far past 100 % over the six days to come,
    but a week's first hours say little of its rest (the persona weeks that start heavy end
    at 60-85 %): no warning unless the next day alone would reach the limit."""
    state = fresh_week_state(6.0, 25.0)
    w = forecast.project(state, NOW).windows["seven_day"]
    assert w.projected_pct_at_reset is not None and w.projected_pct_at_reset > 100.0
    assert not w.limit_before_reset
    monkeypatch.setattr(seven_day, "EARLY_WEEK_S", 0.0)
    assert forecast.project(state, NOW).windows["seven_day"].limit_before_reset


def test_a_week_past_its_first_day_at_a_hitting_pace_still_warns() -> None:
    state = fresh_week_state(40.0, 70.0)
    assert forecast.project(state, NOW).windows["seven_day"].limit_before_reset


def paused_near_the_reset_state(warned: bool) -> State:
    """A window 4h15 old at NOW (45 minutes to its reset): 22 %/h for 3h45, then a half-hour
    pause at 82.5 %. The pace seen (the window's average, about 19.4 %/h) ends it at about
    97 % at the reset, its ETA some ten minutes past it."""
    start = NOW - 4.25 * HOUR
    window = Window(start + 5 * HOUR, 0.0, start, "a")
    window.samples = [(start + i * 300.0, round(22.0 * i / 12, 1)) for i in range(46)]
    window.samples.append((NOW, window.samples[-1][1]))
    window.used_pct = window.samples[-1][1]
    window.warned = warned
    state = State()
    state.windows["five_hour"] = window
    return state


@pytest.mark.parametrize("warned", [False, True])
def test_a_raised_warning_holds_near_the_reset_while_the_pace_ends_just_short(
        monkeypatch: pytest.MonkeyPatch, warned: bool) -> None:
    """The pause puts the ETA past the reset and the odds under the hold's: a warning never
    raised is not raised, a raised one holds (it flapped off in the last half hour of windows
    that went on to fill), and its ETA is the reset: the limit comes by then if at all."""
    low = (one_window.HOLD_FLOOR_ODDS + forecast.HOLD_ODDS) / 2
    monkeypatch.setattr(forecast.limit_odds, "hit_probability", lambda *_args: low)
    w = forecast.project(paused_near_the_reset_state(warned), NOW).windows["five_hour"]
    assert w.projected_pct_at_reset is not None
    assert 100.0 - one_window.HOLD_MARGIN_PCT < w.projected_pct_at_reset < 100.0
    assert w.limit_before_reset is warned
    assert w.eta_limit_at is not None
    if warned:
        assert w.eta_limit_at == w.resets_at
    else:
        assert w.eta_limit_at > w.resets_at


def test_a_held_warning_lets_go_at_collapsed_odds(monkeypatch: pytest.MonkeyPatch) -> None:
    collapsed = one_window.HOLD_FLOOR_ODDS / 2
    monkeypatch.setattr(forecast.limit_odds, "hit_probability", lambda *_args: collapsed)
    w = forecast.project(paused_near_the_reset_state(True), NOW).windows["five_hour"]
    assert not w.limit_before_reset


def test_the_hold_needs_the_reset_near_the_pace_close_and_odds() -> None:
    now, margin, floor = NOW, one_window.HOLD_MARGIN_PCT, one_window.HOLD_FLOOR_ODDS
    near = now + one_window.HOLD_WITHIN_S
    assert one_window.held(now, near, 100.0 - margin, floor)
    assert not one_window.held(now, near + 60.0, 100.0 - margin, floor)  # the reset far off
    assert not one_window.held(now, near, 100.0 - margin - 0.5, floor)  # the pace clearly short
    assert not one_window.held(now, near, 99.0, floor - 0.01)  # the odds collapsed
    assert not one_window.held(now, near, 99.0, None)  # no odds: no pace


SATURDAY = float(calendar.timegm((2026, 9, 12, 0, 0, 0)))


def weekend_only_state(first_seen_pct: float) -> tuple[State, float]:
    """A week that began on a Saturday at 08:00 UTC, 40 % used by Sunday 12:00, with a
    rhythm learned from the Saturday alone (three busy 5h windows; no weekday watched yet).
    The store saw the week first at ``first_seen_pct``."""
    rhythm = Rhythm()
    rhythm.follow_clock(0.0)
    for start_h in (8.0, 13.0, 18.0):
        start = SATURDAY + start_h * HOUR
        rhythm.learn_window(start + 5 * HOUR, 5 * HOUR,
                            [(start + k * 600.0, 4.0 * k) for k in range(1, 25)])
    start = SATURDAY + 8 * HOUR
    now = SATURDAY + 36 * HOUR  # Sunday 12:00
    window = Window(start + 7 * 86400.0, 0.0, start, "a")
    steps = 28 * 4
    window.samples = [(start + i * 900.0,
                       round(first_seen_pct + (40.0 - first_seen_pct) * i / steps, 1))
                      for i in range(steps + 1)]
    window.used_pct = window.samples[-1][1]
    state = State()
    state.rhythm = rhythm
    state.windows["seven_day"] = window
    return state, now


def test_a_week_watched_from_its_start_does_not_warn_on_days_never_watched() -> None:
    """Seen only on a weekend, the account's weekdays are a guess (the prior's busy office
    days at its weekend's level would fill the week): no 7d warning rests on them."""
    state, now = weekend_only_state(0.0)
    w = forecast.project(state, now).windows["seven_day"]
    assert w.projected_pct_at_reset is not None and w.projected_pct_at_reset > 100.0
    assert not w.limit_before_reset
    assert w.guessed_pct is not None and 0 < w.guessed_pct < w.projected_pct_at_reset
    note = rhythm_text.forecast_note("seven_day", w)
    assert note is not None and "not been seen on" in note and "no warning" in note
    assert seven_day.unwatched_hours(state.windows["seven_day"], now + 86400.0,
                                     forecast.rhythm_profile("seven_day", state.rhythm, 0.0),
                                     0.0) > 0


def test_a_week_first_seen_well_used_still_warns() -> None:
    """The same week first seen at 30 %: that was used on days nobody watched, so the
    weekdays are no guess and the projection warns."""
    state, now = weekend_only_state(30.0)
    w = forecast.project(state, now).windows["seven_day"]
    assert w.limit_before_reset and w.guessed_pct is None
    assert "not been seen on" not in (rhythm_text.forecast_note("seven_day", w) or "")


@settings(max_examples=100, deadline=None)
@given(days=st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=4, unique=True),
       first_pct=st.sampled_from([0.0, 3.0]) | st.floats(min_value=0.0, max_value=60.0),
       used_pct=st.floats(min_value=0.0, max_value=99.0),
       age_h=st.floats(min_value=2.0, max_value=160.0))
def test_leaving_out_never_watched_days_only_takes_a_warning_away(
        days: list[int], first_pct: float, used_pct: float, age_h: float) -> None:
    """Whatever the days the rhythm watched and wherever the week stands, the rule can hold
    a 7d warning back but never raise one, and it names what it held back exactly then."""
    rhythm = Rhythm()
    rhythm.follow_clock(0.0)
    monday = SATURDAY + 2 * 86400
    for day in sorted(days):
        start = monday + day * 86400 + 9 * HOUR
        rhythm.learn_window(start + 5 * HOUR, 5 * HOUR,
                            [(start + k * 600.0, 3.0 * k) for k in range(1, 25)])
    week_start = monday + 7 * 86400
    now = week_start + age_h * HOUR
    window = Window(week_start + 7 * 86400.0, 0.0, week_start, "a")
    top = max(first_pct, used_pct)
    steps = max(2, int(age_h))
    window.samples = [(week_start + i * (now - week_start) / steps,
                       round(first_pct + (top - first_pct) * i / steps, 1))
                      for i in range(steps + 1)]
    window.used_pct = window.samples[-1][1]
    state = State()
    state.rhythm = rhythm
    state.windows["seven_day"] = window
    with_rule = forecast.project(state, now).windows["seven_day"]
    original = seven_day.WATCHED_FROM_START_PCT
    seven_day.WATCHED_FROM_START_PCT = -1.0  # the rule off: nothing is a guess
    try:
        without = forecast.project(state, now).windows["seven_day"]
    finally:
        seven_day.WATCHED_FROM_START_PCT = original
    assert not with_rule.limit_before_reset or without.limit_before_reset
    assert without.guessed_pct is None
    held_back = without.limit_before_reset and not with_rule.limit_before_reset
    assert (with_rule.guessed_pct is not None) == held_back
    assert with_rule.eta_limit_at == without.eta_limit_at
    assert with_rule.projected_pct_at_reset == without.projected_pct_at_reset
