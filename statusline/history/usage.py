"""Folding the client's own usage cache into the store (pure: the clock is passed in).

The client keeps the usage endpoint's last answer in its config file
(``cachedUsageUtilization``: fetchedAtMs, accountUuid, utilization {...}); it is the only
local source of the per-model weekly windows and of extra usage. It is used only while it
belongs to the account in use and is under ``USAGE_MAX_AGE_S`` old, as the client itself
does. The five-hour and seven-day windows stay stdin's: the cache's copy of them is an older
figure, so it is a lower bound of the truth (the account had used at least that much when it
was fetched), never a ceiling: it raises a lower figure of the same window (a session idle
since before re-sends an old one) and never lowers one.
"""

from __future__ import annotations

from statusline.figures import epoch_seconds, loose_number, number
from statusline.history.liveness import FUTURE_SKEW_S
from statusline.history.model import (
    MAX_MODEL_WEEKS,
    MAX_SAMPLES,
    MODEL_WEEK_PREFIX,
    SAME_WINDOW_S,
    ExtraUsage,
    State,
    Window,
    is_model_week,
    thin,
)

USAGE_MAX_AGE_S = 3600.0
USAGE_SOURCE = "usage cache"
POOLED_WINDOWS = ("five_hour", "seven_day")  # stdin's windows: the cache only raises them
# The endpoint's own names for two model weeks; limits[] may name others.
MODEL_KEYS = {"seven_day_opus": "Opus", "seven_day_sonnet": "Sonnet"}
MAX_LABEL = 24


def fold_usage(state: State, cache: object, account: str | None, now: float) -> bool:
    """Fold the usage cache into ``state`` when it is fresh and the account's; True if changed.

    A cache without an account to match (the client names none) is not used: it may be
    another account's.
    """
    if not isinstance(cache, dict) or account is None:
        return False
    fetched_ms = number(cache.get("fetchedAtMs"))
    owner = cache.get("accountUuid")
    if fetched_ms is None or not isinstance(owner, str) or owner.lower() != account:
        return False
    fetched = fetched_ms / 1000.0
    if not -FUTURE_SKEW_S <= now - fetched <= USAGE_MAX_AGE_S:
        return False
    if state.usage_fetched_at is not None and fetched <= state.usage_fetched_at:
        return False  # folded already (every call re-reads the same cache)
    utilization = cache.get("utilization")
    if not isinstance(utilization, dict):
        return False
    state.usage_fetched_at = fetched
    for name in POOLED_WINDOWS:
        found = _window(utilization.get(name), "utilization")
        if found is not None and found[1] > now:
            _raise_to(state, name, found[0], found[1], fetched, now)
    for name, label, pct, resets_at in model_weeks(utilization):
        if resets_at > now:
            _fold_window(state, name, label, pct, resets_at, fetched)
    extra = extra_usage(utilization.get("extra_usage"), fetched)
    if extra is not None:
        state.extra_usage = extra
    return True


def model_weeks(utilization: dict[str, object]) -> list[tuple[str, str, float, float]]:
    """``(name, label, pct, resets_at)`` of each per-model week the cache names, at most
    ``MAX_MODEL_WEEKS``: ``seven_day_opus`` / ``seven_day_sonnet`` and ``limits[]`` entries
    of the weekly group scoped to a model."""
    found: dict[str, tuple[str, str, float, float]] = {}
    for key, label in MODEL_KEYS.items():
        window = _window(utilization.get(key), "utilization")
        if window is not None:
            found[key] = (key, label, *window)
    limits = utilization.get("limits")
    for entry in limits if isinstance(limits, list) else []:
        if not isinstance(entry, dict) or entry.get("group") != "weekly":
            continue
        scope = entry.get("scope")
        model = scope.get("model") if isinstance(scope, dict) else None
        shown = model.get("display_name") if isinstance(model, dict) else None
        if not isinstance(shown, str):
            continue
        label = "".join(c for c in shown if c.isalnum() or c in " .-")[:MAX_LABEL].strip()
        slug = "".join(c if c.isalnum() else "_" for c in label.lower()).strip("_")
        window = _window(entry, "percent")
        name = MODEL_WEEK_PREFIX + slug
        if slug and window is not None and name not in found and is_model_week(name):
            found[name] = (name, label, *window)
    return list(found.values())[:MAX_MODEL_WEEKS]


def extra_usage(value: object, fetched: float) -> ExtraUsage | None:
    """The extra-usage block (amounts in cents in the cache, in currency units here)."""
    if not isinstance(value, dict):
        return None
    enabled = value.get("is_enabled") is True
    used, limit = loose_number(value.get("used_credits")), loose_number(value.get("monthly_limit"))
    pct = loose_number(value.get("utilization"))
    currency = value.get("currency")
    return ExtraUsage(
        enabled,
        None if used is None or used < 0 else used / 100.0,
        None if limit is None or limit <= 0 else limit / 100.0,
        None if pct is None or pct < 0 else pct,
        currency[:8] if isinstance(currency, str) and currency.isalpha() else None,
        fetched,
    )


def _window(value: object, pct_key: str) -> tuple[float, float] | None:
    if not isinstance(value, dict):
        return None
    pct = loose_number(value.get(pct_key))
    resets_at = epoch_seconds(value.get("resets_at"))
    if pct is None or resets_at is None or not 0 <= pct <= 101:
        return None
    return min(pct, 100.0), float(int(resets_at))


def _raise_to(state: State, name: str, pct: float, resets_at: float, fetched: float,
              now: float) -> None:
    """Raise stdin's running window ``name`` to the cache's ``pct`` when it stands lower.

    Only the same window (its reset), never a new one (stdin starts windows), never down.
    The value holds from the later of the fetch and the window's last reading, so the
    series stays in time order.
    """
    window = state.windows.get(name)
    if (window is None or abs(window.resets_at - resets_at) > SAME_WINDOW_S
            or pct <= window.used_pct or window.resets_at <= now):
        return
    at = max(fetched, window.samples[-1][0]) if window.samples else fetched
    window.used_pct = pct
    window.samples.append((at, pct))
    if pct >= 100 and window.full_at is None:
        window.full_at = at
    if len(window.samples) > MAX_SAMPLES:
        window.samples = thin(window.samples, MAX_SAMPLES * 3 // 4)


def _fold_window(state: State, name: str, label: str, pct: float, resets_at: float,
                 fetched: float) -> None:
    """The cache is the account's own figure at ``fetched``: it may go down as well as up."""
    window = state.windows.get(name)
    if window is None or abs(window.resets_at - resets_at) > SAME_WINDOW_S:
        window = Window(resets_at, pct, fetched, "")
        window.source, window.label = USAGE_SOURCE, label
        state.windows[name] = window
        return
    window.label = label
    window.observed_at = window.confirmed_at = fetched
    if pct != window.used_pct:
        window.used_pct = pct
        window.samples.append((fetched, pct))
        if len(window.samples) > MAX_SAMPLES:
            window.samples = thin(window.samples, MAX_SAMPLES * 3 // 4)
