"""Security (reliability.md R8, R10, T15, T16): a private state directory, files 0600 under any
umask, no write through a planted link or FIFO, and no escape sequence from the payload or the
store reaching the terminal.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from statusline.store import local as store

from .helpers_reliability import (
    NOBODY,
    OUR_SGR,
    as_nobody,
    assert_terminal_safe,
    base_payload,
    call_env,
    call_in_process,
    digest,
    encode,
    reading_payload,
    run_call,
    stored,
    temp_files,
)

ATTACKS = {
    "clear-screen": "a\x1b[2Jb",
    "osc52-clipboard": "a\x1b]52;c;ZWNobyBwd25lZA==\x07b",
    "osc0-title": "a\x1b]0;pwned\x1b\\b",
    "osc8-link": "a\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\b",
    "csi-cursor": "a\x1b[10A\x1b[5;5H\x1b[Kb",
    "dcs": "a\x1bP1$r0m\x1b\\b",
    "csi-8bit": "a\x9b2Jb",
    "osc-8bit": "a\x9d0;title\x9cb",
    "bel-bs-cr-lf": "a\x07\x08\r\nb",
    "nul-del": "a\x00\x7fb",
    "bidi-override": "a\u202eevil\u202cb",
    "bidi-isolate": "a\u2066\u2067\u2068x\u2069b",
    "bidi-marks": "a\u200e\u200f\u061cb",
    "unterminated-osc": "a\x1b]52;c;" + "A" * 600,
    "lone-esc": "ab\x1b",
    "sgr-smuggled": "a\x1b[31mred\x1b[0mb",
}
PAYLOAD_FIELDS = [
    ("model", "display_name"),
    ("model", "id"),
    ("workspace", "current_dir"),
    ("workspace", "project_dir"),
    ("cwd",),
    ("session_name",),
    ("agent", "name"),
    ("output_style", "name"),
    ("worktree", "branch"),
    ("version",),
]


def _with_attack(doc: dict[str, Any], field: tuple[str, ...], text: str) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(json.dumps(doc))
    node = out
    for key in field[:-1]:
        node = node.setdefault(key, {})
    node[field[-1]] = text
    if field == ("model", "display_name"):
        out["model"].pop("id", None)
    return out


def _assert_no_injected_sgr(line: str) -> None:
    # Only our own SGR codes remain; the smuggled "31m" must not survive as a real code.
    assert "\x1b[31m" not in line


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_payload_strings_are_sanitised(tmp_path: Path, attack: str) -> None:
    for field in PAYLOAD_FIELDS:
        doc = _with_attack(base_payload("esc-1"), field, ATTACKS[attack])
        outcome = call_in_process(doc, tmp_path / "state")
        assert_terminal_safe(outcome.line)
        _assert_no_injected_sgr(outcome.line)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_store_strings_are_sanitised(tmp_path: Path, attack: str) -> None:
    state_dir = tmp_path / "state"
    assert call_in_process(reading_payload("other", cost=1.0), state_dir).wrote
    doc = stored(state_dir)
    sessions = doc["sessions"]
    assert isinstance(sessions, dict)
    for key in ("model", "project_dir", "session_name", "agent_name"):
        sessions["other"][key] = ATTACKS[attack]
    for window in doc["windows"].values():
        if window:
            # confirmed by a reply of "other" (not a replay), so the line names it
            window["observed_by"], window["replayed"] = "other", False
    (state_dir / "store.json").write_text(json.dumps(doc))
    # This session has no model of its own, so store strings are all the line can show.
    mine = reading_payload("mine", cost=2.0)
    mine.pop("model")
    outcome = call_in_process(mine, state_dir)
    assert "via" in OUR_SGR.sub("", outcome.line)  # the store's label did reach the line
    assert_terminal_safe(outcome.line)
    _assert_no_injected_sgr(outcome.line)


def test_escape_injection_end_to_end(tmp_path: Path) -> None:
    doc = base_payload("esc-e2e")
    for field in PAYLOAD_FIELDS:
        doc = _with_attack(doc, field, "".join(ATTACKS.values()))
    extras: list[dict[str, str]] = [{}, {"NO_COLOR": "1"}, {"COLUMNS": "40"}]
    for env_extra in extras:
        env = call_env(tmp_path / "state")
        env.update(env_extra)
        result = run_call(encode(doc), env)
        line = result.assert_contract()
        _assert_no_injected_sgr(line)
        if env_extra.get("NO_COLOR"):
            assert "\x1b" not in line


# --- the state directory and file modes ------------------------------------------------------


def _run_with_umask(mask: int, state_dir: Path) -> None:
    env = call_env(state_dir)
    completed = subprocess.run(
        ["/bin/sh", "-c", f"umask {mask:03o}; exec {sys.executable} -m statusline"],
        input=encode(reading_payload("umask-1")), capture_output=True, env=env, timeout=20,
        check=False,
    )
    assert (completed.returncode, completed.stderr) == (0, b"")


@pytest.mark.parametrize("mask", [0o000, 0o077, 0o022])
def test_modes_under_any_umask(tmp_path: Path, mask: int) -> None:
    state_dir = tmp_path / "state"
    _run_with_umask(mask, state_dir)
    (state_dir / "store.json").write_text("corrupt")  # so the next call also logs
    _run_with_umask(mask, state_dir)
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700
    for entry in state_dir.iterdir():
        if entry.name.startswith("store.json.corrupt-"):
            continue  # quarantined as found
        assert stat.S_IMODE(entry.stat().st_mode) == 0o600, entry.name


def test_own_open_state_dir_is_repaired(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    state_dir.chmod(0o777)
    run_call(encode(reading_payload("repair-1")), call_env(state_dir)).assert_contract()
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700
    assert (state_dir / "store.json").is_file()


def test_symlinked_state_dir_is_never_used(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    (tmp_path / "state").symlink_to(target)
    result = run_call(encode(reading_payload("link-1")), call_env(tmp_path / "state"))
    assert "Sonnet" in result.assert_contract()
    assert list(target.iterdir()) == []


def test_state_dir_owned_by_someone_else_is_never_written(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("chown to another user needs root")
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    state_dir.chmod(0o777)
    os.chown(state_dir, NOBODY, NOBODY)
    result = run_call(encode(reading_payload("foreign-1")), call_env(state_dir))
    assert "Sonnet" in result.assert_contract()
    assert list(state_dir.iterdir()) == []
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o777, "not ours: not repaired either"


def test_unprivileged_user_and_a_root_owned_state_dir(nobody_dir: Path) -> None:
    state_dir = nobody_dir / "state"
    state_dir.mkdir()
    state_dir.chmod(0o777)  # world-writable, but root's: nobody must not use it
    env = call_env(state_dir, HOME=str(nobody_dir))
    result = run_call(encode(reading_payload("nobody-1")), env, cwd=nobody_dir,
                      prefix=as_nobody())
    assert "Sonnet" in result.assert_contract()
    assert list(state_dir.iterdir()) == []


def test_unprivileged_user_creates_its_own_private_dir(nobody_dir: Path) -> None:
    home = nobody_dir / "home"
    home.mkdir()
    os.chown(home, NOBODY, NOBODY)
    env = call_env(home / "state", HOME=str(home))
    completed = subprocess.run(
        [*as_nobody(), sys.executable, "-c",
         "import os, sys; os.umask(0); from statusline.call import run; sys.exit(run())"],
        input=encode(reading_payload("nobody-2")), capture_output=True, env=env, cwd=home,
        timeout=20, check=False,
    )
    assert (completed.returncode, completed.stderr) == (0, b"")
    info = (home / "state").stat()
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (NOBODY, 0o700)
    for name in ("store.json", "store.json.lock"):
        info = (home / "state" / name).stat()
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (NOBODY, 0o600)


# --- planted links and FIFOs -----------------------------------------------------------------


@pytest.mark.parametrize("where", ["store", "lock", "log"])
@pytest.mark.parametrize("kind", ["symlink", "hardlink", "fifo"])
def test_planted_object_never_lets_a_write_through(tmp_path: Path, where: str, kind: str) -> None:
    state_dir = tmp_path / "state"
    run_call(encode(reading_payload("plant-0")), call_env(state_dir)).assert_contract()
    path = state_dir / {"store": "store.json", "lock": "store.json.lock",
                        "log": "statusline.log"}[where]
    if path.exists():
        path.unlink()
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    victim_before = (digest(victim), victim.stat().st_mtime_ns)
    if kind == "symlink":
        path.symlink_to(victim)
    elif kind == "hardlink":
        os.link(victim, path)
    else:
        os.mkfifo(path)
    if where == "log":
        # A corrupt store makes the call log a warning, so the log path is really used.
        (state_dir / "store.json").write_text("corrupt")
    result = run_call(encode(reading_payload("plant-1", cost=9.0)), call_env(state_dir))
    assert "Sonnet" in result.assert_contract()
    assert (digest(victim), victim.stat().st_mtime_ns) == victim_before
    assert temp_files(state_dir) == []
    assert store.read(str(state_dir / "store.json")).status in (store.OK, store.MISSING)
