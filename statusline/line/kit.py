"""The segment kit: what every segment of the line is made of (pure).

A segment is ``fn(ctx) -> Segment | None`` (``None``: nothing to show) reading only the
``Context``: never the environment, files or the clock. Each says how it gives way on a
narrow line: its full text, then shorter forms, then nothing, each at a rank; ``render.fit``
takes the lowest ranks of all segments first. The ranks, the forms of a limit's figure and
the giving-way steps are written here once; the families of segments (``segments/``) use
them, and the registry (``segments/__init__``) puts the families together.
"""

from __future__ import annotations

from statusline.config import Config
from statusline.forecast import Projection, WindowForecast
from statusline.history import State
from statusline.line.formatting import format_clock, format_duration, round_eta
from statusline.payload import SPEND_LIMIT, Payload

TYPE_CHECKING = False
if TYPE_CHECKING:  # the status-line call does not import typing
    from collections.abc import Callable

WINDOW_LABELS = {"five_hour": "5h", "seven_day": "7d"}
SYMBOLS = {
    "unicode": {"arrow": "→", "ok": "✓", "sep": " · ", "approx": "~"},
    "ascii": {"arrow": "->", "ok": "ok", "sep": " | ", "approx": "~"},
}


class Context:
    """Everything a segment may look at, for one call."""

    __slots__ = ("config", "now", "offset_at", "payload", "projection", "session_key", "state",
                 "utc_offset")

    def __init__(
        self,
        payload: Payload,
        state: State,
        projection: Projection,
        now: float,
        config: Config,
        utc_offset: float = 0.0,
        session_key: str | None = None,
        offset_at: Callable[[float], float] | None = None,
    ) -> None:
        self.payload = payload
        self.state = state
        self.projection = projection
        self.now = now
        self.config = config
        # Seconds east of UTC, for wall-clock times such as "limit 14:05".
        self.utc_offset = utc_offset
        # This session's key in the store (history.session_key): its id, or <id>.<pid> when
        # another live process shares the id.
        self.session_key = session_key or payload.session_id
        # The zone's offset at any moment (the shell's time.localtime): a time shown for the
        # future uses the offset it will have then, not now's. None: utc_offset throughout.
        self.offset_at = offset_at

    def clock(self, epoch: float) -> str:
        """``epoch`` as a wall-clock time in the zone's offset at that moment."""
        at = self.utc_offset if self.offset_at is None else self.offset_at(epoch)
        return format_clock(epoch, at, self.now, self.utc_offset)

    @property
    def symbols(self) -> dict[str, str]:
        """The symbol set the config asks for."""
        return SYMBOLS.get(self.config.symbols, SYMBOLS["unicode"])


# How segments give way when the line is too narrow (``render.fit``): each step has a rank
# and the lowest ranks of all segments go first. Least useful first: the pace; the detail of
# freshness, sessions and the other window; the model name (before any pooled figure); the
# key window's detail (rate, clock time); freshness and sessions; the other window; the
# pause hint's mark; the key window's countdown; the pause hint (advice outlives the figures
# beside it, never the key window's bare figure it acts on); the context; the key window
# (the binding one, else 5h) last of all.
RANK_PACE = 10
RANK_FRESHNESS_SHORT = 20
RANK_SESSIONS_SHORT = 25
RANK_OTHER_SHORT = 30
RANK_MODEL = 40
RANK_KEY_SHORT = 45
RANK_FRESHNESS = 60
RANK_SESSIONS = 65
RANK_OTHER_TINY = 68
RANK_OTHER = 72
RANK_PAUSE_SHORT = 80
RANK_KEY_TINY = 85
RANK_PAUSE = 90
RANK_CONTEXT = 95
RANK_KEY = 100
RANK_DEFAULT = 50  # a segment that says nothing about itself


class Segment:
    """A piece of text with a semantic style (``normal``, ``dim``, ``ok``, ``warn``, ``alert``).

    ``steps`` say how it gives way on a narrow line: ``(rank, text)`` pairs in order, a
    shorter text or ``None`` (dropped); ``render.fit`` takes the lowest ranks first.
    """

    __slots__ = ("steps", "style", "text")

    def __init__(self, text: str, style: str = "normal",
                 steps: tuple[tuple[int, str | None], ...] = ((RANK_DEFAULT, None),)) -> None:
        self.text = text
        self.style = style
        self.steps = steps

    def __repr__(self) -> str:
        return f"Segment({self.text!r}, {self.style!r})"


def giving_way(full: str, *forms: tuple[int, str | None]) -> tuple[tuple[int, str | None], ...]:
    """The steps of ``forms``, leaving out any that would not change the text."""
    steps: list[tuple[int, str | None]] = []
    current: str | None = full
    for rank, text in forms:
        if text != current:
            steps.append((rank, text))
            current = text
    return tuple(steps)


class SegmentResult:
    """One segment's outcome: its output (or None), the error it raised, and its time."""

    __slots__ = ("elapsed_ms", "error", "name", "segment")

    def __init__(self, name: str, segment: Segment | None, error: str | None, elapsed_ms: float):
        self.name = name
        self.segment = segment
        self.error = error
        self.elapsed_ms = elapsed_ms


def usage_style(pct: float, config: Config) -> str:
    """The style for a usage figure under the configured thresholds."""
    if pct >= config.alert_pct:
        return "alert"
    if pct >= config.warn_pct:
        return "warn"
    return "normal"


def key_window(projection: Projection) -> str | None:
    """The window whose figure the line keeps longest: the binding one, else 5h, else 7d,
    else the spend limit."""
    if projection.binding_window in projection.windows:
        return projection.binding_window
    for name in ("five_hour", "seven_day", SPEND_LIMIT):
        if name in projection.windows:
            return name
    return None


def limit_steps(ctx: Context, name: str, full: str, short: str,
                tiny: str) -> tuple[tuple[int, str | None], ...]:
    """How a limit's figure gives way: full, ``short``, ``tiny``, nothing; at the key
    window's ranks (last to go) when ``name`` is the key window, else at the others'."""
    if key_window(ctx.projection) == name:
        return giving_way(full, (RANK_KEY_SHORT, short), (RANK_KEY_TINY, tiny), (RANK_KEY, None))
    return giving_way(full, (RANK_OTHER_SHORT, short), (RANK_OTHER_TINY, tiny),
                      (RANK_OTHER, None))


def eta_forms(ctx: Context, w: WindowForecast, figure: str, rate: str = "",
              countdown: bool = False) -> tuple[str, str, float]:
    """The texts of a figure whose limit comes before its reset, and the seconds left.

    Full: ``7d 88% +1.8%/h → limit Thu 14:05`` (with ``countdown``: `` (5h45)`` after
    it); short: ``7d 88% → 5h45``. ``~`` marks a forecast from thin data. The time left is
    rounded (``round_eta``) so it claims no more precision than the data has.
    """
    sym = ctx.symbols
    assert w.eta_limit_at is not None
    left = round_eta(w.eta_limit_at - ctx.now)
    approx = sym["approx"] if w.thin else ""
    duration = f"{approx}{format_duration(left)}"
    full = f"{figure}{rate} {sym['arrow']} limit {approx}{ctx.clock(ctx.now + left)}"
    if countdown:
        full += f" ({duration})"
    return full, f"{figure} {sym['arrow']} {duration}", left
