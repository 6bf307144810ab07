"""Intensity profiles: the fixed working-day and week priors, the account's rhythm shrunk to
them, and time integrated over a profile (intensity-hours, working hours left)."""

from __future__ import annotations

import math

from statusline.history.rhythm import SLOTS, Profile, Rhythm, utc_slot

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

PACE_TOLERANCE = 0.25  # a learned hour at this share of the current one still counts fully

# Relative usage intensity by local hour, normalised to weekday working hours. The shape
# follows claude-statusbar's published priors (night 0.02, work 0.45, off-hours 0.12,
# weekend 0.10 %/h); the level always comes from the user's own readings.
WORK_HOURS = (9, 18)
NIGHT_END_HOUR = 7
INTENSITY_NIGHT = 0.02 / 0.45
INTENSITY_OFF_HOURS = 0.12 / 0.45
INTENSITY_WEEKEND = 0.10 / 0.45


def _local(t: float, utc_offset: float) -> tuple[int, int]:
    local = t + utc_offset
    return int(local // 3600) % 24, int((local // 86400 + 3) % 7)  # hour, weekday (Mon = 0)


def workday_intensity(t: float, utc_offset: float) -> float:
    """Two levels for the 5h warning: weekday working hours 1, any other hour off-hours.

    Nights are not singled out: whoever still works at 23:00 may well go on.
    """
    hour, weekday = _local(t, utc_offset)
    working = weekday < 5 and WORK_HOURS[0] <= hour < WORK_HOURS[1]
    return 1.0 if working else INTENSITY_OFF_HOURS


def week_intensity(t: float, utc_offset: float) -> float:
    """The 7d profile: night < weekend < weekday off-hours < weekday working hours (1)."""
    hour, weekday = _local(t, utc_offset)
    if hour < NIGHT_END_HOUR:
        return INTENSITY_NIGHT
    if weekday >= 5:
        return INTENSITY_WEEKEND
    if WORK_HOURS[0] <= hour < WORK_HOURS[1]:
        return 1.0
    return INTENSITY_OFF_HOURS


def local_slot_prior(intensity: Callable[[float, float], float]) -> list[float]:
    """A fixed profile as 168 local hour-of-week values (Monday 00:00 first)."""
    monday = 4 * 86400.0  # the epoch began on a Thursday
    return [intensity(monday + slot * 3600.0, 0.0) for slot in range(SLOTS)]


# The same two tables as ``local_slot_prior`` of the functions above gives (a test holds
# them equal), written out by day and hour: built on every call, so without 336 calls.
_WORKING = range(*WORK_HOURS)
PRIORS = {
    "five_hour": [1.0 if day < 5 and hour in _WORKING else INTENSITY_OFF_HOURS
                  for day in range(7) for hour in range(24)],
    "seven_day": [INTENSITY_NIGHT if hour < NIGHT_END_HOUR else INTENSITY_WEEKEND if day >= 5
                  else 1.0 if hour in _WORKING else INTENSITY_OFF_HOURS
                  for day in range(7) for hour in range(24)],
}
_profiles: dict[tuple[object, ...], Profile] = {}


def rhythm_profile(name: str, rhythm: Rhythm | None, utc_offset: float) -> Profile:
    """The intensity profile window ``name`` is projected with: ``rhythm`` shrunk to the
    window's fixed prior (see ``rhythm.Profile``). Memoised: a call projects several times."""
    name = "five_hour" if name == "five_hour" else "seven_day"  # per-model weeks: a week
    key: tuple[object, ...] = (name, utc_offset)
    if rhythm is not None:
        key += (rhythm.learned_until, rhythm.decayed_at, rhythm.windows, sum(rhythm.hours),
                rhythm.offset)
    profile = _profiles.get(key)
    if profile is None:
        if len(_profiles) > 16:
            _profiles.clear()
        profile = _profiles[key] = Profile(rhythm, PRIORS[name], utc_offset)
    return profile


def working_hours_left(now: float, resets_at: float, utc_offset: float,
                       profile: Profile | None = None) -> float:
    """Hours from ``now`` to ``resets_at``, each counted at its share of this hour's pace.

    The shares come from ``profile`` (the account's rhythm shrunk to the working-day prior;
    the prior alone when None). An hour busier than this one counts fully, never more: the
    pace seen now is the pace. With the prior alone, inside working hours the evening counts
    at about a quarter; outside them every hour counts fully (whoever works at 23:00 works at
    the pace seen now).
    """
    profile = profile or rhythm_profile("five_hour", None, utc_offset)
    # A learned profile is an average over days, bumpy from hour to hour: an hour at a
    # quarter of this one's average is still a working hour of this person (on persona
    # traces 0.25-0.35 kept every hit warned; 0.5 lost two). The prior has two flat levels
    # and needs no such slack.
    level = profile.at(now, utc_offset) * (1.0 - (1.0 - PACE_TOLERANCE) * profile.weight)

    def relative(t: float) -> float:
        return min(1.0, profile.at(t, utc_offset) / level) if level > 0 else 1.0

    return intensity_hours(now, resets_at, relative, utc_offset)


def _next_hour(t: float, utc_offset: float) -> float:
    return (math.floor((t + utc_offset) / 3600.0) + 1) * 3600.0 - utc_offset


def _hourly(start: float, end: float, intensity: Callable[[float], float] | Profile,
            utc_offset: float) -> Iterator[tuple[float, float, float]]:
    """The pieces of [start, end] cut at the local hours, with the intensity of each:
    (from, to, intensity).

    ``intensity`` is a function of time, or a ``Profile``: its value for the local hour of
    the week, read from its table without a call (the 7d forecast integrates up to a week
    on every call). The next boundary and slot are stepped, not recomputed: offsets are
    whole seconds, so an hour's end plus an hour is exactly the next one's.
    """
    table = intensity.intensity if isinstance(intensity, Profile) else None
    t = start
    boundary = _next_hour(t, utc_offset)
    slot = utc_slot(t + utc_offset)
    while t < end:
        step_end = min(end, boundary)
        yield t, step_end, table[slot] if table is not None else intensity(t)  # type: ignore[operator]
        t, boundary = step_end, boundary + 3600.0
        slot = slot + 1 if slot < SLOTS - 1 else 0


def intensity_hours(start: float, end: float, intensity: Callable[[float], float] | Profile,
                    utc_offset: float) -> float:
    """Integral of ``intensity`` (a function of time or a ``Profile``) over [start, end] in
    intensity-hours (constant per hour)."""
    total = 0.0
    for t, step_end, value in _hourly(start, end, intensity, utc_offset):
        total += value * (step_end - t) / 3600.0
    return total


def time_to_add(
    start: float, amount: float, per_hour: float, limit: float,
    intensity: Callable[[float], float] | Profile, utc_offset: float,
) -> float | None:
    """When ``per_hour`` % per intensity-hour, from ``start``, has added ``amount`` %.

    None when that does not happen by ``limit``. ``intensity`` as in ``intensity_hours``.
    """
    added = 0.0
    for t, step_end, value in _hourly(start, limit, intensity, utc_offset):
        rate = per_hour * value
        gain = rate * (step_end - t) / 3600.0
        if rate > 0 and added + gain >= amount:
            return t + (amount - added) / rate * 3600.0
        added += gain
    return None
