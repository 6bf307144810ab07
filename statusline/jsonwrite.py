"""Encode JSON without importing the ``json`` package (and, through it, ``re``).

The writing half of ``jsonread``: ``json.dumps`` is the C encoder of the ``_json`` module
behind a pure-Python wrapper whose import compiles regular expressions, about as much CPU as
a whole bare interpreter's start (docs/performance.md), paid by every call that saves.
``dumps`` drives that same C encoder with the settings ``json.dumps`` passes it for compact
output, so its text is exactly ``json.dumps(value, separators=(",", ":"), ...)``'s, and it
raises where that raises. An interpreter without ``_json`` gets ``json.dumps`` itself.
"""

from __future__ import annotations

try:
    from _json import encode_basestring as _encode_unicode
    from _json import encode_basestring_ascii as _encode_ascii
    from _json import make_encoder as _make_encoder
except ImportError:  # an interpreter without CPython's C encoder: json.dumps does it all
    _make_encoder = None  # type: ignore[assignment,misc]


def _refuse(value: object) -> object:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(value: object, allow_nan: bool = True, ensure_ascii: bool = True) -> str:
    """``json.dumps(value, separators=(",", ":"), allow_nan=..., ensure_ascii=...)``.

    ``allow_nan=False`` raises ``ValueError`` on NaN and infinities (a strict reader would
    reject the document); anything not JSON raises ``TypeError``; a circular structure
    raises ``ValueError``, all as ``json.dumps`` does.
    """
    if _make_encoder is None:
        import json

        return json.dumps(value, separators=(",", ":"), allow_nan=allow_nan,
                          ensure_ascii=ensure_ascii)
    encoder = _make_encoder({}, _refuse, _encode_ascii if ensure_ascii else _encode_unicode,
                            None, ":", ",", False, False, allow_nan)
    return "".join(encoder(value, 0))
