"""The pause hint and the week for people: ``inspect``'s lines and chart, ``explain``'s why.

Pure: the ``inspect --json`` data (or the state and projection, for ``explain``), the clock
and the drawing options in; text out.
"""

from __future__ import annotations

import time

from statusline.forecast.what_if import if_paused, pause_hint
from statusline.line.formatting import format_clock, format_rate, offsets
from statusline.line.names import session_names

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from statusline.forecast import Projection
    from statusline.history import State

    Offset = float | Callable[[float], float]

FILLS = "█▓▒░"
ASCII_FILLS = "#=+-"
REST = {"unicode": "·", "ascii": "."}
MAX_PROJECTS_SHOWN = 4
BAR_CELLS = 40


def _clock(epoch: float, now: float, utc_offset: Offset) -> str:
    at = offsets(utc_offset)
    return format_clock(epoch, at(epoch), now, at(now))


def if_paused_cell(entry: object, now: float, utc_offset: Offset, ok: str) -> str:
    """The sessions table's ``if paused`` cell: ``✓ lasts``, ``limit 14:44`` or ``–``."""
    if not isinstance(entry, dict):
        return ""
    if not entry.get("limit_before_reset"):
        return f"{ok} lasts"
    eta = entry.get("eta_limit_at")
    return f"limit {_clock(float(eta), now, utc_offset)}" if isinstance(eta, (int, float)) else ""


def hint_line(data: dict[str, object], now: float, utc_offset: Offset) -> str | None:
    """``Pause api-server: the 5h window would last to its reset at 15:00 (limit 14:40 now)``."""
    hint = data.get("pause_hint")
    if not isinstance(hint, dict):
        return None
    label = {"five_hour": "5h", "seven_day": "7d"}.get(str(hint.get("window")), "binding")
    resets_at = hint.get("resets_at")
    if not isinstance(resets_at, (int, float)):
        return None
    text = (f"Pause {hint.get('name')}: the {label} window then lasts to its reset at "
            f"{_clock(resets_at, now, utc_offset)}")
    eta = hint.get("eta_limit_at_now")
    if isinstance(eta, (int, float)):
        text += f" (else limit {_clock(eta, now, utc_offset)})"
    return text


def week_lines(data: dict[str, object], utc_offset: Offset, ascii_only: bool,
               width: int) -> list[str]:
    """``Where the week went`` with each project's share, what the tracked sessions explain,
    and one bar per local day split by project (the largest four, then the rest)."""
    week = data.get("week")
    if not isinstance(week, dict):
        return []
    projects = week.get("projects")
    if not isinstance(projects, list) or not projects:
        return ["Where the week went: no tracked spend in the 7-day window yet"]
    shares = ", ".join(f"{p['name']} {round(p['share'] * 100)}%" for p in projects[:6])
    lines = [f"Where the week went: {shares} of ${week['tracked_usd']:.2f} tracked"]
    explained, rise = week.get("explained_share"), week.get("window_rise_pct")
    if isinstance(explained, (int, float)) and isinstance(rise, (int, float)):
        lines.append(f"  {round(explained * 100)}% of the 7-day window's {rise:.0f} points came "
                     f"while tracked sessions spent;")
        lines.append("  the rest: claude.ai, machines without the store, or before it watched")
    fills = ASCII_FILLS if ascii_only else FILLS
    rest = REST["ascii" if ascii_only else "unicode"]
    shown = [str(p["name"]) for p in projects[:MAX_PROJECTS_SHOWN]]
    days = week.get("days")
    if not isinstance(days, list) or not days:
        return lines
    top = max(sum(d["by_project"].values()) for d in days) or 1.0
    cells = max(min(BAR_CELLS, width - 22), 10)
    at = offsets(utc_offset)
    for day in days:
        start = float(day["start"])
        label = time.strftime("%m-%d %a", time.gmtime(start + at(start)))
        by = day["by_project"]
        total = sum(by.values())
        bar = ""
        for index, name in enumerate(shown):
            bar += fills[index] * round(by.get(name, 0.0) / top * cells)
        others = total - sum(by.get(name, 0.0) for name in shown)
        bar += rest * round(others / top * cells)
        lines.append(f"  {label}  {bar:<{cells}}  ${total:.2f}")
    legend = "  ".join(f"{fills[i]} {name}" for i, name in enumerate(shown))
    if len(projects) > MAX_PROJECTS_SHOWN:
        legend += f"  {rest} other"
    lines.append(f"  {legend}")
    return lines


def pause_notes(state: State, projection: Projection, now: float,
                utc_offset: Offset) -> list[str]:
    """What ``explain`` says about the pause hint: why it named that session (or why none),
    and what pausing each live session would do."""
    if projection.binding_window is None:
        return []
    outcomes = if_paused(state, projection, now)
    hint = pause_hint(state, projection, now, outcomes)
    forecast = projection.windows.get(projection.binding_window)
    if forecast is None or forecast.eta_limit_at is None or not outcomes:
        return []
    names = session_names(state.sessions.values())
    label = {"five_hour": "5h", "seven_day": "7d"}.get(forecast.name, forecast.name)
    reset = _clock(forecast.resets_at, now, utc_offset)
    notes = []
    for sid, outcome in sorted(outcomes.items(), key=lambda kv: -kv[1].share):
        eta = outcome.eta_limit_at
        after = ("lasts to the reset" if not outcome.limit_before_reset or eta is None
                 else f"limit {_clock(eta, now, utc_offset)}, still before the reset")
        pace = ("" if outcome.rate_pct_per_hour is None
                else f", pace {format_rate(outcome.rate_pct_per_hour)}")
        notes.append(f"  pausing {names.get(sid, sid[:8])} ({round(outcome.share * 100)}% of "
                     f"the last hour's tracked spend){pace}: {after}")
    head = (f"pause: the {label} limit comes {_clock(forecast.eta_limit_at, now, utc_offset)},"
            f" before its reset at {reset}")
    if hint is None:
        why = ("; one session alone is no advice" if len(outcomes) < 2 else
               "; no single pause makes it last, so the line names none")
    else:
        tracked = round(hint.tracked * 100)
        why = (f"; the line names {names.get(hint.session_id, '?')}: it burns most, and "
               f"without its part ({round(hint.share * 100)}% of the {tracked}% of the pace "
               f"the tracked sessions explain) the window lasts")
    return [head + why, *notes]
