"""The budget (reliability.md R1, T6, T9): a call never waits past ``call.BUDGET_S``.

Each fault here would hang a naive status line: a writer that never closes stdin, a lock
holder that is stopped while holding the store's lock, a FIFO at the store or config path.
The call must print its real line (not the watchdog's fallback: finishing on its own is the
point) and exit 0. The elapsed time includes the interpreter's start, so the bound checked
here is generous; scripts/soak.py reports the measured worst case.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from statusline import call

from .helpers_reliability import (
    call_env,
    digest,
    encode,
    reading_payload,
    run_call,
    stopped_holder,
    temp_files,
)

# Start-up of a fresh interpreter on a loaded 2-core CI box, on top of the budget.
STARTUP_ALLOWANCE_S = 2.5


def _seed(state_dir: Path) -> None:
    run_call(encode(reading_payload("seed-1")), call_env(state_dir)).assert_contract()


@pytest.fixture
def stopped_lock_holder(tmp_path: Path) -> Iterator[Path]:
    """A process that holds the store's lock and is then stopped with SIGSTOP."""
    state_dir = tmp_path / "state"
    _seed(state_dir)
    lock_path = str(state_dir / "store.json.lock")
    with stopped_holder(f"import filelock\nlock = filelock.FileLock({lock_path!r}); "
                        "lock.acquire()"):
        yield state_dir


def test_hung_lock_holder_costs_a_save_not_the_line(stopped_lock_holder: Path) -> None:
    state_dir = stopped_lock_holder
    store_path = state_dir / "store.json"
    before = digest(store_path)
    worst = 0.0
    for i in range(5):
        # A new session each time, so every call wants to write and must meet the lock.
        result = run_call(encode(reading_payload(f"blocked-{i}", cost=i)), call_env(state_dir))
        line = result.assert_contract()
        assert line != call.FALLBACK and "Sonnet" in line
        worst = max(worst, result.elapsed)
    assert digest(store_path) == before
    assert temp_files(state_dir) == []
    assert worst < call.BUDGET_S + STARTUP_ALLOWANCE_S, worst


def test_writer_that_never_closes_stdin(tmp_path: Path) -> None:
    env = call_env(tmp_path / "state")
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-m", "statusline"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, env=env,
    )
    assert child.stdin is not None and child.stdout is not None and child.stderr is not None
    child.stdin.write(encode(reading_payload("open-stdin")))
    child.stdin.flush()  # ...and never closed while the call runs
    out = child.stdout.read()
    elapsed = time.monotonic() - started
    err = child.stderr.read()
    child.wait(timeout=10)
    child.stdin.close()
    child.stdout.close()
    child.stderr.close()
    assert (child.returncode, err, out.count(b"\n")) == (0, b"", 1)
    # The whole payload arrived before the stdin budget ran out, so the line is the real one.
    assert b"Sonnet" in out
    assert elapsed < call.BUDGET_S + STARTUP_ALLOWANCE_S, elapsed


def test_writer_that_sends_nothing_and_never_closes(tmp_path: Path) -> None:
    env = call_env(tmp_path / "state")
    read_end, write_end = os.pipe()
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "statusline"], stdin=read_end, capture_output=True, env=env,
            timeout=20, check=False,
        )
    finally:
        os.close(read_end)
        os.close(write_end)
    assert (completed.returncode, completed.stderr, completed.stdout.count(b"\n")) == (0, b"", 1)


def test_fifo_at_store_path_is_moved_aside(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o700)
    os.mkfifo(state_dir / "store.json")
    for i in range(2):
        result = run_call(encode(reading_payload(f"fifo-{i}")), call_env(state_dir))
        assert "Sonnet" in result.assert_contract()
        assert result.elapsed < call.BUDGET_S + STARTUP_ALLOWANCE_S
    assert (state_dir / "store.json").is_file()
    moved = [n for n in os.listdir(state_dir) if n.startswith("store.json.corrupt-")]
    assert len(moved) == 1


@pytest.mark.parametrize("where", ["config", "log", "lock"])
def test_fifo_elsewhere_never_stalls(tmp_path: Path, where: str) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o700)
    (state_dir / "store.json").write_text("not a store")  # makes the call log a warning
    fifo = {
        "config": tmp_path / "config.toml",
        "log": state_dir / "statusline.log",
        "lock": state_dir / "store.json.lock",
    }[where]
    os.mkfifo(fifo)
    env = call_env(state_dir, STATUSLINE_CONFIG=str(tmp_path / "config.toml"))
    result = run_call(encode(reading_payload("fifo-x")), env)
    assert "Sonnet" in result.assert_contract()
    assert result.elapsed < call.BUDGET_S + STARTUP_ALLOWANCE_S


def test_watchdog_prints_the_fallback_and_exits_zero(tmp_path: Path) -> None:
    # Force the worst case: the call itself is stuck (a sleep patched into the store read),
    # so only the watchdog can end it.
    script = (
        "import sys, time\n"
        "from statusline import call\n"
        "from statusline.store import local as store\n"
        "store.read = lambda path: time.sleep(30)\n"
        "sys.exit(call.run())\n"
    )
    (tmp_path / "state").mkdir(mode=0o700)  # so the lock-free read, before rendering, runs
    env = call_env(tmp_path / "state")
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-c", script], input=encode(reading_payload("stuck")),
        capture_output=True, env=env, timeout=20, check=False,
    )
    elapsed = time.monotonic() - started
    assert (completed.returncode, completed.stderr) == (0, b"")
    # The fallback carries the model name the payload gave, so the row is not blank.
    assert completed.stdout == b"Sonnet 5.5\n"
    assert elapsed < call.BUDGET_S + STARTUP_ALLOWANCE_S


def test_watchdog_during_a_stuck_save_prints_the_full_line(tmp_path: Path) -> None:
    # The save is the step that can wait (busy lock, slow disk): the line is rendered before
    # it, so a watchdog ending the call there still prints the real line.
    script = (
        "import sys, time\n"
        "from statusline import call\n"
        "from statusline.store import local as store\n"
        "store.update = lambda path, change: time.sleep(30)\n"
        "sys.exit(call.run())\n"
    )
    env = call_env(tmp_path / "state", NO_COLOR="1")
    completed = subprocess.run(
        [sys.executable, "-c", script], input=encode(reading_payload("stuck-save")),
        capture_output=True, env=env, timeout=20, check=False,
    )
    assert (completed.returncode, completed.stderr) == (0, b"")
    line = completed.stdout.decode()
    assert line.count("\n") == 1
    assert line.startswith("Sonnet 5.5 · ctx 10% · 5h 24%"), line
