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
        rate, eta, projected, result.hit_odds, thin = five_hour.outlook(
            window, series, now, effective, utc_offset, profile
        )
        if result.hit_odds is not None and rate:
            result.prior_hit_odds = prior_odds(window, now, effective, rate, utc_offset)
        warn = (eta is not None and eta < window.resets_at and result.hit_odds is not None
                and (result.hit_odds >= (HOLD_ODDS if window.warned else WARN_ODDS)
                     or five_hour.imminent(now, eta, window.resets_at, utc_offset, profile)))
    else:
        active = idle is not None and idle < IDLE_AFTER_S
        rate, eta, projected, warn, thin = seven_day.outlook(
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
