"""The store document's fields by type: which this version reads, and the figures it takes.

``number`` is the codec's reading of every figure (finite, within ``MAX_FIGURE``); ``audit``
names the fields of a document whose type is not the one this version reads, for doctor
("field X of unexpected type ignored"). Pure; imports nothing the call does not load.
"""

from __future__ import annotations

from statusline.figures import number as _finite
from statusline.history.model import MAX_SHELVED
from statusline.payload import MAX_AMOUNT_USD
from statusline.sanitize import clean

# No amount or reset in a store is beyond this (ten billion dollars, an epoch in year 2286):
# a value past it is left out as if of the wrong type, so no huge figure reaches the line.
# (A session's stamps may be anything finite: one from a clock far ahead is judged by the
# merge, not dropped.)
MAX_FIGURE = MAX_AMOUNT_USD


def number(value: object) -> float | None:
    """A finite number, else None."""
    return _finite(value)


def amount(value: object) -> float | None:
    """A finite number within +-``MAX_FIGURE``, else None."""
    result = _finite(value)
    return result if result is not None and -MAX_FIGURE <= result <= MAX_FIGURE else None


_NUM, _STR, _LIST, _DICT, _BOOL, _INT = "number", "text", "list", "object", "bool", "int"
_TOP = {"sessions": (_DICT,), "windows": (_DICT,), "archive": (_DICT,), "notices": (_DICT,),
        "shelved": (_DICT,), "rejected": (_LIST, None), "extra_usage": (_DICT, None),
        "usage_fetched_at": (_NUM, None), "account": (_STR, None),
        "account_label": (_STR, None), "rhythm": (_DICT, None)}
_SESSION = {"first_seen": (_NUM,), "last_seen": (_NUM,), "model": (_STR, None),
            "project_dir": (_STR, None), "session_name": (_STR, None),
            "agent_name": (_STR, None), "host": (_STR, None), "context_pct": (_NUM, None),
            "costs": (_LIST,), "reading": (_LIST, None), "reading_changed_at": (_NUM,),
            "pid": (_INT, None), "idle_gaps": (_LIST,)}
_WINDOW = {"resets_at": (_NUM,), "used_pct": (_NUM,), "observed_at": (_NUM,),
           "observed_by": (_STR,), "confirmed_at": (_NUM,), "rebased_at": (_NUM, None),
           "full_at": (_NUM, None), "pending": (_LIST, None), "warned": (_BOOL,),
           "replayed": (_BOOL,), "samples": (_LIST,), "source": (_STR,),
           "used_usd": (_NUM, None), "limit_usd": (_NUM, None), "period": (_STR, None),
           "label": (_STR, None)}


def _fits(value: object, kinds: tuple[str | None, ...]) -> bool:
    for kind in kinds:
        if kind is None and value is None:
            return True
        if kind == _NUM and number(value) is not None:
            return True
        if kind == _INT and type(value) is int:
            return True
        if kind == _BOOL and isinstance(value, bool):
            return True
        if kind == _STR and isinstance(value, str):
            return True
        if kind == _LIST and isinstance(value, list):
            return True
        if kind == _DICT and isinstance(value, dict):
            return True
    return False


# Each schema with, per field, the types a decoded document's value may have as it is
# (``type(value)`` exactly) and whether a number is one: the audit runs on every store read,
# over every session, and most fields pass this test without a call.
_Compiled = list[tuple[str, frozenset[type], bool, tuple[str | None, ...]]]
_EXACT = {None: type(None), _STR: str, _LIST: list, _DICT: dict, _BOOL: bool, _INT: int}


def _compile(schema: dict[str, tuple[str | None, ...]]) -> _Compiled:
    return [(key, frozenset(_EXACT[k] for k in kinds if k in _EXACT), _NUM in kinds, kinds)
            for key, kinds in schema.items()]


_SESSION_FIELDS, _WINDOW_FIELDS = _compile(_SESSION), _compile(_WINDOW)


def fits(value: object, exact: frozenset[type], numeric: bool,
         kinds: tuple[str | None, ...]) -> bool:
    """``_fits(value, kinds)``, answered at once for the plain values a JSON document holds
    (an exact type of ``exact``; a finite float or an int within range where ``numeric``)."""
    if type(value) in exact:
        return True
    if numeric:
        if type(value) is float:
            if value - value == 0.0:  # finite: inf - inf and nan - nan are nan
                return True
        elif type(value) is int and -1e308 < value < 1e308:
            return True
    return _fits(value, kinds)


def _audit_fields(raw: object, schema: _Compiled, where: str, found: list[str]) -> None:
    if not isinstance(raw, dict):
        found.append(where)
        return
    for key, exact, numeric, kinds in schema:
        if key in raw and not fits(raw[key], exact, numeric, kinds):
            found.append(f"{where}.{key}")


def audit(document: dict[str, object]) -> list[str]:
    """The fields of a store document whose type is not the one this version reads.

    Names are dotted paths (``sessions.<id>.costs``), cleaned for printing; only the
    fields this version knows are judged (a newer version's additions are not errors).
    """
    found: list[str] = []
    for key, kinds in _TOP.items():
        if key in document and not _fits(document[key], kinds):
            found.append(key)
    sessions = document.get("sessions")
    if isinstance(sessions, dict):
        for sid, raw in list(sessions.items())[:256]:
            _audit_fields(raw, _SESSION_FIELDS, f"sessions.{clean(str(sid), 40)}", found)
    for group in ("windows", "shelved"):
        windows = document.get(group)
        if not isinstance(windows, dict):
            continue
        for name, raw in list(windows.items())[:32]:
            where = f"{group}.{clean(str(name), 40)}"
            if group == "shelved":
                if not isinstance(raw, list):
                    found.append(where)
                    continue
                for index, item in enumerate(raw[:MAX_SHELVED]):
                    _audit_fields(item, _WINDOW_FIELDS, f"{where}.{index}", found)
            elif raw is not None:
                _audit_fields(raw, _WINDOW_FIELDS, where, found)
    return found
