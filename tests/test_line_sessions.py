"""Who is live, how fresh the pooled figure is and whose it is: through the real entry point.

Each call is a real ``statusline`` process with ``STATUSLINE_NOW``, as Claude Code would run
it on replies and on ``refreshInterval`` ticks.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from statusline import history
from statusline.history import State
from statusline.payload import from_mapping
from tests.conftest import run_cli
from tests.helpers_cli import write_store

SGR = re.compile(r"\x1b\[[0-9;]*m")
NOW_WORD = re.compile(r"\bnow\b")
T0 = 1795519800.0
RESET_5H = T0 + 3 * 3600
RESET_7D = T0 + 3 * 86400
A = "aaaaaaaa-0000-4000-8000-000000000001"
B = "bbbbbbbb-0000-4000-8000-000000000002"


def payload(sid: str | None, five: float | None = None, cost: float = 0.0,
            project: str = "/home/dev/api-server", name: str | None = None) -> dict[str, object]:
    doc: dict[str, object] = {
        "model": {"id": "opus", "display_name": "Opus 5.5"},
        "workspace": {"project_dir": project},
        "cost": {"total_cost_usd": cost},
        "context_window": {"used_percentage": 10},
    }
    if sid is not None:
        doc["session_id"] = sid
    if name:
        doc["session_name"] = name
    if five is not None:
        doc["rate_limits"] = {"five_hour": {"used_percentage": five, "resets_at": RESET_5H},
                              "seven_day": {"used_percentage": 20.0, "resets_at": RESET_7D}}
    return doc


def call(doc: dict[str, object], at: float, **env: str) -> str:
    done = run_cli(doc, env={"STATUSLINE_NOW": str(at), "COLUMNS": "200", "NO_COLOR": "1",
                             "TZ": "UTC", **env})
    assert done.returncode == 0 and done.stderr == "", done
    return SGR.sub("", done.stdout.strip())


@contextmanager
def claude_processes(count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Stand-ins for Claude Code processes (``str(p.pid)`` is their CLAUDE_PID), ended and
    reaped on leaving; each in its own group and never outliving the test."""
    started = [subprocess.Popen(["sleep", "300"], start_new_session=True)
               for _ in range(count)]
    try:
        yield started
    finally:
        for process in started:
            process.kill()
            process.wait(timeout=10)


def store_document(isolated_env: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((isolated_env / "state" / "store.json").read_text())
    return loaded


# ---------------------------------------------------------------------------------------
# Live sessions with refreshInterval ticks


def test_a_session_whose_ticks_stopped_is_soon_not_live() -> None:
    """Ticks every 10 s: a closed session drops out within a few intervals, not 15 min."""
    call(payload(A), T0 - 1)
    call(payload(A, 30.0, cost=1.0), T0)
    call(payload(B), T0 + 1)
    for k in range(13):  # B's ticks: the same reading, every 10 s, for two minutes
        call(payload(B, 30.0, cost=0.5), T0 + 2 + 10 * k)
    assert "2 sessions" in call(payload(A, 30.0, cost=1.0), T0 + 150)
    # B closed at T0 + 122: three minutes later it is gone, A's own tick says so
    assert "1 session" in call(payload(A, 30.0, cost=1.0), T0 + 300)


def test_a_session_whose_claude_process_ended_is_not_live_at_its_next_look() -> None:
    """Sessions on this machine whose Claude Code process is known (CLAUDE_PID) are live
    while it runs: the one closed is gone from the next line, not minutes later."""
    with claude_processes(2) as processes:
        first, second = (str(p.pid) for p in processes)
        call(payload(A, 30.0, cost=1.0), T0, CLAUDE_PID=first)
        call(payload(B, 30.0, cost=0.5), T0 + 1, CLAUDE_PID=second)
        assert "2 sessions" in call(payload(A, 30.0, cost=1.0), T0 + 10, CLAUDE_PID=first)
        processes[1].kill()
        processes[1].wait(timeout=10)  # B's terminal closed
        assert "1 session" in call(payload(A, 30.0, cost=1.0), T0 + 20, CLAUDE_PID=first)


def test_an_idle_session_with_a_running_process_saves_its_stamp_seldom(
        isolated_env: Path) -> None:
    """Its liveness comes from its process, so its idle ticks do not rewrite a local store
    every 30 s (history.PROCESS_BEAT_S); it stays live all the while, and the stamp is
    saved again once that much time has passed."""
    store = isolated_env / "state" / "store.json"
    with claude_processes(1) as processes:
        pid = str(processes[0].pid)
        call(payload(A, 30.0, cost=1.0), T0, CLAUDE_PID=pid)
        saved = store.read_bytes()
        for k in range(1, 29):  # idle ticks every 10 s for 280 s
            assert "1 session" in call(payload(A, 30.0, cost=1.0), T0 + 10 * k, CLAUDE_PID=pid)
        assert store.read_bytes() == saved
        call(payload(A, 30.0, cost=1.0), T0 + history.PROCESS_BEAT_S + 1, CLAUDE_PID=pid)
        assert store.read_bytes() != saved
    # Without a known process the stamp keeps its 30 s beat.
    call(payload(B, 30.0, cost=1.0), T0)
    saved = store.read_bytes()
    call(payload(B, 30.0, cost=1.0), T0 + history.SNAPSHOT_REFRESH_S + 1)
    assert store.read_bytes() != saved


def test_a_process_id_reused_by_another_program_keeps_no_session_for_long() -> None:
    """A running process whose session has not called for LIVE_SESSION_S is not taken for
    that session (the system may have given its id to another program)."""
    state = State()
    with claude_processes(1) as processes:
        doc = from_mapping(payload(A, 30.0, cost=1.0))
        doc.pid = processes[0].pid
        history.record(state, doc, T0, "this-host")
        state.running[A] = True
        assert [s.session_id for s in state.live_sessions(T0 + 600)] == [A]
        assert state.live_sessions(T0 + history.LIVE_SESSION_S + 1) == []
        state.running[A] = False
        assert state.live_sessions(T0 + 1) == []


def test_a_longer_interval_of_the_users_own_is_learned() -> None:
    """Ticks every 120 s: the session stays live between its ticks, and goes after a few."""
    call(payload(A), T0 - 1)
    call(payload(B), T0)
    for k in range(1, 6):
        call(payload(B, 30.0, cost=0.5), T0 + 120 * k)
        assert "2 sessions" in call(payload(A, 30.0, cost=1.0), T0 + 120 * k + 110)
    # B's last tick was at T0 + 600: after three of its intervals it is no longer live
    assert "1 session" in call(payload(A, 30.0, cost=1.0), T0 + 600 + 3 * 120 + 30)


# ---------------------------------------------------------------------------------------
# Freshness


def test_a_reply_that_confirms_the_pooled_value_makes_it_now() -> None:
    """B's reply confirms 55 % (same reading, its cost rose): the age starts again at now."""
    call(payload(A), T0 - 2)
    call(payload(B, project="/home/dev/web"), T0 - 1)
    call(payload(A, 55.0, cost=1.0), T0)
    call(payload(B, 55.0, cost=1.0, project="/home/dev/web"), T0 + 1)
    assert "5m ago via web" in call(payload(A, 55.0, cost=1.0), T0 + 301)
    call(payload(B, 55.0, cost=1.2, project="/home/dev/web"), T0 + 600)  # a new reply
    line = call(payload(A, 55.0, cost=1.0), T0 + 602)
    assert "5h 55%" in line and "now via web" in line, line


def test_a_replayed_reading_never_says_now() -> None:
    """A session's first call may carry a reply of any age: its figure shows, its age is
    unknown, until a reply confirms it."""
    line = call(payload(A, 40.0, cost=3.0), T0)
    assert "5h 40%" in line and "age unknown" in line and not NOW_WORD.search(line)
    call(payload(A, 40.0, cost=3.5), T0 + 60)  # a reply (cost rose, same reading)
    assert NOW_WORD.search(call(payload(A, 40.0, cost=3.5), T0 + 62))


def test_via_names_a_session_a_person_can_tell_apart(isolated_env: Path) -> None:
    """Two sessions in one project are numbered in the order they started; a session name
    (/rename) wins; inspect shows the same names."""
    call(payload(A), T0 - 3)
    call(payload(B), T0 - 2)
    call(payload(A, 30.0, cost=1.0), T0)
    call(payload(B, 31.0, cost=1.0), T0 + 5)
    assert "via api-server #2" in call(payload(A, 30.0, cost=1.0), T0 + 65)
    done = run_cli(None, "inspect", env={"STATUSLINE_NOW": str(T0 + 66), "COLUMNS": "100",
                                         "TZ": "UTC"})
    assert "last reading 1m ago from api-server #2" in done.stdout, done.stdout
    assert re.search(r"^  api-server #1 ", done.stdout, re.M), done.stdout
    inspect_json = json.loads(run_cli(None, "inspect", "--json",
                                      env={"STATUSLINE_NOW": str(T0 + 66)}).stdout)
    assert {s["name"] for s in inspect_json["sessions"]} == {"api-server #1", "api-server #2"}
    call(payload(B, 32.0, cost=1.5, name="fix-login"), T0 + 70)
    assert "via fix-login" in call(payload(A, 30.0, cost=1.0), T0 + 75)


# ---------------------------------------------------------------------------------------
# Old or odd data


def test_an_api_key_session_shows_spend_beside_old_archived_windows(isolated_env: Path) -> None:
    """Windows archived long ago (the profile had rate limits once) do not hide the $."""
    state = State()
    long_ago = T0 - 20 * 86400
    history.record(state, from_mapping(payload(B)), long_ago - 1)
    doc = dict(payload(B, 30.0), rate_limits={
        "five_hour": {"used_percentage": 30.0, "resets_at": long_ago + 3600}})
    history.record(state, from_mapping(doc), long_ago)
    history.record(state, from_mapping(payload(B)), long_ago + 7200)  # archived
    assert state.archive["five_hour"]
    write_store(isolated_env / "state", state)
    call(payload(A, cost=0.5), T0)
    line = call(payload(A, cost=1.5), T0 + 600)
    assert "$1.50" in line and "5h" not in line, line


def test_a_payload_the_store_cannot_key_still_shows_its_rate_limits(isolated_env: Path) -> None:
    """No session id, or one that is not a plain token: its own figures, not stored."""
    for sid in (None, "../../etc/passwd", "x" * 300):
        line = call(payload(sid, 47.0, cost=1.0), T0)
        assert "5h 47%" in line and "7d 20%" in line, (sid, line)
        assert not NOW_WORD.search(line)  # its age is unknown
    assert not (isolated_env / "state" / "store.json").exists()


def test_two_processes_sharing_one_session_id_keep_their_own_spend(isolated_env: Path) -> None:
    """``claude --continue`` in two terminals: one id, two processes with their own cost
    totals. Each is its own session, so the pooled $/h is the sum of both, not a jump."""
    with claude_processes(2) as processes:
        first, second = (str(p.pid) for p in processes)
        costs = {first: 5.0, second: 0.0}
        lines = []
        call(payload(A, cost=5.0), T0 - 10, CLAUDE_PID=first)  # continued: $5 spent before
        call(payload(A), T0 - 5, CLAUDE_PID=second)
        for k in range(24):  # 20 minutes: each process spends $1 per 100 s, $36/h
            pid = first if k % 2 else second
            costs[pid] += 1.0
            lines.append(call(payload(A, cost=costs[pid]), T0 + 50 * k, CLAUDE_PID=pid))
    rates = [float(m.group(1)) for m in (re.search(r"\$([0-9.]+)/h", line) for line in lines[8:])
             if m]
    assert rates and all(abs(rate - 72.0) / 72.0 < 0.15 for rate in rates), lines
    sessions = store_document(isolated_env)["sessions"]
    assert isinstance(sessions, dict) and sorted(sessions) == [A, f"{A}.{second}"]
    assert "2 sessions" in lines[-1]


def test_two_replies_a_second_apart_do_not_rebaseline(isolated_env: Path) -> None:
    """A lower reply a second after a higher one (replies in flight together) is noise."""
    call(payload(A), T0 - 2)
    call(payload(B), T0 - 1)
    call(payload(A, 40.0, cost=1.0), T0)
    call(payload(B, 40.0, cost=1.0), T0 + 1)
    assert "5h 55%" in call(payload(A, 55.0, cost=2.0), T0 + 300)
    assert "5h 55%" in call(payload(B, 54.0, cost=1.5), T0 + 301)
    assert "5h 55%" in call(payload(B, 54.5, cost=1.6), T0 + 302)
    window = store_document(isolated_env)["windows"]["five_hour"]  # type: ignore[index]
    assert window["rebased_at"] is None and window["used_pct"] == 55.0
