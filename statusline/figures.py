"""How a figure from outside is read: a finite number, a numeric string a later client may
send, a reset time in seconds, milliseconds or ISO 8601 (pure; ``datetime`` only for an ISO
string in a zone other than UTC).

The payload, the client's usage cache and the store all read their figures through these,
so a drifted format is accepted (or rejected) the same way everywhere.
"""

from __future__ import annotations

import math

# A reset time beyond this is in milliseconds (1e11 s is the year 5138).
MS_EPOCH_ABOVE = 1e11


def number(value: object) -> float | None:
    """Return ``value`` as a finite float, or ``None`` (bools are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        result = float(value)
    except OverflowError:  # an int beyond float range
        return None
    return result if math.isfinite(result) else None


def loose_number(value: object) -> float | None:
    """A finite number, also from a numeric string (``"62"``, ``" 54.5 "``): a later client
    may quote it. Anything else (``"62%"``, ``"NaN"``, ``true``) is None."""
    if isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 32 or not _NUMERIC.issuperset(text):
            return None
        try:
            return number(float(text))
        except ValueError:
            return None
    return number(value)


_NUMERIC = frozenset("0123456789.-+eE")


def epoch_seconds(value: object) -> float | None:
    """A reset time as epoch seconds: seconds, milliseconds (beyond ``MS_EPOCH_ABOVE``), a
    numeric string of either, or an ISO 8601 string with a time zone. None otherwise."""
    result = loose_number(value)
    if result is None and isinstance(value, str):
        result = _iso8601(value)
    if result is not None and result > MS_EPOCH_ABOVE:
        result /= 1000.0
    return result if result is not None and result > 0 else None


def _iso8601(text: str) -> float | None:
    text = text.strip()
    if not 10 <= len(text) <= 40:
        return None
    quick = _iso_utc(text)
    if quick is not None:
        return quick
    import datetime  # only a payload that sends an ISO string pays for it

    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None  # local time of which zone? Not unambiguous: rejected
    return moment.timestamp()


def _iso_utc(text: str) -> float | None:
    """``YYYY-MM-DDTHH:MM:SS[.ffffff]`` with ``Z`` or ``+00:00``, the form the client writes,
    without importing ``datetime``; None for any other form."""
    if text.endswith(("Z", "z")):
        body = text[:-1]
    elif text.endswith("+00:00"):
        body = text[:-6]
    else:
        return None
    if len(body) < 19 or body[4] != "-" or body[7] != "-" or body[10] not in "Tt " \
            or body[13] != ":" or body[16] != ":":
        return None
    fraction = body[19:]
    digits = body[0:4] + body[5:7] + body[8:10] + body[11:13] + body[14:16] + body[17:19]
    if not digits.isdigit() or not digits.isascii():
        return None
    if fraction and (fraction[0] != "." or not fraction[1:].isdigit() or not fraction.isascii()):
        return None
    year, month, day = int(body[0:4]), int(body[5:7]), int(body[8:10])
    hour, minute, second = int(body[11:13]), int(body[14:16]), int(body[17:19])
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 61):
        return None
    # Days from the civil date (Howard Hinnant's algorithm), proleptic Gregorian.
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days = era * 146097 + doe - 719468
    seconds = days * 86400 + hour * 3600 + minute * 60 + second
    return seconds + (float("0" + fraction) if fraction else 0.0)
