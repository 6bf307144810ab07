"""Segments for the limits beyond the 5h and 7d windows: the gateway's spend limit and the
per-model weeks from the client's usage cache (pure; registered in ``segments.SEGMENTS``)."""

from __future__ import annotations

from statusline.forecast import spend
from statusline.history.model import is_model_week
from statusline.line.formatting import format_duration, format_pct, implied_rate, round_eta
from statusline.line.segments import (
    RANK_KEY,
    RANK_KEY_SHORT,
    RANK_KEY_TINY,
    RANK_OTHER,
    RANK_OTHER_SHORT,
    RANK_OTHER_TINY,
    Context,
    Segment,
    key_window,
    usage_style,
)
from statusline.payload import SPEND_LIMIT
from statusline.sanitize import clean


def _steps(ctx: Context, name: str, full: str, short: str,
           tiny: str) -> tuple[tuple[int, str | None], ...]:
    """How the segment gives way on a narrow line: as the key window if it binds first."""
    if key_window(ctx.projection) == name:
        forms = ((RANK_KEY_SHORT, short), (RANK_KEY_TINY, tiny), (RANK_KEY, None))
    else:
        forms = ((RANK_OTHER_SHORT, short), (RANK_OTHER_TINY, tiny), (RANK_OTHER, None))
    steps: list[tuple[int, str | None]] = []
    current: str | None = full
    for rank, text in forms:
        if text != current:
            steps.append((rank, text))
            current = text
    return tuple(steps)


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
        return Segment(full, "alert", _steps(ctx, SPEND_LIMIT, full, full, text))
    if w.limit_before_reset and w.eta_limit_at is not None:
        left = round_eta(w.eta_limit_at - ctx.now)
        # The $/h the ETA implies (formatting.implied_rate), so that it divides into it.
        per_hour = spend.usd_per_hour(window, implied_rate(w, ctx.now))
        rate = "" if per_hour is None or ctx.config.style == "compact" \
            else f" +{spend.money(per_hour)}/h"
        approx = sym["approx"] if w.thin else ""
        when = ctx.clock(ctx.now + left)
        style = "alert" if left < 86400 else "warn"
        full = f"{text}{rate} {sym['arrow']} limit {approx}{when}"
        short = f"{text} {sym['arrow']} {approx}{format_duration(left)}"
        return Segment(full, style, _steps(ctx, SPEND_LIMIT, full, short, text))
    mark = f" {sym['ok']}" if w.rate_pct_per_hour else ""
    full = f"{text}{mark} resets {until_reset}"
    return Segment(full, usage_style(w.used_pct, ctx.config),
                   _steps(ctx, SPEND_LIMIT, full, f"{text} resets {until_reset}", text))


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
        return Segment(full, "alert", _steps(ctx, name, full, full, text))
    if w.limit_before_reset and w.eta_limit_at is not None:
        left = round_eta(w.eta_limit_at - ctx.now)
        approx = ctx.symbols["approx"] if w.thin else ""  # a pace from one cached reading
        full = f"{text} {ctx.symbols['arrow']} limit {approx}{ctx.clock(ctx.now + left)}"
        short = f"{text} {ctx.symbols['arrow']} {approx}{format_duration(left)}"
        return Segment(full, "warn", _steps(ctx, name, full, short, text))
    return Segment(text, usage_style(w.used_pct, ctx.config), _steps(ctx, name, text, text, text))
