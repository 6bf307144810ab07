"""Text surgery on settings.json: change only the ``statusLine`` member, keep every other byte.

Pure: text in, text out. The edit is checked by parsing the result; when a surgical edit
cannot give exactly the wanted document, the whole document is written in the file's style.
"""

from __future__ import annotations

import json
import re

KEY = "statusLine"
BOM = "\ufeff"
STRING = r'"(?:[^"\\]|\\.)*"'


def edit(text: str | None, document: dict[str, object], key: str = KEY) -> str:
    """The text of ``document``, made by editing only the ``key`` member of ``text``
    (the statusLine by default; ``hooks`` for the hook entries).

    Every other byte of the file (formatting, key order, indentation) stays as it was; the
    result is checked by parsing it, and when a surgical edit cannot produce exactly
    ``document`` the whole document is written out in the file's style instead. A file whose
    every line ends in CRLF (Windows editors) keeps CRLF.
    """
    if text is not None and is_crlf(text):
        return edit(text.replace("\r\n", "\n"), document).replace("\n", "\r\n")
    if text is not None:
        try:
            edited = _splice(text, document, key)
        except (ValueError, IndexError):
            edited = None
        if edited is not None and _pairs(edited) == _pairs_of(document):
            return edited
    return dump(document, text)


def is_crlf(text: str) -> bool:
    """True when ``text`` has line breaks and every one of them is CRLF."""
    return "\r\n" in text and text.count("\n") == text.count("\r\n")


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
    match = re.compile(STRING).match(text, at)
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


def _splice(text: str, document: dict[str, object], key: str) -> str | None:
    """Edit the ``key`` member of ``text`` so that it holds ``document``'s."""
    open_at, close_at, members = _members(text)
    found = [m for m in members if m.key == key]
    if key in document:
        value = document[key]
        if found:
            member = found[0]
            base = _line_indent(text, member.start)
            rendered = _render_member_value(value, text, base)
            return text[: member.value_start] + rendered + text[member.value_end :]
        if not members:
            if "\n" in text.strip():
                return None  # an empty object spread over lines: let dump() lay it out
            rendered = _render_member_value(value, '{\n  "a": 1\n}', "  ")
            member_text = f'\n  {json.dumps(key)}: {rendered}\n'
            return text[: open_at + 1] + member_text + text[close_at:]
        last = members[-1]
        base = _line_indent(text, last.start)
        rendered = _render_member_value(value, text, base)
        if base or "\n" in text[open_at:last.start]:
            addition = f',\n{base}{json.dumps(key)}: {rendered}'
        else:
            addition = f', {json.dumps(key)}: {rendered}'
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
    if like is not None and is_crlf(like):
        return dump(document, like.replace("\r\n", "\n")).replace("\n", "\r\n")
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

