"""A small terminal chart of a window's usage over time (pure: samples in, lines out).

The x axis spans the whole window, from its start to its reset, so the empty part on the
right is the time left; ``now`` is marked on the axis. Readings are a step function (the
pooled value holds until the next reading). With a burn rate the time after ``now`` shows
the projection, shaded. The y axis is 0-100 %, with eighth-cell blocks for resolution.
"""

from __future__ import annotations

import time

from statusline.line.formatting import format_clock, offsets

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

BLOCKS = " ▁▂▃▄▅▆▇█"
ASCII_BLOCKS = " ..--==##"
SHADE, ASCII_SHADE = "░", ":"
GREEN, YELLOW, RED, DIM, RESET = "\x1b[32m", "\x1b[33m", "\x1b[31m", "\x1b[2m", "\x1b[0m"
LABEL_WIDTH = 5  # "100% "
MIN_COLUMNS = 10


def chart(
    samples: list[tuple[float, float]],
    start: float,
    end: float,
    now: float,
    width: int,
    height: int = 5,
    rate_pct_per_hour: float | None = None,
    color: bool = False,
    ascii_only: bool = False,
    warn_pct: float = 70.0,
    alert_pct: float = 90.0,
    utc_offset: float | Callable[[float], float] = 0.0,
) -> list[str]:
    """Draw ``samples`` (``(time, percent)``, oldest first) between ``start`` and ``end``.

    ``utc_offset``: the zone's offset, or a function giving it at any moment (the labels
    then use each moment's own offset, across a time change).

    Returns ``height`` plot rows, an axis row and a label row, each at most ``width`` cells.
    """
    columns = max(width - LABEL_WIDTH - 1, MIN_COLUMNS)
    span = max(end - start, 1.0)
    step = span / columns
    values: list[tuple[float | None, bool]] = []
    for column in range(columns):
        begin = start + column * step
        if begin > now:
            values.append((_projected(samples, now, begin + step / 2, rate_pct_per_hour), True))
        else:
            values.append((_value_at(samples, min(begin + step, now)), False))

    blocks = ASCII_BLOCKS if ascii_only else BLOCKS
    shade = ASCII_SHADE if ascii_only else SHADE
    rows = []
    for row in range(height):
        level = height - 1 - row  # 0 is the bottom row
        label = "100%" if row == 0 else "  0%" if level == 0 else ""
        cells: list[tuple[str, str]] = []
        for value, projected in values:
            cell = _cell(value, level, height)
            if projected:
                glyph = shade if cell >= 4 else " "
                code = DIM
            else:
                glyph = blocks[cell]
                code = _colour(value, warn_pct, alert_pct)
            cells.append((code if color and glyph != " " else "", glyph))
        axis = "+" if ascii_only else "┤" if label else "│"
        if ascii_only and not label:
            axis = "|"
        rows.append(f"{label:>4} {axis}{_paint(cells)}".rstrip())

    now_column = int((now - start) / step) if start <= now < end else None
    rule = "-" if ascii_only else "─"
    axis_cells = [rule] * columns
    if now_column is not None:
        axis_cells[now_column] = "+" if ascii_only else "┴"
    corner = "+" if ascii_only else "└"
    rows.append(" " * LABEL_WIDTH + corner + "".join(axis_cells))
    rows.append(" " * (LABEL_WIDTH + 1) + _labels(start, end, now, now_column, columns, utc_offset))
    return rows


def _paint(cells: list[tuple[str, str]]) -> str:
    """Join ``(colour code, glyph)`` cells, one code per run of the same colour."""
    out = []
    index = 0
    while index < len(cells):
        code = cells[index][0]
        end = index
        while end < len(cells) and cells[end][0] == code:
            end += 1
        run = "".join(glyph for _, glyph in cells[index:end])
        out.append(f"{code}{run}{RESET}" if code else run)
        index = end
    return "".join(out)


def _value_at(samples: list[tuple[float, float]], moment: float) -> float | None:
    """The last reading at or before ``moment`` (None before the first one)."""
    value = None
    for at, pct in samples:
        if at > moment:
            break
        value = pct
    return value


def _projected(samples: list[tuple[float, float]], now: float, moment: float,
               rate: float | None) -> float | None:
    if rate is None or rate <= 0 or not samples:
        return None
    current = _value_at(samples, now)
    if current is None:
        return None
    return min(current + rate * (moment - now) / 3600.0, 100.0)


def _cell(value: float | None, level: int, height: int) -> int:
    """How many eighths of the cell at ``level`` (0 = bottom) a value fills."""
    if value is None:
        return 0
    eighths = round(max(min(value, 100.0), 0.0) / 100.0 * height * 8)
    if level == 0:
        eighths = max(eighths, 1)  # a reading, however low, shows on the bottom row
    return max(min(eighths - 8 * level, 8), 0)


def _colour(value: float | None, warn_pct: float, alert_pct: float) -> str:
    if value is None:
        return ""
    if value >= alert_pct:
        return RED
    if value >= warn_pct:
        return YELLOW
    return GREEN


def _labels(start: float, end: float, now: float, now_column: int | None, columns: int,
            utc_offset: float | Callable[[float], float]) -> str:
    """The time axis labels: the window's start at the left, its reset at the right, and
    ``now`` under its tick when there is room."""
    left, right = _stamp(start, end - start, utc_offset, now), _stamp(end, end - start,
                                                                      utc_offset, now)
    row = [" "] * columns
    _put(row, 0, left)
    _put(row, columns - len(right), right)
    if now_column is not None:
        mark = "now"
        at = min(max(now_column - 1, len(left) + 1), columns - len(right) - len(mark) - 1)
        if at > len(left) and at + len(mark) < columns - len(right):
            _put(row, at, mark)
    return "".join(row).rstrip()


def _stamp(epoch: float, span: float, utc_offset: float | Callable[[float], float],
           now: float) -> str:
    """A wall-clock label: ``14:05`` (or ``Thu 14:05``) for short spans, ``Thu 20 Nov``
    for spans of days; in the zone's offset at ``epoch``."""
    offset_at = offsets(utc_offset)
    if span > 2 * 86400:
        return time.strftime("%a %d %b", time.gmtime(epoch + offset_at(epoch)))
    return format_clock(epoch, offset_at(epoch), now, offset_at(now))


def _put(row: list[str], at: int, text: str) -> None:
    for offset, ch in enumerate(text):
        if 0 <= at + offset < len(row):
            row[at + offset] = ch
