"""The plain-words ``statusline inspect`` report, drawn from the ``inspect --json`` data.

Pure: the snapshot dict, the clock, the width and the drawing options in; text out.
"""

from __future__ import annotations

from statusline.history import WINDOW_SECONDS
from statusline.inspect import pause_text, rhythm_text
from statusline.inspect.chart import chart
from statusline.inspect.text_limits import account_line, limit_lines
from statusline.line.formatting import (
    format_age,
    format_clock,
    format_duration,
    format_rate,
    offsets,
)
from statusline.line.render import cell_width, truncate
from statusline.notice import window_label
from statusline.sanitize import clean

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

WINDOW_TITLES = {"five_hour": "5-hour window", "seven_day": "7-day window"}
BOLD, RESET = "\x1b[1m", "\x1b[0m"
MAX_WIDTH = 100
CHART_HEIGHT = 5


def _pct(value: object) -> str:
    return f"{value:.1f}%" if isinstance(value, (int, float)) else "–"


def _when(epoch: float, now: float, utc_offset: float | Callable[[float], float]) -> str:
    """``14:05 (in 1h15)`` or ``14:05 (3m ago)``, in the zone's offset at ``epoch``."""
    offset_at = offsets(utc_offset)
    clock = format_clock(epoch, offset_at(epoch), now, offset_at(now))
    if epoch >= now:
        return f"{clock} (in {format_duration(epoch - now)})"
    return f"{clock} ({format_age(now - epoch)})"


def _session_label(sessions: list[dict[str, object]], session_id: object) -> str:
    """A session's name as the line's ``via`` gives it (``statusline.line.names``)."""
    for s in sessions:
        if s["session_id"] == session_id and isinstance(s.get("name"), str):
            return str(s["name"])
    return "?" if not isinstance(session_id, str) else session_id[:8]


def _cut(text: str, width: int, ascii_only: bool) -> str:
    """``text`` cut to ``width`` cells, ending in an ellipsis (``...`` in ASCII) when cut."""
    if cell_width(text) <= width:
        return text
    if ascii_only:
        return truncate(text, max(width - 2, 1))[:-1] + "..."
    return truncate(text, width)


def _cut_left(text: str, width: int, ascii_only: bool) -> str:
    """``text`` cut from the left (a path keeps its last folders) to ``width`` cells."""
    if cell_width(text) <= width:
        return text
    mark = "..." if ascii_only else "…"
    keep = max(width - len(mark), 0)
    return mark + text[len(text) - keep:] if keep else mark[:width]


def format_report(
    data: dict[str, object],
    now: float,
    width: int = 80,
    color: bool = False,
    ascii_only: bool = False,
    utc_offset: float | Callable[[float], float] = 0.0,
    warn_pct: float = 70.0,
    alert_pct: float = 90.0,
) -> str:
    """A readable report of the store: profile, windows with forecast and chart, sessions."""
    width = max(min(width, MAX_WIDTH), 40)
    arrow = "->" if ascii_only else "→"
    dash = "-" if ascii_only else "–"

    def title(text: str) -> str:
        text = _cut(text, width, ascii_only)
        return f"{BOLD}{text}{RESET}" if color else text

    lines: list[str] = []

    def add(text: str) -> None:
        lines.append(_cut(text, width, ascii_only))

    store_info = data["store"]
    assert isinstance(store_info, dict)
    lines.append(title(f"Profile {data['profile']}"))
    # The store's path is never cut: it is what people copy from here.
    shared = store_info.get("shared")
    if isinstance(shared, dict):
        lines.append(f"  shared store {shared['location']} ({store_info['status']}, "
                     f"schema {store_info['schema_version']})")
        if shared.get("problem"):
            problem = clean(str(shared["problem"]), 300)
            add(f"  out of reach, showing this machine's copy: {problem}")
        lines.append(f"  this machine's copy {store_info['path']}")
    else:
        lines.append(
            f"  store {store_info['path']} ({store_info['status']}, "
            f"schema {store_info['schema_version']})"
        )
    add(account_line(data))
    sessions = data["sessions"]
    assert isinstance(sessions, list)
    windows = data["windows"]
    assert isinstance(windows, dict)
    history = data["history"]
    assert isinstance(history, dict)
    ended = data.get("ended_windows") or []
    assert isinstance(ended, list)

    if not any(isinstance(w, dict) for w in windows.values()) and not ended and sessions:
        add("")
        add("No session has reported rate limits: an API-key account has none (the line shows")
        add("$ and $/h instead), and a new session has none until its first reply.")
    for name, heading in WINDOW_TITLES.items():
        add("")
        w = windows.get(name)
        if not isinstance(w, dict):
            state = "ended, no reading since its reset" if name in ended else "no reading yet"
            lines.append(title(f"{heading}: {state}"))
            continue
        resets_at = float(w["resets_at"])
        lines.append(
            title(f"{heading}: {_pct(w['used_percentage'])} used, resets "
                  f"{_when(resets_at, now, utc_offset)}")
        )
        # The rate the outlook implies (report.window_json), so that the room left divided
        # by it is the time to the limit printed after it.
        rate = w.get("burn_rate_pct_per_hour")
        thin = " (little data yet)" if w.get("thin") else ""
        if isinstance(rate, (int, float)):
            add(f"  burn {format_rate(rate)}{thin} {arrow} {_outlook(w, now, utc_offset)}")
        elif isinstance(w.get("pace_pct_per_hour"), (int, float)):
            add(f"  burn under 0.01%/h{thin} {arrow} {_outlook(w, now, utc_offset)}")
        else:
            add(f"  burn {dash} (not enough readings for a rate yet)")
        if _held(w):
            add(f"  {_hold_note(w)}")
        observed_at = w.get("observed_at")
        if isinstance(observed_at, (int, float)):
            add(
                f"  last reading {format_age(now - observed_at)} from "
                f"{_session_label(sessions, w.get('observed_by'))}"
            )
        raw = history.get(name) or []
        samples = [(float(t), float(v)) for t, v in raw]
        # Chart rows carry colour codes and fit the width already.
        lines.extend(
            "  " + row
            for row in chart(
                samples, resets_at - WINDOW_SECONDS[name], resets_at, now, width - 2,
                height=CHART_HEIGHT,
                rate_pct_per_hour=float(rate) if isinstance(rate, (int, float)) else None,
                color=color, ascii_only=ascii_only, warn_pct=warn_pct, alert_pct=alert_pct,
                utc_offset=utc_offset,
            )
        )
    lines.extend(limit_lines(data, now, width, color, ascii_only, utc_offset, warn_pct,
                             alert_pct, cut=lambda text: _cut(text, width, ascii_only)))
    binding = data.get("binding_window")
    add("")
    add(
        f"Binding window: {WINDOW_TITLES.get(str(binding), binding)}"
        if binding else "Binding window: none (each window resets before its limit)"
    )
    notices = notice_record_line(data.get("limit_notices"))
    if notices:
        add(notices)
    cost = data["cost"]
    assert isinstance(cost, dict)
    if cost.get("usd_per_hour") is not None:
        add(f"Pooled spend: ${cost['usd_per_hour']:.2f}/h")
    hint = pause_text.hint_line(data, now, utc_offset)
    if hint:
        lines.append(title(hint))
    add("")
    for row in pause_text.week_lines(data, utc_offset, ascii_only, width):
        add(row)

    learned = data.get("rhythm")
    if isinstance(learned, dict):
        add("")
        lines.append(title(rhythm_text.summary(learned)))
        hourly = learned.get("hourly")
        if isinstance(hourly, list) and any(isinstance(r, (int, float)) for r in hourly):
            lines.extend("  " + row for row in rhythm_text.strip(hourly, ascii_only))

    add("")
    lines.append(title(f"Sessions: {data['live_sessions']} live, {len(sessions)} known"))
    labels = [_cut(_session_label(sessions, s["session_id"]), 20, ascii_only) for s in sessions]
    name_width = max([len("session"), *(cell_width(label) for label in labels)])
    # The machine column appears once sessions carry one (every call since #13 does).
    hosts = any(s.get("host") for s in sessions)
    host_head = f"{'host':<12} " if hosts else ""
    # What pausing each live session would do, once a window's limit comes before its reset.
    ok = "ok" if ascii_only else "✓"
    paused = [pause_text.if_paused_cell(s.get("if_paused"), now, utc_offset, ok)
              for s in sessions]
    paused_width = max((len(p) for p in paused), default=0)
    paused_width = max(paused_width, len("if paused")) if paused_width else 0
    paused_head = f"{'if paused':<{paused_width}}  " if paused_width else ""
    if sessions:
        add(
            f"  {'session':<{name_width}}  {'seen':>8}  {host_head}{'model':<14} {'ctx':>4} "
            f"{'share':>5}  {paused_head}project"
        )
    for s, label, if_paused in zip(sessions, labels, paused, strict=True):
        ctx = s["context_pct"]
        share = s["share"]
        seen = format_age(now - float(s["last_seen"]))
        mark = "" if s["live"] else " (gone)"
        row = (
            f"  {label}{' ' * (name_width - cell_width(label))}  {seen:>8}  "
            + (f"{_cut(str(s.get('host') or '?'), 12, ascii_only):<12} " if hosts else "")
            + f"{_cut(str(s['model'] or '?'), 14, ascii_only):<14} "
            f"{dash if ctx is None else f'{ctx:.0f}%':>4} "
            f"{dash if not share else f'{share * 100:.0f}%':>5}  "
            + (f"{if_paused:<{paused_width}}  " if paused_width else "")
        )
        project = str(s["project_dir"] or "")
        room = width - cell_width(row) - len(mark)
        add(row + _cut_left(project, room, ascii_only) + mark)
    return "\n".join(lines)


def notice_record_line(record: object) -> str:
    """``Limit notices: 5h 2 of 3 came true, over the last 12 windows; ...``, or empty when
    the hook announced no limit among the ended windows the store keeps."""
    if not isinstance(record, dict):
        return ""
    parts = []
    for name, counts in record.items():
        if not isinstance(counts, dict) or not counts.get("announced"):
            continue
        label = window_label(str(name))
        ended = counts.get("ended_windows", 0)
        over = "the last window" if ended == 1 else f"the last {ended} windows"
        parts.append(f"{label} {counts.get('reached', 0)} of {counts['announced']} came true, "
                     f"over {over}")
    return "Limit notices: " + "; ".join(parts) if parts else ""


def _held(w: dict[str, object]) -> bool:
    """A 5h warning on its hold (``forecast.window.held``): the pace seen now ends the window
    a little short of 100 %, and the ETA given is the reset, the latest the limit can come."""
    eta, resets_at = w.get("eta_limit_at"), w.get("resets_at")
    return (bool(w.get("limit_before_reset")) and isinstance(eta, (int, float))
            and isinstance(resets_at, (int, float)) and eta >= resets_at)


def _hold_note(w: dict[str, object]) -> str:
    """Why a held warning stands although the pace seen ends short: where it ends, the odds."""
    odds = w.get("hit_probability")
    likely = f"; a hit is {round(odds * 100)}% likely" if isinstance(odds, (int, float)) else ""
    return (f"the warning holds: this pace ends at about "
            f"{_pct(w.get('projected_pct_at_reset'))}{likely}")


def _outlook(w: dict[str, object], now: float,
             utc_offset: float | Callable[[float], float]) -> str:
    """Where the window is heading: the limit before the reset, or the figure at the reset,
    with the 5h model's odds of a hit when it gave them."""
    eta, odds = w.get("eta_limit_at"), w.get("hit_probability")
    likely = f"{round(odds * 100)}% likely" if isinstance(odds, (int, float)) else ""
    projected = w.get("projected_pct_at_reset")
    if w.get("limit_before_reset") and isinstance(eta, (int, float)) and _held(w):
        return f"limit by the reset, {_when(eta, now, utc_offset)}"  # the ETA is the reset
    if w.get("limit_before_reset") and isinstance(eta, (int, float)):
        text = f"limit {_when(eta, now, utc_offset)}, before the reset"
        return f"{text} ({likely})" if likely else text
    if likely and isinstance(projected, (int, float)) and projected >= 100:
        return f"the limit only if this pace holds; a hit before the reset is {likely}"
    text = f"about {_pct(projected)} at the reset"
    return f"{text} (a hit is {likely})" if likely else text
