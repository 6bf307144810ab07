"""The learned rhythm for people: a shaded hour-by-weekday strip and a one-line summary.

Pure: the ``inspect --json`` rhythm data in, text out.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from statusline.forecast import WindowForecast

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SHADES = " ░▒▓█"
ASCII_SHADES = " .:*#"
UNSEEN = {"unicode": "·", "ascii": "?"}


def summary(data: dict[str, object]) -> str:
    """``Rhythm: 9.5 days learned (weight 83% against the prior), 4 of 31 windows filled``,
    or a line saying nothing is learned yet."""
    days = data.get("days")
    if not isinstance(days, (int, float)) or days <= 0:
        return "Rhythm: nothing learned yet (it learns from each 5-hour window that ends)"
    weight = data.get("weight")
    text = f"Rhythm: {days:.1f} days learned"
    if isinstance(weight, (int, float)):
        text += f" (weight {round(weight * 100)}% against the prior)"
    windows, filled = data.get("windows"), data.get("filled")
    if isinstance(windows, (int, float)) and isinstance(filled, (int, float)) and windows >= 0.5:
        text += f", {filled:.0f} of {windows:.0f} windows filled"
    return text


def strip(rates: list[object], ascii_only: bool = False) -> list[str]:
    """Seven rows (Mon-Sun) of 24 cells, each hour shaded by its share of the busiest hour;
    an hour never watched is a dot (``?`` in ASCII). Rows are ``Mon |....|``."""
    shades = ASCII_SHADES if ascii_only else SHADES
    unseen = UNSEEN["ascii" if ascii_only else "unicode"]
    values = [r for r in rates if isinstance(r, (int, float))]
    top = max(values, default=0.0)
    bar = "|" if ascii_only else "│"
    lines = ["     " + "".join(f"{h:<6d}" for h in range(0, 24, 6))]
    for day, name in enumerate(DAYS):
        cells = []
        for hour in range(24):
            rate = rates[day * 24 + hour] if day * 24 + hour < len(rates) else None
            if not isinstance(rate, (int, float)):
                cells.append(unseen)
            elif top <= 0 or rate <= 0:
                cells.append(shades[0])
            else:
                level = min(len(shades) - 1, 1 + int(rate / top * (len(shades) - 1) - 1e-9))
                cells.append(shades[level])
        lines.append(f"{name} {bar}{''.join(cells)}{bar}")
    return lines


WINDOW_WORDS = {"five_hour": "5-hour", "seven_day": "7-day"}


def forecast_notes(windows: Mapping[str, WindowForecast]) -> list[str]:
    """What ``explain`` says about the rhythm behind the forecast: one line per running
    window once a rhythm is learned, else one line saying the prior alone is used."""
    if not windows:
        return []
    if all(w.rhythm_weight <= 0 for w in windows.values()):
        return ["forecast: the office-day prior only (no rhythm learned yet; it learns from "
                "each 5-hour window that ends)"]
    return [note for name, w in windows.items() if (note := forecast_note(name, w))]


def forecast_note(name: str, forecast: WindowForecast) -> str | None:
    """What ``explain`` says about the rhythm behind one window's forecast, or None.

    For the 5h window it compares the odds with those of the office-day prior alone and
    says when the rhythm decided the warning (one would warn and the other not).
    """
    days, weight = forecast.rhythm_days, forecast.rhythm_weight
    if forecast.used_pct >= 100 or weight <= 0:
        return None
    label = WINDOW_WORDS.get(name, name)
    basis = f"this account's rhythm ({days:.1f} days, weight {round(weight * 100)}%)"
    odds, prior = forecast.hit_odds, forecast.prior_hit_odds
    guessed, projected = forecast.guessed_pct, forecast.projected_pct_at_reset
    if guessed is not None and projected is not None and not forecast.limit_before_reset:
        return (f"{label} forecast: leans on {basis}: about {round(projected)}% at the reset, "
                f"{round(guessed)} points of it on days of a kind (weekdays, weekend days) "
                "this account has not been seen on yet: no warning rests on them")
    if name != "five_hour" or odds is None or prior is None:
        return f"{label} forecast: leans on {basis}"
    text = (f"{label} forecast: leans on {basis}: a hit before the reset is "
            f"{round(odds * 100)}% likely (the office-day prior alone: {round(prior * 100)}%)")
    if forecast.limit_before_reset and prior < 0.5:
        return text + "; the warning comes from the rhythm"
    if not forecast.limit_before_reset and prior >= 0.5 and odds < 0.5:
        return text + "; the rhythm holds back a warning the prior would give"
    return text
