"""scripts/oracle_rhythm.py: the oracle that knows a person's rhythm but not today's dice."""

from __future__ import annotations

import random

from tests.helpers_scripts import load_script

draws = load_script("oracle_draws")
oracle = load_script("oracle_rhythm")

HOUR = 3600.0
DAY = 86400.0
MONDAY = 0.0  # the rhythm's weekdays count from here
SPEC = {"weekday": [((9.0, 13.0), 1.0, 1.0), ((14.0, 18.0), 0.5, 1.0)], "weekend": [],
        "sessions": (1, 3), "models": {"opus": 1.0}}


def rhythm(blocks: list[object] | None = None) -> object:
    return oracle.Rhythm(SPEC, 0.0, (MONDAY, MONDAY), {"opus": (16.0, 30.0)}, (1.0, 1.0),
                         blocks or [])


def seen_session(open_at: float, close_at: float, block_end: float) -> object:
    return draws.Session(open_at, close_at, (9 * HOUR, block_end), 20.0, "opus", 25.0,
                         1_000_000, [(open_at + 20.0, close_at - 60.0)], [])


def test_a_closed_session_rules_out_ends_before_its_close() -> None:
    person = rhythm()
    block = oracle.Block(MONDAY, "weekday", 0, 9 * HOUR, 13.2 * HOUR, 1.0, [0])
    closed = seen_session(9 * HOUR, 12.9 * HOUR, 13.2 * HOUR)
    weighted = oracle.end_posterior(person, block, [closed], 13.0 * HOUR)
    ends = [end for w, end, _n in weighted if w > 0]
    assert ends and min(ends) >= 12.9 * HOUR - 30.0
    assert max(ends) <= 13.5 * HOUR


def test_an_open_session_rules_out_ends_before_now() -> None:
    person = rhythm()
    block = oracle.Block(MONDAY, "weekday", 0, 9 * HOUR, 13.4 * HOUR, 1.0, [0])
    still_open = seen_session(9 * HOUR, 13.3 * HOUR, 13.4 * HOUR)
    weighted = oracle.end_posterior(person, block, [still_open], 13.1 * HOUR)
    assert all(end > 13.1 * HOUR for _w, end, _n in weighted)


def test_late_in_a_block_no_more_sessions_are_expected() -> None:
    person = rhythm()
    block = oracle.Block(MONDAY, "weekday", 0, 9 * HOUR, 13.0 * HOUR, 1.0, [0])
    first = seen_session(9 * HOUR, 13.0 * HOUR, 13.0 * HOUR)
    # past the block's first half, a later session would have opened already
    weighted = oracle.end_posterior(person, block, [first], 12.0 * HOUR)
    assert {n for w, _e, n in weighted if w > 0} == {1}
    early = oracle.end_posterior(person, block, [first], 9.5 * HOUR)
    assert {n for w, _e, n in early if w > 0} == {1, 2, 3}


def test_a_block_not_started_happens_at_its_odds_given_it_has_not_started() -> None:
    person = rhythm()
    t = 13.0 * HOUR  # the afternoon block (p 0.5) starts 13:36-14:24
    counts = 0
    rng = random.Random(7)
    for _ in range(2000):
        drawn = oracle.draw(rng, person, [], t, t + 5 * HOUR, {}, MONDAY)
        counts += any(s.open_at >= 13.5 * HOUR for s, _spans in drawn)
    assert 0.45 < counts / 2000 < 0.55


def test_a_started_block_draws_its_open_sessions_and_no_second_copy_of_itself() -> None:
    block = oracle.Block(MONDAY, "weekday", 0, 9 * HOUR, 13.0 * HOUR, 1.0, [0])
    person = rhythm([block])
    sessions = [seen_session(9 * HOUR, 13.0 * HOUR, 13.0 * HOUR)]
    t = 12.0 * HOUR
    posteriors = {0: oracle.end_posterior(person, block, sessions, t)}
    rng = random.Random(8)
    for _ in range(200):
        drawn = oracle.draw(rng, person, sessions, t, 13.0 * HOUR, posteriors, MONDAY)
        assert [s for s, _spans in drawn] == sessions  # the morning block is not drawn again
        for _s, spans in drawn:
            assert all(t <= a < b <= 13.5 * HOUR for a, b in spans)


def test_a_block_running_past_its_rhythms_range_is_still_forecast() -> None:
    person = rhythm()
    block = oracle.Block(MONDAY, "weekday", 0, 9 * HOUR, 15.0 * HOUR, 1.0, [0])
    late = seen_session(9 * HOUR, 15.0 * HOUR, 15.0 * HOUR)  # the rhythm says 12:30-13:30
    weighted = oracle.end_posterior(person, block, [late], 14.0 * HOUR)
    ends = [end for w, end, _n in weighted if w > 0]
    assert ends and min(ends) > 14.0 * HOUR
    assert max(ends) <= (14.0 + oracle.OVERRUN_H) * HOUR
