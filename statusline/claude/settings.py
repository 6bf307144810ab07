"""Claude Code's settings.json: add, check and remove our ``statusLine`` entry.

The edit itself is pure (``plan_install`` / ``plan_uninstall`` turn the file's text into the
new text, or say why not) and touches only the ``statusLine`` member: every other byte, key
order and indentation stays. ``apply`` is the thin I/O part: a backup, then an atomic write
(temp file, fsync, ``os.replace``), keeping the file's mode (0600 when new). What was there
before an install is kept in an install record in the state directory, so ``uninstall``
can put the file back byte for byte when nobody touched it since, and otherwise removes
only our entry (restoring a statusLine that ``--force`` replaced).

Claude Code reads settings.json as JSON, but people sometimes keep comments or trailing
commas in it (JSONC). Rewriting such a file would drop them, so it is never rewritten:
the user gets the entry to paste by hand instead.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import sys
import time
from collections.abc import Mapping

from statusline import paths
from statusline.errors import StatuslineError
from statusline.store import local as store

SCOPES = ("user", "project", "local")
KEY = "statusLine"
RECORD_NAME = "installs.json"
BACKUP_DIR = "backups"
BOM = "\ufeff"


class Settings:
    """One settings.json as read: where it is, its exact text, and its parsed document."""

    __slots__ = ("document", "exists", "path", "text")

    def __init__(self, path: str, text: str | None, document: dict[str, object]) -> None:
        self.path = path
        self.exists = text is not None
        # The file's exact text (None when there is no file): what a byte-exact restore needs.
        self.text = text
        self.document = document


class JsoncError(StatuslineError):
    """The settings file has comments or trailing commas: it must not be rewritten."""


class Plan:
    """What an install or uninstall would do to one settings file."""

    __slots__ = ("action", "message", "new_text", "old_text", "path", "previous", "restore")

    def __init__(self, path: str, old_text: str | None, new_text: str | None, action: str,
                 message: str) -> None:
        self.path = path
        self.old_text = old_text
        # None means "remove the file" (an uninstall restoring a file that did not exist).
        self.new_text = new_text
        # "write", "remove" or "none" (already as wanted: nothing is written).
        self.action = action
        self.message = message
        # The statusLine an install replaces (kept to put back on uninstall).
        self.previous: object = None
        # True when an uninstall puts back the exact text from before the install.
        self.restore = False

    @property
    def changes(self) -> bool:
        """True when applying the plan changes the file."""
        return self.action != "none"

    def diff(self) -> str:
        """A unified diff of the change (empty when nothing changes)."""
        name = os.path.basename(self.path)
        before = (self.old_text or "").splitlines(keepends=True)
        after = (self.new_text or "").splitlines(keepends=True)
        import difflib  # lazy, like hashlib and shutil: every command imports this module

        lines = difflib.unified_diff(before, after, f"{name} (before)", f"{name} (after)")
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


# ---------------------------------------------------------------------------------------
# Locations and the command to write


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


# ---------------------------------------------------------------------------------------
# Reading


def read(path: str) -> Settings:
    """Read and parse the settings file at ``path`` (a missing file is an empty document).

    Raises ``StatuslineError`` for a file that is not a JSON object, has comments or trailing
    commas, or repeats a key: rewriting any of those would lose something.
    """
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return Settings(path, None, {})
    except IsADirectoryError as error:
        raise StatuslineError(f"{path} is a directory, not a settings file") from error
    except OSError as error:
        raise StatuslineError(f"cannot read {path}: {error.strerror or error}") from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise StatuslineError(
            f"{path} is not UTF-8 text", "Claude Code's settings.json must be UTF-8 JSON"
        ) from error
    return Settings(path, text, parse(text, path))


def parse(text: str, path: str = "settings.json") -> dict[str, object]:
    """Parse settings text into a dict, keeping key order; explain anything we cannot keep."""
    body = text[1:] if text.startswith(BOM) else text
    if not body.strip():
        return {}
    try:
        document = json.loads(body, object_pairs_hook=_no_duplicates)
    except _DuplicateKeyError as error:
        raise StatuslineError(
            f"{path} repeats the key {error.key!r}; rewriting it would drop one of them",
            "remove the duplicate by hand, then run the command again",
        ) from error
    except json.JSONDecodeError as error:
        if looks_like_jsonc(body):
            raise JsoncError(
                f"{path} has comments or trailing commas (JSONC); statusline will not rewrite it, "
                "because that would lose them",
                "edit its statusLine member by hand, or remove the comments and trailing "
                "commas and run the command again",
            ) from error
        raise StatuslineError(
            f"{path} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})",
            "fix the file by hand (Claude Code cannot read it either), then run the command again",
        ) from error
    if not isinstance(document, dict):
        raise StatuslineError(
            f"{path} holds a JSON {type(document).__name__}, not an object",
            "Claude Code's settings.json must be a JSON object: { ... }",
        )
    return document


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


_STRING = r'"(?:[^"\\]|\\.)*"'


def looks_like_jsonc(text: str) -> bool:
    """True when ``text`` has ``//`` or ``/* */`` comments or trailing commas outside strings."""
    outside = re.sub(_STRING, '""', text)
    return bool(re.search(r"//|/\*", outside) or re.search(r",\s*[}\]]", outside))


# ---------------------------------------------------------------------------------------
# Planning (pure)


def desired_entry(existing: object, command: str,
                  refresh_interval: int | None) -> dict[str, object]:
    """Our statusLine entry; an existing entry of ours keeps its other keys (e.g. padding)."""
    entry: dict[str, object] = {}
    if is_ours(existing) and isinstance(existing, dict):
        entry.update(existing)
    entry["type"] = "command"
    entry["command"] = command
    if refresh_interval is not None:
        entry["refreshInterval"] = refresh_interval
    return entry


def plan_install(settings: Settings, command: str, refresh_interval: int | None,
                 force: bool) -> Plan:
    """Plan putting our statusLine into ``settings``.

    Idempotent: when the entry is already as wanted the plan changes nothing. A statusLine
    that runs something else is only replaced with ``force``; otherwise this raises
    ``StatuslineError`` saying what is there.
    """
    existing = settings.document.get(KEY)
    if existing is not None and not is_ours(existing) and not force:
        raise StatuslineError(
            f"{settings.path} already has a statusLine that is not statusline: "
            f"{describe(existing)}. Replacing it would lose it, so nothing was changed",
            "run again with --force to replace it (it is kept, and `statusline uninstall` "
            "puts it back)",
        )
    entry = desired_entry(existing, command, refresh_interval)
    if existing == entry:
        return Plan(settings.path, settings.text, settings.text, "none",
                    f"already installed in {settings.path}: nothing to do")
    document = dict(settings.document)
    document[KEY] = entry
    plan = Plan(settings.path, settings.text, edit(settings.text, document), "write",
                f"installed in {settings.path}: Claude Code will run {command}")
    plan.previous = None if is_ours(existing) else existing
    return plan


def plan_uninstall(settings: Settings, record: Mapping[str, object] | None) -> Plan:
    """Plan removing our statusLine from ``settings``.

    With the install ``record`` and a file unchanged since that install, the plan puts the
    original text back exactly (or removes a file the install created). Otherwise it removes
    only our entry, restoring the statusLine the install replaced. A statusLine that is not
    ours raises ``StatuslineError``.
    """
    existing = settings.document.get(KEY)
    if (
        record is not None
        and record.get("exact", True)
        and settings.text is not None
        and _digest(settings.text) == record.get("written_sha256")
    ):
        original = record.get("original")
        if original is None:
            plan = Plan(settings.path, settings.text, None, "remove",
                        f"removed {settings.path} (it did not exist before the install)")
        else:
            plan = Plan(settings.path, settings.text, str(original), "write",
                        f"restored {settings.path} as it was before the install")
        plan.restore = True
        return plan
    if existing is None:
        return Plan(settings.path, settings.text, settings.text, "none",
                    f"no statusLine in {settings.path}: nothing to do")
    if not is_ours(existing):
        raise StatuslineError(
            f"the statusLine in {settings.path} is not statusline's ({describe(existing)}); "
            "leaving it alone",
            "edit the file by hand if you want it gone",
        )
    document = dict(settings.document)
    previous = record.get("previous") if record is not None else None
    if previous is not None:
        document[KEY] = previous
        message = f"restored the previous statusLine in {settings.path}: {describe(previous)}"
    else:
        del document[KEY]
        message = f"removed the statusLine from {settings.path}"
    return Plan(settings.path, settings.text, edit(settings.text, document), "write", message)


def describe(entry: object) -> str:
    """A short description of a statusLine entry for messages."""
    if isinstance(entry, dict) and isinstance(entry.get("command"), str):
        return f"it runs `{entry['command']}`"
    return f"it is {json.dumps(entry)[:120]}"


def edit(text: str | None, document: dict[str, object]) -> str:
    """The text of ``document``, made by editing only the statusLine member of ``text``.

    Every other byte of the file (formatting, key order, indentation) stays as it was; the
    result is checked by parsing it, and when a surgical edit cannot produce exactly
    ``document`` the whole document is written out in the file's style instead.
    """
    if text is not None:
        try:
            edited = _splice(text, document)
        except (ValueError, IndexError):
            edited = None
        if edited is not None and _pairs(edited) == _pairs_of(document):
            return edited
    return dump(document, text)


def _pairs(text: str) -> object:
    body = text[1:] if text.startswith(BOM) else text
    return json.loads(body, object_pairs_hook=lambda pairs: pairs)


def _pairs_of(document: dict[str, object]) -> object:
    return _pairs(json.dumps(document))


class _Member:
    __slots__ = ("key", "start", "value_end", "value_start")

    def __init__(self, key: str, start: int, value_start: int, value_end: int) -> None:
        self.key = key
        self.start = start
        self.value_start = value_start
        self.value_end = value_end


def _skip_ws(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


def _string_end(text: str, at: int) -> int:
    """Index just past the JSON string starting at ``at``."""
    match = re.compile(_STRING).match(text, at)
    if match is None:
        raise ValueError("expected a string")
    return match.end()


def _value_end(text: str, at: int) -> int:
    """Index just past the JSON value starting at ``at`` (the text is known to be valid)."""
    if text[at] == '"':
        return _string_end(text, at)
    if text[at] in "{[":
        depth = 0
        while True:
            ch = text[at]
            if ch == '"':
                at = _string_end(text, at)
                continue
            if ch in "{[":
                depth += 1
            elif ch in "}]":
                depth -= 1
                if depth == 0:
                    return at + 1
            at += 1
    while at < len(text) and text[at] not in ",}] \t\r\n":
        at += 1
    return at


def _members(text: str) -> tuple[int, int, list[_Member]]:
    """The top-level object's ``{`` and ``}`` positions and its members."""
    open_at = _skip_ws(text, 1 if text.startswith(BOM) else 0)
    if text[open_at] != "{":
        raise ValueError("not an object")
    members = []
    at = _skip_ws(text, open_at + 1)
    while text[at] != "}":
        key_end = _string_end(text, at)
        key = json.loads(text[at:key_end])
        colon = _skip_ws(text, key_end)
        value_start = _skip_ws(text, colon + 1)
        value_end = _value_end(text, value_start)
        members.append(_Member(key, at, value_start, value_end))
        at = _skip_ws(text, value_end)
        if text[at] == ",":
            at = _skip_ws(text, at + 1)
    return open_at, at, members


def _line_indent(text: str, at: int) -> str:
    line_start = text.rfind("\n", 0, at) + 1
    prefix = text[line_start:at]
    return prefix if not prefix.strip() else ""


def _render_member_value(value: object, text: str, base: str) -> str:
    """``value`` as JSON in the file's style, its inner lines indented below ``base``."""
    match = re.search(r"^[ \t]+(?=\")", text, re.MULTILINE)
    if match is None:  # a one-line file: keep the member on one line too
        return json.dumps(value, ensure_ascii=False)
    unit = match.group(0)
    if base.startswith(unit) and len(base) >= 2 * len(unit) and len(base) % len(unit) == 0:
        unit = base[: len(unit)]
    indent: int | str = unit if "\t" in unit else len(unit)
    rendered = json.dumps(value, indent=indent, ensure_ascii=False)
    return rendered.replace("\n", "\n" + base)


def _splice(text: str, document: dict[str, object]) -> str | None:
    """Edit the statusLine member of ``text`` so that it holds ``document``'s."""
    open_at, close_at, members = _members(text)
    found = [m for m in members if m.key == KEY]
    if KEY in document:
        value = document[KEY]
        if found:
            member = found[0]
            base = _line_indent(text, member.start)
            rendered = _render_member_value(value, text, base)
            return text[: member.value_start] + rendered + text[member.value_end :]
        if not members:
            if "\n" in text.strip():
                return None  # an empty object spread over lines: let dump() lay it out
            rendered = _render_member_value(value, '{\n  "a": 1\n}', "  ")
            member_text = f'\n  "{KEY}": {rendered}\n'
            return text[: open_at + 1] + member_text + text[close_at:]
        last = members[-1]
        base = _line_indent(text, last.start)
        rendered = _render_member_value(value, text, base)
        if base or "\n" in text[open_at:last.start]:
            addition = f',\n{base}"{KEY}": {rendered}'
        else:
            addition = f', "{KEY}": {rendered}'
        return text[: last.value_end] + addition + text[last.value_end :]
    if not found:
        return text
    index = members.index(found[0])
    member = members[index]
    if len(members) == 1:
        return text[: open_at + 1] + text[close_at:]
    if index > 0:
        return text[: members[index - 1].value_end] + text[member.value_end :]
    return text[: member.start] + text[members[1].start :]


def dump(document: dict[str, object], like: str | None) -> str:
    """Serialise ``document`` the way the existing text was written (indent, BOM, newline)."""
    indent: int | str = 2
    if like:
        match = re.search(r"^[ \t]+(?=\")", like, re.MULTILINE)
        if match:
            found = match.group(0)
            indent = found if "\t" in found else len(found)
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    if like is None or like.endswith("\n") or not like.strip():
        text += "\n"
    if like and like.startswith(BOM):
        text = BOM + text
    return text


def cast_text(value: object) -> str | None:
    """``value`` if it is a string, else None (install records are read from JSON)."""
    return value if isinstance(value, str) else None


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------
# Writing (I/O)


def apply(plan: Plan, state_dir: str | None, now: float | None = None) -> str | None:
    """Carry out ``plan``: back the file up and write it atomically.

    Returns the backup's path (None when there was nothing to back up). A settings file that
    is a symlink (dotfile managers) is written through to its target. When the file changed
    since it was read (Claude Code writes it too), nothing is written.
    """
    if not plan.changes:
        return None
    target = os.path.realpath(plan.path)
    if _current_text(target) != plan.old_text:
        raise StatuslineError(
            f"{plan.path} changed while statusline was editing it; nothing was written",
            "run the command again",
        )
    backup = _backup(target, plan.old_text, state_dir, now) if plan.old_text is not None else None
    if plan.action == "remove":
        os.unlink(target)
    else:
        assert plan.new_text is not None
        write_atomic(target, plan.new_text)
    return backup


def _current_text(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "surrogateescape")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StatuslineError(f"cannot read {path}: {error.strerror or error}") from error


def write_atomic(path: str, text: str) -> None:
    """Replace ``path`` with ``text`` via a fsynced temp file, keeping an existing file's mode
    (0600 for a new file); the parent directory is created (0700) when missing."""
    directory = os.path.dirname(path)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o600
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        store.write_atomic(path, text)
        os.chmod(path, mode)
    except OSError as error:
        raise StatuslineError(
            f"cannot write {path}: {error.strerror or error}",
            "check the directory's permissions (nothing was changed)",
        ) from error


def _backup(path: str, text: str, state_dir: str | None, now: float | None) -> str | None:
    if state_dir is None:
        return None
    directory = os.path.join(state_dir, BACKUP_DIR)
    usable = store.private_dir(state_dir, create=True) and store.private_dir(directory, create=True)
    if not usable:
        raise StatuslineError(
            f"cannot create the backup directory {directory}",
            "check that the state directory is yours and writable (nothing was changed)",
        )
    stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime(time.time() if now is None else now))
    name = f"{os.path.basename(path)}.{_digest(path)[:8]}.{stamp}"
    backup = os.path.join(directory, name)
    suffix = 1
    while os.path.exists(backup):
        suffix += 1
        backup = os.path.join(directory, f"{name}-{suffix}")
    store.write_atomic(backup, text)
    return backup


def _record_path(state_dir: str) -> str:
    return os.path.join(state_dir, RECORD_NAME)


def load_records(state_dir: str | None) -> dict[str, dict[str, object]]:
    """Every install record, keyed by the settings file's real path (empty when none)."""
    if state_dir is None:
        return {}
    try:
        with open(_record_path(state_dir), encoding="utf-8") as handle:
            loaded = json.loads(handle.read())
    except (OSError, ValueError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {k: v for k, v in loaded.items() if isinstance(v, dict)}


def record_for(state_dir: str | None, path: str) -> dict[str, object] | None:
    """The install record of the settings file at ``path``, if there is one."""
    return load_records(state_dir).get(os.path.realpath(path))


def save_record(state_dir: str | None, path: str, record: dict[str, object] | None) -> None:
    """Store (or with None, drop) the install record of the settings file at ``path``."""
    if state_dir is None or not store.private_dir(state_dir, create=True):
        return
    records = load_records(state_dir)
    key = os.path.realpath(path)
    if record is None:
        if key not in records:
            return
        del records[key]
    else:
        records[key] = record
    store.write_atomic(_record_path(state_dir), json.dumps(records, indent=2) + "\n")


def install_record(plan: Plan, previous_record: Mapping[str, object] | None,
                   replaced_ours: bool, created_dir: bool = False) -> dict[str, object]:
    """The record an install leaves: the text before the install, and a digest of what it wrote.

    Re-installing over our own unchanged entry keeps the first install's original, so
    ``uninstall`` still goes all the way back. When the text before this install already
    held our entry but not as we wrote it, no byte-exact original exists (``exact`` false)
    and ``uninstall`` removes just the entry. ``created_dir`` says the install also made the
    settings file's directory (``uninstall`` removes it again when it is left empty).
    """
    assert plan.new_text is not None
    earlier = previous_record or {}
    exact, original = True, cast_text(plan.old_text)
    previous = plan.previous if plan.previous is not None else earlier.get("previous")
    if plan.old_text is not None and _digest(plan.old_text) == earlier.get("written_sha256"):
        # A re-install over our own unchanged text: the first install's facts still hold.
        exact, original = bool(earlier.get("exact", True)), cast_text(earlier.get("original"))
        created_dir = bool(earlier.get("created_dir"))
    elif replaced_ours:
        exact, original, created_dir = False, None, False
    return {
        "exact": exact,
        "original": original,
        "written_sha256": _digest(plan.new_text),
        "previous": previous,
        "created_dir": created_dir,
    }


def remove_created_dir(plan: Plan, record: Mapping[str, object] | None) -> bool:
    """After an uninstall removed the file an install created, remove the directory the
    install created for it too, if it is empty. Returns True when it was removed."""
    if plan.action != "remove" or record is None or not record.get("created_dir"):
        return False
    try:
        os.rmdir(os.path.dirname(os.path.realpath(plan.path)))
    except OSError:
        return False
    return True
