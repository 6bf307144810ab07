"""history: the spend limit, windows of another account, rejections, the usage-cache fold,
and the store document round trip of all of them."""

from __future__ import annotations

import datetime
import json
import math

from hypothesis import given
from hypothesis import strategies as st

from statusline.figures import epoch_seconds, loose_number
from statusline.history import State, from_json, record, to_json
from statusline.history.usage import USAGE_MAX_AGE_S, fold_usage
from statusline.payload import Payload, RawReading

T0 = 1_796_000_000.0
A = "00000000-0000-4000-8000-00000000a001"


def spend(state: State, sid: str, now: float, pct: float, usd: float | None = None) -> bool:
    reading = RawReading(pct, T0 + 10 * 86400, usd, None if usd is None else 500.0,
                         None if usd is None else "monthly")
    return record(state, Payload(session_id=sid, rate_limits={"spend_limit": reading}), now)


def test_spend_over_100_is_kept_and_an_epoch_is_not() -> None:
    state = State()
    spend(state, "a", T0, 107.0)
    window = state.windows["spend_limit"]
    assert window is not None and window.used_pct == 107.0
    spend(state, "b", T0 + 1, 1.79e9)
    assert state.windows["spend_limit"].used_pct == 107.0  # type: ignore[union-attr]
    assert state.rejected is not None and "out of range" in state.rejected[1]


def test_spend_money_arrives_later_and_is_kept() -> None:
    state = State()
    spend(state, "a", T0, 62.0)
    assert state.windows["spend_limit"].limit_usd is None  # type: ignore[union-attr]
    assert spend(state, "a", T0 + 5, 62.0, usd=310.0)  # the dollars are news: saved
    window = state.windows["spend_limit"]
    assert window is not None and (window.used_usd, window.limit_usd, window.period) == (
        310.0, 500.0, "monthly")
    spend(state, "a", T0 + 10, 63.0)  # a later reading without dollars keeps them
    assert state.windows["spend_limit"].limit_usd == 500.0  # type: ignore[union-attr]


def test_shelved_windows_expire_at_their_reset() -> None:
    state = State()
    five = {"five_hour": RawReading(70.0, T0 + 3 * 3600)}
    record(state, Payload(session_id="a", rate_limits=five), T0)
    other = {"five_hour": RawReading(8.0, T0 + 3600)}
    record(state, Payload(session_id="b", rate_limits=other), T0 + 10)  # b's first call
    assert state.windows["five_hour"].used_pct == 8.0  # type: ignore[union-attr]
    assert [w.used_pct for w in state.shelved["five_hour"]] == [70.0]
    record(state, Payload(session_id="b"), T0 + 3 * 3600 + 1)
    assert state.shelved["five_hour"] == []
    assert state.archive["five_hour"][-1].peak_pct == 8.0  # only b's window ended


def usage_cache(fetched: float, account: str = A, opus: float = 83.0) -> dict[str, object]:
    iso = datetime.datetime.fromtimestamp(T0 + 3 * 86400, datetime.UTC).isoformat()
    return {"fetchedAtMs": fetched * 1000, "accountUuid": account, "utilization": {
        "five_hour": {"utilization": 99, "resets_at": iso},
        "seven_day_opus": {"utilization": opus, "resets_at": iso},
        "limits": [{"kind": "weekly_scoped", "group": "weekly", "percent": 20, "resets_at": iso,
                    "scope": {"model": {"display_name": "Haiku 5"}}}],
        "extra_usage": {"is_enabled": True, "monthly_limit": 5000, "used_credits": 1234,
                        "utilization": 24.68, "currency": "USD"},
    }}


def test_usage_fold_rules() -> None:
    state = State()
    assert not fold_usage(state, usage_cache(T0), None, T0 + 60)  # no account to match
    assert not fold_usage(state, usage_cache(T0, account="x"), A, T0 + 60)
    assert not fold_usage(state, usage_cache(T0), A, T0 + USAGE_MAX_AGE_S + 1)
    assert fold_usage(state, usage_cache(T0), A, T0 + 60)
    assert not fold_usage(state, usage_cache(T0), A, T0 + 70)  # folded once per fetch
    assert state.windows["five_hour"] is None  # stdin's window stays stdin's
    opus, haiku = state.windows["seven_day_opus"], state.windows["seven_day_haiku_5"]
    assert opus is not None and (opus.used_pct, opus.label, opus.source) == (
        83.0, "Opus", "usage cache")
    assert haiku is not None and haiku.label == "Haiku 5"
    assert state.extra_usage is not None and state.extra_usage.used == 12.34
    assert fold_usage(state, usage_cache(T0 + 120, opus=60.0), A, T0 + 180)
    assert state.windows["seven_day_opus"].used_pct == 60.0  # type: ignore[union-attr]


def test_store_document_round_trip_of_the_new_fields() -> None:
    state = State()
    state.account, state.account_label = A, "us…@example.invalid"
    spend(state, "a", T0, 62.0, usd=310.0)
    fold_usage(state, usage_cache(T0), A, T0 + 60)
    record(state, Payload(session_id="a", rate_limits={"five_hour": RawReading(5, T0 - 1)}),
           T0 + 61)
    document = json.loads(json.dumps(to_json(state)))
    again = from_json(document)
    assert to_json(again) == document
    assert again.account == A and again.rejected is not None
    assert again.windows["seven_day_opus"].source == "usage cache"  # type: ignore[union-attr]


@given(st.datetimes(min_value=datetime.datetime(1971, 1, 1),
                    max_value=datetime.datetime(2999, 1, 1)))
def test_iso_reset_times_match_the_standard_library(moment: datetime.datetime) -> None:
    """The client's own ISO form is parsed without datetime, to the same second."""
    aware = moment.replace(tzinfo=datetime.UTC)
    for text in (aware.isoformat(), aware.strftime("%Y-%m-%dT%H:%M:%S.%fZ")):
        assert epoch_seconds(text) == aware.timestamp()


@given(st.one_of(st.text(max_size=40), st.floats(), st.integers(), st.none(), st.booleans()))
def test_loose_values_never_raise(value: object) -> None:
    result = epoch_seconds(value)
    assert result is None or result > 0
    number = loose_number(value)
    assert number is None or math.isfinite(number)
