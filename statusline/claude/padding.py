"""The statusLine ``padding`` Claude Code draws our row with (read on every status-line call).

Claude Code indents the status row by 2 columns and adds ``padding`` columns on each side
(docs/claude-code-contract.md, section 4), so the cells the line may use depend on a key
that only its settings files hold. They are read here, cheaply: a file that does not
mention ``"padding"`` is never parsed, a file that is not a regular file (a FIFO, a device)
is never read, and anything unreadable or malformed counts as no padding.

The files, highest precedence first, as Claude Code merges them (key by key, so a padding
set in the user's file still applies when a project's file sets only the command): managed
settings, the project's ``.claude/settings.local.json``, its ``.claude/settings.json``, and
the user's ``settings.json`` in ``CLAUDE_CONFIG_DIR`` (default ``~/.claude``).
"""

from __future__ import annotations

import os
import sys

from statusline import paths
from statusline.files import read_bounded
from statusline.jsonread import loads

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

MAX_SETTINGS_BYTES = 1 << 18
MAX_PADDING = 100  # Claude Code takes any number; past this the row is gone anyway
MANAGED = {
    "linux": "/etc/claude-code/managed-settings.json",
    "darwin": "/Library/Application Support/ClaudeCode/managed-settings.json",
}


def settings_files(env: Mapping[str, str], project_dir: str | None) -> list[str]:
    """The settings files that may set the statusLine, highest precedence first."""
    files = []
    managed = MANAGED.get("linux" if sys.platform.startswith("linux") else sys.platform)
    if managed:
        files.append(managed)
    if project_dir and os.path.isabs(project_dir):
        files.append(os.path.join(project_dir, ".claude", "settings.local.json"))
        files.append(os.path.join(project_dir, ".claude", "settings.json"))
    profile = paths.claude_config_dir(env)
    if profile:
        files.append(os.path.join(profile, "settings.json"))
    return files


def padding(env: Mapping[str, str], project_dir: str | None) -> int:
    """The statusLine ``padding`` that applies (0 when none is set or it cannot be read)."""
    for path in settings_files(env, project_dir):
        value = padding_in(read_bounded(path, MAX_SETTINGS_BYTES, follow_symlinks=True))
        if value is not None:
            return value
    return 0


def padding_in(data: bytes | None) -> int | None:
    """The ``statusLine.padding`` of one settings file's bytes, None when it sets none."""
    if not data or b'"padding"' not in data:
        return None
    try:
        document = loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    entry = document.get("statusLine") if isinstance(document, dict) else None
    value = entry.get("padding") if isinstance(entry, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        return None
    return int(min(value, MAX_PADDING))

