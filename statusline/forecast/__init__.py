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
  ``HOLD_ODDS``, so it does not flap; in the last 90 minutes it also holds while the pace
  seen ends the window within 10 % of the limit at the reset (``window.held``), with the
  reset as its ETA. A pace that fills the window within ``IMMINENT_S``
  inside the person's working time warns whatever the odds (``five_hour.imminent``).
* 7-day window: while someone is spending, the last hour's pace continues for two hours;
  then the window's own average, spread over a week profile (nights and weekends quieter).
  In a week's first day only the next day's growth can raise a warning.
* Readings are floored by the server (0.1 % or 1 % steps), so the true value is taken half a
  step higher.

The package, by responsibility: ``model`` (WindowForecast, Projection), ``projection`` (the
whole store: ``project``, ``remember``, the binding window, shares and $/h), ``window`` (one
window's forecast and hysteresis), ``five_hour`` and ``seven_day`` (each window's model),
``limit_odds`` (the 5h warning's odds), ``spend`` (the gateway's spend limit), ``profile``
(intensity priors and the learned rhythm over time) and ``series`` (readings and slopes).
"""

from __future__ import annotations

from statusline.forecast import limit_odds, spend
from statusline.forecast.five_hour import HOLD_ODDS, WARN_ODDS, five_hour_rate, prior_odds, ramp_eta
from statusline.forecast.model import Projection, WindowForecast
from statusline.forecast.profile import (
    INTENSITY_NIGHT,
    INTENSITY_OFF_HOURS,
    INTENSITY_WEEKEND,
    PRIORS,
    intensity_hours,
    rhythm_profile,
    time_to_add,
    week_intensity,
    workday_intensity,
    working_hours_left,
)
from statusline.forecast.projection import (
    binding_window,
    idle_seconds,
    pooled_usd_per_hour,
    project,
    remember,
    spend_by_session,
)
from statusline.forecast.series import quantisation_step, readings, slope, value_at
from statusline.forecast.seven_day import PRIOR_WEEK_PCT, typical_week_pct
from statusline.forecast.window import forecast_window

__all__ = [
    "HOLD_ODDS",
    "INTENSITY_NIGHT",
    "INTENSITY_OFF_HOURS",
    "INTENSITY_WEEKEND",
    "PRIORS",
    "PRIOR_WEEK_PCT",
    "WARN_ODDS",
    "Projection",
    "WindowForecast",
    "binding_window",
    "five_hour_rate",
    "forecast_window",
    "idle_seconds",
    "intensity_hours",
    "limit_odds",
    "pooled_usd_per_hour",
    "prior_odds",
    "project",
    "quantisation_step",
    "ramp_eta",
    "readings",
    "remember",
    "rhythm_profile",
    "slope",
    "spend",
    "spend_by_session",
    "time_to_add",
    "typical_week_pct",
    "value_at",
    "week_intensity",
    "workday_intensity",
    "working_hours_left",
]
