"""The 7-day window (and per-model weeks): momentum while someone spends, then the window's
level spread over the week profile."""

from __future__ import annotations

from statusline.forecast.profile import intensity_hours, time_to_add, working_hours_left
from statusline.forecast.series import slope
from statusline.history import WINDOW_SECONDS
from statusline.history.rhythm import SLOTS, utc_slot

TYPE_CHECKING = False
if TYPE_CHECKING:
    from statusline.history import State, Window
    from statusline.history.rhythm import Profile

MOMENTUM_LOOKBACK_S = 3600.0  # a ramp (sessions joining) shows within the hour
MIN_MOMENTUM_SPAN_S = 1800.0
MOMENTUM_HORIZON_S = 2 * 3600.0
MIN_OWN_HISTORY_7D_S = 6 * 3600.0
PRIOR_WEEK_PCT = 60.0  # a typical week's peak, until the store has seen one end
WEEK_PRIOR_MASS = 48.0  # the prior's weight: two days of intensity-hours
WEEK_GROWTH_DOUBT = 0.25
DOUBT_AFTER_S = 24 * 3600.0
# In a week's first day the rest of the week is unknown: none of its growth past the next
# day counts for a warning until the window is this old (weeks watched from a heavy first
# day ended at 60-85 % on the rhythm sets; 36 h also lost a true warning on held-out days).
EARLY_WEEK_S = 24 * 3600.0
# A week first seen at this % or less was watched from its start: what it has used was
# used on the days the rhythm watched (a week first seen higher was used on others too).
WATCHED_FROM_START_PCT = 5.0


def outlook(
    window: Window, series: list[tuple[float, float]], now: float, effective: float,
    active: bool, utc_offset: float, profile: Profile, week_pct: float,
) -> tuple[float | None, float | None, float, bool, bool, float | None]:
    """(rate, eta, projected % at the reset, warning, thin, guessed %): the last is the
    growth on never-watched kinds of day when leaving it out kept the warning back."""
    start = window.resets_at - WINDOW_SECONDS["seven_day"]
    elapsed_h = (now - start) / 3600.0
    if elapsed_h < 1.0:
        return None, None, window.used_pct, False, True, None

    average = window.used_pct / elapsed_h
    mass = intensity_hours(start, now, profile, utc_offset)
    # The level per intensity-hour is a Bayesian mean: the window's own usage over the
    # profile's mass so far, plus a day's worth of mass at the pace of a typical week
    # (the last week's peak, or PRIOR_WEEK_PCT), so one heavy first evening cannot
    # project a week seven times over. Mean intensity is 1, so a week is 168 units.
    per_intensity_hour = ((window.used_pct + WEEK_PRIOR_MASS * week_pct / SLOTS)
                          / (mass + WEEK_PRIOR_MASS))
    momentum = None
    if active:
        momentum = slope(series, now, MOMENTUM_LOOKBACK_S, MIN_MOMENTUM_SPAN_S)[0]
    remaining = 100.0 - effective
    start_profile, gain_by_reset = now, 0.0
    eta = None
    if momentum:
        # The pace seen now, carried through the next two hours of the profile (a burst at
        # the hour this account usually stops does not go on at full pace).
        gain = momentum * working_hours_left(now, now + MOMENTUM_HORIZON_S, utc_offset, profile)
        gain_by_reset = momentum * working_hours_left(
            now, min(now + MOMENTUM_HORIZON_S, max(now, window.resets_at)), utc_offset, profile)
        if gain >= remaining:
            eta = now + remaining / momentum * 3600.0
        else:
            remaining -= gain
        start_profile = now + MOMENTUM_HORIZON_S
    if eta is None and per_intensity_hour > 0:
        horizon = window.resets_at + WINDOW_SECONDS["seven_day"]
        eta = time_to_add(start_profile, remaining, per_intensity_hour, horizon, profile,
                          utc_offset)
    # The straight line (the profile sees no end within two weeks) is only an ETA, never
    # a warning.
    warn = eta is not None and eta < window.resets_at
    if eta is None and average > 0:
        eta = start_profile + remaining / average * 3600.0
    projected = effective + gain_by_reset
    if window.resets_at > start_profile:
        projected += per_intensity_hour * intensity_hours(
            start_profile, window.resets_at, profile, utc_offset
        )
    # The growth expected past the next day rests on days not yet lived, which vary by
    # about a quarter either way: warn only when the limit comes even if that part is a
    # quarter less. (A week projected to end a little over 100 % from its first days
    # ended lower on every persona trace.) Of that growth, what falls on a kind of day the
    # rhythm never watched does not count at all (``unwatched_hours``); ``withheld`` says
    # how much of it kept a warning back, for ``explain``.
    withheld = None
    if warn and not window.warned and window.resets_at > now + DOUBT_AFTER_S:
        later_from = max(start_profile, now + DOUBT_AFTER_S)
        later = per_intensity_hour * intensity_hours(later_from, window.resets_at, profile,
                                                     utc_offset)
        doubt = WEEK_GROWTH_DOUBT if now - start >= EARLY_WEEK_S else 1.0
        guessed = per_intensity_hour * unwatched_hours(window, later_from, profile, utc_offset)
        warn = projected - guessed - doubt * (later - guessed) >= 100.0
        if not warn and guessed > 0 and projected - doubt * later >= 100.0:
            withheld = guessed
    # A week-long projection from a few hours of our own readings is a guess: mark it '~'.
    thin = now - series[0][0] < MIN_OWN_HISTORY_7D_S
    return momentum or average, eta, projected, warn, thin, withheld


def unwatched_hours(window: Window, start: float, profile: Profile, utc_offset: float) -> float:
    """The intensity-hours from ``start`` to the week's reset that fall on kinds of day
    (weekdays, weekend days) the account's rhythm never watched, for a week watched from
    its start; 0 otherwise.

    A weekend-only account seen from its first Saturday would otherwise have the prior's
    busy weekdays, at its own weekend's level, fill the week: growth on days of a kind never
    seen is a guess, and a warning must not rest on it. A week first seen well above 0 %
    was used on days nobody watched, so for it nothing is discounted.
    """
    seen = profile.seen
    if seen is None or not window.samples or window.samples[0][1] > WATCHED_FROM_START_PCT:
        return 0.0
    return intensity_hours(
        start, window.resets_at,
        lambda t: profile.at(t, utc_offset) * (1.0 - seen[utc_slot(t + utc_offset)]), utc_offset)


def typical_week_pct(state: State) -> float:
    """The peak of the last 7-day window the store saw end, else ``PRIOR_WEEK_PCT``."""
    ended = state.archive["seven_day"]
    return ended[-1].peak_pct if ended else PRIOR_WEEK_PCT
