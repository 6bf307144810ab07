"""Our hook entries in settings.json: add them, find them, take them out (pure).

``statusline install`` adds one handler running ``<statusline> hook`` to each of ``EVENTS``;
every other hook the person has stays where it is, untouched. ``uninstall`` takes out only
handlers that run some installation of ``statusline hook``, and a group or event only when
ours was all it held. The functions work on the parsed document (dicts in, new dicts out,
nothing changed in place); ``add_to_plan`` / ``remove_from_plan`` turn that into text with
the same surgical edit as the statusLine, so the rest of the file keeps every byte.

The events: ``UserPromptSubmit`` (the person is at this terminal now) and ``Stop`` (a turn
ended: they are about to look). Claude Code 2.1.328 runs the Stop hook before the status
line records that turn's last reply (~0.35 s later), so a level crossed by a turn's last
reply is announced at the next prompt or turn end, in whichever session comes first.
"""

from __future__ import annotations

import shlex

from statusline.claude.settings.entry import is_ours
from statusline.claude.settings.file import Settings, parse
from statusline.claude.settings.json_edit import edit
from statusline.claude.settings.plan import Plan
from statusline.errors import StatuslineError

KEY = "hooks"
EVENTS = ("UserPromptSubmit", "Stop")
SUBCOMMAND = "hook"
# Claude Code's own limit for a hook; ours keeps its own budget of about a second.
TIMEOUT_S = 10


def hook_command(statusline_command: str) -> str:
    """The hook command for a statusLine command (``/path/statusline`` -> ``... hook``)."""
    return f"{statusline_command} {SUBCOMMAND}"


def is_our_handler(handler: object) -> bool:
    """True when a hook handler runs some installation of ``statusline hook``."""
    if not isinstance(handler, dict) or handler.get("type", "command") != "command":
        return False
    command = handler.get("command")
    if not isinstance(command, str):
        return False
    try:
        words = shlex.split(command)
    except ValueError:
        return False
    if len(words) < 2 or words[-1] != SUBCOMMAND:
        return False
    return is_ours({"command": shlex.join(words[:-1])})


def our_handler(command: str, existing: object = None) -> dict[str, object]:
    """Our handler running ``command``; an existing one of ours keeps its other keys."""
    handler: dict[str, object] = {}
    if isinstance(existing, dict) and is_our_handler(existing):
        handler.update(existing)
    handler["type"] = "command"
    handler["command"] = command
    handler.setdefault("timeout", TIMEOUT_S)
    return handler


def _hooks_of(document: dict[str, object]) -> dict[str, object]:
    hooks = document.get(KEY)
    if hooks is None:
        return {}
    if not isinstance(hooks, dict):
        raise StatuslineError(
            f"the settings' \"hooks\" member is a JSON {type(hooks).__name__}, not an object; "
            "Claude Code ignores it and statusline will not rewrite it",
            "fix it by hand, or install without the hooks: statusline install --no-hooks",
        )
    return hooks


def with_hooks(document: dict[str, object], command: str) -> dict[str, object]:
    """``document`` with our handler (running ``command``) in each of ``EVENTS``.

    A handler of ours already there is updated in place; otherwise one group holding just
    ours is appended to the event's list. Nothing else changes.
    """
    hooks = dict(_hooks_of(document))
    for event in EVENTS:
        groups = hooks.get(event, [])
        if not isinstance(groups, list):
            raise StatuslineError(
                f"the settings' hooks.{event} is not a list; statusline will not rewrite it",
                "fix it by hand, or install without the hooks: statusline install --no-hooks",
            )
        found = False
        updated: list[object] = []
        for group in groups:
            handlers = group.get("hooks") if isinstance(group, dict) else None
            if isinstance(group, dict) and isinstance(handlers, list) and any(
                is_our_handler(h) for h in handlers
            ):
                found = True
                updated.append({**group, "hooks": [
                    our_handler(command, h) if is_our_handler(h) else h for h in handlers
                ]})
            else:
                updated.append(group)
        if not found:
            updated.append({"hooks": [our_handler(command)]})
        hooks[event] = updated
    return {**document, KEY: hooks}


def without_hooks(document: dict[str, object]) -> dict[str, object]:
    """``document`` without any handler of ours (in any event); the same object when none.

    A group is dropped only when ours were all it held, an event only when its groups all
    went, and ``hooks`` only when it held nothing else.
    """
    hooks = document.get(KEY)
    if not isinstance(hooks, dict):
        return document
    changed = False
    kept_events: dict[str, object] = {}
    for event, groups in hooks.items():
        if not isinstance(groups, list):
            kept_events[event] = groups
            continue
        kept_groups: list[object] = []
        for group in groups:
            handlers = group.get("hooks") if isinstance(group, dict) else None
            if isinstance(group, dict) and isinstance(handlers, list):
                others = [h for h in handlers if not is_our_handler(h)]
                if len(others) != len(handlers):
                    changed = True
                    if others:
                        kept_groups.append({**group, "hooks": others})
                    continue
            kept_groups.append(group)
        if kept_groups or not groups:
            kept_events[event] = kept_groups
    if not changed:
        return document
    result = dict(document)
    if kept_events:
        result[KEY] = kept_events
    else:
        del result[KEY]
    return result


def our_commands(document: dict[str, object]) -> dict[str, list[str]]:
    """For each event, the commands of our handlers in it (for ``doctor``)."""
    hooks = document.get(KEY)
    found: dict[str, list[str]] = {}
    if not isinstance(hooks, dict):
        return found
    for event, groups in hooks.items():
        for group in groups if isinstance(groups, list) else []:
            handlers = group.get("hooks") if isinstance(group, dict) else None
            for handler in handlers if isinstance(handlers, list) else []:
                if is_our_handler(handler):
                    found.setdefault(event, []).append(str(handler["command"]))
    return found


def snippet(command: str) -> dict[str, object]:
    """The ``hooks`` member to paste by hand (when the file cannot be rewritten)."""
    return {event: [{"hooks": [our_handler(hook_command(command))]}] for event in EVENTS}


# ---------------------------------------------------------------------------------------
# On top of the statusLine plans


def add_to_plan(plan: Plan, settings: Settings, command: str) -> Plan:
    """``plan`` (an install of the statusLine) with our hook entries added as well."""
    base = plan.new_text if plan.changes else settings.text
    document = parse(base, settings.path) if base is not None else {}
    wanted = with_hooks(document, hook_command(command))
    if wanted == document:
        return plan
    return _extended(plan, edit(base, wanted, KEY),
                     f"added the hooks ({' and '.join(EVENTS)} run {hook_command(command)})")


def remove_from_plan(plan: Plan, settings: Settings) -> Plan:
    """``plan`` (an uninstall of the statusLine) taking our hook entries out as well.

    A plan that puts the file back exactly as it was before the install is left alone.
    """
    if plan.restore:
        return plan
    base = plan.new_text if plan.changes else settings.text
    if base is None:
        return plan
    document = parse(base, settings.path)
    wanted = without_hooks(document)
    if wanted is document:
        return plan
    return _extended(plan, edit(base, wanted, KEY), "removed statusline's hooks")


def _extended(plan: Plan, new_text: str, note: str) -> Plan:
    message = f"{plan.message}; {note}" if plan.changes else f"{note} in {plan.path}"
    extended = Plan(plan.path, plan.old_text, new_text, "write", message)
    extended.previous = plan.previous
    extended.chained = plan.chained
    extended.restore = plan.restore
    return extended
