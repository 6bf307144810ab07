"""The gateway's spend limit: its forecast and how its money reads (pure).

``rate_limits.spend_limit`` counts money over a period (``monthly`` …); its percentage is
not capped at 100, and its dollars (``used_usd``/``limit_usd``) come on later calls only.
The forecast is a straight line: the pace since the store first saw the period, when it
has watched for an hour or more, else the period's own average since it began; then when
the limit is reached at that pace, or that the period ends first.
"""

from __future__ import annotations

from statusline.history.model import Window, window_seconds
from statusline.payload import SPEND_LIMIT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from statusline.forecast.model import WindowForecast

MIN_OWN_SPAN_S = 3600.0  # our own readings must span this before their pace counts
LOOKBACK_S = 24 * 3600.0
MIN_ELAPSED_S = 3600.0
THIN_BELOW_S = 6 * 3600.0
PERIOD_SHORT = {"daily": "day", "weekly": "wk", "monthly": "mo"}


def spend_forecast(window: Window, now: float, result: WindowForecast) -> WindowForecast:
    """Fill ``result`` (a fresh forecast of ``window``) with the spend limit's outlook."""
    used = window.used_pct
    if used >= 100:
        result.rate_pct_per_hour = 0.0
        result.eta_limit_at = window.full_at if window.full_at is not None else now
        result.limit_before_reset = True
        result.projected_pct_at_reset = used
        result.thin = False
        return result
    series = [s for s in window.samples_since_rebase() if now - LOOKBACK_S <= s[0] <= now]
    rate = None
    span = series[-1][0] - series[0][0] if series else 0.0
    if span >= MIN_OWN_SPAN_S:
        rate = max(series[-1][1] - series[0][1], 0.0) / (span / 3600.0)
    else:
        elapsed = now - (window.resets_at - window_seconds(SPEND_LIMIT, window.period))
        if elapsed >= MIN_ELAPSED_S:
            rate = used / (elapsed / 3600.0)
    result.rate_pct_per_hour = rate
    result.thin = span < THIN_BELOW_S
    hours_left = max(window.resets_at - now, 0.0) / 3600.0
    if rate:
        result.eta_limit_at = now + (100.0 - used) / rate * 3600.0
        result.limit_before_reset = result.eta_limit_at < window.resets_at
        result.projected_pct_at_reset = min(used + rate * hours_left, 9999.0)
    else:
        result.projected_pct_at_reset = used
    return result


def usd_per_hour(window: Window, rate_pct_per_hour: float | None) -> float | None:
    """The spend rate in dollars an hour, when the limit's dollars are known."""
    if rate_pct_per_hour is None or window.limit_usd is None:
        return None
    return rate_pct_per_hour * window.limit_usd / 100.0


def money(amount: float) -> str:
    """``$310``, ``$12.40``, ``$1.2k``: short, as on a bill."""
    if amount >= 10_000:
        return f"${amount / 1000:.0f}k"
    if amount >= 1000:
        return f"${amount / 1000:.1f}k"
    if amount >= 100 or amount == int(amount):
        return f"${amount:.0f}"
    return f"${amount:.2f}"


def used_now(pct: float, used_usd: float | None, limit_usd: float | None) -> float | None:
    """The dollars spent now: the percentage of the limit.

    The percentage comes with every reply, the dollars at most every 5 minutes (107 % was
    seen beside a `used_usd` of 310 of 500 after a 429), so the limit times the percentage
    is the fresher figure; the reported dollars only stand in when there is no limit.
    """
    if limit_usd is not None:
        return pct * limit_usd / 100.0
    return used_usd


def figure(window: Window) -> str:
    """``$310/$500 mo`` when the dollars are known, else ``spend 62%``."""
    used = used_now(window.used_pct, window.used_usd, window.limit_usd)
    if used is not None and window.limit_usd is not None:
        period = PERIOD_SHORT.get(window.period or "", "")
        text = f"{money(used)}/{money(window.limit_usd)}"
        return f"{text} {period}" if period else text
    return f"spend {window.used_pct:.0f}%"
