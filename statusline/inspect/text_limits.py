"""The plain-words ``inspect`` lines for the account and the limits beyond 5h/7d (pure).

Drawn from the ``inspect --json`` document (``report_limits``): the spend limit with its
money, forecast and chart; each per-model week and extra usage with their source and age.
"""

from __future__ import annotations

from statusline.forecast.spend import PERIOD_SHORT, money, used_now
from statusline.history.model import window_seconds
from statusline.inspect.chart import chart
from statusline.line.formatting import format_age, format_clock, format_duration, offsets
from statusline.payload import SPEND_LIMIT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

CHART_HEIGHT = 5
ACCOUNT_SOURCES = {"config": "the client's config", "env": "CLAUDE_CODE_ACCOUNT_UUID"}


def account_line(data: dict[str, object]) -> str:
    """``Account us…@example.com (from the client's config)``, or that none is named."""
    account = data.get("account")
    if not isinstance(account, dict):
        return "Account: not named by the client (API key or token)"
    source = ACCOUNT_SOURCES.get(str(account.get("source")), "the client")
    return f"Account {account.get('label') or '?'} (from {source})"


def _when(epoch: float, now: float, utc_offset: float | Callable[[float], float]) -> str:
    offset_at = offsets(utc_offset)  # the zone's offset at epoch, across a time change
    clock = format_clock(epoch, offset_at(epoch), now, offset_at(now))
    if epoch >= now:
        return f"{clock} (in {format_duration(epoch - now)})"
    return f"{clock} ({format_age(now - epoch)})"


def limit_lines(data: dict[str, object], now: float, width: int, color: bool,
                ascii_only: bool, utc_offset: float | Callable[[float], float],
                warn_pct: float, alert_pct: float,
                cut: Callable[[str], str]) -> list[str]:
    """The spend limit, per-model weeks and extra usage sections (empty when none known);
    each text line passes through ``cut`` (the chart's rows fit the width already)."""
    lines = _Lines(cut)
    arrow = "->" if ascii_only else "→"
    windows = data.get("windows")
    history = data.get("history")
    spend = windows.get(SPEND_LIMIT) if isinstance(windows, dict) else None
    if isinstance(spend, dict):
        lines.append("")
        used_usd, limit_usd = spend.get("used_usd"), spend.get("limit_usd")
        period = str(spend.get("period") or "")
        amount = ""
        if isinstance(used_usd, (int, float)) and isinstance(limit_usd, (int, float)):
            used = used_now(float(spend["used_percentage"]), used_usd, limit_usd)
            inner = f"{money(used or 0.0)} of {money(limit_usd)} {PERIOD_SHORT.get(period, '')}"
            amount = f" ({inner.rstrip()})"
        resets_at = float(spend["resets_at"])
        lines.append(f"Spend limit (gateway): {spend['used_percentage']:.1f}%{amount}"
                     f", resets {_when(resets_at, now, utc_offset)}")
        per_hour = spend.get("usd_per_hour")
        rate = spend.get("burn_rate_pct_per_hour")
        eta = spend.get("eta_limit_at")
        pace = (f"{money(per_hour)}/h" if isinstance(per_hour, (int, float))
                else f"{rate:.2f}%/h" if isinstance(rate, (int, float)) else None)
        if float(spend["used_percentage"]) >= 100:
            lines.append("  over the limit until the period resets")
        elif pace is None:
            lines.append("  pace: not enough readings yet")
        elif spend.get("limit_before_reset") and isinstance(eta, (int, float)):
            lines.append(f"  pace {pace} {arrow} limit {_when(eta, now, utc_offset)}, "
                         "before the period ends")
        else:
            lines.append(f"  pace {pace} {arrow} the period ends first "
                         f"(about {spend.get('projected_pct_at_reset') or 0:.0f}% by then)")
        raw = history.get(SPEND_LIMIT) if isinstance(history, dict) else None
        samples = [(float(t), float(v)) for t, v in raw or []]
        start = resets_at - window_seconds(SPEND_LIMIT, period or None)
        lines.charts.extend("  " + row for row in chart(
            samples, start, resets_at, now, width - 2, height=CHART_HEIGHT,
            rate_pct_per_hour=float(rate) if isinstance(rate, (int, float)) else None,
            color=color, ascii_only=ascii_only, warn_pct=warn_pct, alert_pct=alert_pct,
            utc_offset=utc_offset))
    weeks = data.get("model_weeks")
    if isinstance(weeks, dict) and weeks:
        lines.append("")
        lines.append("Per-model weeks (from the client's usage cache, refreshed by /usage):")
        for name, week in weeks.items():
            if not isinstance(week, dict):
                continue
            label = week.get("label") or name
            age = format_age(float(week.get("age_s") or 0.0))
            outlook = ""
            eta = week.get("eta_limit_at")
            if week.get("limit_before_reset") and isinstance(eta, (int, float)):
                outlook = f" {arrow} limit {_when(eta, now, utc_offset)}"
            resets_at = float(week["resets_at"])
            lines.append(f"  7d {label}: {week['used_percentage']:.0f}% used, resets "
                         f"{_when(resets_at, now, utc_offset)}{outlook} (read {age})")
    extra = data.get("extra_usage")
    if isinstance(extra, dict):
        age = format_age(float(extra.get("age_s") or 0.0))
        if not extra.get("enabled"):
            lines.append(f"Extra usage: off (usage cache, read {age})")
        else:
            used, limit, pct = extra.get("used"), extra.get("limit"), extra.get("used_percentage")
            text = "Extra usage: on"
            if isinstance(used, (int, float)) and isinstance(limit, (int, float)):
                text += f", {money(used)} of {money(limit)} this month"
            if isinstance(pct, (int, float)):
                text += f" ({pct:.0f}%)"
            lines.append(f"{text} (usage cache, read {age})")
    return lines.rows


class _Lines:
    """Rows of the report: text rows are cut to the width, chart rows go in as they are."""

    def __init__(self, cut: Callable[[str], str]) -> None:
        self.rows: list[str] = []
        self.cut = cut
        self.charts = self  # ``lines.charts.extend(...)`` reads as what it does

    def append(self, text: str) -> None:
        self.rows.append(self.cut(text))

    def extend(self, rows: Iterable[str]) -> None:
        self.rows.extend(rows)
