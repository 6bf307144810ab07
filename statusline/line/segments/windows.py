"""The pooled 5-hour and 7-day windows, and the 5-hour pace (pure)."""

from __future__ import annotations

from statusline.forecast import WindowForecast
from statusline.history import WINDOW_SECONDS
from statusline.line.formatting import (
    MIN_SHOWN_RATE,
    format_duration,
    format_pct,
    format_rate,
    round_eta,
)
from statusline.line.kit import (
    RANK_OTHER,
    RANK_PACE,
    WINDOW_LABELS,
    Context,
    Segment,
    eta_forms,
    limit_steps,
    usage_style,
)


def _window_segment(ctx: Context, name: str) -> Segment | None:
    label = WINDOW_LABELS[name]
    forecast = ctx.projection.windows.get(name)
    if forecast is None:
        if name in ctx.projection.ended and ctx.payload.rate_limits is not None:
            # Only a session with rate limits of its own says so (not an API-key session
            # beside an old archive).
            return Segment(f"{label} reset", "ok", ((RANK_OTHER, None),))
        return None
    full, short, tiny = _window_forms(ctx, label, forecast)
    return Segment(full, _window_style(ctx, forecast), limit_steps(ctx, name, full, short, tiny))


def _window_forms(ctx: Context, label: str, w: WindowForecast) -> tuple[str, str, str]:
    """The window's full, short and shortest texts (``style = "compact"``: full is short).

    Full: ``7d 88% +1.8%/h → limit Thu 14:05 (5h45)``; short: ``7d 88% → 5h45``;
    shortest: ``7d 88%``.
    """
    sym = ctx.symbols
    tiny = f"{label} {format_pct(w.used_pct)}"
    until_reset = format_duration(w.resets_at - ctx.now)
    if w.used_pct >= 100:
        return f"{tiny} limit, resets {until_reset}", f"{tiny} resets {until_reset}", tiny
    if w.limit_before_reset and w.eta_limit_at is not None:
        if ctx.config.style == "compact":
            short = eta_forms(ctx, w, tiny)[1]
            return short, short, tiny
        # The rate the printed figures imply: room left (as printed) over the printed time.
        left = round_eta(w.eta_limit_at - ctx.now)
        room = 100 - int(format_pct(w.used_pct)[:-1])
        shown = room / (left / 3600.0) if left > 0 else 0.0
        rate = f" +{format_rate(shown)}" if shown >= MIN_SHOWN_RATE else ""
        full, short, _ = eta_forms(ctx, w, tiny, rate, countdown=True)
        return full, short, tiny
    short = f"{tiny} resets {until_reset}"
    if (w.rate_pct_per_hour is not None and w.rate_pct_per_hour > 0
            and ctx.config.style != "compact"):
        return f"{tiny} {sym['ok']} resets {until_reset}", short, tiny
    return short, short, tiny


def _window_style(ctx: Context, w: WindowForecast) -> str:
    if w.used_pct >= 100 or (w.limit_before_reset and w.eta_limit_at is not None
                             and w.eta_limit_at - ctx.now < 3600):
        return "alert"
    if w.limit_before_reset:
        return "warn"
    return usage_style(w.used_pct, ctx.config)


def five_hour(ctx: Context) -> Segment | None:
    """Pooled 5-hour window: used %, burn rate and time to the limit, or when it resets."""
    return _window_segment(ctx, "five_hour")


def seven_day(ctx: Context) -> Segment | None:
    """Pooled 7-day window: used %, and the time to the limit when it will bind first."""
    return _window_segment(ctx, "seven_day")


def pace(ctx: Context) -> Segment | None:
    """5h pace: used % over the share of the window gone; above 1 it fills before it resets.

    Only for the 5-hour window: over a week, nights and weekends make a straight-line pace
    disagree with the forecast's week profile, and two different answers would confuse.
    """
    w = ctx.projection.windows.get("five_hour")
    if w is None or w.used_pct >= 100:
        return None
    length = WINDOW_SECONDS[w.name]
    elapsed = ctx.now - (w.resets_at - length)
    if elapsed < length * 0.05:
        return None  # too early in the window for a pace to mean anything
    ratio = w.used_pct / (elapsed / length * 100)
    style = "warn" if ratio > 1.2 else "dim"
    times = "×" if ctx.config.symbols == "unicode" else "x"
    return Segment(f"{WINDOW_LABELS[w.name]} pace {ratio:.1f}{times}", style, ((RANK_PACE, None),))
