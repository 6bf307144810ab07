"""The limits beyond the 5h and 7d windows: the gateway's spend limit and the per-model
weeks from the client's usage cache (pure)."""

from __future__ import annotations

from statusline.forecast import spend
from statusline.history.model import is_model_week
from statusline.line.formatting import format_duration, format_pct, implied_rate
from statusline.line.kit import RANK_OTHER, Context, Segment, eta_forms, limit_steps, usage_style
from statusline.payload import SPEND_LIMIT
from statusline.sanitize import clean


def spend_limit(ctx: Context) -> Segment | None:
    """Gateway spend limit in money ($310/$500 mo; spend 62% before the dollars come).

    Then the limit time at this pace, or that the period ends first.
    """
    w = ctx.projection.windows.get(SPEND_LIMIT)
    window = ctx.state.current_window(SPEND_LIMIT, ctx.now)
    if w is None or window is None:
        if SPEND_LIMIT in ctx.projection.ended:
            return Segment("spend reset", "ok", ((RANK_OTHER, None),))
        return None
    sym = ctx.symbols
    text = spend.figure(window)
    until_reset = format_duration(w.resets_at - ctx.now)
    if w.used_pct >= 100:
        full = f"{text} over limit, resets {until_reset}"
        return Segment(full, "alert", limit_steps(ctx, SPEND_LIMIT, full, full, text))
    if w.limit_before_reset and w.eta_limit_at is not None:
        # The $/h the ETA implies (formatting.implied_rate), so that it divides into it.
        per_hour = spend.usd_per_hour(window, implied_rate(w, ctx.now))
        rate = "" if per_hour is None or ctx.config.style == "compact" \
            else f" +{spend.money(per_hour)}/h"
        full, short, left = eta_forms(ctx, w, text, rate)
        style = "alert" if left < 86400 else "warn"
        return Segment(full, style, limit_steps(ctx, SPEND_LIMIT, full, short, text))
    mark = f" {sym['ok']}" if w.rate_pct_per_hour else ""
    full = f"{text}{mark} resets {until_reset}"
    return Segment(full, usage_style(w.used_pct, ctx.config),
                   limit_steps(ctx, SPEND_LIMIT, full, f"{text} resets {until_reset}", text))


def model_week(ctx: Context) -> Segment | None:
    """A per-model week (7d Opus 83%) when it binds or is high.

    From the client's usage cache, which is refreshed when /usage is opened.
    """
    shown = None
    for name, w in ctx.projection.windows.items():
        if not is_model_week(name):
            continue
        binds = ctx.projection.binding_window == name
        if (binds or w.used_pct >= ctx.config.warn_pct) and (
                shown is None or w.used_pct > shown[1].used_pct):
            shown = (name, w)
    if shown is None:
        return None
    name, w = shown
    window = ctx.state.windows.get(name)
    label = clean(window.label if window is not None and window.label
                  else name[len("seven_day_"):], 24)
    text = f"7d {label} {format_pct(w.used_pct)}"
    if w.used_pct >= 100:
        full = f"{text} limit, resets {format_duration(w.resets_at - ctx.now)}"
        return Segment(full, "alert", limit_steps(ctx, name, full, full, text))
    if w.limit_before_reset and w.eta_limit_at is not None:
        # ``~`` (thin) here: a pace from one cached reading.
        full, short, _ = eta_forms(ctx, w, text)
        return Segment(full, "warn", limit_steps(ctx, name, full, short, text))
    return Segment(text, usage_style(w.used_pct, ctx.config),
                   limit_steps(ctx, name, text, text, text))
