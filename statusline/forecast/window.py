"""One running window's forecast: rate, ETA, warning (with its hysteresis) and outlook."""

from __future__ import annotations

from statusline.forecast import five_hour, seven_day
from statusline.forecast.five_hour import HOLD_ODDS, WARN_ODDS, prior_odds
from statusline.forecast.model import WindowForecast
from statusline.forecast.profile import rhythm_profile
from statusline.forecast.series import readings
from statusline.forecast.seven_day import PRIOR_WEEK_PCT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from statusline.history import Window
    from statusline.history.rhythm import Profile

HYSTERESIS_PCT = 3.0  # 7d: a raised warning holds while the projection is this close to 100 %
IDLE_AFTER_S = 1200.0  # nobody spent anything for 20 minutes: nobody is working now
# 5h: a raised warning holds, near the reset, while the pace seen ends the window within
# HOLD_MARGIN_PCT of 100 % at the reset, at HOLD_FLOOR_ODDS or more (see ``held``). Chosen
# on the fit sets of scripts/fit_forecast.py (docs/forecast.md).
HOLD_WITHIN_S = 5400.0
HOLD_MARGIN_PCT = 10.0
HOLD_FLOOR_ODDS = 0.2


def forecast_window(
    name: str, window: Window, now: float, idle: float | None, utc_offset: float,
    profile: Profile | None = None, week_pct: float = PRIOR_WEEK_PCT,
) -> WindowForecast:
    """Rate, ETA, warning and outlook of one running window at ``now``.

    Once the window is full the ETA is when it filled and the warning holds until the
    reset; otherwise the ETA is None or later than ``now``, and a warning implies an ETA
    no later than the reset (the converse need not hold: the working day may end first).
    A 5h warning on its hold (``held``) whose pace now ends past the reset gives the reset
    as its ETA: the limit comes by then if it comes at all.
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
        rate, eta, projected, result.hit_odds, thin = five_hour.outlook(
            window, series, now, effective, utc_offset, profile
        )
        if result.hit_odds is not None and rate:
            result.prior_hit_odds = prior_odds(window, now, effective, rate, utc_offset)
        warn = (eta is not None and eta < window.resets_at and result.hit_odds is not None
                and (result.hit_odds >= (HOLD_ODDS if window.warned else WARN_ODDS)
                     or five_hour.imminent(now, eta, window.resets_at, utc_offset, profile)))
        if (not warn and window.warned and eta is not None
                and held(now, window.resets_at, projected, result.hit_odds)):
            warn, eta = True, min(eta, window.resets_at)
    else:
        active = idle is not None and idle < IDLE_AFTER_S
        rate, eta, projected, warn, thin, result.guessed_pct = seven_day.outlook(
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


def held(now: float, resets_at: float, projected: float, odds: float | None) -> bool:
    """Whether a raised 5h warning holds although its pace or odds dropped under the
    warning's own: within ``HOLD_WITHIN_S`` of the reset, the pace seen still ends the window
    within ``HOLD_MARGIN_PCT`` of 100 % at the reset, at ``HOLD_FLOOR_ODDS`` or more.

    Near the reset a pause (a meeting, sessions between turns) drags the pace down for a
    few readings and puts its ETA minutes past the reset, while the work that filled the
    window to there goes on; the warning flapped off and on in the last half hour. A window
    whose pace falls clearly short, or whose odds collapse, still drops it.
    """
    return (resets_at - now <= HOLD_WITHIN_S and odds is not None and odds >= HOLD_FLOOR_ODDS
            and projected >= 100.0 - HOLD_MARGIN_PCT)
