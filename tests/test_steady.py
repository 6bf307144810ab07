"""The idle tick (statusline.steady, statusline.steady_entry): through the real entry point.

Each call is a real ``python -X importtime -m statusline`` process with a live stand-in for
its Claude Code process (``CLAUDE_PID``), so that a test sees both what was printed and
whether the call's modules were loaded (a reprint loads none of them).
"""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from statusline import steady, steady_entry

pytestmark = pytest.mark.skipif(os.name != "posix", reason="Claude Code's pid is POSIX here")

Claude = subprocess.Popen[bytes]  # the stand-in for a session's Claude Code process
T0 = 1795519800.0
# The 5h window resets 3h 0m 55s after T0: its countdown's minute turns at T0 + 55 s.
RESET_5H = T0 + 3 * 3600 + 55
RESET_7D = T0 + 3 * 86400 + 55
SID = "aaaaaaaa-0000-4000-8000-000000000001"
OTHER = "bbbbbbbb-0000-4000-8000-000000000002"


def payload(sid: str = SID, five: float = 30.0, context: int = 10,
            duration_ms: int = 1000) -> dict[str, object]:
    return {
        "session_id": sid,
        "model": {"id": "opus", "display_name": "Opus 5.5"},
        "workspace": {"project_dir": "/home/dev/api-server"},
        "cost": {"total_cost_usd": 1.0, "total_duration_ms": duration_ms},
        "context_window": {"used_percentage": context},
        "rate_limits": {"five_hour": {"used_percentage": five, "resets_at": RESET_5H},
                        "seven_day": {"used_percentage": 20.0, "resets_at": RESET_7D}},
    }


@pytest.fixture
def claude() -> Iterator[Claude]:
    """A stand-in for the session's Claude Code process, ended when the test ends."""
    process = subprocess.Popen(["sleep", "300"], start_new_session=True)
    try:
        yield process
    finally:
        process.kill()
        process.wait(timeout=10)


def tick(doc: dict[str, object], at: float, pid: int, **env: str) -> tuple[str, bool]:
    """One status-line call: (what it printed, whether the call's own modules loaded)."""
    full = {**os.environ, "STATUSLINE_NOW": str(at), "COLUMNS": "200", "TZ": "UTC",
            "CLAUDE_PID": str(pid), **env}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "statusline"],
                          input=json.dumps(doc).encode(), capture_output=True, env=full,
                          timeout=30, check=False)
    assert done.returncode == 0, done
    errors = done.stderr.decode()
    assert "Traceback" not in errors
    # The call's modules come from its bundle (no import line each) or are imported.
    return done.stdout.decode(), "statusline.bundle" in errors or "statusline.call" in errors


def entry_path(isolated_env: Path, pid: int) -> Path:
    return isolated_env / "state" / steady.ENTRY_DIR / str(pid)


def settle(isolated_env: Path) -> None:
    """Wait until the files the last call wrote are older than ``steady_entry.SETTLED_S``
    (their change time cannot be set back), so that the next call may leave an entry."""
    time.sleep(steady_entry.SETTLED_S + 0.05)


def warmed(isolated_env: Path, pid: int, doc: dict[str, object] | None = None,
           at: float = T0) -> str:
    """The first call (it saves the session), then a call that leaves the entry."""
    doc = doc or payload()
    tick(doc, at - 1, pid)
    settle(isolated_env)
    line, loaded = tick(doc, at, pid)
    assert loaded
    assert entry_path(isolated_env, pid).exists(), "no entry was left"
    return line


def test_an_idle_tick_prints_the_verified_line_without_loading_the_call(
        isolated_env: Path, claude: Claude) -> None:
    line = warmed(isolated_env, claude.pid)
    again, loaded = tick(payload(duration_ms=91_000), T0 + 10, claude.pid)
    assert again == line
    assert not loaded
    entry = entry_path(isolated_env, claude.pid)
    assert entry.stat().st_mode & 0o777 == 0o600
    assert entry.parent.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("later", [5.0, 20.0, 35.0, 50.0])
def test_a_reprinted_line_is_the_line_the_call_prints(
        isolated_env: Path, claude: Claude, later: float) -> None:
    warmed(isolated_env, claude.pid)
    reprinted, loaded = tick(payload(), T0 + later, claude.pid)
    assert not loaded
    entry_path(isolated_env, claude.pid).unlink()
    computed, loaded = tick(payload(), T0 + later, claude.pid)
    assert loaded
    assert reprinted == computed


def test_a_countdown_turning_inside_a_span_is_never_crossed(
        isolated_env: Path, claude: Claude) -> None:
    """The 5h countdown turns at T0 + 55: from T0 + 30 the span ends half a second before it;
    from T0 + 46 no span worth trying fits before it: no entry (and no try)."""
    warmed(isolated_env, claude.pid, at=T0 + 30)
    path = entry_path(isolated_env, claude.pid)
    entry = marshal.loads(path.read_bytes())
    assert (entry[5], entry[6]) == (T0 + 30, T0 + 54.5)
    path.unlink()
    tick(payload(), T0 + 46, claude.pid)
    assert not path.exists()


def test_the_spans_end_before_the_next_turn_of_a_countdown_or_an_age() -> None:
    from statusline.history import State
    from statusline.history.model import Window

    state = State()
    assert steady_entry.spans(state, T0) == [steady_entry.MAX_SPAN_S, 11.0]
    window = Window(RESET_5H, 30.0, T0 - 100, "a")  # its countdown turns at T0 + 55
    window.replayed = True  # an age nobody knows: "age unknown" never turns
    state.windows["five_hour"] = window
    assert steady_entry.spans(state, T0) == [steady_entry.MAX_SPAN_S, 11.0]
    assert steady_entry.spans(state, T0 + 30) == [24.5, 11.0]
    assert steady_entry.spans(state, T0 + 43) == [11.5]
    assert steady_entry.spans(state, T0 + 46) == []
    window.replayed = False  # read at T0 - 100: "age 2m" from T0 + 20, "3m" from T0 + 80
    assert steady_entry.spans(state, T0 + 21) == [33.5, 11.0]  # the countdown turns first
    assert steady_entry.spans(state, T0 + 60) == [19.5, 11.0]  # the age turns first
    window.observed_at = T0 + 15  # "now" until T0 + 25, then seconds: nothing holds
    assert steady_entry.spans(state, T0 + 15) == []
    assert steady_entry.spans(state, T0 + 30) == []


def test_a_span_never_crosses_a_change_of_the_zone_offset(
        isolated_env: Path, claude: Claude) -> None:
    """Europe/Paris moves to summer time at 2026-03-29 01:00 UTC: a tick 30 s before it
    leaves no entry that would outlive it (every clock time on the line moves an hour)."""
    change = 1774746000.0  # 2026-03-29T01:00:00Z
    doc = payload()
    doc["rate_limits"] = {"five_hour": {"used_percentage": 30.0, "resets_at": change + 7255},
                          "seven_day": {"used_percentage": 20.0, "resets_at": change + 86455}}
    tick(doc, change - 31, claude.pid, TZ="Europe/Paris")
    settle(isolated_env)
    tick(doc, change - 30, claude.pid, TZ="Europe/Paris")
    path = entry_path(isolated_env, claude.pid)
    if path.exists():
        assert marshal.loads(path.read_bytes())[6] < change
    _, loaded = tick(doc, change + 5, claude.pid, TZ="Europe/Paris")
    assert loaded


def test_past_its_span_the_call_runs(isolated_env: Path, claude: Claude) -> None:
    warmed(isolated_env, claude.pid)
    entry = marshal.loads(entry_path(isolated_env, claude.pid).read_bytes())
    _, loaded = tick(payload(), entry[6] + 1, claude.pid)
    assert loaded


@pytest.mark.parametrize("change", ["payload", "columns", "config", "store", "zone"])
def test_anything_the_line_rests_on_changing_runs_the_call(
        isolated_env: Path, claude: Claude, change: str) -> None:
    warmed(isolated_env, claude.pid)
    doc, env = payload(), dict[str, str]()
    if change == "payload":
        doc = payload(context=55)
    elif change == "columns":
        env = {"COLUMNS": "120"}
    elif change == "config":
        config = isolated_env / "home" / ".config" / "statusline" / "config.toml"
        config.parent.mkdir(parents=True)
        config.write_text("color = false\n")
    elif change == "store":
        tick(payload(sid=OTHER, five=31.0), T0 + 2, claude.pid)  # another session saves
    else:
        env = {"TZ": "Europe/Paris"}
    line, loaded = tick(doc, T0 + 10, claude.pid, **env)
    assert loaded
    if change == "payload":
        assert "55%" in line


def test_another_sessions_process_ending_runs_the_call(isolated_env: Path, claude: Claude) -> None:
    other = subprocess.Popen(["sleep", "300"], start_new_session=True)
    try:
        tick(payload(sid=OTHER), T0 - 2, other.pid)
        line = warmed(isolated_env, claude.pid)
        assert "2 sessions" in line
    finally:
        other.kill()
        other.wait(timeout=10)
    after, loaded = tick(payload(), T0 + 10, claude.pid)
    assert loaded
    assert "1 session" in after


# What a reprint may load of ours besides the entry (``statusline.__main__``; ``-m`` runs it
# as ``__main__``): the package, the reprint and the three modules it stands on.
REPRINT_MODULES = {"statusline", "statusline.process", "statusline.steady", "statusline.files",
                   "statusline.paths"}


def test_a_reprint_imports_only_what_it_stands_on(isolated_env: Path, claude: Claude) -> None:
    warmed(isolated_env, claude.pid)
    full = {**os.environ, "STATUSLINE_NOW": str(T0 + 5), "COLUMNS": "200", "TZ": "UTC",
            "CLAUDE_PID": str(claude.pid)}
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "statusline"],
                          input=json.dumps(payload()).encode(), capture_output=True, env=full,
                          timeout=30, check=True)
    names = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.decode().splitlines()
             if "| " in line}
    ours = {name for name in names if name.split(".")[0] == "statusline"}
    assert ours == REPRINT_MODULES
    assert done.stdout


def test_a_call_that_saves_leaves_no_entry(isolated_env: Path, claude: Claude) -> None:
    tick(payload(), T0, claude.pid)  # a new session: saved
    assert not entry_path(isolated_env, claude.pid).exists()


def test_a_chained_status_line_is_never_reprinted(isolated_env: Path, claude: Claude) -> None:
    chain = {"STATUSLINE_CHAIN": json.dumps({"command": "echo theirs"})}
    tick(payload(), T0 - 1, claude.pid, **chain)
    settle(isolated_env)
    tick(payload(), T0, claude.pid, **chain)
    assert not entry_path(isolated_env, claude.pid).exists()


def test_the_entry_keeps_no_secret(isolated_env: Path, claude: Claude) -> None:
    secret = "sk-ant-oat01-do-not-write-me"
    tick(payload(), T0 - 1, claude.pid, CLAUDE_CODE_OAUTH_TOKEN=secret)
    settle(isolated_env)
    tick(payload(), T0, claude.pid, CLAUDE_CODE_OAUTH_TOKEN=secret)
    data = entry_path(isolated_env, claude.pid).read_bytes()
    assert secret.encode() not in data
    _, loaded = tick(payload(), T0 + 10, claude.pid, CLAUDE_CODE_OAUTH_TOKEN=secret)
    assert not loaded
    _, loaded = tick(payload(), T0 + 12, claude.pid)  # the token gone: the account may differ
    assert loaded


def test_a_corrupt_entry_is_no_entry(isolated_env: Path, claude: Claude) -> None:
    line = warmed(isolated_env, claude.pid)
    entry_path(isolated_env, claude.pid).write_bytes(b"\x00garbage" * 40)
    again, loaded = tick(payload(), T0 + 10, claude.pid)
    assert loaded and again == line


def test_a_planted_entry_cannot_print_control_codes(isolated_env: Path, claude: Claude) -> None:
    warmed(isolated_env, claude.pid)
    path = entry_path(isolated_env, claude.pid)
    entry = list(marshal.loads(path.read_bytes()))
    entry[8] = "\x1b]0;pwned\x07 hello"
    path.write_bytes(marshal.dumps(tuple(entry)))
    line, loaded = tick(payload(), T0 + 10, claude.pid)
    assert loaded and "pwned" not in line


def test_a_symlinked_entry_is_not_followed(
        isolated_env: Path, claude: Claude, tmp_path: Path) -> None:
    warmed(isolated_env, claude.pid)
    path = entry_path(isolated_env, claude.pid)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(elsewhere)
    _, loaded = tick(payload(), T0 + 10, claude.pid)
    assert loaded


def test_the_entries_of_ended_processes_are_swept(isolated_env: Path, claude: Claude) -> None:
    ended = subprocess.Popen(["true"])
    ended.wait(timeout=10)
    directory = isolated_env / "state" / steady.ENTRY_DIR
    directory.mkdir(mode=0o700, parents=True)
    (directory / str(ended.pid)).write_bytes(b"old")
    stray = directory / f".{claude.pid}.1.abcd.tmp"  # a write the watchdog cut short
    stray.write_bytes(b"half")
    os.utime(stray, (time.time() - 120, time.time() - 120))
    young = directory / f".{claude.pid}.2.abcd.tmp"  # maybe being written right now
    young.write_bytes(b"half")
    warmed(isolated_env, claude.pid)
    assert not (directory / str(ended.pid)).exists()
    assert not stray.exists()
    assert young.exists()


@pytest.mark.parametrize("data", [
    b'{"cost": {"total_duration_ms": 5}}', b'{"cost":{"total_duration_ms" : 12.5e3 ,"a":1}}'])
def test_the_payload_key_leaves_out_the_wall_time(data: bytes) -> None:
    other = data.replace(b"5", b"7")
    assert steady.payload_key(data) == steady.payload_key(other)
    assert b"total_duration_ms" in steady.payload_key(data)


@pytest.mark.parametrize("data", [
    b'{"a": "total_duration_ms"}', b'{"total_duration_ms": 1, "x": {"total_duration_ms": 2}}',
    b'{"total_duration_ms": "1"}'])
def test_anything_else_keeps_the_payload_whole(data: bytes) -> None:
    assert steady.payload_key(data) == data


@pytest.mark.parametrize(("line", "safe"), [
    ("\x1b[36mOpus\x1b[0m · ctx 10%", True), ("plain", True), ("", True),
    ("a\nb", False), ("\x1b]8;;http://x\x1b\\", False), ("\x1b[31;1mx\x1b[m", True),
    ("\x07", False), ("\x1b[2Jx", False)])
def test_only_colour_codes_are_printed_again(line: str, safe: bool) -> None:
    assert steady.safe(line) is safe
