"""Project the pooled rate-limit windows forward (pure: ``now`` and the UTC offset are passed in).

Per window, from the merged readings of every session: the burn rate in %/h, when the window
reaches 100 % at that pace (``eta_limit_at``), whether that comes before the reset
(``limit_before_reset``), and the figure expected at the reset; then the binding window,
each session's share of the last hour's spend, and the pooled $/h (all API-key users have).

The model, measured on the forecast benchmark's traces (see README "Forecast"):

* 5-hour window: rate = max(window average, blend of the last hour's slope and the window
  average). The max lets a ramp count at once while a pause (lunch, a meeting) cannot drag
  the rate under the window's own average. When that pace ends past the reset but the last
  half hour runs fast enough to fill the window first, at even odds, the surge is the pace
  (sessions joining show there before the blend catches up).
  The warning is not the straight line: it needs the pace to hit before the reset *and*
  ``limit_odds`` (a small logistic model of how such windows end, from how far the pace
  carries through a working-day profile and how much of the time left is working time) to
  put the odds at ``WARN_ODDS`` or more. A raised warning holds until the odds fall below
  ``HOLD_ODDS``, so it does not flap.
* 7-day window: while someone is spending, the last hour's pace continues for two hours;
  then the window's own average, spread over a week profile (nights and weekends quieter).
* Readings are floored by the server (0.1 % or 1 % steps), so the true value is taken half a
  step higher.
"""

from __future__ import annotations

import math

from statusline import limit_odds
from statusline.history import WINDOW_SECONDS, State, Window
from statusline.payload import SPEND_LIMIT, WINDOW_NAMES
from statusline.rhythm import SLOTS, Profile, Rhythm
from statusline.spend import spend_forecast

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

# 5-hour window
RECENT_LOOKBACK_S = 3600.0
MIN_RECENT_SPAN_S = 900.0  # values move in 0.1 / 1 % steps: a slope needs a span
FULL_RECENT_SPAN_S = 3600.0  # span at which the recent slope gets its full weight
RECENT_WEIGHT = 0.5
SURGE_LOOKBACK_S = 1800.0  # a surge: the last half hour running ahead of the blended rate
MIN_SURGE_SPAN_S = 600.0
MIN_ELAPSED_S = 600.0  # no window average in the first ten minutes
WARN_ODDS = 0.5  # raise the 5h warning at even odds or better ...
HOLD_ODDS = 0.35
PACE_TOLERANCE = 0.25
RAMP_CAP = 2.0  # ... and keep it until the odds drop clearly below
HYSTERESIS_PCT = 3.0  # 7d: a raised warning holds while the projection is this close to 100 %
# 7-day window
MOMENTUM_LOOKBACK_S = 3600.0  # a ramp (sessions joining) shows within the hour
MIN_MOMENTUM_SPAN_S = 1800.0
MOMENTUM_HORIZON_S = 2 * 3600.0
IDLE_AFTER_S = 1200.0  # nobody spent anything for 20 minutes: nobody is working now
MIN_OWN_HISTORY_7D_S = 6 * 3600.0
PRIOR_WEEK_PCT = 60.0  # a typical week's peak, until the store has seen one end
WEEK_PRIOR_MASS = 48.0  # the prior's weight: two days of intensity-hours
WEEK_GROWTH_DOUBT = 0.25
DOUBT_AFTER_S = 24 * 3600.0
# Spend
SHARE_SPAN_S = 3600.0
MIN_COST_SPAN_S = 300.0

# Relative usage intensity by local hour, normalised to weekday working hours. The shape
# follows claude-statusbar's published priors (night 0.02, work 0.45, off-hours 0.12,
# weekend 0.10 %/h); the level always comes from the user's own readings.
WORK_HOURS = (9, 18)
NIGHT_END_HOUR = 7
INTENSITY_NIGHT = 0.02 / 0.45
INTENSITY_OFF_HOURS = 0.12 / 0.45
INTENSITY_WEEKEND = 0.10 / 0.45


class WindowForecast:
    """What the forecast says about one running window."""

    __slots__ = (
        "eta_limit_at",
        "hit_odds",
        "limit_before_reset",
        "name",
        "observed_at",
        "observed_by",
        "prior_hit_odds",
        "projected_pct_at_reset",
        "rate_pct_per_hour",
        "resets_at",
        "rhythm_days",
        "rhythm_weight",
        "thin",
        "used_pct",
    )

    def __init__(self, name: str, window: Window) -> None:
        self.name = name
        self.used_pct = window.used_pct
        self.resets_at = window.resets_at
        self.observed_at = window.observed_at
        self.observed_by = window.observed_by
        self.rate_pct_per_hour: float | None = None
        self.eta_limit_at: float | None = None
        self.limit_before_reset = False
        # 5h only: limit_odds' probability that the window fills before its reset.
        self.hit_odds: float | None = None
        # The same odds from the fixed working-day prior alone (``explain`` compares them).
        self.prior_hit_odds: float | None = None
        self.projected_pct_at_reset: float | None = None
        # True when the rate rests on little data: the line marks it with '~'.
        self.thin = True
        # How many days of the account's rhythm the profile rests on, and its weight (0-1)
        # against the fixed prior.
        self.rhythm_days = 0.0
        self.rhythm_weight = 0.0


class Projection:
    """The whole forecast for one moment: windows, binding window, shares and spend."""

    __slots__ = ("binding_window", "ended", "shares", "usd_per_hour", "windows")

    def __init__(self) -> None:
        self.windows: dict[str, WindowForecast] = {}
        # Windows whose last known reset has passed with no new reading since.
        self.ended: set[str] = set()
        self.binding_window: str | None = None
        self.shares: dict[str, float] = {}
        self.usd_per_hour: float | None = None


def project(state: State, now: float, utc_offset: float = 0.0) -> Projection:
    """The projection of ``state`` at ``now`` (``utc_offset``: seconds east of UTC, local)."""
    projection = Projection()
    idle = idle_seconds(state, now)
    for name in WINDOW_NAMES:
        window = state.current_window(name, now)
        if window is not None:
            profile = rhythm_profile(name, state.rhythm, utc_offset)
            projection.windows[name] = forecast_window(name, window, now, idle, utc_offset,
                                                       profile, typical_week_pct(state))
        elif state.windows[name] is not None or state.archive[name]:
            projection.ended.add(name)
    for name in state.windows:  # the spend limit and per-model weeks, once seen
        window = state.current_window(name, now)
        if name in WINDOW_NAMES:
            continue
        if window is None:
            if name == SPEND_LIMIT and (state.windows[name] or state.archive.get(name)):
                projection.ended.add(name)
        elif name == SPEND_LIMIT:
            projection.windows[name] = spend_forecast(window, now, WindowForecast(name, window))
        else:
            # A per-model week from the usage cache: readings are rare, so no momentum.
            projection.windows[name] = forecast_window(
                name, window, now, None, utc_offset,
                rhythm_profile(name, state.rhythm, utc_offset), typical_week_pct(state))
    projection.binding_window = binding_window(projection.windows)
    spent = spend_by_session(state, now, SHARE_SPAN_S)
    total = sum(spent.values())
    if total > 0:
        projection.shares = {sid: value / total for sid, value in spent.items()}
    projection.usd_per_hour = pooled_usd_per_hour(state, now, total)
    return projection


def remember(state: State, projection: Projection) -> bool:
    """Store each window's warning in ``state`` (for the hysteresis); True if one changed."""
    changed = False
    for name, forecast in projection.windows.items():
        window = state.windows[name]
        if window is not None and window.warned != forecast.limit_before_reset:
            window.warned = forecast.limit_before_reset
            changed = True
    return changed


def forecast_window(
    name: str, window: Window, now: float, idle: float | None, utc_offset: float,
    profile: Profile | None = None, week_pct: float = PRIOR_WEEK_PCT,
) -> WindowForecast:
    """Rate, ETA, warning and outlook of one running window at ``now``.

    Once the window is full the ETA is when it filled and the warning holds until the
    reset; otherwise the ETA is None or later than ``now``, and a warning implies an ETA
    before the reset (the converse need not hold: the working day may end first).
    """
    result = WindowForecast(name, window)
    profile = profile or rhythm_profile(name, None, utc_offset)
    result.rhythm_days, result.rhythm_weight = profile.days, profile.weight
    value = window.used_pct
    if value >= 100:
        result.rate_pct_per_hour = 0.0
        result.eta_limit_at = window.full_at if window.full_at is not None else now
        result.limit_before_reset = True
        result.hit_odds = result.prior_hit_odds = 1.0 if name == "five_hour" else None
        result.projected_pct_at_reset = 100.0
        result.thin = False
        return result
    series, effective = readings(window, now)
    if name == "five_hour":
        rate, eta, projected, result.hit_odds, thin = _five_hour(
            window, series, now, effective, utc_offset, profile
        )
        if result.hit_odds is not None and rate:
            result.prior_hit_odds = prior_odds(window, now, effective, rate, utc_offset)
        warn = (eta is not None and eta < window.resets_at and result.hit_odds is not None
                and result.hit_odds >= (HOLD_ODDS if window.warned else WARN_ODDS))
    else:
        active = idle is not None and idle < IDLE_AFTER_S
        rate, eta, projected, warn, thin = _seven_day(
            window, series, now, effective, active, utc_offset, profile, week_pct
        )
    if (name == "seven_day" and not warn and window.warned and eta is not None
            and eta < window.resets_at):
        warn = projected >= 100.0 - HYSTERESIS_PCT  # a raised warning does not flap off
    result.rate_pct_per_hour = rate
    result.eta_limit_at = eta
    result.limit_before_reset = warn
    result.projected_pct_at_reset = min(projected, 999.0)
    result.thin = thin
    return result


def readings(window: Window, now: float) -> tuple[list[tuple[float, float]], float]:
    """The window's (time, %) readings up to ``now`` since its last re-baseline, and its
    effective value: readings are floored by the server, so half a step is added."""
    series = [s for s in window.samples_since_rebase() if s[0] <= now]
    series = series or [(now, window.used_pct)]
    return series, min(100.0, window.used_pct + quantisation_step(series) / 2)


def _five_hour(
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


def ramp_eta(now: float, remaining: float, rate: float, resets_at: float, utc_offset: float,
             profile: Profile) -> float | None:
    """When ``remaining`` % is used if this person keeps going: at ``rate``, faster in the
    hours their rhythm is busier than this one (up to ``RAMP_CAP`` times, in proportion to
    the rhythm's weight), never slower: whether they keep going is the warning's question."""
    level = profile.at(now, utc_offset)
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


def _seven_day(
    window: Window, series: list[tuple[float, float]], now: float, effective: float,
    active: bool, utc_offset: float, profile: Profile, week_pct: float,
) -> tuple[float | None, float | None, float, bool, bool]:
    start = window.resets_at - WINDOW_SECONDS["seven_day"]
    elapsed_h = (now - start) / 3600.0
    if elapsed_h < 1.0:
        return None, None, window.used_pct, False, True

    def intensity(t: float) -> float:
        return profile.at(t, utc_offset)

    average = window.used_pct / elapsed_h
    mass = intensity_hours(start, now, intensity, utc_offset)
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
        eta = time_to_add(start_profile, remaining, per_intensity_hour, horizon, intensity,
                          utc_offset)
    # The straight line (the profile sees no end within two weeks) is only an ETA, never
    # a warning.
    warn = eta is not None and eta < window.resets_at
    if eta is None and average > 0:
        eta = start_profile + remaining / average * 3600.0
    projected = effective + gain_by_reset
    if window.resets_at > start_profile:
        projected += per_intensity_hour * intensity_hours(
            start_profile, window.resets_at, intensity, utc_offset
        )
    # The growth expected past the next day rests on days not yet lived, which vary by
    # about a quarter either way: warn only when the limit comes even if that part is a
    # quarter less. (A week projected to end a little over 100 % from its first days
    # ended lower on every persona trace.)
    if warn and not window.warned and window.resets_at > now + DOUBT_AFTER_S:
        later = per_intensity_hour * intensity_hours(
            max(start_profile, now + DOUBT_AFTER_S), window.resets_at, intensity, utc_offset)
        warn = projected - WEEK_GROWTH_DOUBT * later >= 100.0
    # A week-long projection from a few hours of our own readings is a guess: mark it '~'.
    thin = now - series[0][0] < MIN_OWN_HISTORY_7D_S
    return momentum or average, eta, projected, warn, thin


def slope(
    series: list[tuple[float, float]], now: float, lookback: float, min_span: float
) -> tuple[float | None, float]:
    """(%/h, span) of the merged value over the last ``lookback`` seconds, never negative.

    The anchor is the value standing at the start of the span (the series is a step
    function), so whole-percent steps even out once the span is long; None when the span is
    shorter than ``min_span``.
    """
    if not series:
        return None, 0.0
    start = max(now - lookback, series[0][0])
    span = now - start
    if span < min_span:
        return None, span
    rise = series[-1][1] - value_at(series, start)
    return max(0.0, rise / (span / 3600.0)), span


def value_at(series: list[tuple[float, float]], t: float) -> float:
    """The merged value as it stood at ``t`` (the first value for earlier times)."""
    value = series[0][1]
    for at, pct in series:
        if at > t:
            break
        value = pct
    return value


def quantisation_step(series: list[tuple[float, float]]) -> float:
    """1.0 when the recent readings are whole percent, else 0.1."""
    recent = series[-20:]
    if len(recent) >= 3 and all(abs(p - round(p)) < 1e-6 for _, p in recent):
        return 1.0
    return 0.1


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


def _local_slot_prior(intensity: Callable[[float, float], float]) -> list[float]:
    """A fixed profile as 168 local hour-of-week values (Monday 00:00 first)."""
    monday = 4 * 86400.0  # the epoch began on a Thursday
    return [intensity(monday + slot * 3600.0, 0.0) for slot in range(SLOTS)]


PRIORS = {"five_hour": _local_slot_prior(workday_intensity),
          "seven_day": _local_slot_prior(week_intensity)}
_profiles: dict[tuple[object, ...], Profile] = {}


def rhythm_profile(name: str, rhythm: Rhythm | None, utc_offset: float) -> Profile:
    """The intensity profile window ``name`` is projected with: ``rhythm`` shrunk to the
    window's fixed prior (see ``rhythm.Profile``). Memoised: a call projects several times."""
    name = "five_hour" if name == "five_hour" else "seven_day"  # per-model weeks: a week
    key: tuple[object, ...] = (name, utc_offset)
    if rhythm is not None:
        key += (rhythm.learned_until, rhythm.decayed_at, rhythm.windows, sum(rhythm.hours))
    profile = _profiles.get(key)
    if profile is None:
        if len(_profiles) > 16:
            _profiles.clear()
        profile = _profiles[key] = Profile(rhythm, PRIORS[name], utc_offset)
    return profile


def _next_hour(t: float, utc_offset: float) -> float:
    return (math.floor((t + utc_offset) / 3600.0) + 1) * 3600.0 - utc_offset


def intensity_hours(
    start: float, end: float, intensity: Callable[[float], float], utc_offset: float
) -> float:
    """Integral of ``intensity`` over [start, end] in intensity-hours (constant per hour)."""
    total, t = 0.0, start
    while t < end:
        step_end = min(end, _next_hour(t, utc_offset))
        total += intensity(t) * (step_end - t) / 3600.0
        t = step_end
    return total


def time_to_add(
    start: float, amount: float, per_hour: float, limit: float,
    intensity: Callable[[float], float], utc_offset: float,
) -> float | None:
    """When ``per_hour`` % per intensity-hour, from ``start``, has added ``amount`` %.

    None when that does not happen by ``limit``.
    """
    added, t = 0.0, start
    while t < limit:
        step_end = min(limit, _next_hour(t, utc_offset))
        rate = per_hour * intensity(t)
        gain = rate * (step_end - t) / 3600.0
        if rate > 0 and added + gain >= amount:
            return t + (amount - added) / rate * 3600.0
        added += gain
        t = step_end
    return None


def typical_week_pct(state: State) -> float:
    """The peak of the last 7-day window the store saw end, else ``PRIOR_WEEK_PCT``."""
    ended = state.archive["seven_day"]
    return ended[-1].peak_pct if ended else PRIOR_WEEK_PCT


def binding_window(windows: dict[str, WindowForecast]) -> str | None:
    """The window that reaches 100 % first among those that do so before their reset."""
    hitting = [w for w in windows.values() if w.limit_before_reset and w.eta_limit_at is not None]
    if not hitting:
        return None
    return min(hitting, key=lambda w: w.eta_limit_at or 0.0).name


def idle_seconds(state: State, now: float) -> float | None:
    """Seconds since any session's cost last rose (None if no session ever spent)."""
    latest = None
    for session in state.sessions.values():
        costs = session.costs
        for i in range(len(costs) - 1, 0, -1):
            if costs[i][1] > costs[i - 1][1] and costs[i][0] <= now:
                latest = costs[i][0] if latest is None else max(latest, costs[i][0])
                break
    return None if latest is None else max(0.0, now - latest)


def spend_by_session(state: State, now: float, span: float) -> dict[str, float]:
    """Each session's spend in USD over the last ``span`` seconds (cost only rises per id)."""
    spent: dict[str, float] = {}
    since = now - span
    for sid, session in state.sessions.items():
        base = last = None
        for t, cost in session.costs:
            if t > now:
                break
            if t <= since:
                base = cost
            last = cost
        if last is None:
            continue
        delta = last - (session.costs[0][1] if base is None else base)
        if delta > 0:
            spent[sid] = delta
    return spent


def pooled_usd_per_hour(state: State, now: float, spent: float) -> float | None:
    """Pooled $/h over the last hour, or since the store first saw a session if later."""
    starts = [s.first_seen for s in state.sessions.values() if s.first_seen <= now]
    if not starts:
        return None
    observed = min(now - min(starts), SHARE_SPAN_S)
    if observed < MIN_COST_SPAN_S:
        return None
    return spent / (observed / 3600.0)
