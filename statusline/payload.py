"""Parse the JSON payload Claude Code writes on stdin into a ``Payload``.

Pure and tolerant: a missing, ``null`` or wrongly typed field becomes ``None`` and the rest
still parses; ``parse`` never raises. Only validated scalars are kept, never raw subtrees,
so nothing deeply nested or huge travels further (see docs/claude-code-contract.md).
"""

from __future__ import annotations

from statusline.figures import epoch_seconds, loose_number, number
from statusline.jsonread import loads

WINDOW_NAMES = ("five_hour", "seven_day")
# The gateway's spend limit (money over a period; its percentage may exceed 100).
SPEND_LIMIT = "spend_limit"
STDIN_WINDOWS = (*WINDOW_NAMES, SPEND_LIMIT)
# resets_at beyond this is in milliseconds (in seconds it would be past the year 5000).
PERIODS = ("daily", "weekly", "monthly")
MAX_STRING = 512
# No amount of money is beyond this (ten billion dollars): a figure past it is no figure, so
# nothing huge is ever drawn. The store's codec reads its amounts to the same bound.
MAX_AMOUNT_USD = 1e10
# A session id is one plain token: [A-Za-z0-9][A-Za-z0-9_.-]{0,127}. Checked with sets, not
# a regular expression, so the status-line call never imports ``re`` (~6 ms with ``enum``).
_ID_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_ID_REST = _ID_FIRST | frozenset("_.-")
_ID_MAX = 128
READING_DECIMALS = 6  # the server reports tenths or whole percent; below this is float noise


class RawReading:
    """One rate-limit window as the payload reported it: not yet judged against a clock."""

    __slots__ = ("limit_usd", "period", "resets_at", "used_pct", "used_usd")

    def __init__(self, used_pct: float, resets_at: float, used_usd: float | None = None,
                 limit_usd: float | None = None, period: str | None = None) -> None:
        self.used_pct = used_pct
        self.resets_at = resets_at
        # spend_limit only, and not on the first run after the first reply.
        self.used_usd = used_usd
        self.limit_usd = limit_usd
        self.period = period

    def key(self) -> tuple[object, ...]:
        """Everything the reading says, for comparing two readings."""
        return (self.used_pct, self.resets_at, self.used_usd, self.limit_usd, self.period)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RawReading) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())

    def __repr__(self) -> str:
        money = "" if self.used_usd is None and self.limit_usd is None and self.period is None \
            else f", {self.used_usd!r}, {self.limit_usd!r}, {self.period!r}"
        return f"RawReading({self.used_pct!r}, {self.resets_at!r}{money})"


class Payload:
    """What one status-line call knows from Claude Code; every field may be ``None``."""

    __slots__ = (
        "account",
        "account_label",
        "agent_name",
        "context_pct",
        "cost_usd",
        "model",
        "pid",
        "project_dir",
        "rate_limits",
        "rejected",
        "session_id",
        "session_name",
        "terminal_width",
        "usage_cache",
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
        terminal_width: int | None = None,
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
        # Why a window in rate_limits was left out ("five_hour: resets_at 'soon' ..."), if so.
        self.rejected: list[str] = []
        # Not from stdin: the account the client's config names (None when it names none),
        # its short form for people, and the client's usage cache (``usage_cache``), set by
        # the I/O shell before the call is recorded.
        self.account: str | None = None
        self.account_label: str | None = None
        self.usage_cache: object = None
        # Only from a host that embeds our line in its own (ccstatusline's Custom Command
        # widget adds it); Claude Code itself gives the width in COLUMNS.
        self.terminal_width = terminal_width
        # The Claude Code process behind the call (its CLAUDE_PID): not in the JSON, set by
        # the shell, so two processes sharing one session id are told apart.
        self.pid: int | None = None


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
    rejected: list[str] = []
    payload = Payload(
        session_id=valid_session_id(doc.get("session_id")),
        model=_text(model.get("display_name")) or _text(model.get("id")),
        project_dir=_text(workspace.get("project_dir"))
        or _text(workspace.get("current_dir"))
        or _text(doc.get("cwd")),
        session_name=_text(doc.get("session_name")),
        agent_name=_text(agent.get("name")),
        version=_text(doc.get("version")),
        context_pct=_context_pct(context),
        cost_usd=_amount(cost.get("total_cost_usd")),
        rate_limits=_rate_limits(doc.get("rate_limits"), rejected),
        terminal_width=_terminal_width(doc.get("terminal_width")),
    )
    payload.rejected = rejected
    return payload


def _terminal_width(value: object) -> int | None:
    width = number(value)
    return int(width) if width is not None and 1 <= width <= 10000 else None


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


def _amount(value: object) -> float | None:
    """Dollars: a finite figure from 0 to ``MAX_AMOUNT_USD``, else None."""
    result = _non_negative(value)
    return result if result is not None and result <= MAX_AMOUNT_USD else None


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


def _rate_limits(value: object, rejected: list[str]) -> dict[str, RawReading] | None:
    if not isinstance(value, dict):
        return None
    readings: dict[str, RawReading] = {}
    for name in STDIN_WINDOWS:
        raw = value.get(name)
        if raw is None:
            continue
        entry = _obj(raw)
        used = loose_number(entry.get("used_percentage"))
        resets_at = epoch_seconds(entry.get("resets_at"))
        if used is None or resets_at is None:
            what = "used_percentage" if used is None else "resets_at"
            rejected.append(f"{name}: {what} {_shown(entry.get(what))} is not understood")
            continue
        # The API's float artefacts (54.50000000000001 for 54.5) are the same reading: an
        # idle session re-sending one must not look fresh, let alone lower the pool.
        reading = RawReading(round(used, READING_DECIMALS), resets_at)
        if name == SPEND_LIMIT:
            reading.used_usd = _amount(loose_number(entry.get("used_usd")))
            reading.limit_usd = _amount(loose_number(entry.get("limit_usd")))
            if reading.limit_usd == 0:
                reading.limit_usd = None  # a limit of $0 is no limit to divide by
            period = entry.get("period")
            reading.period = period if period in PERIODS else None
        readings[name] = reading
    return readings


def _shown(value: object) -> str:
    """A short, printable form of a rejected value for the log and doctor."""
    text = repr(value)
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= 40 else text[:39] + "…"
