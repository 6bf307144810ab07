"""Our ``statusLine`` entry: where settings live, which command to write, what counts as ours."""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Mapping

from statusline import paths
from statusline.claude.json_edit import KEY
from statusline.claude.settings_file import read
from statusline.errors import StatuslineError

SCOPES = ("user", "project", "local")

# Claude Code re-runs an idle session's command only on refreshInterval ticks: without one,
# an idle terminal keeps showing an old pooled figure. Every 10 s keeps every row within a
# tick of the pool (the issue asks for 15 s) for about 1 % of one core per 4 idle sessions
# (bench/run.py, "idle sessions" rows; docs/performance.md).
DEFAULT_REFRESH_INTERVAL_S = 10


def settings_path(scope: str, env: Mapping[str, str], cwd: str) -> str:
    """The settings file of ``scope``: user (``$CLAUDE_CONFIG_DIR`` or ``~/.claude``), project
    (``.claude/settings.json`` under ``cwd``) or local (``.claude/settings.local.json``)."""
    if scope == "user":
        directory = paths.claude_config_dir(env)
        if directory is None:
            raise StatuslineError(
                "cannot find Claude Code's settings (HOME is not set)",
                "set HOME, or CLAUDE_CONFIG_DIR to Claude Code's configuration directory",
            )
        return os.path.join(directory, "settings.json")
    if scope == "project":
        return os.path.join(cwd, ".claude", "settings.json")
    if scope == "local":
        return os.path.join(cwd, ".claude", "settings.local.json")
    raise ValueError(f"unknown scope {scope!r}")


def effective_entries(env: Mapping[str, str], cwd: str) -> list[tuple[str, str, object]]:
    """``(scope, path, statusLine)`` for every scope whose file has a statusLine, in the order
    Claude Code gives them precedence (local, project, user). Unreadable files are skipped."""
    found = []
    for scope in ("local", "project", "user"):
        try:
            path = settings_path(scope, env, cwd)
            entry = read(path).document.get(KEY)
        except StatuslineError:
            continue
        if entry is not None:
            found.append((scope, path, entry))
    return found


def installed_command(argv0: str | None = None, executable: str | None = None) -> str:
    """The command Claude Code should run: the absolute path of this ``statusline`` executable.

    Tried in order: the running console script (``sys.argv[0]``), the script beside this
    Python (a venv's ``bin``), ``statusline`` on PATH, and last ``python -m statusline``.
    Quoted for ``/bin/sh`` (Claude Code runs the command through a shell).
    """
    argv0 = sys.argv[0] if argv0 is None else argv0
    executable = sys.executable if executable is None else executable
    candidates = []
    if os.path.basename(argv0) == "statusline":
        candidates.append(os.path.abspath(argv0))
    if executable:
        candidates.append(os.path.join(os.path.dirname(executable), "statusline"))
    import shutil

    found = shutil.which("statusline")
    if found:
        candidates.append(os.path.abspath(found))
    for candidate in candidates:
        if _is_executable(candidate):
            return shlex.quote(candidate)
    return f"{shlex.quote(executable)} -m statusline"


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def command_program(command: str) -> str | None:
    """The program a statusLine command runs (its first word), or None if it cannot be split."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    return words[0] if words else None


def is_ours(entry: object) -> bool:
    """True when a statusLine entry runs some installation of ``statusline``."""
    if not isinstance(entry, dict) or not isinstance(entry.get("command"), str):
        return False
    words = _split(entry["command"])
    if not words:
        return False
    if os.path.basename(words[0]) == "statusline":
        return len(words) == 1
    # python -m statusline (the fallback command)
    return words[1:] == ["-m", "statusline"] and "python" in os.path.basename(words[0])


def _split(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:
        return []


def desired_entry(existing: object, command: str,
                  refresh_interval: int | None) -> dict[str, object]:
    """Our statusLine entry; an existing entry of ours keeps its other keys (e.g. padding).

    ``refresh_interval`` None keeps the entry's own valid ``refreshInterval``, else writes
    ``DEFAULT_REFRESH_INTERVAL_S``.
    """
    entry: dict[str, object] = {}
    if is_ours(existing) and isinstance(existing, dict):
        entry.update(existing)
    entry["type"] = "command"
    entry["command"] = command
    if refresh_interval is not None:
        entry["refreshInterval"] = refresh_interval
    elif refresh_interval_of(entry) is None:
        entry["refreshInterval"] = DEFAULT_REFRESH_INTERVAL_S
    return entry


def refresh_interval_of(entry: object) -> int | float | None:
    """The entry's ``refreshInterval`` when Claude Code would use it (a number >= 1), else None."""
    if not isinstance(entry, dict):
        return None
    value = entry.get("refreshInterval")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 1:
        return None
    return value



def describe(entry: object) -> str:
    """A short description of a statusLine entry for messages."""
    if isinstance(entry, dict) and isinstance(entry.get("command"), str):
        return f"it runs `{entry['command']}`"
    return f"it is {json.dumps(entry)[:120]}"

