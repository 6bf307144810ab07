"""forecast/profile.py: time integrated over an hour-of-week profile.

The 7d forecast integrates up to a week on every call, so a ``Profile`` is read from its
table hour by hour instead of through a function call per hour; these tests hold that to
the plain definition (one call of the intensity per local hour) on open-ended inputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from statusline.forecast.profile import PRIORS, intensity_hours, time_to_add
from statusline.history.rhythm import SLOTS, Profile, Rhythm, utc_slot

NOW = 1_800_000_000.0


def reference_hours(start: float, end: float, intensity: Callable[[float], float],
                    utc_offset: float) -> float:
    """The definition: cut [start, end] at each local hour, each piece at its hour's value."""
    total, t = 0.0, start
    while t < end:
        step_end = min(end, (math.floor((t + utc_offset) / 3600.0) + 1) * 3600.0 - utc_offset)
        total += intensity(t) * (step_end - t) / 3600.0
        t = step_end
    return total


def learned_profile(offset: float) -> Profile:
    rhythm = Rhythm()
    rhythm.usage = [float((slot * 7) % 11) for slot in range(SLOTS)]
    rhythm.hours = [1.0] * SLOTS
    rhythm.learned_until = NOW
    rhythm.offset = offset
    return Profile(rhythm, PRIORS["seven_day"], offset)


starts = st.floats(min_value=NOW - 8 * 86400, max_value=NOW + 8 * 86400)
spans = st.floats(min_value=0.0, max_value=9 * 86400.0)
offsets = st.integers(min_value=-12 * 4, max_value=14 * 4).map(lambda q: q * 900.0)


@given(starts, spans, offsets)
def test_a_profile_integrates_as_its_hourly_values_do(start: float, span: float,
                                                      offset: float) -> None:
    for profile in (Profile(None, PRIORS["seven_day"], offset), learned_profile(offset)):
        expected = reference_hours(start, start + span, lambda t, p=profile: p.at(t, offset),
                                   offset)
        assert intensity_hours(start, start + span, profile, offset) == expected
        assert intensity_hours(start, start + span, lambda t, p=profile: p.at(t, offset),
                               offset) == expected


@given(starts, st.floats(min_value=0.0, max_value=300.0), st.floats(min_value=0.0,
                                                                      max_value=5.0),
       spans, offsets)
def test_time_to_add_is_where_the_integral_reaches_the_amount(
        start: float, amount: float, per_hour: float, span: float, offset: float) -> None:
    profile = Profile(None, PRIORS["seven_day"], offset)
    at = time_to_add(start, amount, per_hour, start + span, profile, offset)
    same = time_to_add(start, amount, per_hour, start + span,
                       lambda t: profile.at(t, offset), offset)
    assert at == same
    reachable = per_hour * reference_hours(start, start + span,
                                           lambda t: profile.at(t, offset), offset)
    if at is None:
        # Never reached while adding (an empty span adds nothing, not even a zero amount).
        assert reachable < amount or math.isclose(reachable, amount, rel_tol=1e-9,
                                                  abs_tol=1e-9) or span == 0.0
    else:
        assert start <= at <= start + span + 1e-6
        added = per_hour * reference_hours(start, at, lambda t: profile.at(t, offset), offset)
        assert math.isclose(added, amount, rel_tol=1e-9, abs_tol=1e-9)


def test_the_hour_of_week_slot_follows_the_local_clock() -> None:
    profile = Profile(None, PRIORS["seven_day"], 3600.0)
    # One hour inside one local hour: that hour's value, once.
    monday_10_local = 1_799_996_400.0  # any instant: the slot is what counts
    value = profile.intensity[utc_slot(monday_10_local + 3600.0)]
    begin = (monday_10_local + 3600.0) // 3600 * 3600 - 3600.0
    assert intensity_hours(begin, begin + 3600.0, profile, 3600.0) == value
