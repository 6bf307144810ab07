"""Payload parsing: tolerant field by field, never raises, keeps only validated scalars."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from statusline.figures import number
from statusline.payload import RawReading, decode, parse, valid_session_id
from tests.conftest import EXAMPLES, example


def test_captured_oauth_payload_gives_every_field() -> None:
    """The real client's payload yields model, context, cost and both windows."""
    payload = parse((EXAMPLES / "oauth-003.json").read_bytes())
    assert payload.session_id == "730ff5bb-2ea5-47b0-9596-f547b19e635f"
    assert payload.model == "Sonnet 5.5"
    assert payload.context_pct == 1
    assert payload.cost_usd == 0.0367747
    assert payload.rate_limits == {
        "five_hour": RawReading(23.7, 1795524279),
        "seven_day": RawReading(41.5, 1795817079),
    }


def test_startup_payload_has_nulls_and_no_rate_limits() -> None:
    """Before the first reply: context is unknown and rate_limits absent (None, not {})."""
    payload = parse((EXAMPLES / "apikey-001.json").read_bytes())
    assert payload.context_pct is None
    assert payload.rate_limits is None
    assert payload.model == "Opus 5.5"


def test_one_wrong_field_does_not_spoil_the_rest() -> None:
    """A wrongly typed field becomes None; the other fields still parse."""
    doc = example("oauth-003")
    doc["model"] = {"display_name": 42}
    doc["context_window"] = {"used_percentage": "50"}
    doc["cost"] = {"total_cost_usd": True}
    payload = parse(json.dumps(doc).encode())
    assert payload.model is None
    assert payload.context_pct is None
    assert payload.cost_usd is None
    assert payload.rate_limits is not None and "five_hour" in payload.rate_limits


def test_context_falls_back_to_token_counts() -> None:
    """An older client without used_percentage still gets a context figure from tokens."""
    doc = {"context_window": {"total_input_tokens": 50_000, "context_window_size": 200_000}}
    assert parse(json.dumps(doc).encode()).context_pct == 25


def test_rate_limit_window_missing_a_field_is_left_out() -> None:
    """A window needs both used_percentage and resets_at to count."""
    doc = {"rate_limits": {"five_hour": {"used_percentage": 5}, "seven_day": None}}
    assert parse(json.dumps(doc).encode()).rate_limits == {}


def test_session_ids_that_could_be_paths_are_refused() -> None:
    """Session ids key the store: path parts, escapes and oversize ids are refused."""
    assert valid_session_id("730ff5bb-2ea5-47b0-9596-f547b19e635f")
    for bad in ["../etc", "a/b", "x\x1b[2J", "", ".hidden", "a" * 200, 12, None, "a..b"]:
        assert valid_session_id(bad) is None


def test_non_finite_and_non_json_decode_to_none() -> None:
    """NaN, Infinity, invalid UTF-8 and deep nesting are not payloads."""
    for data in [b"NaN", b'{"a": Infinity}', b"\xff\xfe{", b"[" * 100_000, b"", b"{"]:
        assert decode(data) is None
    assert decode(b"\xef\xbb\xbf{}") == {}  # a BOM is tolerated


def test_number_rejects_bools_and_non_finite() -> None:
    """Only finite ints and floats are numbers; 10**400 overflows to None."""
    assert number(3) == 3.0
    assert number(True) is None
    assert number(float("nan")) is None
    assert number(10**400) is None
    assert number("5") is None


@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
))
def test_parse_never_raises_on_any_json(value: object) -> None:
    """Whatever JSON arrives, parse returns a Payload."""
    try:
        data = json.dumps(value).encode()
    except ValueError:
        return
    parse(data)


@given(st.binary(max_size=300))
def test_parse_never_raises_on_any_bytes(data: bytes) -> None:
    """Arbitrary bytes give a Payload too."""
    parse(data)


def test_preview_clock_is_an_hour_before_the_earliest_reset() -> None:
    """Bundled examples preview at a moment their windows still run (any day)."""
    from statusline.payload import preview_clock

    assert preview_clock(parse((EXAMPLES / "oauth-003.json").read_bytes())) == 1795524279 - 3600
    assert preview_clock(parse((EXAMPLES / "apikey-002.json").read_bytes())) is None


def test_float_artefacts_in_a_reading_are_the_reading_itself() -> None:
    """54.50000000000001 and 23.699999999999996 are 54.5 and 23.7 (the API's float noise)."""
    doc = {"session_id": "a", "rate_limits": {
        "five_hour": {"used_percentage": 54.50000000000001, "resets_at": 1795524279},
        "seven_day": {"used_percentage": 23.699999999999996, "resets_at": 1795817079}}}
    payload = parse(json.dumps(doc).encode())
    assert payload.rate_limits == {"five_hour": RawReading(54.5, 1795524279),
                                   "seven_day": RawReading(23.7, 1795817079)}
