"""Parse the JSON payload Claude Code writes on stdin into a ``Payload``.

Pure and tolerant: a missing, ``null`` or wrongly typed field becomes ``None`` and the rest
still parses; ``parse`` never raises. Only validated scalars are kept, never raw subtrees,
so nothing deeply nested or huge travels further (see docs/claude-code-contract.md).
"""

from __future__ import annotations

import math

from statusline.jsonread import loads

WINDOW_NAMES = ("five_hour", "seven_day")
MAX_STRING = 512
# A session id is one plain token: [A-Za-z0-9][A-Za-z0-9_.-]{0,127}. Checked with sets, not
# a regular expression, so the status-line call never imports ``re`` (~6 ms with ``enum``).
_ID_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_ID_REST = _ID_FIRST | frozenset("_.-")
_ID_MAX = 128
READING_DECIMALS = 6  # the server reports tenths or whole percent; below this is float noise


class RawReading:
    """One rate-limit window as the payload reported it: not yet judged against a clock."""

    __slots__ = ("resets_at", "used_pct")

    def __init__(self, used_pct: float, resets_at: float) -> None:
        self.used_pct = used_pct
        self.resets_at = resets_at

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, RawReading)
            and self.used_pct == other.used_pct
            and self.resets_at == other.resets_at
        )

    def __hash__(self) -> int:
        return hash((self.used_pct, self.resets_at))

    def __repr__(self) -> str:
        return f"RawReading({self.used_pct!r}, {self.resets_at!r})"


class Payload:
    """What one status-line call knows from Claude Code; every field may be ``None``."""

    __slots__ = (
        "agent_name",
        "context_pct",
        "cost_usd",
        "model",
        "project_dir",
        "rate_limits",
        "session_id",
        "session_name",
        "version",
    )

    def __init__(
        self,
        session_id: str | None = None,
        model: str | None = None,
        project_dir: str | None = None,
        session_name: str | None = None,
        agent_name: str | None = None,
        version: str | None = None,
        context_pct: float | None = None,
        cost_usd: float | None = None,
        rate_limits: dict[str, RawReading] | None = None,
    ) -> None:
        self.session_id = session_id
        self.model = model
        self.project_dir = project_dir
        self.session_name = session_name
        self.agent_name = agent_name
        self.version = version
        self.context_pct = context_pct
        self.cost_usd = cost_usd
        # None: the payload carried no rate_limits at all (API key, or before the first reply).
        self.rate_limits = rate_limits


def _reject_constant(name: str) -> float:
    raise ValueError(f"non-finite JSON constant {name}")


def decode(data: bytes) -> object:
    """Decode JSON bytes; return ``None`` for anything that is not valid, finite JSON."""
    try:
        # One leading BOM is dropped by hand: the "utf-8-sig" codec is one more import.
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        return loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None


def parse(data: bytes) -> Payload:
    """Parse stdin bytes into a ``Payload``; never raises, unknown input gives an empty one."""
    document = decode(data)
    if not isinstance(document, dict):
        return Payload()
    return from_mapping(document)


def preview_clock(payload: Payload) -> float | None:
    """A moment at which a captured payload's rate limits are still running.

    An hour before its earliest ``resets_at`` (or at it, for a window shorter than that is
    impossible): previews of the bundled examples then look the same on any day. None when
    the payload has no rate limits (the real clock is as good as any).
    """
    if not payload.rate_limits:
        return None
    return min(r.resets_at for r in payload.rate_limits.values()) - 3600.0


def from_mapping(doc: dict[str, object]) -> Payload:
    """Build a ``Payload`` from an already decoded JSON object, field by field."""
    model = _obj(doc.get("model"))
    workspace = _obj(doc.get("workspace"))
    context = _obj(doc.get("context_window"))
    cost = _obj(doc.get("cost"))
    agent = _obj(doc.get("agent"))
    return Payload(
        session_id=valid_session_id(doc.get("session_id")),
        model=_text(model.get("display_name")) or _text(model.get("id")),
        project_dir=_text(workspace.get("project_dir"))
        or _text(workspace.get("current_dir"))
        or _text(doc.get("cwd")),
        session_name=_text(doc.get("session_name")),
        agent_name=_text(agent.get("name")),
        version=_text(doc.get("version")),
        context_pct=_context_pct(context),
        cost_usd=_non_negative(cost.get("total_cost_usd")),
        rate_limits=_rate_limits(doc.get("rate_limits")),
    )


def number(value: object) -> float | None:
    """Return ``value`` as a finite float, or ``None`` (bools are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        result = float(value)
    except OverflowError:  # an int beyond float range
        return None
    return result if math.isfinite(result) else None


def _obj(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return value[:MAX_STRING]


def valid_session_id(value: object) -> str | None:
    """Return ``value`` if it is a safe session id (a plain token, no path parts), else None."""
    if (
        isinstance(value, str)
        and 0 < len(value) <= _ID_MAX
        and value[0] in _ID_FIRST
        and _ID_REST.issuperset(value)
        and ".." not in value
    ):
        return value
    return None


def _non_negative(value: object) -> float | None:
    result = number(value)
    return result if result is not None and result >= 0 else None


def _context_pct(context: dict[str, object]) -> float | None:
    used = number(context.get("used_percentage"))
    if used is not None and 0 <= used <= 100:
        return used
    # Older clients send only token counts; derive the same rounded figure from them.
    tokens = number(context.get("total_input_tokens"))
    size = number(context.get("context_window_size"))
    if used is None and tokens is not None and size and size > 0 and tokens > 0:
        # min() first: a tiny size makes the ratio infinite, and round(inf) raises.
        return float(round(min(tokens / size * 100, 100.0)))
    return None


def _rate_limits(value: object) -> dict[str, RawReading] | None:
    if not isinstance(value, dict):
        return None
    readings: dict[str, RawReading] = {}
    for name in WINDOW_NAMES:
        entry = _obj(value.get(name))
        used = number(entry.get("used_percentage"))
        resets_at = number(entry.get("resets_at"))
        if used is not None and resets_at is not None:
            # The API's float artefacts (54.50000000000001 for 54.5) are the same reading: an
            # idle session re-sending one must not look fresh, let alone lower the pool.
            readings[name] = RawReading(round(used, READING_DECIMALS), resets_at)
    return readings
