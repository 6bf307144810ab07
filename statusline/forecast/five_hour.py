"""The 5-hour window: the pooled pace, its surge, the odds of a hit and the ramp's ETA."""

from __future__ import annotations

from statusline.forecast import limit_odds
from statusline.forecast.profile import time_to_add, working_hours_left
from statusline.forecast.series import slope
from statusline.history import WINDOW_SECONDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from statusline.history import Window
    from statusline.history.rhythm import Profile

RECENT_LOOKBACK_S = 3600.0
MIN_RECENT_SPAN_S = 900.0  # values move in 0.1 / 1 % steps: a slope needs a span
FULL_RECENT_SPAN_S = 3600.0  # span at which the recent slope gets its full weight
RECENT_WEIGHT = 0.5
SURGE_LOOKBACK_S = 1800.0  # a surge: the last half hour running ahead of the blended rate
MIN_SURGE_SPAN_S = 600.0
MIN_ELAPSED_S = 600.0  # no window average in the first ten minutes
WARN_ODDS = 0.5  # raise the 5h warning at even odds or better ...
HOLD_ODDS = 0.35  # ... and keep it until the odds drop clearly below
RAMP_CAP = 2.0
# The window fills within this long at the pace seen, inside this person's working time:
# whether they stop before the reset is no longer the question (see ``imminent``).
IMMINENT_S = 2700.0
IMMINENT_WORK = 0.8  # share of the time to the ETA that must be working time


def outlook(
    window: Window, series: list[tuple[float, float]], now: float, effective: float,
    utc_offset: float, profile: Profile,
) -> tuple[float | None, float | None, float, float | None, bool]:
    """(rate, eta, projected % at the reset, odds of a hit, thin) of the 5h window."""
    rate, thin = five_hour_rate(window, series, now)
    if rate is None or rate <= 0:
        return rate, None, effective, None, True
    remaining = 100.0 - effective
    work_hours = working_hours_left(now, window.resets_at, utc_offset, profile)
    hours_left = max(window.resets_at - now, 0.0) / 3600.0
    eta = now + remaining / rate * 3600.0
    odds = limit_odds.hit_probability(rate, work_hours, hours_left, remaining)
    if eta >= window.resets_at:
        # Sessions joining show in the last half hour before the blended rate catches up:
        # if that pace fills the window before the reset, at even odds, it is the pace.
        surge = slope(series, now, SURGE_LOOKBACK_S, MIN_SURGE_SPAN_S)[0]
        if surge is not None and surge > rate:
            surge_eta = now + remaining / surge * 3600.0
            surge_odds = limit_odds.hit_probability(surge, work_hours, hours_left, remaining)
            if surge_eta < window.resets_at and surge_odds >= WARN_ODDS:
                rate, eta, odds = surge, surge_eta, surge_odds
    if profile.weight > 0:
        surge = slope(series, now, SURGE_LOOKBACK_S, MIN_SURGE_SPAN_S)[0]
        pace = rate + profile.weight * max(0.0, (surge or 0.0) - rate)
        eta = ramp_eta(now, remaining, pace, window.resets_at, utc_offset, profile) or eta
    return rate, eta, effective + rate * work_hours, odds, thin


def imminent(now: float, eta: float | None, resets_at: float, utc_offset: float,
             profile: Profile) -> bool:
    """True when the pace seen fills the window within ``IMMINENT_S``, before the reset,
    and the time until then is this person's working time (at least ``IMMINENT_WORK`` of
    it, counted as the 5h odds count it).

    ``limit_odds`` asks whether someone keeps going until the window fills; it learned
    that from office days, where a short working time left means the evening is near. A
    person in the middle of a short, intense block (a split shift, a sprint) has little
    working time left before the reset and still fills the window within the hour: there
    the odds are out of their depth, and the pace is the answer."""
    if eta is None or eta >= resets_at or eta - now > IMMINENT_S or eta <= now:
        return False
    work = working_hours_left(now, eta, utc_offset, profile)
    return work >= IMMINENT_WORK * (eta - now) / 3600.0


def ramp_eta(now: float, remaining: float, rate: float, resets_at: float, utc_offset: float,
             profile: Profile) -> float | None:
    """When ``remaining`` % is used if this person keeps going: at ``rate``, faster in the
    hours their rhythm is busier than this one (up to ``RAMP_CAP`` times, in proportion to
    the rhythm's weight), never slower: whether they keep going is the warning's question.

    ``rate`` is what someone working now burns, while the rhythm's hours are wall-clock
    averages over days (the days nobody worked then count as empty): an hour is "busier"
    only against a working hour's level (``Profile.busy``), never against a quiet hour's own
    low average, which would multiply an active rate by how rarely people work then and
    bring the ETA early."""
    level = max(profile.at(now, utc_offset), profile.busy)
    if level <= 0:
        return None
    weight = profile.weight

    def ramp(t: float) -> float:
        return 1.0 + weight * max(0.0, min(RAMP_CAP, profile.at(t, utc_offset) / level) - 1.0)

    return time_to_add(now, remaining, rate, resets_at + WINDOW_SECONDS["five_hour"], ramp,
                       utc_offset)


def prior_odds(window: Window, now: float, effective: float, rate: float,
               utc_offset: float) -> float:
    """The 5h odds at ``rate`` with the fixed working-day profile alone (no rhythm)."""
    work_hours = working_hours_left(now, window.resets_at, utc_offset)
    hours_left = max(window.resets_at - now, 0.0) / 3600.0
    return limit_odds.hit_probability(rate, work_hours, hours_left, 100.0 - effective)


def five_hour_rate(
    window: Window, series: list[tuple[float, float]], now: float
) -> tuple[float | None, bool]:
    """Pooled 5h burn in %/h and whether it is thin: max(window average, blend)."""
    elapsed = now - (window.resets_at - WINDOW_SECONDS["five_hour"])
    average = window.used_pct / (elapsed / 3600.0) if elapsed >= MIN_ELAPSED_S else None
    recent, span = slope(series, now, RECENT_LOOKBACK_S, MIN_RECENT_SPAN_S)
    if recent is None:
        return average, True
    if average is None:
        return recent, True
    weight = RECENT_WEIGHT * min(1.0, span / FULL_RECENT_SPAN_S)
    return max(average, weight * recent + (1.0 - weight) * average), span < FULL_RECENT_SPAN_S
