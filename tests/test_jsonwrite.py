"""jsonwrite.py: json.dumps's compact text without importing json."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from statusline import jsonwrite

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@given(JSON, st.booleans())
def test_the_text_is_json_dumps_compact_text(value: object, ensure_ascii: bool) -> None:
    expected = json.dumps(value, separators=(",", ":"), ensure_ascii=ensure_ascii)
    assert jsonwrite.dumps(value, ensure_ascii=ensure_ascii) == expected


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, [1.0, math.nan]])
def test_a_strict_document_refuses_what_a_strict_reader_would(bad: object) -> None:
    with pytest.raises(ValueError):
        jsonwrite.dumps(bad, allow_nan=False)
    assert jsonwrite.dumps(bad) == json.dumps(bad, separators=(",", ":"))


def test_what_is_not_json_is_refused_as_json_refuses_it() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        jsonwrite.dumps({"a": object()})
    looped: list[object] = []
    looped.append(looped)
    with pytest.raises(ValueError):
        jsonwrite.dumps(looped)
