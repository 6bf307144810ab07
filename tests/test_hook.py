"""``statusline hook`` through the real entry point, as Claude Code runs it.

The contract: exit 0, nothing on stderr, stdout one JSON object or nothing, within budget,
never a turn blocked, and each window's level said once for the whole account.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from statusline import history
from statusline import hook as hook_module
from statusline.history import State
from tests.helpers_cli import NOW, write_store
from tests.helpers_reliability import stopped_holder
from tests.test_notice import client_allows, climbing

STARTUP_ALLOWANCE_S = 2.5
HOOK_INPUT = {"session_id": "a1b2c3d4-0000-4000-8000-000000000001",
              "transcript_path": "/nowhere.jsonl", "cwd": "/home/dev/api-server",
              "hook_event_name": "Stop", "stop_hook_active": False}


def env_for(state_dir: Path, now: float = NOW, **extra: str) -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.update({"STATUSLINE_STATE_DIR": str(state_dir), "STATUSLINE_NOW": repr(now),
                "TZ": "UTC0", "TERM_PROGRAM": "", "TERM": "xterm-256color"})
    env.update(extra)
    return env


def hook(env: dict[str, str], stdin: bytes | None = None,
         timeout: float = 20.0) -> tuple[dict[str, str] | None, float]:
    """Run ``python -m statusline hook``; check the contract; return (answer, seconds)."""
    data = json.dumps(HOOK_INPUT).encode() if stdin is None else stdin
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "statusline", "hook"], input=data,
                          capture_output=True, env=env, timeout=timeout, check=False)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done
    assert done.stderr == b"", done.stderr
    if not done.stdout:
        return None, elapsed
    assert done.stdout.endswith(b"\n") and done.stdout.count(b"\n") == 1, done.stdout
    answer = json.loads(done.stdout)
    assert isinstance(answer, dict)
    assert set(answer) <= {"systemMessage", "terminalSequence"}  # never a decision
    return answer, elapsed


def stored_state(state_dir: Path) -> State:
    return history.from_json(json.loads((state_dir / "store.json").read_text()))


def test_no_store_says_nothing_and_creates_nothing(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    assert hook(env_for(state_dir)) == (None, pytest.approx(0, abs=60))
    assert not state_dir.exists()


@pytest.mark.parametrize("content", [b"{not json", b"[]", b"\x00" * 100, b'{"schema_version": 99}'])
def test_a_corrupt_or_newer_store_says_nothing_and_is_left_alone(tmp_path: Path,
                                                                  content: bytes) -> None:
    state_dir = tmp_path / "state"
    write_store(state_dir, State())
    (state_dir / "store.json").write_bytes(content)
    answer, _ = hook(env_for(state_dir))
    assert answer is None
    assert (state_dir / "store.json").read_bytes() == content


@pytest.mark.parametrize("stdin", [b"", b"not json", b"\xff" * 10, b"[1, 2]", b"{}" * 100000])
def test_any_hook_input_is_fine(tmp_path: Path, stdin: bytes) -> None:
    state_dir = tmp_path / "state"
    write_store(state_dir, climbing(91.0))
    answer, _ = hook(env_for(state_dir), stdin=stdin)
    assert answer is not None  # the store decides, not the input


def test_a_level_is_said_once_then_the_next_once(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    state = climbing(81.0)
    write_store(state_dir, state)
    answer, _ = hook(env_for(state_dir))
    assert answer is not None
    assert answer["systemMessage"].startswith("Claude 5h usage at 81%")
    assert answer["terminalSequence"] == f"\x1b]9;{answer['systemMessage']}\x07"
    assert hook(env_for(state_dir))[0] is None
    assert hook(env_for(state_dir, NOW + 30))[0] is None
    # The status line records a higher reading: the next level is said once more.
    from statusline.payload import from_mapping
    from tests.helpers_cli import payload

    state = stored_state(state_dir)
    history.record(state, from_mapping(payload(0, NOW + 60, 91.0, 40.0, 99.0)), NOW + 60)
    write_store(state_dir, state)
    again, _ = hook(env_for(state_dir, NOW + 60))
    assert again is not None and "usage at 91%" in again["systemMessage"]
    assert hook(env_for(state_dir, NOW + 90))[0] is None


def test_sixteen_calls_at_once_give_one_notice_per_window_and_level(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    write_store(state_dir, climbing(91.0, seven=82.0))  # 5h past 90 and 7d past 80
    env = env_for(state_dir)
    data = json.dumps(HOOK_INPUT).encode()
    children = [subprocess.Popen([sys.executable, "-m", "statusline", "hook"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=env) for _ in range(16)]
    outputs = [child.communicate(data, timeout=60) for child in children]
    assert all(child.returncode == 0 for child in children)
    assert all(err == b"" for _, err in outputs)
    answers = [json.loads(out)["systemMessage"] for out, _ in outputs if out]
    # Each pooled window once: the 5h window at 91 % and the 7d window at 82 %. A call that
    # met the lock busy says nothing: a later call says what is left, never twice.
    left = [m for m in [hook(env)[0], hook(env)[0]] if m]
    said = answers + [m["systemMessage"] for m in left]
    heads = sorted(re.match(r"Claude \w+ usage at \d+%", m).group(0)  # type: ignore[union-attr]
                   for m in said)
    assert heads == ["Claude 5h usage at 91%", "Claude 7d usage at 82%"]
    assert hook(env)[0] is None
    notices = stored_state(state_dir).notices
    assert notices["five_hour"]["levels"] == [80.0, 90.0]
    assert notices["seven_day"]["levels"] == [80.0]


def test_a_reset_re_arms_the_levels(tmp_path: Path) -> None:
    from statusline.payload import from_mapping
    from tests.helpers_cli import FIVE_HOUR_RESET, payload

    state_dir = tmp_path / "state"
    write_store(state_dir, climbing(92.0))
    assert hook(env_for(state_dir))[0] is not None
    later = FIVE_HOUR_RESET + 1200
    state = stored_state(state_dir)
    fresh = payload(0, later, 85.0, 40.0, 120.0, five_reset=FIVE_HOUR_RESET + 5 * 3600)
    history.record(state, from_mapping(fresh), later)
    write_store(state_dir, state)
    answer, _ = hook(env_for(state_dir, later))
    assert answer is not None and answer["systemMessage"].startswith("Claude 5h usage at 85%")


def test_hostile_store_strings_reach_the_terminal_only_in_our_own_osc(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    state = climbing(91.0)
    for session in state.sessions.values():
        session.project_dir = "/p/\x1b]0;pwned\x07\x1b[31mred\x9b1m\u202eevil\x1b]52;c;eA==\x1b\\"
        session.model = "\x07Opus\x1bP+q\x1b\\"
    state.notices = {"five_hour": {"levels": ["\x1b[2J"], "resets_at": "x"}}
    write_store(state_dir, state)
    answer, _ = hook(env_for(state_dir, TERM_PROGRAM="ghostty"), )
    assert answer is not None
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e]", answer["systemMessage"])
    sequence = answer["terminalSequence"]
    assert client_allows(sequence)
    assert sequence.startswith("\x1b]777;notify;Claude Code;Claude 5h usage at 91%")
    assert sequence.count("\x1b") == 1 and sequence.count("\x07") == 1


def test_bell_and_title_when_configured(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    write_store(state_dir, climbing(91.0))
    config = tmp_path / "config.toml"
    config.write_text('[notify]\ndesktop = false\nbell = true\ntitle = true\n')
    answer, _ = hook(env_for(state_dir, STATUSLINE_CONFIG=str(config)))
    assert answer is not None
    assert answer["terminalSequence"] == f"\x1b]2;{answer['systemMessage']}\x07\x07"


def test_no_levels_and_no_lead_means_silence(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    write_store(state_dir, climbing(99.0))
    config = tmp_path / "config.toml"
    config.write_text("[notify]\nlevels = []\nlead_minutes = 0\n")
    assert hook(env_for(state_dir, STATUSLINE_CONFIG=str(config)))[0] is None


@pytest.fixture
def stopped_lock_holder(tmp_path: Path) -> Iterator[Path]:
    """A store worth a notice, whose lock a SIGSTOPped process holds."""
    state_dir = tmp_path / "state"
    write_store(state_dir, climbing(91.0))
    lock_path = str(state_dir / "store.json.lock")
    with stopped_holder(f"import fcntl\nfd = os.open({lock_path!r}, os.O_RDWR | os.O_CREAT, "
                        "0o600)\nfcntl.flock(fd, fcntl.LOCK_EX)"):
        yield state_dir


def test_a_stopped_lock_holder_costs_the_notice_not_the_turn(stopped_lock_holder: Path) -> None:
    state_dir = stopped_lock_holder
    before = (state_dir / "store.json").read_bytes()
    worst = 0.0
    for _ in range(3):
        answer, elapsed = hook(env_for(state_dir))
        assert answer is None  # never announced without the claim
        worst = max(worst, elapsed)
    assert (state_dir / "store.json").read_bytes() == before
    assert worst < hook_module.BUDGET_S + STARTUP_ALLOWANCE_S, worst


def test_the_notice_comes_once_the_lock_is_free_again(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    write_store(state_dir, climbing(91.0))
    import fcntl
    import os

    fd = os.open(state_dir / "store.json.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert hook(env_for(state_dir))[0] is None
    finally:
        os.close(fd)  # closing drops the lock
    assert hook(env_for(state_dir))[0] is not None


def test_a_writer_that_never_closes_stdin_costs_only_the_budget(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    write_store(state_dir, climbing(91.0))
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-m", "statusline", "hook"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env_for(state_dir))
    assert child.stdin is not None and child.stdout is not None and child.stderr is not None
    child.stdin.write(b'{"hook_event_name": "Stop"')
    child.stdin.flush()  # ...and never closed
    out = child.stdout.read()
    elapsed = time.monotonic() - started
    assert child.stderr.read() == b""
    child.wait(timeout=10)
    for stream in (child.stdin, child.stdout, child.stderr):
        stream.close()
    assert child.returncode == 0
    assert json.loads(out)["systemMessage"].startswith("Claude 5h usage at 91%")
    assert elapsed < hook_module.BUDGET_S + STARTUP_ALLOWANCE_S, elapsed


def test_the_hook_call_never_imports_click(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    write_store(state_dir, climbing(91.0))
    probe = ("import sys\n"
             "from statusline.__main__ import main\n"
             "main(['hook'])\n"
             "bad = [m for m in ('click', 'orjson', 'subprocess', 'platformdirs') "
             "if m in sys.modules]\n"
             "sys.stderr.write(repr(bad))\n")
    done = subprocess.run([sys.executable, "-c", probe], input=json.dumps(HOOK_INPUT).encode(),
                          capture_output=True, env=env_for(state_dir), timeout=20, check=False)
    assert done.returncode == 0
    assert done.stderr == b"[]"
    assert json.loads(done.stdout)["systemMessage"]
