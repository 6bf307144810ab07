"""Turn segments into the one line Claude Code shows (pure).

Width is counted in terminal cells. A line that is too wide is fitted by importance, not
position: each segment says how it gives way (a shorter form, a shortest one, then nothing)
and at which rank, and the fitter takes the lowest-ranked steps of all segments first until
the line fits; a lone segment that is still too wide is cut with an ellipsis. Colour is SGR
only, added here and nowhere else.
"""

from __future__ import annotations

from statusline.line.kit import Segment

RESET = "\x1b[0m"
THEMES: dict[str, dict[str, str]] = {
    "default": {
        "normal": "",
        "model": "\x1b[36m",
        "dim": "\x1b[2m",
        "ok": "\x1b[32m",
        "warn": "\x1b[33m",
        "alert": "\x1b[1;31m",
    },
    "vivid": {
        "normal": "\x1b[97m",
        "model": "\x1b[1;96m",
        "dim": "\x1b[37m",
        "ok": "\x1b[1;92m",
        "warn": "\x1b[1;93m",
        "alert": "\x1b[1;97;41m",
    },
    "mono": {
        "normal": "",
        "model": "\x1b[1m",
        "dim": "\x1b[2m",
        "ok": "",
        "warn": "\x1b[1m",
        "alert": "\x1b[1;7m",
    },
}


# The line's own symbols (segments.SYMBOLS, the ellipsis) are one cell each, so a line made
# of them and ASCII is measured without importing unicodedata (~0.15 ms of every call).
_ONE_CELL = frozenset("·→✓…×–")


def cell_width(text: str) -> int:
    """Terminal cells ``text`` takes: wide East Asian characters count two."""
    if text.isascii() or all(ch.isascii() or ch in _ONE_CELL for ch in text):
        return len(text)
    import unicodedata  # only for other non-ASCII text

    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def truncate(text: str, width: int) -> str:
    """Cut ``text`` to at most ``width`` cells, ending with an ellipsis when cut."""
    if cell_width(text) <= width:
        return text
    if width <= 0:
        return ""
    out, used = [], 0
    for ch in text:
        w = cell_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def fit(segments: list[Segment], width: int, separator: str) -> list[str | None]:
    """The text each segment shows in ``width`` cells (None: dropped), in the input order.

    When the full line is too wide, the line is rebuilt from the most important piece down:
    from every segment at its last step (dropped), the steps are undone from the highest rank
    to the lowest (a segment's own steps last to first), each kept when the line still fits.
    So a piece is only missing when everything more important is there and it does not fit
    beside it. The most important piece is always shown, cut with an ellipsis if need be.
    """
    texts: list[str | None] = [s.text for s in segments]
    if _joined_width(texts, separator) <= width:
        return texts
    forms = [[s.text, *(text for _, text in s.steps)] for s in segments]
    level = [len(f) - 1 for f in forms]
    undo = []
    for index, segment in enumerate(segments):
        floor = 0
        for order, (rank, _) in enumerate(segment.steps, start=1):
            floor = max(floor, rank)  # a segment's later step never comes before its earlier
            undo.append((floor, -index, order, index))
    undo.sort(reverse=True)  # highest rank first; on a tie the leftmost, its last step first
    texts = [f[-1] for f in forms]
    for _, _, order, index in undo:
        if level[index] != order:
            continue  # a later step of this segment could not be undone: this one neither
        before = texts[index]
        texts[index] = forms[index][order - 1]
        first = not before and not any(t for i, t in enumerate(texts) if i != index)
        if not first and _joined_width(texts, separator) > width:
            texts[index] = before
        else:
            level[index] = order - 1
    # Segments that cannot give way (no steps) and still do not fit: drop from the right.
    while sum(1 for t in texts if t) > 1 and _joined_width(texts, separator) > width:
        texts[max(i for i, t in enumerate(texts) if t)] = None
    return [truncate(t, width) if t else None for t in texts]


def _joined_width(texts: list[str | None], separator: str) -> int:
    return cell_width(separator.join(t for t in texts if t))


def line(segments: list[Segment], width: int, separator: str, color: bool, theme: str) -> str:
    """Join ``segments`` into one line of at most ``width`` cells (colour codes excluded)."""
    shown = [(text, s.style) for text, s in zip(fit(segments, max(width, 1), separator),
                                                 segments, strict=True) if text]
    if not color:
        return separator.join(text for text, _ in shown)
    palette = THEMES.get(theme, THEMES["default"])
    dim = palette["dim"]
    parts = []
    for text, style in shown:
        code = palette.get(style, "")
        parts.append(f"{code}{text}{RESET}" if code else text)
    joint = f"{dim}{separator}{RESET}" if dim else separator
    return joint.join(parts)
