"""Rendering: width in cells, fitting by importance, colour only from the theme."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from statusline.line.kit import Segment
from statusline.line.render import cell_width, fit, line, truncate

SGR = re.compile(r"\x1b\[[0-9;]*m")


def segs(*texts: str) -> list[Segment]:
    return [Segment(t) for t in texts]


def test_plain_line_joins_with_separator() -> None:
    """Without colour the line is the texts and separators only."""
    assert line(segs("a", "b", "c"), 80, " · ", color=False, theme="default") == "a · b · c"


def test_segments_without_ranks_drop_from_the_right_to_fit() -> None:
    """Segments that say nothing of their importance go rightmost first."""
    kept = fit(segs("model", "ctx 4%", "5h 20%", "2 sessions"), 20, " · ")
    assert kept == ["model", "ctx 4%", None, None]


def test_the_least_important_goes_first_wherever_it_stands() -> None:
    """Importance, not position: a low-ranked segment on the left goes before the rest."""
    line_ = [Segment("Opus 5.5", steps=((40, None),)), Segment("ctx 4%", steps=((95, None),)),
             Segment("7d 88% +1.8%/h → limit 14:05 (5h45)",
                     steps=((45, "7d 88% → 5h45"), (85, "7d 88%"), (100, None))),
             Segment("2 sessions", steps=((65, None),))]
    assert fit(line_, 80, " · ") == [s.text for s in line_]
    assert fit(line_, 60, " · ") == [None, "ctx 4%", "7d 88% +1.8%/h → limit 14:05 (5h45)",
                                     "2 sessions"]
    assert fit(line_, 42, " · ") == [None, "ctx 4%", "7d 88% → 5h45", "2 sessions"]
    assert fit(line_, 24, " · ") == [None, "ctx 4%", "7d 88% → 5h45", None]
    assert fit(line_, 15, " · ") == [None, "ctx 4%", "7d 88%", None]
    assert fit(line_, 9, " · ") == [None, None, "7d 88%", None]
    assert fit(line_, 4, " · ") == [None, None, "7d …", None]


def test_a_piece_is_missing_only_when_it_does_not_fit_beside_the_more_important() -> None:
    """A later, bigger step leaves room: an earlier, smaller loss is not kept needlessly."""
    line_ = [Segment("model", steps=((10, None),)),
             Segment("x" * 30, steps=((20, "x" * 5), (90, None)))]
    # Dropping "model" alone does not fit 20 cells; shortening the other does, with room
    # for the model again.
    assert fit(line_, 20, " · ") == ["model", "xxxxx"]


@given(st.lists(st.tuples(st.text(min_size=1, max_size=30),
                          st.lists(st.tuples(st.integers(0, 100),
                                             st.one_of(st.none(), st.text(max_size=20))),
                                   max_size=3)),
                min_size=1, max_size=8),
       st.integers(1, 120))
def test_fit_never_exceeds_the_width_and_always_shows_something(
        spec: list[tuple[str, list[tuple[int, str | None]]]], width: int) -> None:
    """Whatever the segments and steps, the line fits and is never empty of segments."""
    line_ = [Segment(text, steps=tuple(steps)) for text, steps in spec]
    texts = fit(line_, width, " · ")
    assert len(texts) == len(line_)
    assert cell_width(" · ".join(t for t in texts if t)) <= width
    assert any(texts) or not any(s.text for s in line_)


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
