"""forecast/what_if.py and the pause segment: what pausing one session does, which to name."""

from __future__ import annotations

from statusline import forecast, history
from statusline.config import Config
from statusline.forecast import what_if
from statusline.history import ArchivedWindow, State
from statusline.line import kit, render
from statusline.line.kit import Context
from statusline.line.segments import SEGMENTS
from statusline.payload import from_mapping

NOW = 1794314400.0  # Tue 2026-11-10 12:20 UTC
RESET_5H = NOW + 2 * 3600 + 40 * 60


def doc(k: int, pct: float, cost: float, project: str | None = None) -> dict[str, object]:
    name = project or f"p{k}"
    return {
        "session_id": f"{k:08d}-0000-4000-8000-000000000000",
        "model": {"id": "opus", "display_name": "Opus"},
        "workspace": {"project_dir": f"/home/u/{name}"},
        "cost": {"total_cost_usd": cost},
        "rate_limits": {"five_hour": {"used_percentage": pct, "resets_at": RESET_5H},
                        "seven_day": {"used_percentage": 20.0, "resets_at": NOW + 3 * 86400}},
    }


def pool(spend: list[float], rate: float = 30.0, start_pct: float = 60.0,
         state: State | None = None) -> State:
    """Sessions (one per entry of ``spend``, in $ a minute) calling in turn for 40 minutes
    while the 5h window climbs ``rate`` %/h from ``start_pct``."""
    state = state or State()
    costs = [0.0] * len(spend)
    start = NOW - 2400
    for k in range(41):
        t = start + k * 60
        who = k % len(spend)
        costs[who] += spend[who] * len(spend)
        pct = round(start_pct + rate * (t - start) / 3600, 1)
        history.record(state, from_mapping(doc(who, pct, round(costs[who], 3))), t)
    return state


def hint_of(state: State) -> what_if.PauseHint | None:
    return what_if.pause_hint(state, forecast.project(state, NOW), NOW)


def test_the_heavy_session_is_named_and_its_pause_lasts() -> None:
    state = pool([1.0, 0.1])
    projection = forecast.project(state, NOW)
    assert projection.binding_window == "five_hour"
    hint = hint_of(state)
    assert hint is not None and hint.session_id.startswith("00000000")
    assert hint.lasts_to_reset and hint.tracked == 1.0  # no window ended yet: all tracked
    assert hint.runner_up is not None and hint.runner_up.limit_before_reset


def test_nothing_when_calm_alone_or_when_no_single_pause_is_enough() -> None:
    calm = pool([1.0, 0.1], rate=5.0, start_pct=10.0)
    assert forecast.project(calm, NOW).binding_window is None
    assert hint_of(calm) is None
    assert what_if.if_paused(calm, forecast.project(calm, NOW), NOW) == {}
    assert hint_of(pool([1.0])) is None  # one session: "stop working" is no advice
    # Three equal sessions: without any one of them the limit still comes first.
    even = pool([1.0, 1.0, 1.0])
    outcomes = what_if.if_paused(even, forecast.project(even, NOW), NOW)
    assert len(outcomes) == 3 and all(o.limit_before_reset for o in outcomes.values())
    assert hint_of(even) is None


def test_a_full_window_gets_no_hint() -> None:
    state = pool([1.0, 0.1], rate=60.0, start_pct=62.0)
    assert state.windows["five_hour"] is not None and state.windows["five_hour"].used_pct >= 100
    assert hint_of(state) is None


def test_what_no_tracked_session_explains_stays_in_the_pace() -> None:
    """A window that ended yesterday at 20 % on $100 of tracked spend calibrates 0.2 %/$:
    the $66/h tracked now explain less than the 34 %/h pace."""
    state = pool([1.0, 0.1])
    ended_at = NOW - 86400
    state.archive["five_hour"].append(ArchivedWindow(ended_at, 20.0, []))
    state.project_spend["old"] = [(ended_at - 5 * 3600 + h * 3600, 20.0) for h in range(5)]
    projection = forecast.project(state, NOW)
    five = projection.windows["five_hour"]
    assert projection.usd_per_hour and five.rate_pct_per_hour
    tracked = what_if.tracked_fraction(state, projection, NOW)
    expected = 0.2 * projection.usd_per_hour / five.rate_pct_per_hour
    assert abs(tracked - expected) < 1e-9 and 0.2 < tracked < 0.8
    heavy = max(projection.shares, key=lambda sid: projection.shares[sid])
    outcome = what_if.if_paused(state, projection, NOW)[heavy]
    assert outcome.rate_pct_per_hour is not None
    kept = 1.0 - tracked * outcome.share
    assert abs(outcome.rate_pct_per_hour - five.rate_pct_per_hour * kept) < 1e-9


def test_a_window_the_store_did_not_watch_whole_does_not_calibrate() -> None:
    state = pool([1.0, 0.1])
    state.archive["five_hour"].append(ArchivedWindow(NOW - 86400, 50.0, []))
    state.project_spend["old"] = [(NOW - 86400 - 3600, 2.0)]  # only its last hour seen
    assert what_if.calibration(state, NOW) is None


def context(state: State, session: int) -> Context:
    payload = from_mapping(doc(session, 80.0, 1.0))
    return Context(payload, state, forecast.project(state, NOW), NOW, Config())


def test_the_segment_names_the_other_session_or_this() -> None:
    state = pool([1.0, 0.1])
    heavy = SEGMENTS["pause"](context(state, 0))
    light = SEGMENTS["pause"](context(state, 1))
    assert heavy is not None and heavy.text == "pause this → ✓"
    assert light is not None and light.text == "pause p0 → ✓"
    calm = pool([1.0, 0.1], rate=5.0, start_pct=10.0)
    assert SEGMENTS["pause"](context(calm, 1)) is None


def test_the_hint_gives_way_after_the_eta_and_before_the_key_figure() -> None:
    assert (kit.RANK_OTHER < kit.RANK_PAUSE_SHORT < kit.RANK_KEY_TINY < kit.RANK_PAUSE
            < kit.RANK_CONTEXT < kit.RANK_KEY)
    state = pool([1.0, 0.1])
    ctx = context(state, 1)
    shown = [SEGMENTS[name](ctx) for name in ("five_hour", "pause", "sessions")]
    segments = [s for s in shown if s is not None]
    assert len(segments) == 3
    five, pause, sessions = segments

    def at(width: int) -> list[str | None]:
        return render.fit(segments, width, " · ")

    full = at(200)
    assert full == [five.text, pause.text, sessions.text]
    # Narrower: the sessions go first, then the mark, then the 5h countdown, then the hint.
    widths = range(len(" · ".join(t for t in full if t)), 3, -1)
    order = []
    for width in widths:
        texts = at(width)
        if texts[2] is None and "sessions" not in order:
            order.append("sessions")
        if texts[1] == "pause p0" and "mark" not in order:
            order.append("mark")
        if texts[0] == "5h 80%" and "countdown" not in order:
            order.append("countdown")
        if texts[1] is None and texts[0] and "hint" not in order:
            order.append("hint")
    assert order == ["sessions", "mark", "countdown", "hint"]
    assert at(8)[0] == "5h 80%"  # the key figure is the last to go
