"""Decode JSON text without importing the ``json`` package (and, through it, ``re``).

``json.loads`` is the C scanner of the ``_json`` module behind a pure-Python wrapper whose
import compiles regular expressions and so pulls in ``re``, ``enum`` and ``functools``: about
7 ms, as much as the rest of a status-line call above the bare interpreter (see
docs/performance.md). ``loads`` drives that same C scanner with ``json.JSONDecoder``'s default
settings, so a document it accepts decodes to exactly what ``json.loads`` returns. Anything
it does not accept (bad JSON, or an interpreter without ``_json``) is handed to
``json.loads`` itself, which returns or raises exactly as usual; only bad input pays for
the import.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

# JSON's insignificant whitespace (RFC 8259), the same set ``json.decoder`` skips.
_WHITESPACE = " \t\n\r"

try:
    from _json import make_scanner as _make_scanner
except ImportError:  # an interpreter without CPython's C scanner: json.loads does it all
    _make_scanner = None  # type: ignore[assignment,misc]


def _default_constant(name: str) -> float:
    return {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}[name]


class _DecoderSettings:
    """The attributes the C scanner reads from its decoder: ``json.JSONDecoder``'s defaults."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int

    def __init__(self, parse_constant: Callable[[str], object]) -> None:
        self.parse_constant = parse_constant


_scanners: dict[object, Callable[[str, int], tuple[object, int]]] = {}


def loads(text: str, parse_constant: Callable[[str], object] | None = None) -> object:
    """Return ``json.loads(text, parse_constant=parse_constant)``, importing ``json`` only
    when ``text`` is not a valid JSON document."""
    if _make_scanner is not None:
        scanner = _scanners.get(parse_constant)
        if scanner is None:
            settings = _DecoderSettings(parse_constant or _default_constant)
            scanner = _scanners[parse_constant] = _make_scanner(settings)  # type: ignore[arg-type]
        start = len(text) - len(text.lstrip(_WHITESPACE))
        try:
            value, end = scanner(text, start)
        except Exception:  # noqa: BLE001 - json.loads below raises the proper error
            pass
        else:
            if not text[end:].strip(_WHITESPACE):
                return value
    import json  # bad input (or no C scanner): let the standard library decide and explain

    return json.loads(text, parse_constant=parse_constant)


def scan_value(text: str) -> tuple[object, int] | None:
    """The first JSON value in ``text`` and the index just past it, or None.

    For cutting one value out of a larger document without decoding the rest; text after
    the value is not looked at. Never imports ``json``: None also when there is no C scanner.
    """
    if _make_scanner is None:
        return None
    scanner = _scanners.get(None)
    if scanner is None:
        settings = _DecoderSettings(_default_constant)
        scanner = _scanners[None] = _make_scanner(settings)  # type: ignore[arg-type]
    start = len(text) - len(text.lstrip(_WHITESPACE))
    try:
        value, end = scanner(text, start)
    except Exception:  # noqa: BLE001 - StopIteration or ValueError: not a whole value here
        return None
    return value, end
