"""How the line and the reports write figures: durations, ages, clock times, %, rates (pure).

Shared by the segments, ``inspect`` and its chart, so a figure reads the same everywhere.
"""

from __future__ import annotations

import time

TYPE_CHECKING = False
if TYPE_CHECKING:  # the hot path does not import typing
    from collections.abc import Callable

    from statusline.forecast import WindowForecast


def format_duration(seconds: float) -> str:
    """A short countdown: ``42m``, ``3h07``, ``2d04h``; never negative."""
    minutes = max(int(seconds // 60), 0)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def format_age(seconds: float) -> str:
    """How long ago: ``now``, ``45s ago``, ``12m ago``, ``3h ago``; never negative."""
    seconds = max(seconds, 0.0)
    if seconds < 10:
        return "now"
    if seconds < 60:
        return f"{int(seconds)}s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)}m ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h ago"
    return f"{int(seconds // 86400)}d ago"


def format_clock(epoch: float, utc_offset: float, now: float,
                 now_offset: float | None = None) -> str:
    """Wall-clock time of ``epoch``: ``14:05`` today, ``Thu 14:05`` on another day.

    ``utc_offset`` is the zone's offset *at ``epoch``* (a reset after the autumn change is
    shown in winter time); ``now_offset``, the offset at ``now`` (default: the same), only
    decides whether ``epoch`` falls on today.
    """
    local = time.gmtime(epoch + utc_offset)
    text = f"{local.tm_hour:02d}:{local.tm_min:02d}"
    today = time.gmtime(now + (utc_offset if now_offset is None else now_offset))
    if today[:3] != local[:3]:
        text = time.strftime("%a ", local) + text
    return text


def offsets(utc_offset: float | Callable[[float], float]) -> Callable[[float], float]:
    """An offset-at-time function from either such a function or one fixed offset."""
    if callable(utc_offset):
        return utc_offset
    return lambda _: utc_offset


def format_pct(value: float) -> str:
    """A percentage rounded to whole numbers, never showing 100 before the limit is reached."""
    rounded = int(value + 0.5)  # half up, as people read it; round() is half-to-even
    if rounded >= 100 and value < 100:
        rounded = 99
    return f"{rounded}%"


def format_rate(pct_per_hour: float) -> str:
    """A burn rate to two significant figures (``18%/h``, ``2.5%/h``, ``0.82%/h``), so that
    dividing by it is off by at most ~5 %."""
    return f"{pct_per_hour:.0f}%/h" if pct_per_hour >= 9.95 else f"{pct_per_hour:.2g}%/h"


MIN_SHOWN_RATE = 0.01  # %/h: below this no window of ours fills, and no rate is printed


def implied_rate(w: WindowForecast, now: float) -> float | None:
    """The rate a person can check: the %/h that takes the window from its figure to the
    forecast's own outlook, or None when there is none to print.

    The forecast is not a straight line (the 7d week profile, the 5h surge and working-day
    weighting), so its momentary pace does not divide into its ETA. The rate printed is
    the average the ETA implies: with a limit before the reset, (100 - used) / hours to the
    limit; otherwise (the % expected at the reset - used) / hours to the reset. Room left
    divided by it is the printed time, by construction.
    """
    if w.used_pct >= 100 or w.rate_pct_per_hour is None:
        return None
    if w.limit_before_reset and w.eta_limit_at is not None and w.eta_limit_at > now:
        rate = (100.0 - w.used_pct) / ((w.eta_limit_at - now) / 3600.0)
    elif w.projected_pct_at_reset is not None and w.resets_at > now:
        rate = (min(w.projected_pct_at_reset, 999.0) - w.used_pct) / ((w.resets_at - now) / 3600.0)
    else:
        return None
    return rate if rate >= MIN_SHOWN_RATE else None


def round_eta(seconds: float) -> float:
    """Round a time-to-limit so it does not claim more precision than the data has."""
    if seconds < 3600:
        return seconds
    step = 300.0 if seconds < 6 * 3600 else 1800.0
    return round(seconds / step) * step
