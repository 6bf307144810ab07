"""Rendering: width in cells, dropping from the right, colour only from the theme."""

from __future__ import annotations

import re

from statusline.render import cell_width, fit, line, truncate
from statusline.segments import Segment

SGR = re.compile(r"\x1b\[[0-9;]*m")


def segs(*texts: str) -> list[Segment]:
    return [Segment(t) for t in texts]


def test_plain_line_joins_with_separator() -> None:
    """Without colour the line is the texts and separators only."""
    assert line(segs("a", "b", "c"), 80, " · ", color=False, theme="default") == "a · b · c"


def test_segments_drop_from_the_right_to_fit() -> None:
    """The least important (rightmost) segments go first."""
    kept = fit(segs("model", "ctx 4%", "5h 20%", "2 sessions"), 20, " · ")
    assert [s.text for s in kept] == ["model", "ctx 4%"]


def test_lone_segment_too_wide_is_cut_with_ellipsis() -> None:
    """One segment wider than the line is truncated, never dropped."""
    out = line(segs("x" * 50), 10, " · ", color=False, theme="default")
    assert out == "x" * 9 + "…"


def test_wide_characters_count_two_cells() -> None:
    """CJK text is measured in terminal cells."""
    assert cell_width("漢字ab") == 6
    assert cell_width(truncate("漢字漢字漢字", 7)) <= 7


def test_colour_codes_do_not_count_towards_width() -> None:
    """Width is judged on the text; the SGR codes come on top."""
    out = line([Segment("5h 95%", "alert"), Segment("7d 10%")], 14, " · ", color=True,
               theme="default")
    assert SGR.sub("", out) == "5h 95% · 7d 10%"[:14] or SGR.sub("", out) == "5h 95%"
    assert "\x1b[1;31m" in out


def test_every_theme_colours_every_style() -> None:
    """Each theme renders every semantic style without error."""
    styles = ["normal", "model", "dim", "ok", "warn", "alert"]
    for theme in ["default", "vivid", "mono", "unknown-falls-back"]:
        out = line([Segment(s, s) for s in styles], 200, " · ", color=True, theme=theme)
        assert SGR.sub("", out) == " · ".join(styles)
