"""Our hook entries in settings.json: added beside the person's own, removed alone."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from statusline.claude.settings import hooks
from statusline.errors import StatuslineError
from tests.conftest import run_cli

COMMAND = "/opt/venv/bin/statusline"
THEIRS = {
    "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
    "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "guard.sh"}]}],
}


def test_adding_keeps_every_other_hook_and_is_idempotent() -> None:
    document = {"model": "opus", "hooks": copy.deepcopy(THEIRS)}
    added = hooks.with_hooks(document, hooks.hook_command(COMMAND))
    assert document == {"model": "opus", "hooks": THEIRS}  # nothing changed in place
    assert added["hooks"]["PreToolUse"] == THEIRS["PreToolUse"]
    assert added["hooks"]["Stop"][0] == THEIRS["Stop"][0]
    ours = {"type": "command", "command": f"{COMMAND} hook", "timeout": hooks.TIMEOUT_S}
    assert added["hooks"]["Stop"][1] == {"hooks": [ours]}
    assert added["hooks"]["UserPromptSubmit"] == [{"hooks": [ours]}]
    assert hooks.with_hooks(added, hooks.hook_command(COMMAND)) == added
    assert hooks.our_commands(added) == {"Stop": [f"{COMMAND} hook"],
                                         "UserPromptSubmit": [f"{COMMAND} hook"]}


def test_a_moved_installation_updates_our_handler_in_place() -> None:
    old = hooks.with_hooks({}, "/old/bin/statusline hook")
    old["hooks"]["Stop"][0]["hooks"][0]["timeout"] = 3  # the person's own tweak stays
    moved = hooks.with_hooks(old, hooks.hook_command(COMMAND))
    assert moved["hooks"]["Stop"] == [{"hooks": [
        {"type": "command", "command": f"{COMMAND} hook", "timeout": 3}]}]


@pytest.mark.parametrize("command, ours", [
    ("/x/bin/statusline hook", True),
    ("statusline hook", True),
    ("'/a b/statusline' hook", True),
    ("/usr/bin/python3 -m statusline hook", True),
    ("/x/bin/statusline", False),
    ("/x/bin/statusline hook --x", False),
    ("my-statusline hook", False),
    ("echo statusline hook", False),
    ("statusline 'hook", False),
])
def test_what_counts_as_ours(command: str, ours: bool) -> None:
    assert hooks.is_our_handler({"type": "command", "command": command}) is ours


def test_removing_takes_out_only_ours() -> None:
    mixed = {"Stop": [{"hooks": [{"type": "command", "command": "notify-send done"},
                                 {"type": "command", "command": f"{COMMAND} hook"}]}]}
    document = hooks.with_hooks({"hooks": mixed}, hooks.hook_command(COMMAND))
    removed = hooks.without_hooks(document)
    assert removed == {"hooks": {"Stop": [{"hooks": [
        {"type": "command", "command": "notify-send done"}]}]}}
    assert hooks.without_hooks(removed) is removed  # nothing of ours: the same object


def test_removing_everything_of_ours_drops_the_empty_member() -> None:
    assert hooks.without_hooks(hooks.with_hooks({"a": 1}, "statusline hook")) == {"a": 1}
    # An empty list the person had stays (it was not ours to remove).
    assert hooks.without_hooks({"hooks": {"Stop": []}}) == {"hooks": {"Stop": []}}


def test_a_hooks_member_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(StatuslineError, match="not an object"):
        hooks.with_hooks({"hooks": []}, "statusline hook")
    with pytest.raises(StatuslineError, match=r"hooks\.Stop"):
        hooks.with_hooks({"hooks": {"Stop": {"hooks": []}}}, "statusline hook")


HANDLER = st.fixed_dictionaries({"type": st.just("command"),
                                 "command": st.sampled_from(["a.sh", "statusline hook",
                                                             "/b/statusline hook", "x y"])})
GROUP = st.fixed_dictionaries({"hooks": st.lists(HANDLER, max_size=3)},
                              optional={"matcher": st.sampled_from(["Bash", "*"])})
HOOKS = st.dictionaries(st.sampled_from(["Stop", "UserPromptSubmit", "PreToolUse", "Notification"]),
                        st.lists(GROUP, max_size=3), max_size=4)


@given(HOOKS)
def test_install_then_uninstall_leaves_the_persons_hooks(theirs: dict[str, object]) -> None:
    document: dict[str, object] = {"hooks": theirs} if theirs else {}
    without_ours = hooks.without_hooks(document)
    round_trip = hooks.without_hooks(hooks.with_hooks(document, hooks.hook_command(COMMAND)))
    # An event list that was empty before the install goes with ours (nothing tells them
    # apart once ours is in it; an unchanged file is restored byte for byte anyway).
    assert _non_empty(round_trip) == _non_empty(without_ours)
    assert hooks.our_commands(round_trip) == {}


def _non_empty(document: dict[str, object]) -> dict[str, object]:
    events = document.get("hooks")
    if not isinstance(events, dict):
        return document
    kept = {event: groups for event, groups in events.items() if groups}
    return {**document, "hooks": kept} if kept else {k: v for k, v in document.items()
                                                     if k != "hooks"}


# ---------------------------------------------------------------------------------------
# Through the commands


def test_install_adds_hooks_and_uninstall_restores_byte_for_byte(claude_dir: Path) -> None:
    settings = claude_dir / "settings.json"
    original = json.dumps({"model": "opus", "hooks": THEIRS}, indent=4) + "\n"
    settings.write_text(original)
    result = run_cli(None, "install", "--command", COMMAND)
    assert result.returncode == 0, result.stderr
    written = json.loads(settings.read_text())
    assert hooks.our_commands(written) == {"Stop": [f"{COMMAND} hook"],
                                           "UserPromptSubmit": [f"{COMMAND} hook"]}
    assert written["hooks"]["PreToolUse"] == THEIRS["PreToolUse"]
    assert run_cli(None, "install", "--command", COMMAND).stdout.count("nothing to do") == 1
    assert run_cli(None, "uninstall").returncode == 0
    assert settings.read_text() == original


def test_uninstall_after_other_edits_removes_only_ours(claude_dir: Path) -> None:
    settings = claude_dir / "settings.json"
    settings.write_text(json.dumps({"hooks": THEIRS}, indent=2) + "\n")
    assert run_cli(None, "install", "--command", COMMAND).returncode == 0
    edited = json.loads(settings.read_text())
    edited["theme"] = "dark"  # the person changes something after the install
    settings.write_text(json.dumps(edited, indent=2) + "\n")
    assert run_cli(None, "uninstall").returncode == 0
    assert json.loads(settings.read_text()) == {"hooks": THEIRS, "theme": "dark"}


def test_install_no_hooks_leaves_hooks_alone(claude_dir: Path) -> None:
    settings = claude_dir / "settings.json"
    assert run_cli(None, "install", "--command", COMMAND, "--no-hooks").returncode == 0
    assert "hooks" not in json.loads(settings.read_text())
    # A later install without the switch adds them to the existing entry.
    result = run_cli(None, "install", "--command", COMMAND)
    assert result.returncode == 0 and "added the hooks" in result.stdout.lower()
    assert set(json.loads(settings.read_text())["hooks"]) == set(hooks.EVENTS)


def test_doctor_reports_the_hooks(claude_dir: Path) -> None:
    assert run_cli(None, "install", "--no-hooks").returncode == 0
    checks = {c["name"]: c for c in json.loads(run_cli(None, "doctor", "--json").stdout)["checks"]}
    assert checks["hooks"]["status"] == "warn" and "statusline install" in checks["hooks"]["hint"]
    assert run_cli(None, "install").returncode == 0
    checks = {c["name"]: c for c in json.loads(run_cli(None, "doctor", "--json").stdout)["checks"]}
    assert checks["hooks"]["status"] == "ok", checks["hooks"]
