"""statusline.jsonread.loads answers exactly as json.loads does, for any text."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from statusline import jsonread

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


def outcome(decode: object, text: str, **kwargs: object) -> tuple[str, str]:
    """("ok", repr of the value) or ("error", exception class), for comparing two decoders."""
    try:
        return "ok", repr(decode(text, **kwargs))  # type: ignore[operator]
    except (ValueError, RecursionError) as error:
        return "error", type(error).__name__


@given(JSON_VALUES, st.sampled_from(["", " ", "\n", "\t\r\n "]))
def test_valid_documents_decode_to_the_same_value(value: object, pad: str) -> None:
    text = pad + json.dumps(value, indent=1 if pad else None) + pad
    assert jsonread.loads(text) == json.loads(text)


@given(st.text(alphabet='{}[]",:0123456789.eE+-tnrufalsNIiy \n\t\\\ufeff\x0b', max_size=30))
def test_any_text_gives_the_same_value_or_the_same_error(text: str) -> None:
    assert outcome(jsonread.loads, text) == outcome(json.loads, text)


@pytest.mark.parametrize(
    "text",
    ['{"a": 1} x', "", " ", "\ufeff{}", '{"a":', "[1,]", '{"x":"a\tb"}', "\x0b{}", "[" * 100_000],
)
def test_bad_documents_raise_what_json_loads_raises(text: str) -> None:
    expected = outcome(json.loads, text)
    assert expected[0] == "error"
    assert outcome(jsonread.loads, text) == expected


def test_constants_follow_parse_constant() -> None:
    def reject(name: str) -> float:
        raise ValueError(name)

    assert math.isnan(jsonread.loads("[NaN]")[0])  # type: ignore[index]
    assert jsonread.loads("[Infinity, -Infinity]") == [math.inf, -math.inf]
    for text in ("[NaN]", "[Infinity]", "[-Infinity]"):
        with pytest.raises(ValueError):
            jsonread.loads(text, parse_constant=reject)
    assert jsonread.loads("[1.5]", parse_constant=reject) == [1.5]


def test_numbers_and_duplicate_keys_as_json_loads() -> None:
    text = '{"a": 1, "a": 2, "big": 123456789012345678901234567890, "f": 1e400, "z": -0.0}'
    assert repr(jsonread.loads(text)) == repr(json.loads(text))
