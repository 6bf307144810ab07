"""A working day away from the shared store, then back (issue 18): the outbox always drains.

The design case of docs/reliability.md: a laptop with 4 sessions at 10 s ticks for 10 hours
(14,400 calls) cannot reach Redis while another machine keeps saving. The outage runs
in-process (``call.render_call``, the call's own code, against a port nothing listens on)
to keep the test to a minute or two; the reunion runs through the real entry point, each
call timed.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from statusline import call, history
from statusline.store import outbox
from tests.helpers_redis import RedisServer, free_port
from tests.helpers_reliability import NOW, encode, reading_payload, run_call

KEY = "statusline:v1:default"
TICKS = 3600  # 10 h at 10 s
SESSIONS = 4
FIVE_HOURS = 5 * 3600


def day_reading(session: int, tick: int, pct_offset: float = 0.0) -> dict[str, object]:
    """Session ``session`` at ``tick``: busy (cost rising) an hour in two, readings rising."""
    busy = (tick // 360 + session) % 2 == 0
    cost = 1.0 + (tick if busy else (tick // 360) * 360) * 0.01
    elapsed = tick * 10
    pct = min(5 + (elapsed % FIVE_HOURS) / 250 + pct_offset, 99.0)
    resets = NOW + FIVE_HOURS * (1 + elapsed // FIVE_HOURS)
    return reading_payload(f"day-{session}", five_hour=round(pct, 1), cost=round(cost, 2),
                           five_reset=resets, seven_reset=NOW + 6 * 86400,
                           seven_day=round(20 + tick * 0.005, 1))


def env_for(state_dir: Path, url: str, host: str, now: float) -> dict[str, str]:
    return {"STATUSLINE_STATE_DIR": str(state_dir), "STATUSLINE_STORE_URL": url,
            "STATUSLINE_HOST": host, "STATUSLINE_NOW": repr(now), "STATUSLINE_LOG": "off",
            "HOME": str(state_dir.parent)}


def test_a_working_day_away_drains_within_five_calls_inside_the_budget(
        tmp_path: Path, redis_server: RedisServer) -> None:
    laptop, desk = tmp_path / "laptop" / "state", tmp_path / "desk" / "state"
    for directory in (laptop, desk):
        directory.mkdir(parents=True, mode=0o700)
    dead = f"redis://127.0.0.1:{free_port()}/0"
    store = str(laptop / "store.json")
    largest = 0
    for tick in range(TICKS):
        now = NOW + tick * 10
        for session in range(SESSIONS):
            outcome = call.render_call(encode(day_reading(session, tick)),
                                       env_for(laptop, dead, "laptop", now + session),
                                       save=True)
            assert "5h" in outcome.line
        if tick % 30 == 0:  # the other machine saves every 5 minutes, lower readings
            call.render_call(encode(day_reading(9, tick, pct_offset=-3.0)),
                             env_for(desk, redis_server.url, "desk", now), save=True)
        if tick % 300 == 0:
            largest = max(largest, os.path.getsize(outbox.path_for(store)))
    size = os.path.getsize(outbox.path_for(store))
    largest = max(largest, size)
    kept = outbox.read(store)
    # The cap (MAX_BYTES, where the oldest lines would go) is never reached: nothing dropped.
    assert largest < outbox.MAX_BYTES * 3 // 4, largest
    assert len(kept) < outbox.MAX_LINES
    copy = history.from_json(json.loads((laptop / "store.json").read_text()))

    # Back in reach: real calls, each timed, until the outbox is gone.
    env = {**os.environ, **env_for(laptop, redis_server.url, "laptop", NOW + TICKS * 10),
           "STATUSLINE_LOG": "debug"}
    times = []
    for attempt in range(5):
        # The next calls of session 0, a few seconds after its last kept one.
        env["STATUSLINE_NOW"] = repr(NOW + (TICKS - 1) * 10 + 5 + attempt)
        result = run_call(encode(day_reading(0, TICKS - 1)), env)
        result.assert_contract()
        times.append(result.elapsed)
        if not outbox.pending(store):
            break
    assert not outbox.pending(store), f"still kept after 5 calls: {len(outbox.read(store))}"
    assert max(times) < call.BUDGET_S, times
    print(f"\noutage: {TICKS * SESSIONS} calls, outbox at most {largest} bytes, "
          f"{len(kept)} lines kept ({len(outbox.compact(kept))} compacted); "
          f"drained in {len(times)} call(s), "
          f"slowest {max(times) * 1000:.0f} ms")

    # "In Redis": every kept session with its last stamp, cost and reading; every window's
    # highest reading (the running ones and the ended 5-hour windows' peaks).
    shared = history.from_json(json.loads(redis_server.client().get(KEY)))
    for session in range(SESSIONS):
        sid = f"day-{session}"
        mine, theirs = copy.sessions[sid], shared.sessions[sid]
        assert theirs.last_seen >= mine.last_seen
        assert theirs.cost_usd is not None and theirs.cost_usd >= (mine.cost_usd or 0)
        assert theirs.host == "laptop"
    for name in ("five_hour", "seven_day"):
        mine_w, theirs_w = copy.windows[name], shared.windows[name]
        assert mine_w is not None and theirs_w is not None
        assert theirs_w.used_pct >= mine_w.used_pct
    peaks = {round(a.resets_at): a.peak_pct for a in shared.archive["five_hour"]}
    for ended in copy.archive["five_hour"]:
        assert peaks.get(round(ended.resets_at), -1) >= ended.peak_pct
    assert "desk" in {s.host for s in shared.sessions.values()}


def test_an_outbox_larger_than_one_call_drains_a_piece_per_call(
        tmp_path: Path, redis_server: RedisServer) -> None:
    """Thousands of kept calls that compaction cannot shrink (every one a new cost within
    the cost history of distinct sessions): each call sends a piece, none overruns."""
    laptop = tmp_path / "laptop" / "state"
    laptop.mkdir(parents=True, mode=0o700)
    store = str(laptop / "store.json")
    lines = []
    for index in range(3000):
        doc = reading_payload(f"many-{index % 60}", cost=float(index), five_hour=10.0)
        summary = {"sid": doc["session_id"], "cost": float(index),
                   "limits": {"five_hour": [10.0, 1795524279.0, None, None, None]}}
        lines.append(json.dumps({"now": NOW - 3000 + index, "offset": 0.0, "host": "laptop",
                                 "account": None, "account_label": None,
                                 "payload": json.dumps(doc), **summary}))
    Path(outbox.path_for(store)).write_text("\n".join(lines) + "\n")
    os.chmod(outbox.path_for(store), 0o600)
    before = len(outbox.compact(outbox.read(store)))
    env = {**os.environ, **env_for(laptop, redis_server.url, "laptop", NOW),
           "STATUSLINE_LOG": "debug"}
    times, left = [], [before]
    for attempt in range(8):
        env["STATUSLINE_NOW"] = repr(NOW + attempt)
        result = run_call(encode(reading_payload("live", cost=float(attempt))), env)
        result.assert_contract()
        times.append(result.elapsed)
        left.append(len(outbox.read(store)))
        if not outbox.pending(store):
            break
    assert not outbox.pending(store), left
    assert max(times) < call.BUDGET_S, times
    shared = history.from_json(json.loads(redis_server.client().get(KEY)))
    assert {f"many-{i}" for i in range(60)} <= set(shared.sessions)
    for i in range(60):
        assert shared.sessions[f"many-{i}"].cost_usd == float(2940 + i)
    print(f"\n{before} kept after compaction; left after each call: {left}; "
          f"slowest {max(times) * 1000:.0f} ms")
    time.sleep(0)
