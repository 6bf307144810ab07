"""scripts/trees_study.py: what the account's sessions are doing around the 5h window (the
trees' inputs that no reading carries), the trees' evaluation and the AUC it reports."""

from __future__ import annotations

import pytest

from statusline.history import Session, State, Window
from tests.helpers_scripts import load_script

study = load_script("trees_study")

NOW = 1_790_000_000.0
MIN = 60.0


def session_spending(state: State, sid: str, times: list[float]) -> Session:
    """A session whose cost rose at each of ``times`` (seconds before NOW)."""
    session = Session(sid, NOW - max(times))
    session.costs = [(NOW - back, 0.1 * (i + 1))
                     for i, back in enumerate(sorted(times, reverse=True))]
    session.last_seen = NOW - min(times)
    state.sessions[sid] = session
    return session


def test_two_sessions_spending_now_are_live_at_their_most() -> None:
    state = State()
    for sid in ("a", "b"):
        session_spending(state, sid, [k * 5 * MIN for k in range(0, 30)])
    live, share, idle_h, day = study.activity(state, NOW, NOW - 3 * 3600.0, 0.0)
    assert (live, share, idle_h, day) == (2.0, 1.0, 0.0, 2.0)


def test_sessions_closing_one_by_one_lower_the_share_of_the_most_seen() -> None:
    state = State()
    session_spending(state, "a", [k * 5 * MIN for k in range(0, 30)])
    session_spending(state, "b", [k * 5 * MIN for k in range(6, 30)])  # quiet for 30 min
    session_spending(state, "c", [k * 5 * MIN for k in range(12, 30)])  # quiet for an hour
    live, share, _, day = study.activity(state, NOW, NOW - 4 * 3600.0, 0.0)
    assert live == 1.0 and share == pytest.approx(1 / 3) and day == 3.0


def test_the_most_seen_is_looked_for_within_the_window_only() -> None:
    state = State()
    session_spending(state, "a", [k * 5 * MIN for k in range(0, 30)])
    session_spending(state, "b", [k * 5 * MIN for k in range(18, 30)])  # quiet for 1h30
    # A window that began an hour ago never saw b spend: a is all it has seen.
    assert study.activity(state, NOW, NOW - 3600.0, 0.0)[:2] == (1.0, 1.0)
    assert study.activity(state, NOW, NOW - 3 * 3600.0, 0.0)[:2] == (1.0, 0.5)


def test_silence_counts_up_to_an_hour_and_nobody_live_has_no_share() -> None:
    state = State()
    session_spending(state, "a", [90 * MIN, 100 * MIN])
    live, share, idle_h, _ = study.activity(state, NOW, NOW - 3 * 3600.0, 90 * MIN)
    assert (live, share, idle_h) == (0.0, 0.0, 1.0)
    assert study.activity(state, NOW, NOW - 3 * 3600.0, None)[2] == 0.0


def test_sessions_not_seen_for_a_day_do_not_count_as_the_days() -> None:
    state = State()
    session_spending(state, "old", [25 * 3600.0])
    session_spending(state, "new", [0.0])
    assert study.activity(state, NOW, NOW - 3600.0, 0.0)[3] == 1.0


def test_a_state_gives_one_input_per_feature_in_order() -> None:
    state = State()
    start = NOW - 2 * 3600.0
    window = Window(start + 5 * 3600.0, 0.0, start, "a")
    window.samples = [(start + k * 600.0, 2.0 * k) for k in range(13)]  # 12 %/h for 2 h
    window.used_pct = 24.0
    state.windows["five_hour"] = window
    session_spending(state, "a", [k * 5 * MIN for k in range(0, 24)])
    x = study.tree_inputs(12.0, 3.0, 3.0, 76.0, state, NOW)
    assert len(x) == len(study.FEATURES)
    named = dict(zip(study.FEATURES, x, strict=True))
    assert named["live"] == named["live_share"] == named["day_sessions"] == 1.0
    # The last hour ran at the pace: its slope against the pace is about 0.
    assert abs(named["slope_1h"]) < 0.05


def test_auc_counts_ranked_pairs_and_ties_as_half() -> None:
    assert study.auc([0.1, 0.4, 0.6, 0.9], [0, 0, 1, 1]) == 1.0
    assert study.auc([0.9, 0.6, 0.4, 0.1], [0, 0, 1, 1]) == 0.0
    assert study.auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]) == 0.5


def test_a_sample_equal_to_a_threshold_goes_left() -> None:
    # One split on input 0 at 1.0: left leaf -1, right leaf +2, baseline 0.5.
    trees = (0.5, [((0, 0, 0), (1.0, 0.0, 0.0), (1, 0, 0), (2, 0, 0), (0.0, -1.0, 2.0),
                    (0, 1, 1))])
    assert study.log_odds(trees, (1.0,)) == -0.5
    assert study.log_odds(trees, (1.5,)) == 2.5
