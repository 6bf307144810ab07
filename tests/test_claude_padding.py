"""claude/padding.py: the statusLine padding from Claude Code's settings files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from statusline.claude.padding import padding, padding_in


def entry(value: object) -> bytes:
    document = {"statusLine": {"type": "command", "command": "x", "padding": value}}
    return json.dumps(document).encode()


@pytest.mark.parametrize(("data", "expected"), [
    (entry(2), 2), (entry(0), 0), (entry(2.7), 2), (entry(10**9), 100),
    (entry(-1), None), (entry(True), None), (entry("3"), None), (entry(None), None),
    (b'{"statusLine": {"padding": 2,}}', None),  # JSONC: Claude Code's own parser decides
    (b'{"padding": 4}', None), (b"[]", None), (b"", None), (None, None),
    (b'{"statusLine": "padding"}', None), (b"\xff\xfe", None),
])
def test_padding_in_one_file(data: bytes | None, expected: int | None) -> None:
    """Only a number >= 0 at statusLine.padding counts; anything else is no padding."""
    assert padding_in(data) == expected


def test_the_project_overrides_the_user_and_local_the_project(tmp_path: Path) -> None:
    """Precedence as Claude Code's: local project, project, user; a file without the key
    lets the next one decide."""
    home, project = tmp_path / "home", tmp_path / "p"
    (home / ".claude").mkdir(parents=True)
    (project / ".claude").mkdir(parents=True)
    env = {"HOME": str(home)}
    (home / ".claude" / "settings.json").write_bytes(entry(1))
    assert padding(env, str(project)) == 1
    (project / ".claude" / "settings.json").write_bytes(entry(2))
    assert padding(env, str(project)) == 2
    (project / ".claude" / "settings.local.json").write_text('{"statusLine": {}}')
    assert padding(env, str(project)) == 2
    (project / ".claude" / "settings.local.json").write_bytes(entry(3))
    assert padding(env, str(project)) == 3
    assert padding(env, None) == 1  # no project known: the user's
    assert padding({"HOME": str(home), "CLAUDE_CONFIG_DIR": str(tmp_path / "none")}, None) == 0


def test_a_fifo_at_a_settings_path_is_not_read(tmp_path: Path) -> None:
    """A FIFO would block a read: it is skipped (O_NONBLOCK and the regular-file check)."""
    (tmp_path / ".claude").mkdir()
    os.mkfifo(tmp_path / ".claude" / "settings.json")
    assert padding({"HOME": str(tmp_path)}, None) == 0
