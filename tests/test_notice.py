"""What the hook announces: levels and coming limits, once per window, re-armed when it falls."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from statusline import forecast, history, notice
from statusline.config import NotifyConfig
from statusline.history import State
from statusline.line.formatting import format_pct
from statusline.payload import from_mapping
from tests.helpers_cli import FIVE_HOUR_RESET, NOW, payload

UTC = 0.0


def climbing(final_pct: float, now: float = NOW, sessions: int = 2, minutes: int = 180,
             seven: float = 40.0, five_reset: float = FIVE_HOUR_RESET) -> State:
    """Sessions taking turns every 5 minutes while the 5h window climbs to ``final_pct``."""
    state = State()
    steps = minutes // 5
    start = final_pct - steps * 1.5
    for k in range(steps + 1):
        t = now - (steps - k) * 300.0
        pct = round(max(start + k * 1.5, 1.0), 1)
        doc = payload(k % sessions, t, pct, seven, 1.0 + k * (0.4 + 0.3 * (k % sessions)),
                      five_reset=five_reset)
        history.record(state, from_mapping(doc), t)
    return state


def due(state: State, now: float = NOW, settings: NotifyConfig | None = None,
        ) -> notice.Notice | None:
    settings = settings or NotifyConfig()
    return notice.due(state, forecast.project(state, now, UTC), now, settings, UTC)


def announce(state: State, now: float = NOW, settings: NotifyConfig | None = None,
             ) -> notice.Notice | None:
    """What one hook call would say, claimed as it would be."""
    settings = settings or NotifyConfig()
    found = due(state, now, settings)
    if found is not None:
        notice.claim(state, found, settings)
    return found


def quiet_limit() -> NotifyConfig:
    settings = NotifyConfig()
    settings.lead_minutes = 0.0
    return settings


def test_below_every_level_and_far_from_the_limit_says_nothing() -> None:
    assert due(climbing(50.0, minutes=120)) is None


def test_a_level_is_announced_once_then_the_next_one_once() -> None:
    settings = quiet_limit()
    state = climbing(81.0)
    first = announce(state, settings=settings)
    assert first is not None and (first.window, first.level) == ("five_hour", 80.0)
    assert announce(state, settings=settings) is None
    history.record(state, from_mapping(payload(0, NOW + 60, 86.0, 40.0, 90.0)), NOW + 60)
    assert announce(state, NOW + 60, settings) is None  # no new level
    history.record(state, from_mapping(payload(1, NOW + 120, 91.0, 40.0, 95.0)), NOW + 120)
    second = announce(state, NOW + 120, settings)
    assert second is not None and second.level == 90.0
    assert announce(state, NOW + 120, settings) is None


def test_a_jump_over_several_levels_is_one_notice_for_the_highest() -> None:
    settings = quiet_limit()
    state = climbing(70.0)
    assert announce(state, settings=settings) is None
    history.record(state, from_mapping(payload(0, NOW + 60, 96.0, 40.0, 90.0)), NOW + 60)
    found = announce(state, NOW + 60, settings)
    assert found is not None and found.level == 95.0
    assert announce(state, NOW + 60, settings) is None


def test_a_reset_re_arms_every_level() -> None:
    settings = quiet_limit()
    state = climbing(92.0)
    assert announce(state, settings=settings) is not None
    later = FIVE_HOUR_RESET + 600
    fresh = payload(0, later, 91.0, 40.0, 90.0, five_reset=FIVE_HOUR_RESET + 5 * 3600)
    history.record(state, from_mapping(fresh), later)
    found = announce(state, later, settings)
    assert found is not None and found.level == 90.0


def test_a_re_baseline_re_arms_the_levels_above_the_new_figure() -> None:
    settings = quiet_limit()
    state = climbing(92.0)
    assert announce(state, settings=settings) is not None
    # Session 0's next reply is lower, and nobody contradicts it for the grace period:
    # the window is re-based at 82 %.
    for dt, pct in ((30, 92.5), (200, 82.0), (340, 82.0)):
        history.record(state, from_mapping(payload(0, NOW + dt, pct, 40.0, 90.0 + dt)), NOW + dt)
    window = state.windows["five_hour"]
    assert window is not None and window.used_pct == 82.0 and window.rebased_at is not None
    assert announce(state, NOW + 340, settings) is None  # 80 still stands: 82 is above it
    history.record(state, from_mapping(payload(0, NOW + 400, 90.5, 40.0, 99.0)), NOW + 400)
    found = announce(state, NOW + 400, settings)
    assert found is not None and found.level == 90.0


def test_the_limit_notice_needs_the_lead_time_and_comes_once() -> None:
    levels_off = NotifyConfig()
    levels_off.levels = ()
    state = climbing(80.0)  # ~21 %/h: 100 % in about an hour, before the reset
    projected = forecast.project(state, NOW, UTC).windows["five_hour"]
    assert projected.limit_before_reset and projected.eta_limit_at is not None
    lead_min = (projected.eta_limit_at - NOW) / 60
    levels_off.lead_minutes = lead_min - 5
    assert due(state, settings=levels_off) is None  # not yet within the lead time
    levels_off.lead_minutes = lead_min + 5
    found = announce(state, settings=levels_off)
    assert found is not None and found.limit and found.level is None
    assert "limit ~" in found.text
    assert announce(state, settings=levels_off) is None


def test_a_level_after_the_limit_notice_is_a_plain_fact() -> None:
    """The limit is announced once; the 90 % that follows says the figure and the reset,
    not the forecast again."""
    only_ninety = NotifyConfig()
    only_ninety.levels = (90.0,)
    state = climbing(80.0)
    first = announce(state, settings=only_ninety)
    assert first is not None and first.limit and "limit ~" in first.text
    later = climbing(91.0)
    later.notices = state.notices
    level = announce(later, settings=only_ninety)
    assert level is not None and level.level == 90.0 and not level.limit
    assert "limit" not in level.text and "resets" in level.text


def test_the_limit_notice_waits_for_the_forecast_of_earlier_to_agree(
        monkeypatch: pytest.MonkeyPatch) -> None:
    levels_off = NotifyConfig()
    levels_off.levels = ()
    state = climbing(80.0)
    assert due(state, settings=levels_off) is not None
    # Seen from before the readings began, nothing was coming yet: no notice.
    monkeypatch.setattr(notice, "CONFIRM_S", 4 * 3600.0)
    assert due(state, settings=levels_off) is None
    now = forecast.project(state, NOW, UTC).windows["five_hour"]
    assert notice.confirmed(now, now)
    assert not notice.confirmed(None, now)
    other = forecast.project(climbing(80.0, five_reset=FIVE_HOUR_RESET + 600), NOW, UTC)
    assert not notice.confirmed(other.windows["five_hour"], now)
    doubtful = forecast.project(state, NOW, UTC).windows["five_hour"]
    doubtful.hit_odds = notice.LIMIT_ODDS - 0.01
    assert not notice.confirmed(doubtful, now)


def test_the_limit_notice_follows_the_odds_not_the_line() -> None:
    state = climbing(80.0)
    projected = forecast.project(state, NOW, UTC).windows["five_hour"]
    assert projected.hit_odds is not None
    assert notice.limit_coming(projected, NOW, 24 * 3600.0)
    projected.hit_odds = notice.LIMIT_ODDS - 0.01
    assert not notice.limit_coming(projected, NOW, 24 * 3600.0)


def test_the_sentence_names_window_time_sessions_and_the_top_burner() -> None:
    state = climbing(91.0, sessions=2)
    found = due(state, settings=quiet_limit())
    assert found is not None
    text = found.text
    assert text.startswith("Claude 5h usage at 91%")
    assert "2 sessions share it" in text
    # Session 1 (web, Sonnet) spends more per turn in climbing(): it burns most.
    assert "web (Sonnet 5.5) burns most" in text
    assert re.search(r"(limit ~\d\d:\d\d \(in \d+ min\)|resets \d\d:\d\d)", text), text


def test_a_notice_says_the_percentage_the_line_shows() -> None:
    """Half a point rounds up in both (Python's own formatting rounds 96.5 to 96)."""
    state = climbing(91.0, sessions=2)
    projection = forecast.project(state, NOW, UTC)
    five_hour = projection.windows["five_hour"]
    five_hour.used_pct = 96.5
    text = notice.sentence(state, projection, five_hour, 95.0, False, NOW, UTC)
    assert text.startswith(f"Claude 5h usage at {format_pct(96.5)}") and "97%" in text


def test_the_seven_day_window_is_announced_by_its_level() -> None:
    state = climbing(40.0, seven=91.0)
    found = due(state, settings=quiet_limit())
    assert found is not None and found.window == "seven_day" and found.level == 90.0
    assert found.text.startswith("Claude 7d usage at 91%")


def test_hostile_names_in_the_store_reach_no_terminal() -> None:
    state = climbing(91.0, sessions=2)
    for session in state.sessions.values():
        session.project_dir = "/x/\x1b]52;c;ZXZpbA==\x07evil\x1b[2J"
        session.model = "Opus\x9b31m\u202e"
        session.session_name = None
    found = due(state, settings=quiet_limit())
    assert found is not None
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e]", found.text), found.text
    answer = notice.answer(found, NotifyConfig())
    assert not re.search("[\x00-\x1f\x7f-\x9f]", answer["systemMessage"])
    assert client_allows(answer["terminalSequence"])
    assert answer["terminalSequence"].count("\x1b") == 1  # our OSC 9, nothing else


CLIMBED = history.to_json(climbing(91.0))
ANY_VALUE = st.one_of(st.none(), st.booleans(), st.floats(), st.integers(), st.text(max_size=3),
                      st.lists(st.floats(), max_size=4))


@given(st.dictionaries(
    st.sampled_from(["five_hour", "seven_day"]),
    st.dictionaries(st.sampled_from(["resets_at", "levels", "limit", "baseline"]), ANY_VALUE),
))
def test_garbage_claims_never_break_a_call(raw: dict[str, dict[str, object]]) -> None:
    state = history.from_json(CLIMBED)
    state.notices = dict(raw)
    found = due(state)
    if found is not None:
        notice.claim(state, found, NotifyConfig())
        again = due(state)
        assert again is None or (again.window, again.level) != (found.window, found.level)


def test_claims_travel_with_the_store_document() -> None:
    state = climbing(91.0)
    assert announce(state) is not None
    reread = history.from_json(history.to_json(state))
    assert reread.notices == state.notices and due(reread) is None


# ---------------------------------------------------------------------------------------
# What reaches the terminal

# The client's allowlist (2.1.328): OSC 0/1/2/9/99/777 ended by BEL or ST, and BEL; an
# OSC 9 body must not begin with a digit (except the 9;4 progress form); 4096 bytes at most.
_OSC = re.compile(r"\x1b\](\d+)(?:;([^\x07\x1b]*))?(?:\x07|\x1b\\)")


def client_allows(sequence: str) -> bool:
    if not sequence or len(sequence.encode()) > 4096:
        return False
    at = 0
    while at < len(sequence):
        if sequence[at] == "\x07":
            at += 1
            continue
        match = _OSC.match(sequence, at)
        if match is None or int(match.group(1)) not in (0, 1, 2, 9, 99, 777):
            return False
        body = match.group(2) or ""
        if match.group(1) == "9" and re.match(r"[\s]*[+-]?\d", body):
            return False
        if re.search("[\x00-\x1f\x7f-\x9f]", body):
            return False
        at = match.end()
    return True


def test_each_desktop_mode_passes_the_clients_allowlist() -> None:
    found = due(climbing(91.0), settings=quiet_limit())
    assert found is not None
    for mode in ("osc9", "osc777", "osc99"):
        settings = NotifyConfig()
        settings.desktop, settings.title, settings.bell = mode, True, True
        sequence = notice.terminal_sequence(found.text, settings)
        assert client_allows(sequence), (mode, sequence)
        assert sequence.endswith("\x07") and "\x1b]2;Claude 5h" in sequence
    off = NotifyConfig()
    off.desktop = "off"
    assert notice.terminal_sequence(found.text, off) == ""
    assert "terminalSequence" not in notice.answer(found, off)


def test_auto_picks_the_terminals_own_notification() -> None:
    assert notice.desktop_mode("auto", "iTerm.app", "xterm-256color") == "osc9"
    assert notice.desktop_mode("auto", "ghostty", "xterm-ghostty") == "osc777"
    assert notice.desktop_mode("auto", "", "rxvt-unicode-256color") == "osc777"
    assert notice.desktop_mode("auto", "", "xterm-kitty") == "osc99"
    assert notice.desktop_mode("osc9", "ghostty", "") == "osc9"


@given(st.text(max_size=400))
def test_any_text_gives_an_allowed_sequence_or_none(text: str) -> None:
    sequence = notice.terminal_sequence("Claude " + text, NotifyConfig())
    assert sequence == "" or client_allows(sequence)


def test_clock_and_countdown() -> None:
    assert notice.clock(3600 * 14 + 60 * 5, 3600 * 13, 0.0) == "14:05"
    assert notice.clock(3600 * 14, 3600 * 13, 3600.0) == "15:00"
    assert notice.clock(86400 * 3, 0.0, 0.0) == "Sun 00:00"  # 1970-01-04 was a Sunday
    assert notice.duration(45 * 60) == "45 min"
    assert notice.duration(65 * 60) == "1 h 05"
    assert notice.duration(52 * 3600) == "2 d 4 h"


def test_every_window_has_a_short_label() -> None:
    assert [notice.window_label(n) for n in ("five_hour", "seven_day", "seven_day_opus",
                                              "spend_limit")] == ["5h", "7d", "7d opus",
                                                                  "spend limit"]


def test_a_warning_on_its_hold_announces_no_limit() -> None:
    """A 5h warning held near the reset while its pace ends a little short gives the reset as
    its ETA (forecast.window.held): the line keeps it, the notice, which needs the forecast's
    own limit before the reset, says nothing."""
    state = climbing(80.0)
    projected = forecast.project(state, NOW, UTC).windows["five_hour"]
    assert notice.limit_coming(projected, NOW, 24 * 3600.0)
    projected.eta_limit_at = projected.resets_at
    assert projected.limit_before_reset and not notice.limit_coming(projected, NOW, 24 * 3600.0)
