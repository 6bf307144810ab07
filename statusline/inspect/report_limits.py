"""The ``inspect --json`` parts for accounts and the limits beyond 5h/7d (pure).

The account in short form, the gateway's spend limit with its money, the per-model weeks
and extra usage from the client's usage cache (with where each came from and its age), and
the latest rate-limit reading that was left out.
"""

from __future__ import annotations

from statusline.forecast import Projection, spend
from statusline.history.model import State, is_model_week
from statusline.payload import SPEND_LIMIT
from statusline.sanitize import clean

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from statusline.forecast import WindowForecast


def limits_json(state: State, projection: Projection, now: float,
                window_json: Callable[[WindowForecast], dict[str, object]],
                account_source: str | None = None) -> dict[str, object]:
    """The keys ``account``, ``spend_limit``, ``model_weeks``, ``extra_usage``, ``rejected``."""
    account = None
    if state.account is not None:
        label = clean(state.account_label, 80) if state.account_label else None
        account = {"label": label, "source": account_source or "config"}
    spend_doc = None
    forecast = projection.windows.get(SPEND_LIMIT)
    window = state.current_window(SPEND_LIMIT, now)
    if forecast is not None and window is not None:
        per_hour = spend.usd_per_hour(window, forecast.rate_pct_per_hour)
        spend_doc = {
            **window_json(forecast),
            "used_usd": window.used_usd,
            "limit_usd": window.limit_usd,
            "period": window.period,
            "usd_per_hour": None if per_hour is None else round(per_hour, 4),
            "source": window.source,
        }
    weeks: dict[str, object] = {}
    for name, forecast in projection.windows.items():
        week = state.windows.get(name)
        if not is_model_week(name) or week is None:
            continue
        weeks[name] = {
            **window_json(forecast),
            "label": clean(week.label, 24) if week.label else None,
            "source": week.source,
            "age_s": round(max(now - week.observed_at, 0.0), 1),
        }
    extra = state.extra_usage
    extra_doc = None if extra is None else {
        "enabled": extra.enabled,
        "used": extra.used,
        "limit": extra.limit,
        "used_percentage": extra.used_pct,
        "currency": extra.currency,
        "source": "usage cache",
        "age_s": round(max(now - extra.fetched_at, 0.0), 1),
    }
    rejected = None if state.rejected is None else {
        "at": state.rejected[0], "reason": clean(state.rejected[1], 200)}
    return {"account": account, "spend_limit": spend_doc, "model_weeks": weeks,
            "extra_usage": extra_doc, "rejected": rejected}
