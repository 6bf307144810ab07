"""Segments for the limits beyond the 5h and 7d windows: the gateway's spend limit and the
per-model weeks from the client's usage cache (pure; registered in ``segments.SEGMENTS``)."""

from __future__ import annotations

from statusline import spend
from statusline.history.model import is_model_week
from statusline.payload import SPEND_LIMIT
from statusline.segments import (
    Context,
    Segment,
    format_clock,
    format_duration,
    format_pct,
    round_eta,
    usage_style,
)


def spend_limit(ctx: Context) -> Segment | None:
    """Gateway spend limit in money ($310/$500 mo; spend 62% before the dollars come).

    Then the limit time at this pace, or that the period ends first.
    """
    w = ctx.projection.windows.get(SPEND_LIMIT)
    window = ctx.state.current_window(SPEND_LIMIT, ctx.now)
    if w is None or window is None:
        if SPEND_LIMIT in ctx.projection.ended:
            return Segment("spend reset", "ok")
        return None
    sym = ctx.symbols
    text = spend.figure(window)
    until_reset = format_duration(w.resets_at - ctx.now)
    if w.used_pct >= 100:
        return Segment(f"{text} over limit, resets {until_reset}", "alert")
    if w.limit_before_reset and w.eta_limit_at is not None:
        left = round_eta(w.eta_limit_at - ctx.now)
        per_hour = spend.usd_per_hour(window, w.rate_pct_per_hour)
        rate = "" if per_hour is None or ctx.config.style == "compact" \
            else f" +{spend.money(per_hour)}/h"
        approx = sym["approx"] if w.thin else ""
        when = format_clock(ctx.now + left, ctx.utc_offset, ctx.now)
        style = "alert" if left < 86400 else "warn"
        return Segment(f"{text}{rate} {sym['arrow']} limit {approx}{when}", style)
    mark = f" {sym['ok']}" if w.rate_pct_per_hour else ""
    return Segment(f"{text}{mark} resets {until_reset}", usage_style(w.used_pct, ctx.config))


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
    label = window.label if window is not None and window.label else name[len("seven_day_"):]
    text = f"7d {label} {format_pct(w.used_pct)}"
    if w.used_pct >= 100:
        return Segment(f"{text} limit, resets {format_duration(w.resets_at - ctx.now)}", "alert")
    if w.limit_before_reset and w.eta_limit_at is not None:
        when = format_clock(ctx.now + round_eta(w.eta_limit_at - ctx.now), ctx.utc_offset, ctx.now)
        approx = ctx.symbols["approx"] if w.thin else ""  # a pace from one cached reading
        return Segment(f"{text} {ctx.symbols['arrow']} limit {approx}{when}", "warn")
    return Segment(text, usage_style(w.used_pct, ctx.config))
