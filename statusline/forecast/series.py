"""A window's readings as a series: the effective value, slopes and the quantisation step."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from statusline.history import Window


def readings(window: Window, now: float) -> tuple[list[tuple[float, float]], float]:
    """The window's (time, %) readings up to ``now`` since its last re-baseline, and its
    effective value: readings are floored by the server, so half a step is added."""
    series = [s for s in window.samples_since_rebase() if s[0] <= now]
    series = series or [(now, window.used_pct)]
    return series, min(100.0, window.used_pct + quantisation_step(series) / 2)


def slope(
    series: list[tuple[float, float]], now: float, lookback: float, min_span: float
) -> tuple[float | None, float]:
    """(%/h, span) of the merged value over the last ``lookback`` seconds, never negative.

    The anchor is the value standing at the start of the span (the series is a step
    function), so whole-percent steps even out once the span is long; None when the span is
    shorter than ``min_span``.
    """
    if not series:
        return None, 0.0
    start = max(now - lookback, series[0][0])
    span = now - start
    if span < min_span:
        return None, span
    rise = series[-1][1] - value_at(series, start)
    return max(0.0, rise / (span / 3600.0)), span


def value_at(series: list[tuple[float, float]], t: float) -> float:
    """The merged value as it stood at ``t`` (the first value for earlier times)."""
    value = series[0][1]
    for at, pct in series:
        if at > t:
            break
        value = pct
    return value


def quantisation_step(series: list[tuple[float, float]]) -> float:
    """1.0 when the recent readings are whole percent, else 0.1."""
    recent = series[-20:]
    if len(recent) >= 3 and all(abs(p - round(p)) < 1e-6 for _, p in recent):
        return 1.0
    return 0.1
