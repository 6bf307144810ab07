"""Our ``statusLine`` entry: where settings live, which command to write, what counts as ours."""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
from collections.abc import Mapping

from statusline import paths
from statusline.claude.chain import CHAIN_VAR, ROW_VAR
from statusline.claude.settings.file import read
from statusline.claude.settings.json_edit import KEY
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
    if program_name(argv0) == "statusline":
        candidates.append(os.path.abspath(argv0))
    if executable:
        for name in ("statusline", "statusline.exe"):
            candidates.append(os.path.join(os.path.dirname(executable), name))
    import shutil

    found = shutil.which("statusline")
    if found:
        candidates.append(os.path.abspath(found))
    for candidate in candidates:
        if _is_executable(candidate):
            return command_for(candidate)
    return f"{command_for(executable)} -m statusline"


def command_for(path: str, windows: bool = os.name == "nt") -> str:
    """``path`` as a word of a statusLine command. On Windows Claude Code runs the command
    through Git Bash, where backslashes are escapes: the path is written with forward slashes."""
    if windows:
        path = path.replace("\\", "/")
    return shlex.quote(path)


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def program_name(word: str) -> str:
    """The file name a command word runs, on either platform (``C:\\x\\statusline.exe``
    and ``/x/statusline`` are both ``statusline``)."""
    name = word.replace("\\", "/").rsplit("/", 1)[-1]
    return name[:-4] if name.lower().endswith(".exe") else name


class Command:
    """A statusLine command taken apart: ``[NAME=value ...] [env [-i] [-u NAME] [NAME=value
    ...]] program [args]``. ``prefix`` is the exact text before the program."""

    __slots__ = ("assignments", "prefix", "words")

    def __init__(self, prefix: str, assignments: dict[str, str], words: list[str]) -> None:
        self.prefix = prefix
        self.assignments = assignments
        self.words = words


_WORD = re.compile(r"""(?:[^\s'"\\]|\\.|'[^']*'|"(?:[^"\\]|\\.)*")+""")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_ENV_OPTIONS_WITH_VALUE = ("-u", "--unset", "-C", "--chdir", "-S", "--split-string")


def parse_command(command: str) -> Command | None:
    """Take a one-program shell command apart (None when it cannot be split into words)."""
    raw = [(m.start(), m.group()) for m in _WORD.finditer(command)]
    try:
        words = [shlex.split(text)[0] if text else "" for _, text in raw]
    except (ValueError, IndexError):
        return None
    if not words:
        return None
    at, assignments = 0, {}
    in_env = False
    while at < len(words):
        word = words[at]
        if _ASSIGNMENT.match(word):
            name, _, value = word.partition("=")
            assignments[name] = value
        elif not in_env and program_name(word) == "env":
            in_env = True
        elif in_env and word.startswith("-"):
            if word in _ENV_OPTIONS_WITH_VALUE:
                at += 1
        else:
            break
        at += 1
    prefix = command[: raw[at][0]] if at < len(raw) else command
    return Command(prefix, assignments, words[at:])


def command_program(command: str) -> str | None:
    """The program a statusLine command runs (after any ``NAME=value`` or ``env`` wrapper),
    or None if it cannot be split."""
    parsed = parse_command(command)
    return parsed.words[0] if parsed is not None and parsed.words else None


def unwrapped(command: str) -> str:
    """``command`` without the ``NAME=value`` / ``env`` words before its program."""
    parsed = parse_command(command)
    if parsed is None or not parsed.words:
        return command
    return shlex.join(parsed.words)


def is_ours(entry: object) -> bool:
    """True when a statusLine entry runs some installation of ``statusline``, also when
    wrapped in variable assignments (``NO_COLOR=1 statusline``, ``env X=1 statusline``)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("command"), str):
        return False
    parsed = parse_command(entry["command"])
    if parsed is None or not parsed.words:
        return False
    words = parsed.words
    if program_name(words[0]) == "statusline":
        return len(words) == 1
    # python -m statusline (the fallback command)
    return words[1:] == ["-m", "statusline"] and "python" in program_name(words[0])


def desired_entry(existing: object, command: str, refresh_interval: int | None,
                  row: str | None = None, replace: bool = False) -> dict[str, object]:
    """Our statusLine entry, given what is there now.

    - Nothing there: ``{"type": "command", "command": command}``.
    - Our entry: it keeps its other keys (e.g. padding) and the words it wraps ours in
      (``NO_COLOR=1 …``, the chained command), with ``command`` as the program.
    - Someone else's command (and not ``replace``): theirs is chained, kept whole in
      ``STATUSLINE_CHAIN='their command'`` before ours; their other keys (padding,
      refreshInterval) stay. ``row="shared"`` puts our text on their last row.
    - ``replace`` (``--force``): ours alone, chaining nothing.
    - ``refresh_interval`` None keeps the entry's own valid ``refreshInterval``, else
      writes ``DEFAULT_REFRESH_INTERVAL_S``.
    """
    entry: dict[str, object] = {}
    wrapped = command
    if is_ours(existing) and isinstance(existing, dict):
        entry.update(existing)
        wrapped = rewrap(str(existing["command"]), command, row, keep_chain=not replace)
    elif chainable(existing) and not replace:
        assert isinstance(existing, dict)
        entry.update(existing)
        wrapped = chain_command(str(existing["command"]), command, row)
    entry["type"] = "command"
    entry["command"] = wrapped
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


def chainable(entry: object) -> bool:
    """True when ``entry`` is someone else's command that ours can run (chain)."""
    return (isinstance(entry, dict) and entry.get("type", "command") == "command"
            and isinstance(entry.get("command"), str) and bool(entry["command"].strip())
            and "\0" not in entry["command"] and not is_ours(entry))


def chain_command(theirs: str, command: str, row: str | None) -> str:
    """Our command, running ``theirs`` first (see ``statusline.claude.chain``)."""
    words = [f"{CHAIN_VAR}={shlex.quote(theirs)}"]
    if row == "shared":
        words.append(f"{ROW_VAR}=shared")
    return " ".join([*words, command])


def chained_command(entry: object) -> str | None:
    """The command our entry chains (None when it is not ours or chains nothing)."""
    if not is_ours(entry) or not isinstance(entry, dict):
        return None
    parsed = parse_command(str(entry["command"]))
    return parsed.assignments.get(CHAIN_VAR) if parsed is not None else None


def rewrap(existing: str, command: str, row: str | None, keep_chain: bool) -> str:
    """``command`` wrapped as our ``existing`` command was: its other words stay as written,
    its chained command stays unless not ``keep_chain``, and ``row`` (when given) is set."""
    parsed = parse_command(existing)
    if parsed is None:
        return command
    chained = parsed.assignments.get(CHAIN_VAR) if keep_chain else None
    row = row or parsed.assignments.get(ROW_VAR)
    others = [m.group() for m in _WORD.finditer(parsed.prefix)
              if not m.group().startswith((f"{CHAIN_VAR}=", f"{ROW_VAR}="))]
    ours = " ".join([*others, command])
    return chain_command(chained, ours, row) if chained else ours


def describe(entry: object) -> str:
    """A short description of a statusLine entry for messages."""
    if isinstance(entry, dict) and isinstance(entry.get("command"), str):
        return f"it runs `{entry['command']}`"
    return f"it is {json.dumps(entry)[:120]}"

