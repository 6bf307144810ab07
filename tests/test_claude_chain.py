"""Keeping the user's status line: the call runs theirs (STATUSLINE_CHAIN) and prints both.

Every behaviour test runs the real entry point in a subprocess, as Claude Code does.
"""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from statusline.claude import chain
from tests.conftest import EXAMPLES, OAUTH_NOW, WINDOWS_LIKE_RUN, run_cli

# Chaining starts their command with os.posix_spawn; without it (Windows, and the
# Windows-like test pass) install does not chain: tests/test_windows_like.py checks that.
NEEDS_POSIX_SPAWN = pytest.mark.skipif(WINDOWS_LIKE_RUN, reason="chaining needs os.posix_spawn")

PAYLOAD = (EXAMPLES / "oauth-003.json").read_bytes()
SESSION = json.loads(PAYLOAD)["session_id"]
CLOCK = {"STATUSLINE_NOW": str(OAUTH_NOW), "COLUMNS": "200", "NO_COLOR": "1"}


def script(tmp_path: Path, body: str, name: str = "theirs.sh") -> str:
    """An executable /bin/sh script (their status line) with ``body``; its path."""
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return str(path)


def call(command: str, **env: str) -> tuple[list[str], float]:
    """One status-line call chaining ``command``: its rows and its wall time."""
    started = time.monotonic()
    done = run_cli(PAYLOAD, env={**CLOCK, "STATUSLINE_CHAIN": command, **env})
    elapsed = time.monotonic() - started
    assert done.returncode == 0
    assert done.stderr == ""
    return done.stdout.rstrip("\n").split("\n"), elapsed


def settled_call(command: str, **env: str) -> list[str]:
    """A call in which their command finished within our budget. On a loaded machine even
    ``echo`` can miss the budget once (then only our row shows, by design): try again."""
    for _ in range(5):
        rows, _ = call(command, **env)
        if len(rows) > 1:
            return rows
    raise AssertionError(f"{command} never finished within the budget: {rows}")


@NEEDS_POSIX_SPAWN
def test_their_rows_come_first_then_ours_as_its_own_row(tmp_path: Path) -> None:
    rows = settled_call(script(tmp_path, 'echo "their first"\necho\necho "their second"\n'))
    assert rows[:2] == ["their first", "their second"]  # the empty row is dropped
    assert len(rows) == 3
    assert "5h 24%" in rows[2]


@NEEDS_POSIX_SPAWN
def test_they_get_the_same_stdin_and_environment_without_our_variables(tmp_path: Path) -> None:
    seen = tmp_path / "seen"
    command = script(tmp_path, f'cat > {seen}.stdin\nenv > {seen}.env\necho ok\n')
    rows = settled_call(command, MY_VARIABLE="kept", STATUSLINE_CHAIN_ROW="own")
    assert rows[0] == "ok"
    assert (tmp_path / "seen.stdin").read_bytes() == PAYLOAD
    environment = (tmp_path / "seen.env").read_text().splitlines()
    assert "MY_VARIABLE=kept" in environment
    # Only the depth marker, which stops a loop back into statusline.
    assert [line for line in environment if line.startswith("STATUSLINE_CHAIN")] == [
        f"{chain.DEPTH_VAR}=1"]


@NEEDS_POSIX_SPAWN
def test_their_escape_sequences_pass_through_and_ours_start_clean(tmp_path: Path) -> None:
    """Their colours and links are theirs; an SGR or OSC 8 left open is closed before ours."""
    theirs = script(tmp_path, r"printf '\033[35mpurple \033]8;;http://x\007link'" + "\n")
    rows = settled_call(theirs, NO_COLOR="")
    assert rows[0] == "\x1b[35mpurple \x1b]8;;http://x\x07link"
    assert rows[1].startswith(chain.CLOSE_THEIRS)
    assert "\x07" not in rows[1]


@NEEDS_POSIX_SPAWN
def test_shared_row_puts_ours_at_the_end_of_their_last_row(tmp_path: Path) -> None:
    for _ in range(5):
        rows, _ = call(script(tmp_path, "echo one\necho two\n"), STATUSLINE_CHAIN_ROW="shared")
        if rows[0] == "one":
            break
    assert rows[0] == "one"
    assert rows[1].startswith("two" + chain.SHARED_SEPARATOR)
    assert "5h 24%" in rows[1]
    assert len(rows) == 2


@NEEDS_POSIX_SPAWN
def test_failing_or_slow_theirs_shows_their_last_good_rows(tmp_path: Path) -> None:
    """The same command, once fast, then failing, then slow: the fast run's rows stay on
    screen (kept per session in the state directory), and the call stays within budget."""
    mode = tmp_path / "mode"
    mode.write_text("fast")
    command = script(tmp_path, f'case $(cat {mode}) in\n'
                               '  fast) echo "good row";;\n'
                               '  slow) sleep 3; exit 1;;\n'
                               '  fail) echo "broken row"; exit 3;;\n'
                               'esac\n')
    assert settled_call(command)[0] == "good row"

    mode.write_text("fail")
    rows, _ = call(command)
    assert rows[0] == "good row"
    assert len(rows) == 2

    mode.write_text("slow")
    rows, elapsed = call(command)
    assert rows[0] == "good row"
    assert "5h 24%" in rows[1]
    assert elapsed < 1.5, "their sleep must not hold our line"

    cache = Path(os.environ["STATUSLINE_STATE_DIR"]) / chain.CACHE_DIR / SESSION
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) == 0o700
    lock = cache.parent / (SESSION + chain.LOCK_SUFFIX)
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600


def test_without_a_good_run_a_failing_command_leaves_just_ours(tmp_path: Path) -> None:
    rows, _ = call(script(tmp_path, "echo nope; exit 1\n"))
    assert len(rows) == 1
    assert "5h 24%" in rows[0]


def test_a_command_that_cannot_start_leaves_just_ours(tmp_path: Path) -> None:
    rows, _ = call(str(tmp_path / "no-such-program"))
    assert len(rows) == 1
    assert "5h 24%" in rows[0]


@NEEDS_POSIX_SPAWN
def test_another_commands_cached_rows_are_not_shown(tmp_path: Path) -> None:
    """The cache belongs to the command that printed it: a new command starts afresh."""
    assert settled_call(script(tmp_path, "echo first\n", "a.sh"))[0] == "first"
    rows, _ = call(script(tmp_path, "exit 1\n", "b.sh"))
    assert rows[0] != "first"


@pytest.mark.parametrize(
    ("theirs", "shared", "cells", "expected"),
    [
        ("a\n\nb\n", False, 80, "a\nb\nOURS"),
        ("   \n", False, 80, "OURS"),
        ("a\r\nb\r\n", False, 80, "a\nb\nOURS"),
        ("a\n", True, 80, "a │ OURS"),
        ("x" * 70 + "\n", True, 80, "x" * 70 + "\nOURS"),  # too little room left: own row
    ],
)
def test_compose(theirs: str, shared: bool, cells: int, expected: str) -> None:
    assert chain.compose(theirs, "OURS", shared, cells) == expected


def test_compose_shared_row_fits_ours_into_the_room_left() -> None:
    composed = chain.compose("\x1b[1m" + "t" * 40 + "\x1b[0m", "\x1b[2m" + "o" * 60 + "\x1b[0m",
                             True, 80)
    last = composed.split("\n")[-1]
    assert chain.visible_width(last) <= 80
    assert last.endswith("…")


def test_out_of_time_the_watchdog_prints_the_cached_rows_and_ours() -> None:
    call = chain.Call("cmd", None, "their row\n", False)
    assert call.on_timeout("statusline: fallback") == "their row\nstatusline: fallback"
    assert chain.Call("cmd", None, None, False).on_timeout("ours") == "ours"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (b"1fresh\n", "fresh\nours"),  # their run ended well: its rows
        (b"", "stale\nours"),  # it failed: the rows kept
        (b"B", "stale\nours"),  # another run of the session is going: the rows kept
    ],
)
def test_out_of_time_a_finished_run_is_still_taken(answer: bytes, expected: str) -> None:
    """The watchdog takes the supervisor's answer when it is complete by then."""
    read_end, write_end = os.pipe()
    os.write(write_end, answer)
    os.close(write_end)
    call = chain.Call("cmd", None, "stale\n", False, answer=read_end)
    assert call.on_timeout("ours") == expected


def test_an_unfinished_answer_is_not_taken() -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b"1half a ro")
    try:
        assert chain.Call("cmd", None, None, False, answer=read_end).on_timeout("ours") == "ours"
    finally:
        os.close(write_end)
