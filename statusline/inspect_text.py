"""The plain-words ``statusline inspect`` report, drawn from the ``inspect --json`` data."""

from __future__ import annotations

from statusline.history import State
from statusline.segments import format_age, format_clock, format_duration

WINDOW_TITLES = {"five_hour": "5-hour window", "seven_day": "7-day window"}


def _pct(value: object) -> str:
    return f"{value:.1f}%" if isinstance(value, (int, float)) else "–"


def format_report(data: dict[str, object], state: State, now: float, color: bool) -> str:
    """A readable report of the store: profile, windows with their forecast, sessions."""
    lines: list[str] = []
    store_info = data["store"]
    assert isinstance(store_info, dict)
    lines.append(f"profile   {data['profile']}")
    lines.append(f"store     {store_info['path']} ({store_info['status']})")
    lines.append("")
    windows = data["windows"]
    assert isinstance(windows, dict)
    for name, title in WINDOW_TITLES.items():
        w = windows.get(name)
        if not isinstance(w, dict):
            ended = name in (data.get("ended_windows") or [])  # type: ignore[operator]
            lines.append(f"{title}: {'reset, no reading since' if ended else 'no reading yet'}")
            continue
        resets_at = float(w["resets_at"])
        lines.append(
            f"{title}: {_pct(w['used_percentage'])} used, resets in "
            f"{format_duration(resets_at - now)} ({format_clock(resets_at, 0, now)} UTC)"
        )
        rate = w.get("burn_rate_pct_per_hour")
        if isinstance(rate, (int, float)):
            eta = w.get("eta_limit_at")
            outlook = "resets before the limit"
            if w.get("limit_before_reset") and isinstance(eta, (int, float)):
                outlook = f"limit in {format_duration(eta - now)}"
            projected = w.get("projected_pct_at_reset")
            lines.append(
                f"  burn {rate:.1f}%/h -> {outlook}; about {_pct(projected)} at the reset"
            )
        observed_at = w.get("observed_at")
        if isinstance(observed_at, (int, float)):
            lines.append(f"  last reading {format_age(now - observed_at)} from {w.get('observed_by')}")
    binding = data.get("binding_window")
    lines.append(f"binding window: {binding or 'none (each window resets before its limit)'}")
    lines.append("")
    sessions = data["sessions"]
    assert isinstance(sessions, list)
    lines.append(f"sessions  {data['live_sessions']} live, {len(sessions)} known")
    for s in sessions:
        ctx = s["context_pct"]
        lines.append(
            f"  {s['session_id'][:8]}  {'live ' if s['live'] else 'gone '}"
            f"seen {format_age(now - s['last_seen']):>8}  {s['model'] or '?':<12} "
            f"ctx {'–' if ctx is None else f'{ctx:.0f}%':>4}  share {s['share'] * 100:3.0f}%  "
            f"{s['project_dir'] or ''}"
        )
    cost = data["cost"]
    assert isinstance(cost, dict)
    if cost.get("usd_per_hour") is not None:
        lines.append(f"pooled spend: ${cost['usd_per_hour']:.2f}/h")
    _ = (state, color)
    return "\n".join(lines)
