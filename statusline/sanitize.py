"""Make untrusted text safe to print on a terminal.

Every string that reaches the status line comes from the payload or the store, and a
directory or model name can legally hold ESC, BEL, OSC 52 (clipboard write) or bidi
overrides. ``clean`` removes all of that; only the renderer adds escape codes afterwards.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re

# ESC-introduced sequences first (CSI, OSC, DCS/SOS/PM/APC, two-byte escapes), so their
# parameters go too, not just the ESC byte; then 8-bit C1 forms; then any single control.
_ESCAPE_SEQUENCES_PATTERN = (
    r"""
      \x1b\[[0-?]*[ -/]*[@-~]?                  # CSI ... final byte
    | \x1b[\]PX^_].*?(?:\x07|\x1b\\|\x9c|$)     # OSC / DCS / SOS / PM / APC ... terminator
    | \x9b[0-?]*[ -/]*[@-~]?                    # 8-bit CSI
    | [\x9d\x90\x98\x9e\x9f].*?(?:\x07|\x1b\\|\x9c|$)  # 8-bit OSC / DCS / SOS / PM / APC
    | \x1b[ -/]*[0-~]?                          # other ESC sequences (and a lone ESC)
    """
)
# C0 controls, DEL, C1 controls, bidi marks (incl. the Arabic letter mark), embeddings,
# overrides and isolates, line/paragraph separators, and zero-width characters that can
# hide text.
_UNSAFE_CHARS_PATTERN = (
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)


def clean(text: str, max_len: int = 80) -> str:
    """Return ``text`` without escape sequences or control characters, at most ``max_len`` long.

    The result never contains C0/C1 controls, DEL, ESC sequences or bidi controls, so it
    cannot move the cursor, change the title, write the clipboard or reorder the line.
    Longer text is cut and ends with an ellipsis.
    """
    if text.isascii() and text.isprintable():
        safe = text
    else:
        escape_sequences, unsafe_chars = _patterns()
        safe = unsafe_chars.sub("", escape_sequences.sub("", text))
        # Surrogates from invalid UTF-8 cannot be encoded on output; replace them.
        safe = safe.encode("utf-8", "replace").decode("utf-8")
    if len(safe) > max_len:
        safe = safe[: max(max_len - 1, 0)] + "…"
    return safe


_compiled: list[re.Pattern[str]] = []


def _patterns() -> list[re.Pattern[str]]:
    """The two patterns, compiled on first use: plain ASCII text (nearly every call) never
    needs them, and importing ``re`` costs a status-line call ~6 ms (it pulls in ``enum``)."""
    if not _compiled:
        import re

        _compiled.append(re.compile(_ESCAPE_SEQUENCES_PATTERN, re.VERBOSE | re.DOTALL))
        _compiled.append(re.compile(_UNSAFE_CHARS_PATTERN))
    return _compiled
