"""Planning an install or uninstall (pure): the file's text in, the new text (or a refusal) out."""

from __future__ import annotations

import os
from collections.abc import Mapping

from statusline.claude.chain import SUPPORTED
from statusline.claude.settings.entry import (
    chainable,
    chained_command,
    describe,
    desired_entry,
    is_ours,
)
from statusline.claude.settings.file import Settings, digest
from statusline.claude.settings.json_edit import KEY, edit
from statusline.claude.settings.redact import mask
from statusline.errors import StatuslineError


class Plan:
    """What an install or uninstall would do to one settings file."""

    __slots__ = ("action", "chained", "message", "new_text", "old_text", "path", "previous",
                 "restore")

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
        # The command our new entry runs before ours (their status line, kept), if any.
        self.chained: str | None = None
        # True when an uninstall puts back the exact text from before the install.
        self.restore = False

    @property
    def changes(self) -> bool:
        """True when applying the plan changes the file."""
        return self.action != "none"

    def diff(self) -> str:
        """A unified diff of the change (empty when nothing changes), secrets masked."""
        name = os.path.basename(self.path)
        before = mask(self.old_text or "").splitlines(keepends=True)
        after = mask(self.new_text or "").splitlines(keepends=True)
        import difflib  # lazy, like hashlib and shutil: every command imports this module

        lines = difflib.unified_diff(before, after, f"{name} (before)", f"{name} (after)")
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def plan_install(settings: Settings, command: str, refresh_interval: int | None,
                 force: bool, row: str | None = None, can_chain: bool = SUPPORTED) -> Plan:
    """Plan putting our statusLine into ``settings``.

    Idempotent: when the entry is already as wanted the plan changes nothing. Someone else's
    statusLine command is kept and run by ours (chained, ``plan.chained``); with ``force``
    it is replaced instead. Either way it is remembered (``plan.previous``) for uninstall.
    An entry we cannot run (not a command, or ``can_chain`` false: no posix_spawn, as on
    Windows) is only replaced with ``force``; otherwise this raises ``StatuslineError``
    saying what is there.
    """
    existing = settings.document.get(KEY)
    foreign = existing is not None and not is_ours(existing)
    if foreign and not force and not (chainable(existing) and can_chain):
        where = "" if can_chain else " on this platform"
        raise StatuslineError(
            f"{settings.path} already has a statusLine that statusline cannot run beside its "
            f"own{where}: {describe(existing)}. Replacing it would lose it, so nothing was "
            "changed",
            "run again with --force to replace it (it is kept, and `statusline uninstall` "
            "puts it back)",
        )
    entry = desired_entry(existing, command, refresh_interval, row, replace=force)
    if existing == entry:
        return Plan(settings.path, settings.text, settings.text, "none",
                    f"already installed in {settings.path}: nothing to do")
    document = dict(settings.document)
    document[KEY] = entry
    plan = Plan(settings.path, settings.text, edit(settings.text, document), "write",
                f"installed in {settings.path}: Claude Code will run {command}")
    plan.previous = existing if foreign else None
    plan.chained = chained_command(entry)
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
        and digest(settings.text) == record.get("written_sha256")
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
    chained = chained_command(existing)
    if previous is None and chained is not None:
        # No record (a lost state directory): the entry itself says what it chained.
        assert isinstance(existing, dict)
        previous = {**existing, "command": chained}
    if previous is not None:
        document[KEY] = previous
        message = f"restored the previous statusLine in {settings.path}: {describe(previous)}"
    else:
        del document[KEY]
        message = f"removed the statusLine from {settings.path}"
    return Plan(settings.path, settings.text, edit(settings.text, document), "write", message)

