"""sanitize.clean: nothing that can drive a terminal survives (reliability.md R10, T16)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statusline.sanitize import clean

from .helpers_reliability import FORBIDDEN


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Opus 5.5", "Opus 5.5"),
        ("a\x1b[2Jb", "ab"),
        ("a\x1b[38;5;196mred\x1b[0mb", "aredb"),
        ("a\x1b]52;c;ZWNobyBwd25lZA==\x07b", "ab"),
        ("a\x1b]0;title\x1b\\b", "ab"),
        ("a\x1b]8;;https://evil/\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),
        ("a\x1bP1$r0m\x1b\\b", "ab"),
        ("a\x1b_apc\x1b\\b", "ab"),
        ("a\x9b2Jb", "ab"),
        ("a\x9d0;t\x9cb", "ab"),
        ("a\x07\x08\r\n\tb", "ab"),
        ("a\x00\x7fb", "ab"),
        ("a\u202eevil\u202cb", "aevilb"),
        ("a\u2066x\u2069b", "axb"),
        ("a\u200e\u200f\u061cb", "ab"),
        ("a\u200bb\ufeff", "ab"),
        ("ab\x1b", "ab"),
        ("a\x1b(Bb", "ab"),
        ("a\x1b7\x1b8b", "ab"),
        ("日本語 ✓ → é", "日本語 ✓ → é"),
    ],
)
def test_clean_removes_escapes_and_controls(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_unterminated_osc_swallows_its_payload() -> None:
    # An OSC without its terminator runs to the end: its parameter is not shown as text.
    assert clean("name\x1b]52;c;" + "A" * 300) == "name"


def test_length_cap_with_ellipsis() -> None:
    assert clean("x" * 100, 10) == "x" * 9 + "…"
    assert clean("x" * 10, 10) == "x" * 10
    assert clean("xyz", 0) == "…"


def test_lone_surrogates_are_replaced() -> None:
    assert clean("a\ud800b") == "a?b"
    clean("a\ud800b").encode("utf-8")  # printable on any terminal without errors


UNSAFE_ALPHABET = st.sampled_from(
    ["\x1b", "[", "]", "P", "\\", "\x07", "\x9b", "\x9c", "\x9d", "\x90", ";", "0", "2", "J",
     "m", "\x00", "\x7f", "\u202e", "\u2066", "\u061c", "\r", "\n", "a", "é", "日"]
)


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(st.text(), st.lists(UNSAFE_ALPHABET, max_size=60).map("".join)),
       limit=st.integers(1, 120))
def test_clean_output_is_always_safe(text: str, limit: int) -> None:
    out = clean(text, limit)
    assert FORBIDDEN.search(out) is None, repr(out)
    assert "\x1b" not in out
    assert len(out) <= limit
    out.encode("utf-8")
    # Cleaning what is already clean changes nothing (short of the cap).
    assert clean(out, limit) == out


@given(text=st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_printable_ascii_is_untouched(text: str) -> None:
    assert clean(text, 10_000) == text
