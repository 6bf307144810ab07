"""What counts as our statusLine entry, the command we write, and how theirs is chained."""

from __future__ import annotations

import shlex

import pytest
from hypothesis import given
from hypothesis import strategies as st

from statusline.claude.settings import entry

CMD = "/opt/tools/bin/statusline"


@pytest.mark.parametrize(
    ("command", "ours"),
    [
        ("NO_COLOR=1 /a/b/statusline", True),
        ("NO_COLOR=1 COLUMNS=80 statusline", True),
        ("env X=1 statusline", True),
        ("/usr/bin/env -u FOO X=1 /a/statusline", True),
        ("env -i PATH=/bin /a/statusline", True),
        ("STATUSLINE_CHAIN='bash ~/x.sh' /a/statusline", True),
        ("C:/Users/me/.venv/Scripts/statusline.exe", True),
        ("'C:/Program Files/sl/statusline.exe'", True),
        ("NO_COLOR=1 /a/statusline --debug", False),
        ("env X=1 ccstatusline", False),
        ("statusline; rm -rf ~", False),
        ("env", False),
        ("X=1", False),
        ("'unterminated", False),
    ],
)
def test_wrapped_commands_count_as_ours(command: str, ours: bool) -> None:
    assert entry.is_ours({"type": "command", "command": command}) is ours


def test_command_program_skips_the_wrapper() -> None:
    assert entry.command_program("NO_COLOR=1 env X=2 '/a b/statusline'") == "/a b/statusline"


def test_windows_paths_are_written_with_forward_slashes() -> None:
    """Git Bash (Claude Code's shell on Windows) reads backslashes as escapes."""
    written = entry.command_for(r"C:\Users\me\.venv\Scripts\statusline.exe", windows=True)
    assert written == "C:/Users/me/.venv/Scripts/statusline.exe"
    assert entry.is_ours({"command": written})
    spaced = entry.command_for(r"C:\Program Files\sl\statusline.exe", windows=True)
    assert spaced == "'C:/Program Files/sl/statusline.exe'"
    assert "\\" not in spaced
    assert entry.command_for("/a/statusline", windows=False) == "/a/statusline"


def test_their_command_is_chained_and_their_other_keys_stay() -> None:
    theirs = {"type": "command", "command": "bash -c 'echo \"hi\"'", "padding": 2,
              "refreshInterval": 5}
    made = entry.desired_entry(theirs, CMD, None)
    assert made["padding"] == 2 and made["refreshInterval"] == 5
    assert entry.is_ours(made)
    assert entry.chained_command(made) == theirs["command"]
    assert entry.desired_entry(made, CMD, None) == made  # idempotent


def test_force_drops_the_chain_and_row_can_be_changed() -> None:
    theirs = {"type": "command", "command": "~/x.sh"}
    chained = entry.desired_entry(theirs, CMD, None)
    shared = entry.desired_entry(chained, CMD, None, row="shared")
    assert "STATUSLINE_CHAIN_ROW=shared" in str(shared["command"])
    assert entry.chained_command(shared) == "~/x.sh"
    assert entry.desired_entry(shared, CMD, None)["command"] == shared["command"]
    own = entry.desired_entry(shared, CMD, None, row="own")
    assert own["command"] == chained["command"]
    replaced = entry.desired_entry(shared, CMD, None, replace=True)
    assert replaced["command"] == CMD
    assert entry.desired_entry(theirs, CMD, None, replace=True)["command"] == CMD


def test_a_wrapped_entry_of_ours_keeps_its_wrapper_on_reinstall() -> None:
    mine = {"type": "command", "command": "NO_COLOR=1 /old/statusline"}
    assert entry.desired_entry(mine, CMD, None)["command"] == f"NO_COLOR=1 {CMD}"


@given(st.text(min_size=1).filter(lambda s: "\0" not in s and s.strip()))
def test_any_command_survives_chaining_exactly(theirs: str) -> None:
    """Whatever their command is, the shell hands exactly it to us in STATUSLINE_CHAIN."""
    made = entry.desired_entry({"type": "command", "command": theirs}, CMD, None)
    if entry.is_ours({"command": theirs}):
        return
    words = shlex.split(str(made["command"]))
    assert words[0] == f"STATUSLINE_CHAIN={theirs}"
    assert words[-1] == CMD
    assert entry.chained_command(made) == theirs
