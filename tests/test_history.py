"""Merge rules of the shared store (DESIGN section 3), on the pure model."""

from __future__ import annotations

from statusline import history
from statusline.history import (
    FROZEN_AFTER_S,
    REBASELINE_CONFIRM_S,
    REBASELINE_GRACE_S,
    SNAPSHOT_REFRESH_S,
    State,
    from_json,
    record,
    to_json,
)
from statusline.payload import Payload, RawReading, from_mapping

T0 = 1_795_500_000.0
RESET_5H = T0 + 3 * 3600
RESET_7D = T0 + 4 * 86400


def call(
    state: State,
    sid: str,
    now: float,
    five: float | None = None,
    seven: float | None = None,
    reset5: float = RESET_5H,
    cost: float | None = None,
) -> bool:
    """Record one call of session ``sid`` reporting the given percentages."""
    limits = {}
    if five is not None:
        limits["five_hour"] = RawReading(five, reset5)
    if seven is not None:
        limits["seven_day"] = RawReading(seven, RESET_7D)
    payload = Payload(session_id=sid, model="Opus 5.5", cost_usd=cost,
                      rate_limits=limits if limits else None)
    return record(state, payload, now)


def five(state: State) -> float | None:
    window = state.windows["five_hour"]
    return None if window is None else window.used_pct


def test_pooled_value_is_the_highest_fresh_reading() -> None:
    """Two sessions reporting the same window: the pool holds the higher value."""
    state = State()
    call(state, "a", T0, five=20.0)
    call(state, "b", T0 + 5, five=31.5)
    call(state, "a", T0 + 10, five=20.0)
    assert five(state) == 31.5
    assert state.windows["five_hour"].observed_by == "b"  # type: ignore[union-attr]


def test_epoch_in_percentage_and_over_101_are_dropped() -> None:
    """A percentage that is really an epoch, or above 101, never enters the pool."""
    state = State()
    call(state, "a", T0, five=10.0)
    call(state, "a", T0 + 1, five=RESET_5H)
    call(state, "a", T0 + 2, five=101.5)
    call(state, "a", T0 + 3, five=-1.0)
    assert five(state) == 10.0


def test_just_over_100_counts_as_100() -> None:
    """(100, 101] is clamped to 100 and marks the window full."""
    state = State()
    call(state, "a", T0, five=100.6)
    assert five(state) == 100.0
    assert state.windows["five_hour"].full_at == T0  # type: ignore[union-attr]


def test_implausible_resets_at_is_dropped() -> None:
    """A reset in the past or beyond the window length plus an hour is not a reading."""
    state = State()
    call(state, "a", T0, five=10.0, reset5=T0 - 1)
    call(state, "a", T0 + 1, five=10.0, reset5=T0 + 7 * 3600)
    assert state.windows["five_hour"] is None


def test_later_resets_at_starts_a_new_window_and_sets_the_running_one_aside() -> None:
    """A fresh reading of another window replaces the one in view, even if lower; the old
    one, still running, is set aside (another account's), not archived as ended."""
    state = State()
    call(state, "a", T0, five=80.0)
    call(state, "a", T0 + 60, five=2.0, reset5=RESET_5H + 2 * 3600)
    assert five(state) == 2.0
    assert state.archive["five_hour"] == []
    assert [w.used_pct for w in state.shelved["five_hour"]] == [80.0]


def test_stale_replay_of_an_earlier_window_is_ignored_in_an_accounts_store() -> None:
    """In an account's own store, a new session still reporting another window cannot pull
    the pool back: only a reading seen to change may switch windows."""
    state = State()
    state.account = "00000000-0000-4000-8000-00000000a001"
    call(state, "a", T0, five=5.0, reset5=RESET_5H + 2 * 3600)
    call(state, "b", T0 + 1, five=90.0, reset5=RESET_5H)
    assert five(state) == 5.0


def test_an_unchanged_reading_of_another_window_never_switches() -> None:
    """A known session whose reading has not changed replays: it cannot switch windows."""
    state = State()
    call(state, "b", T0, five=90.0, reset5=RESET_5H)
    call(state, "a", T0 + 1, five=5.0, reset5=RESET_5H + 2 * 3600)  # a's first call: switches
    assert five(state) == 5.0
    call(state, "b", T0 + 30, five=90.0, reset5=RESET_5H)  # b unchanged: a replay
    assert five(state) == 5.0


def test_past_reset_means_the_window_is_over() -> None:
    """Once resets_at passes, the stale percentage is gone (the window is archived)."""
    state = State()
    call(state, "a", T0, five=60.0)
    call(state, "a", RESET_5H + 5)
    assert state.current_window("five_hour", RESET_5H + 5) is None
    assert state.windows["five_hour"] is None
    assert state.archive["five_hour"][-1].peak_pct == 60.0


def test_value_only_rises_within_a_window() -> None:
    """A lower reading that is not fresh (a session behind the others) changes nothing."""
    state = State()
    call(state, "a", T0, five=30.0)
    call(state, "b", T0 + 1, five=25.0)  # b is new: its first reading may be an old reply
    call(state, "b", T0 + 2, five=25.0)  # repeated, not fresh
    assert five(state) == 30.0


def test_rebaseline_accepted_when_confirmed_by_a_second_fresh_reading() -> None:
    """A lower fresh value, confirmed by another fresh lower reading, is an official re-baseline."""
    state = State()
    call(state, "a", T0, five=50.0)
    call(state, "b", T0 + 1, five=50.0)
    call(state, "a", T0 + 10, five=20.0)  # fresh and lower: pending
    assert five(state) == 50.0
    call(state, "b", T0 + 20, five=20.5)  # another fresh lower reading confirms
    assert five(state) == 20.5
    assert state.windows["five_hour"].rebased_at == T0 + 20  # type: ignore[union-attr]


def test_rebaseline_accepted_after_the_grace_period_if_nobody_contradicts() -> None:
    """A pending lower value still standing after the grace period wins."""
    state = State()
    call(state, "a", T0, five=50.0)
    call(state, "a", T0 + 10, five=20.0)
    call(state, "c", T0 + 10 + REBASELINE_GRACE_S + 1)  # any later call settles it
    assert five(state) == 20.0


def test_rebaseline_refused_when_a_live_session_keeps_confirming_the_higher_value() -> None:
    """A reply repeating the higher value within the grace period vetoes the drop."""
    state = State()
    call(state, "a", T0, five=50.0, cost=1.0)
    call(state, "b", T0 + 5, five=50.0, cost=1.0)
    call(state, "a", T0 + 10, five=20.0, cost=1.1)
    call(state, "b", T0 + 60, five=50.0, cost=1.2)  # a new reply (its cost rose) says 50
    call(state, "c", T0 + 10 + REBASELINE_GRACE_S + 1)
    assert five(state) == 50.0


def test_a_repeat_of_an_old_reading_is_no_veto() -> None:
    """A session re-sending its old reading (a tick, no reply) proves nothing: the lower
    value still wins after the grace period."""
    state = State()
    call(state, "a", T0, five=50.0, cost=1.0)
    call(state, "b", T0 + 5, five=50.0, cost=1.0)
    call(state, "a", T0 + 10, five=20.0, cost=1.1)
    call(state, "b", T0 + 60, five=50.0, cost=1.0)  # a tick: same reading, same cost
    call(state, "c", T0 + 10 + REBASELINE_GRACE_S + 1)
    assert five(state) == 20.0


def test_two_replies_a_second_apart_do_not_rebaseline() -> None:
    """Replies in flight together come back in any order: a lower one a second after a
    higher one, even confirmed by the same session's next reply a second later, waits."""
    state = State()
    call(state, "a", T0, five=40.0, cost=1.0)
    call(state, "b", T0 + 1, five=40.0, cost=1.0)
    call(state, "a", T0 + 300, five=55.0, cost=2.0)  # nobody confirmed 40 for minutes
    call(state, "b", T0 + 301, five=54.0, cost=1.5)  # b's reply, a second later, lower
    call(state, "b", T0 + 302, five=54.5, cost=1.6)  # and b's next one
    window = state.windows["five_hour"]
    assert five(state) == 55.0 and window is not None and window.rebased_at is None
    call(state, "a", T0 + 303, five=56.0, cost=2.1)  # a's next reply: the pool goes on
    assert five(state) == 56.0 and window.rebased_at is None and window.pending is None


def test_first_reading_of_a_new_session_cannot_lower_the_pool() -> None:
    """A session seen for the first time may replay an old reply: it can raise, not lower."""
    state = State()
    call(state, "a", T0, five=50.0)
    call(state, "b", T0 + REBASELINE_GRACE_S + 30, five=10.0)
    assert five(state) == 50.0
    assert state.windows["five_hour"].pending is None  # type: ignore[union-attr]


def test_a_lone_lower_reply_waits_for_a_later_one() -> None:
    """Nobody confirmed the old value for minutes: one lower reply is pending, and a later
    reply (at least REBASELINE_CONFIRM_S after it) makes it the truth."""
    state = State()
    call(state, "a", T0, five=50.0)
    call(state, "a", T0 + REBASELINE_GRACE_S + 30, five=10.0)
    assert five(state) == 50.0
    call(state, "a", T0 + REBASELINE_GRACE_S + 30 + REBASELINE_CONFIRM_S, five=10.5)
    assert five(state) == 10.5


def test_session_idle_since_before_a_rebaseline_cannot_raise_it_back() -> None:
    """An idle session re-sending the pre-re-baseline value is ignored."""
    state = State()
    call(state, "a", T0, five=50.0)
    call(state, "b", T0 + 1, five=50.0)
    call(state, "a", T0 + 300, five=10.0)  # pending ...
    call(state, "a", T0 + 300 + REBASELINE_CONFIRM_S, five=10.1)  # ... confirmed: accepted
    call(state, "b", T0 + 400, five=50.0)  # b has not changed since T0 + 1
    assert five(state) == 10.1


def test_frozen_session_can_neither_raise_nor_create() -> None:
    """A session whose reading has not changed for FROZEN_AFTER_S replays a snapshot."""
    state = State()
    call(state, "a", T0, five=40.0)
    state.windows["five_hour"] = None  # as if the window had been reset meanwhile
    call(state, "a", T0 + FROZEN_AFTER_S + 1, five=40.0)
    assert state.windows["five_hour"] is None


def test_repeat_calls_are_not_written_until_the_snapshot_ages() -> None:
    """Ticks that repeat the same reading are not due; an old saved snapshot is."""
    saved = to_json(State())

    def tick(now: float) -> bool:
        nonlocal saved
        state = from_json(saved)  # each call starts from what the store holds
        due = call(state, "a", now, five=10.0, cost=1.0)
        if due:
            saved = to_json(state)
        return due

    assert tick(T0)
    assert not tick(T0 + 1)
    assert not tick(T0 + SNAPSHOT_REFRESH_S - 1)
    assert tick(T0 + SNAPSHOT_REFRESH_S + 1)
    assert not tick(T0 + SNAPSHOT_REFRESH_S + 2)


def test_new_reading_and_new_cost_are_due() -> None:
    """A changed reading or cost must be saved at once."""
    state = State()
    call(state, "a", T0, five=10.0, cost=1.0)
    assert call(state, "a", T0 + 1, five=10.1, cost=1.0)
    assert call(state, "a", T0 + 2, five=10.1, cost=1.5)


def test_round_trip_through_json() -> None:
    """to_json then from_json gives the same state."""
    state = State()
    call(state, "a", T0, five=10.0, seven=40.0, cost=1.0)
    call(state, "b", T0 + 5, five=12.0, seven=40.5, cost=0.5)
    again = from_json(to_json(state))
    assert to_json(again) == to_json(state)


def test_from_json_skips_malformed_entries() -> None:
    """Bad sessions and windows are dropped, the rest survives."""
    doc = to_json(State())
    doc["sessions"] = {
        "good": {"last_seen": T0, "costs": [[T0, 1.0], ["x", 2]], "model": 5},
        "../bad": {"last_seen": T0},
        "nolast": {"model": "x"},
    }
    doc["windows"] = {"five_hour": {"resets_at": "soon"}, "seven_day": []}
    state = from_json(doc)
    assert list(state.sessions) == ["good"]
    assert state.sessions["good"].costs == [(T0, 1.0)]
    assert state.sessions["good"].model is None
    assert state.windows == {"five_hour": None, "seven_day": None}


def test_from_json_refuses_non_stores() -> None:
    """A document without schema_version is not a store."""
    for doc in [[], "x", 1, {}, {"schema_version": "1"}, {"schema_version": True}]:
        try:
            from_json(doc)
        except ValueError:
            continue
        raise AssertionError(f"accepted {doc!r}")


def test_clock_jump_forward_does_not_wipe_other_sessions() -> None:
    """One call ten years ahead keeps every other session (no mass pruning)."""
    state = State()
    for i in range(5):
        call(state, f"s{i}", T0 + i)
    call(state, "jumper", T0 + 10 * 365 * 86400)
    assert len(state.sessions) == 6


def test_sessions_long_gone_are_pruned_relative_to_recent_activity() -> None:
    """A session unseen for longer than the TTL, while others are active, is dropped."""
    state = State()
    call(state, "old", T0)
    call(state, "new", T0 + history.SESSION_TTL_S + 100)
    call(state, "newer", T0 + history.SESSION_TTL_S + 200)
    assert "old" not in state.sessions


def test_store_stays_bounded() -> None:
    """Samples, cost points and sessions are capped however long the history."""
    state = State()
    for i in range(3000):
        call(state, f"s{i % 100}", T0 + i * 3, five=min(i * 0.03, 99.9), cost=i * 0.01)
    window = state.windows["five_hour"]
    assert window is not None and len(window.samples) <= history.MAX_SAMPLES
    assert len(state.sessions) <= history.MAX_SESSIONS
    assert all(len(s.costs) <= history.MAX_COST_POINTS for s in state.sessions.values())


def test_thin_keeps_ends_and_limit() -> None:
    """thin returns at most limit samples and keeps the first and last."""
    samples = [(float(i), float(i)) for i in range(1000)]
    thinned = history.thin(samples, 100)
    assert len(thinned) == 100
    assert thinned[0] == samples[0] and thinned[-1] == samples[-1]


def test_cost_points_of_idle_sessions_are_trimmed_too() -> None:
    """Any call trims every session's cost points older than the horizon (one kept)."""
    state = State()
    for i in range(50):
        call(state, "idle", T0 + i * 10, cost=float(i))
    call(state, "busy", T0 + history.COST_HISTORY_S + 1000, cost=1.0)
    assert len(state.sessions["idle"].costs) == 1


def test_cost_cap_keeps_the_last_hour_of_spend_close() -> None:
    """A session with far more cost changes than the cap: the last hour's spend stays within 3 %."""
    from statusline.forecast import spend_by_session

    state = State()
    now = T0
    for i in range(1500):  # a change every 5 s for about two hours, $0.01 each
        now = T0 + i * 5
        call(state, "a", now, cost=round(0.01 * (i + 1), 2))
    costs = state.sessions["a"].costs
    assert len(costs) <= history.MAX_COST_POINTS
    spent = spend_by_session(state, now, 3600.0)["a"]
    assert abs(spent - 7.2) / 7.2 < 0.03, spent  # 720 changes of $0.01 in the last hour


def test_thin_by_time_keeps_the_limit_and_spreads_in_time() -> None:
    """Uniform points thin to about the limit; dense-recent points still cover the old end."""
    uniform = [(float(i * 29), float(i)) for i in range(61)]
    assert 55 <= len(history.thin_by_time(uniform, 60)) <= 60
    skewed = [(float(i * 600), 0.0) for i in range(6)] + [(3600.0 + i, 0.0) for i in range(500)]
    kept = history.thin_by_time(skewed, 20)
    assert len(kept) <= 20 and kept[0][0] == 0.0 and kept[-1] == skewed[-1]
    assert sum(1 for t, _ in kept if t < 3600) >= 5


def test_an_idle_session_resending_its_old_value_with_float_noise_does_not_lower_the_pool(
) -> None:
    """Seen in the benchmark's traces: an idle session's tick re-sends 54.5 as
    54.50000000000001. That is not news, so it must not re-baseline a pool at 61.4."""

    def tick(sid: str, pct: float, now: float) -> None:
        doc = {"session_id": sid, "rate_limits": {
            "five_hour": {"used_percentage": pct, "resets_at": RESET_5H}}}
        record(state, from_mapping(doc), now)

    state = State()
    tick("idle", 54.5, T0)
    tick("busy", 61.4, T0 + 60)
    for step in range(1, 6):
        tick("idle", 54.5 if step % 2 else 54.50000000000001, T0 + 60 + step * REBASELINE_GRACE_S)
        tick("busy", 61.4, T0 + 90 + step * REBASELINE_GRACE_S)
    assert five(state) == 61.4
    assert state.windows["five_hour"].rebased_at is None  # type: ignore[union-attr]


def test_an_ended_window_teaches_the_rhythm_once() -> None:
    """The 5h window that ends is folded into the account's rhythm, and only once."""
    state = State()
    call(state, "a", T0, five=10.0)
    call(state, "a", T0 + 1800, five=40.0)
    assert state.rhythm.days == 0.0
    call(state, "a", RESET_5H + 5)  # the window is over: archived and learned
    learned = to_json(state)["rhythm"]
    assert sum(state.rhythm.usage) == 40.0
    assert state.rhythm.days == 5.0 / 24
    call(state, "a", RESET_5H + 600, five=1.0, reset5=RESET_5H + 5 * 3600)
    assert to_json(state)["rhythm"] == learned  # a new window, nothing more ended


def test_rhythm_survives_the_store_and_old_stores_load_without_one() -> None:
    state = State()
    call(state, "a", T0, five=10.0)
    call(state, "a", T0 + 1800, five=40.0)
    call(state, "a", RESET_5H + 5)
    again = from_json(to_json(state))
    assert again.rhythm.usage == state.rhythm.usage
    assert again.rhythm.learned_until == RESET_5H
    old = to_json(state)
    del old["rhythm"]  # a store written before the rhythm existed
    assert from_json(old).rhythm.days == 0.0


def warned_and_lowered(drop: float, name: str = "five_hour") -> bool:
    """A warned window of ``name`` at 80 %, then a confirmed lower reading ``drop`` points
    under it (the grace period settles it): whether the warning memory survived."""
    state = State()
    reading = {"five": 80.0} if name == "five_hour" else {"seven": 80.0}
    call(state, "a", T0, **reading)
    window = state.windows[name]
    assert window is not None
    window.warned = True
    lower = {key: value - drop for key, value in reading.items()}
    call(state, "a", T0 + 10, **lower)
    call(state, "c", T0 + 10 + REBASELINE_GRACE_S + 1)
    assert window.used_pct == 80.0 - drop and window.rebased_at is not None
    return window.warned


def test_a_small_5h_rebaseline_keeps_the_forecasts_warning_memory() -> None:
    """A confirmed drop of 0.4-0.6 points (a session's reading under the pool's) wiped a
    standing 5h warning minutes before the hit, which then had to rise from scratch: below
    ``REBASE_KEEPS_WARNING_PCT`` the memory stays; a real re-baseline forgets it."""
    small = history.windows.REBASE_KEEPS_WARNING_PCT / 10
    assert warned_and_lowered(small)
    assert not warned_and_lowered(history.windows.REBASE_KEEPS_WARNING_PCT)


def test_any_7d_rebaseline_forgets_the_warning_memory() -> None:
    """A standing 7-day warning skips the week's early doubt: a drop never keeps it."""
    assert not warned_and_lowered(0.5, "seven_day")
