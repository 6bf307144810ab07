"""The kept status line under faults: slow, hung, stubborn, forking and looping commands.

Every call runs the real entry point in a subprocess, as Claude Code does. What a command
leaves behind is counted by a marker in the environment of every process the call starts
(their command and its children inherit it), read from /proc.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
import uuid
from pathlib import Path

import pytest

from statusline.call import BUDGET_S
from statusline.claude import chain_runner
from tests.conftest import EXAMPLES, OAUTH_NOW, run_cli

pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/environ").exists(),
                       reason="counts processes through /proc"),
    pytest.mark.skipif(not hasattr(os, "posix_spawn"),
                       reason="without os.posix_spawn install does not chain"),
]

PAYLOAD = (EXAMPLES / "oauth-003.json").read_bytes()
CLOCK = {"STATUSLINE_NOW": str(OAUTH_NOW), "COLUMNS": "200", "NO_COLOR": "1"}
MARKER = "STATUSLINE_TEST_MARKER"
# A run's supervisor stops their group at the deadline, and SIGKILLs what ignores SIGTERM a
# grace later; then a little for the kernel and init to reap.
ALL_GONE_S = chain_runner.RUN_DEADLINE_S + 2 * chain_runner.GRACE_S + 1.0
OURS = "5h 24%"


def marked(marker: str) -> list[str]:
    """The command lines of the live processes carrying ``marker`` in their environment."""
    needle = f"{MARKER}={marker}".encode()
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/environ", "rb") as handle:
                if needle not in handle.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry.name}/cmdline", "rb") as handle:
                found.append(handle.read().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def call(command: str, marker: str, state: Path, **env: str) -> tuple[list[str], float]:
    """One status-line call chaining ``command``: its rows and its wall time."""
    started = time.monotonic()
    done = run_cli(PAYLOAD, env={**CLOCK, "STATUSLINE_CHAIN": command, MARKER: marker,
                                 "STATUSLINE_STATE_DIR": str(state), **env})
    elapsed = time.monotonic() - started
    assert done.returncode == 0
    assert done.stderr == ""
    return done.stdout.rstrip("\n").split("\n"), elapsed


def within_budget(elapsed: float, state: Path) -> bool:
    """True when a call took under a second, or (on a machine too loaded for that) no more
    than our budget beyond a plain call's time here: their command never holds the call."""
    if elapsed < 1.0:
        return True
    started = time.monotonic()
    run_cli(PAYLOAD, env={**CLOCK, "STATUSLINE_STATE_DIR": str(state)})
    return elapsed < time.monotonic() - started + BUDGET_S


def loop_script(tmp_path: Path) -> str:
    """A wrapper that chains itself again in front of statusline: without the depth marker
    every level would start the next, for ever."""
    wrapper = tmp_path / "loop.sh"
    statusline = f"{shlex.quote(sys.executable)} -m statusline"
    wrapper.write_text(f'#!/bin/sh\nSTATUSLINE_CHAIN="{wrapper}" exec {statusline}\n')
    wrapper.chmod(0o755)
    return str(wrapper)


HOSTILE = {
    "hangs": "sleep 30",
    "prints then hangs": "echo x; sleep 30",
    "ignores SIGTERM": "trap '' TERM; sleep 30",
    "forks a background child": "(sleep 30 &); echo x",
    "forks a child that ignores SIGTERM": "(trap '' TERM; sleep 30 &); echo x",
    "closes its output and hangs": "exec >&-; sleep 30",
}


def test_nothing_a_chained_command_starts_outlives_its_deadline(tmp_path: Path) -> None:
    """Each hostile command chained for two calls of one session: every call answers in
    time with our line, at most one run of the session goes at a time, and a deadline
    after the last call nothing any of them started is left."""
    cases = {**HOSTILE, "loops back into statusline": loop_script(tmp_path)}
    markers = {name: uuid.uuid4().hex for name in cases}
    for round_ in range(2):
        for name, command in cases.items():
            rows, elapsed = call(command, markers[name], tmp_path / f"state-{markers[name]}")
            assert within_budget(elapsed, tmp_path / "plain"), (name, round_, elapsed)
            assert OURS in rows[-1], (name, rows)
        for name, marker in markers.items():
            sleepers = [c for c in marked(marker) if c.startswith("sleep")]
            assert len(sleepers) <= 1, f"{name}: more than one run at a time: {sleepers}"
    time.sleep(ALL_GONE_S)
    left = {name: marked(marker) for name, marker in markers.items()}
    assert left == {name: [] for name in cases}


def test_a_command_that_runs_statusline_again_does_not_chain_again(tmp_path: Path) -> None:
    """The wrapper's statusline sees the depth marker: it prints its own line only."""
    marker = uuid.uuid4().hex
    rows: list[str] = []
    for _ in range(5):  # a loaded machine may need more than the budget for the inner call
        rows, _ = call(loop_script(tmp_path), marker, tmp_path / "state")
        if len(rows) == 2:
            break
        time.sleep(1.0)
    assert len(rows) == 2, rows
    assert OURS in rows[0] and OURS in rows[1]  # theirs is statusline's own line
    deadline = time.monotonic() + 5
    while marked(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marked(marker) == []


def test_with_the_depth_marker_set_a_call_does_not_chain(tmp_path: Path) -> None:
    ran = tmp_path / "ran"
    rows, _ = call(f"touch {ran}; echo theirs", "unused", tmp_path / "state",
                   **{chain_runner.DEPTH_VAR: "1"})
    assert len(rows) == 1 and OURS in rows[0]
    time.sleep(0.5)
    assert not ran.exists()


def test_a_slow_command_is_shown_from_the_second_call_on(tmp_path: Path) -> None:
    """1.5 s, twice our budget: the first call shows ours alone without waiting for theirs
    past the budget; their run finishes beside us, and from the next tick on (Claude Code
    runs the line again after an update or at its refresh interval) both are shown, each
    call still within a second."""
    command = "sleep 1.5; echo theirs"
    marker = uuid.uuid4().hex
    state = tmp_path / "state"
    first = time.monotonic()
    rows, elapsed = call(command, marker, state)
    assert within_budget(elapsed, tmp_path / "plain"), elapsed
    assert len(rows) == 1 and OURS in rows[0]
    for tick in range(1, 4):
        time.sleep(max(first + 2.0 * tick - time.monotonic(), 0))
        rows, elapsed = call(command, marker, state)
        assert within_budget(elapsed, tmp_path / "plain"), (tick, elapsed)
        assert rows[0] == "theirs", (tick, rows)
        assert OURS in rows[1]
    deadline = time.monotonic() + 5  # the last tick's run ends 1.5 s after it started
    while marked(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marked(marker) == []


def test_a_call_killed_by_claude_code_leaves_their_run_to_its_supervisor(
    tmp_path: Path,
) -> None:
    """Claude Code stops a run still going with SIGTERM to its process group: their command
    and its supervisor are in groups of their own, finish, and keep the rows."""
    import subprocess

    marker = uuid.uuid4().hex
    state = tmp_path / "state"
    env = {**os.environ, **CLOCK, "STATUSLINE_CHAIN": "sleep 1; echo theirs", MARKER: marker,
           "STATUSLINE_STATE_DIR": str(state)}
    process = subprocess.Popen([sys.executable, "-m", "statusline"], stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                               start_new_session=True)
    assert process.stdin is not None
    process.stdin.write(PAYLOAD)
    process.stdin.close()
    deadline = time.monotonic() + 10
    while not any(c.startswith("sleep") for c in marked(marker)):  # their run has started
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.01)
    os.killpg(process.pid, 15)
    process.wait(timeout=10)
    time.sleep(2.0)
    rows, _ = call("sleep 1; echo theirs", marker, state)
    assert rows[0] == "theirs"
