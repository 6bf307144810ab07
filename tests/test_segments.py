"""Segments: pure functions of the context, formatting rules, and failure isolation."""

from __future__ import annotations

import pytest

from statusline import forecast
from statusline.config import Config
from statusline.history import State, record
from statusline.line.formatting import (
    format_age,
    format_clock,
    format_duration,
    format_pct,
    round_eta,
)
from statusline.line.kit import Context
from statusline.line.segments import SEGMENTS, run_segments
from statusline.payload import Payload, RawReading

NOW = 1_795_519_800.0


def context_for(*calls: tuple[str, float, float, float], payload: Payload | None = None,
                config: Config | None = None) -> Context:
    """A Context after the given (session, t, five_pct, seven_pct) calls."""
    state = State()
    last = Payload()
    for sid, t, five, seven in calls:
        if sid not in state.sessions:  # its start-up call: no rate limits before a reply
            record(state, Payload(session_id=sid, model="Opus 5.5", context_pct=0), t - 1)
        last = Payload(session_id=sid, model="Opus 5.5", context_pct=43, cost_usd=1.0,
                       rate_limits={"five_hour": RawReading(five, NOW + 4000),
                                    "seven_day": RawReading(seven, NOW + 300_000)})
        record(state, last, t)
    chosen = payload or last
    return Context(chosen, state, forecast.project(state, NOW), NOW, config or Config())


def text(name: str, ctx: Context) -> str | None:
    segment = SEGMENTS[name](ctx)
    return None if segment is None else segment.text


@pytest.mark.parametrize(("seconds", "expected"), [
    (-5, "0m"), (59, "0m"), (61, "1m"), (3600, "1h00"), (3 * 3600 + 7 * 60, "3h07"),
    (2 * 86400 + 4 * 3600 + 59, "2d04h"),
])
def test_format_duration(seconds: float, expected: str) -> None:
    """Countdowns are short and never negative."""
    assert format_duration(seconds) == expected


@pytest.mark.parametrize(("seconds", "expected"), [
    (-100, "now"), (5, "now"), (45, "45s ago"), (125, "2m ago"), (7300, "2h ago"),
    (200000, "2d ago"),
])
def test_format_age(seconds: float, expected: str) -> None:
    """Ages never go negative, whatever the clock did."""
    assert format_age(seconds) == expected


def test_format_pct_rounds_half_up_and_never_claims_100_early() -> None:
    """23.7 shows as 24%, 41.5 as 42%, 99.6 as 99% (the limit is not reached yet)."""
    shown = [format_pct(v) for v in (23.7, 41.5, 22.5, 99.6, 100.0)]
    assert shown == ["24%", "42%", "23%", "99%", "100%"]


def test_format_clock_adds_the_weekday_on_another_day() -> None:
    """Times today are HH:MM; on another day the weekday comes first."""
    assert format_clock(NOW + 600, 0, NOW) == "11:40"
    assert format_clock(NOW + 86400, 0, NOW) == "Wed 11:30"
    assert format_clock(NOW + 600, 3600, NOW) == "12:40"


def test_round_eta_coarsens_far_estimates() -> None:
    """Under an hour stays exact; beyond, 5 and 30 minute steps."""
    assert round_eta(1234) == 1234
    assert round_eta(2 * 3600 + 130) == 2 * 3600
    assert round_eta(8 * 3600 + 500) == 8 * 3600


def test_pooled_windows_show_percentages_and_reset_countdown() -> None:
    """The 5h and 7d segments read like '5h 24%' with when they reset."""
    ctx = context_for(("a", NOW, 23.7, 41.5))
    five = text("five_hour", ctx)
    seven = text("seven_day", ctx)
    assert five is not None and five.startswith("5h 24%") and "resets 1h06" in five
    assert seven is not None and seven.startswith("7d 42%")


def test_window_at_the_limit_says_so() -> None:
    """At 100 % the segment says limit and when it resets, in the alert style."""
    ctx = context_for(("a", NOW, 100.0, 50.0))
    segment = SEGMENTS["five_hour"](ctx)
    assert segment is not None and segment.text == "5h 100% limit, resets 1h06"
    assert segment.style == "alert"


def test_context_segment_before_first_reply() -> None:
    """Unknown context shows a dash, not 0 %."""
    ctx = context_for(payload=Payload(session_id="x"))
    assert text("context", ctx) == "ctx –"


def test_sessions_and_freshness_name_the_other_session() -> None:
    """Two live sessions: the count, and the reading's source when it is another session."""
    calls = [("a", NOW - 120, 20.0, 40.0), ("b", NOW - 60, 30.0, 40.0)]
    state_ctx = context_for(*calls)
    state_ctx.state.sessions["b"].project_dir = "/home/u/api-server"
    ctx = Context(Payload(session_id="a"), state_ctx.state, state_ctx.projection, NOW, Config())
    assert text("sessions", ctx) == "2 sessions"
    assert text("freshness", ctx) == "1m ago via api-server"


def test_cost_segment_only_without_rate_limits() -> None:
    """API-key users see their spend; subscribers see the windows instead."""
    with_limits = context_for(("a", NOW, 20.0, 40.0))
    assert text("cost", with_limits) is None
    api = Context(Payload(session_id="k", cost_usd=1.5), State(), forecast.Projection(), NOW,
                  Config())
    assert text("cost", api) == "$1.50"


def test_a_failing_segment_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    """run_segments turns an exception into an error entry; the others still run."""
    def broken(ctx: Context) -> None:
        raise RuntimeError("boom")

    monkeypatch.setitem(SEGMENTS, "model", broken)
    results = run_segments(context_for(("a", NOW, 1.0, 1.0)), ("model", "context"))
    assert results[0].segment is None and results[0].error == "RuntimeError: boom"
    assert results[1].segment is not None


def test_every_segment_has_a_description() -> None:
    """Each registered segment documents itself (explain and the README use it)."""
    for name, fn in SEGMENTS.items():
        assert fn.__doc__ and fn.__doc__.strip(), name


def test_ascii_symbols_leave_no_unicode_in_the_line() -> None:
    """symbols = ascii gives plain ASCII windows text."""
    config = Config()
    config.symbols = "ascii"
    ctx = context_for(("a", NOW, 20.0, 40.0), config=config)
    for name in ("five_hour", "seven_day", "context"):
        value = text(name, ctx)
        assert value is None or value.isascii(), value


def test_pace_compares_usage_with_the_elapsed_window() -> None:
    """5h window 1h06 from its reset (78 % elapsed) at 39 % used: pace 0.5×."""
    ctx = context_for(("a", NOW, 39.0, 10.0))
    assert text("pace", ctx) == "5h pace 0.5×"


def test_pace_is_silent_early_in_a_window() -> None:
    """In the first 5 % of a window a pace means nothing."""
    state = State()
    record(state, Payload(session_id="a", rate_limits={
        "five_hour": RawReading(5.0, NOW + 5 * 3600 - 60)}), NOW)
    ctx = Context(Payload(session_id="a"), state, forecast.project(state, NOW), NOW, Config())
    assert text("pace", ctx) is None


def test_rates_keep_two_significant_figures() -> None:
    """Burn rates read 18%/h, 2.5%/h, 0.64%/h or 0.014%/h: dividing by them is off by ~5 %
    at most, so a person can check the ETA printed beside them."""
    from statusline.line.formatting import format_rate

    shown = [format_rate(v) for v in (18.4, 9.96, 2.54, 0.64, 0.0141)]
    assert shown == ["18%/h", "10%/h", "2.5%/h", "0.64%/h", "0.014%/h"]


def test_cost_segment_shows_the_pool_rate_only_once_there_is_one() -> None:
    """Several API-key sessions: '$1.20, pool $4.80/h'; no '$0.00/h' before any spend."""
    state = State()
    for i, (sid, spent) in enumerate([("a", 0.5), ("b", 0.5), ("a", 1.0), ("b", 1.7)]):
        record(state, Payload(session_id=sid, cost_usd=spent), NOW - 600 + i * 150)
    projection = forecast.project(state, NOW)
    ctx = Context(Payload(session_id="b", cost_usd=1.7), state, projection, NOW, Config())
    assert text("cost", ctx) == f"$1.70, pool ${projection.usd_per_hour:.2f}/h"
    fresh = State()
    record(fresh, Payload(session_id="a", cost_usd=0.5), NOW - 400)
    record(fresh, Payload(session_id="b", cost_usd=0.5), NOW - 300)
    ctx = Context(Payload(session_id="b", cost_usd=0.5), fresh, forecast.project(fresh, NOW),
                  NOW, Config())
    assert text("cost", ctx) == "$0.50"
