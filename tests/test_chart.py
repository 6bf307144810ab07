"""The terminal chart: shape, scale, step semantics, projection, width, ASCII and colour."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from statusline.inspect.chart import ASCII_BLOCKS, LABEL_WIDTH, SHADE, chart
from statusline.line.render import cell_width

START, END = 0.0, 5 * 3600.0
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def plot(rows: list[str]) -> list[str]:
    """The plot cells of each row (labels and axis stripped), padded to the axis's width."""
    width = len(rows[-2]) - LABEL_WIDTH - 1
    return [row[LABEL_WIDTH + 1:].ljust(width) for row in rows[:-2]]


def column(rows: list[str], index: int) -> str:
    """One column of the plot, top to bottom."""
    return "".join(r[index] for r in plot(rows))


def test_shape_is_height_rows_an_axis_and_labels() -> None:
    """height plot rows, then the axis, then the time labels."""
    rows = chart([(0.0, 10.0)], START, END, now=3600.0, width=60, height=4)
    assert len(rows) == 6
    assert rows[0].startswith("100% ┤")
    assert rows[3].startswith("  0% ┤")
    assert rows[4].startswith(" " * LABEL_WIDTH + "└")
    assert "now" in rows[5]


def test_full_window_fills_every_cell_up_to_now() -> None:
    """100 % from the start: every column up to now is solid, none after (no rate)."""
    rows = chart([(0.0, 100.0)], START, END, now=END / 2, width=46, height=3)
    columns = len(plot(rows)[0])
    assert column(rows, 0) == "███"
    assert column(rows, columns // 2 - 1) == "███"
    assert column(rows, columns - 1) == "   "


def test_values_are_a_step_function() -> None:
    """Between readings the last value holds; before the first there is nothing."""
    samples = [(3600.0, 20.0), (7200.0, 80.0)]
    rows = chart(samples, START, END, now=END, width=56, height=5)
    columns = len(plot(rows)[0])
    per_hour = columns // 5
    assert column(rows, 0).strip() == ""  # before the first reading
    assert column(rows, per_hour + per_hour // 2) == "    █"  # 20 % fills the bottom row
    assert column(rows, 3 * per_hour) == " ████"  # 80 %


def test_eighth_blocks_give_resolution() -> None:
    """A value between rows is drawn with a partial block."""
    rows = chart([(0.0, 50.0)], START, END, now=END, width=30, height=2)
    assert column(rows, 3) == " █"
    rows = chart([(0.0, 75.0)], START, END, now=END, width=30, height=2)
    assert column(rows, 3) == "▄█"


def test_any_reading_shows_on_the_bottom_row() -> None:
    """A reading of 0.3 % is still visible (a low block), unlike no reading at all."""
    rows = chart([(0.0, 0.3)], START, END, now=END, width=30, height=3)
    assert column(rows, 3)[-1] == "▁"


def test_projection_is_shaded_after_now() -> None:
    """With a burn rate the future columns show the projection, shaded; without, nothing."""
    samples = [(0.0, 40.0)]
    with_rate = chart(samples, START, END, now=END / 2, width=46, height=5,
                      rate_pct_per_hour=20.0)
    without = chart(samples, START, END, now=END / 2, width=46, height=5)
    last = len(plot(with_rate)[0]) - 1
    assert SHADE in column(with_rate, last)
    assert column(without, last).strip() == ""
    assert SHADE not in "".join(plot(with_rate)[:1])[:10]


def test_now_is_marked_on_the_axis() -> None:
    """The axis has a tick under now; labels show the window's start and end."""
    rows = chart([(0.0, 10.0)], START, END, now=END / 2, width=66, height=3)
    axis = rows[-2]
    assert axis.count("┴") == 1
    tick = axis.index("┴")
    assert abs(tick - (LABEL_WIDTH + 1 + (66 - LABEL_WIDTH - 1) // 2)) <= 1
    assert rows[-1].strip().startswith("00:00")
    assert rows[-1].endswith("05:00")


def test_long_windows_label_dates() -> None:
    """A 7-day window labels its ends with the weekday and date."""
    rows = chart([(0.0, 10.0)], 0.0, 7 * 86400.0, now=86400.0, width=70)
    assert rows[-1].split() == ["Thu", "01", "Jan", "now", "Thu", "08", "Jan"]


def test_ascii_variant_uses_ascii_only() -> None:
    """ascii_only draws with ASCII characters only."""
    rows = chart([(0.0, 30.0), (9000.0, 65.0)], START, END, now=12000.0, width=50,
                 rate_pct_per_hour=10.0, ascii_only=True)
    text = "\n".join(rows)
    assert text.isascii()
    assert ASCII_BLOCKS[-1] in text


def test_colour_only_when_asked() -> None:
    """SGR codes appear only with color=True: alert colour for values over alert_pct."""
    samples = [(0.0, 95.0)]
    plain = chart(samples, START, END, now=END, width=40)
    coloured = chart(samples, START, END, now=END, width=40, color=True)
    assert not any("\x1b[" in row for row in plain)
    assert any("\x1b[31m" in row for row in coloured)
    assert [ANSI.sub("", row) for row in coloured] == plain


@given(
    st.lists(st.tuples(st.floats(0, END), st.floats(0, 100)), max_size=30).map(sorted),
    st.floats(0, END),
    st.integers(0, 200),
    st.integers(1, 8),
    st.none() | st.floats(0, 500),
    st.booleans(),
)
def test_never_wider_than_asked(samples: list[tuple[float, float]], now: float, width: int,
                                height: int, rate: float | None, ascii_only: bool) -> None:
    """Every row fits the width (or the minimum chart), whatever the data."""
    rows = chart(samples, START, END, now, width, height, rate, ascii_only=ascii_only)
    assert len(rows) == height + 2
    limit = max(width, LABEL_WIDTH + 1 + 10)
    assert all(cell_width(row) <= limit for row in rows)
    text = "".join(rows)
    assert text.isprintable()
    assert text.isascii() or not ascii_only
