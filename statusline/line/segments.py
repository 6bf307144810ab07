"""The pieces of the line: one pure function per segment, and the registry.

A segment is ``fn(ctx) -> Segment | None``: ``None`` means there is nothing to show. Its
docstring's first line describes it (``statusline explain`` prints it). Segments read only
the ``Context``: never the environment, files or the clock.
"""

from __future__ import annotations

import time

from statusline.config import Config
from statusline.forecast import Projection, WindowForecast
from statusline.history import WINDOW_SECONDS, State
from statusline.line import names
from statusline.line.formatting import (  # format_* are imported from here elsewhere too
    MIN_SHOWN_RATE,
    format_age,
    format_clock,
    format_duration,
    format_pct,
    format_rate,
    round_eta,
)
from statusline.payload import SPEND_LIMIT, Payload
from statusline.sanitize import clean

TYPE_CHECKING = False
if TYPE_CHECKING:  # the hot path does not import typing
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
# key window's detail (rate, clock time); freshness and sessions; the other window; the key
# window's bare figure; the context; the key window (the binding one, else 5h) last of all.
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
RANK_KEY_TINY = 85
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


def _giving_way(full: str, *forms: tuple[int, str | None]) -> tuple[tuple[int, str | None], ...]:
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


# ---------------------------------------------------------------------------------------
# Segments


def model(ctx: Context) -> Segment | None:
    """The session's model (e.g. Opus 5.5)."""
    name = clean(ctx.payload.model or "", 24)
    if not name:  # a name of control bytes only: nothing
        return None
    return Segment(name, "model", ((RANK_MODEL, None),))


def context(ctx: Context) -> Segment | None:
    """This session's context window use (ctx 43%); ctx – before the first reply."""
    pct = ctx.payload.context_pct
    if pct is None:
        return Segment("ctx –" if ctx.config.symbols == "unicode" else "ctx -", "dim",
                       ((RANK_CONTEXT, None),))
    return Segment(f"ctx {format_pct(pct)}", usage_style(pct, ctx.config),
                   ((RANK_CONTEXT, None),))


def key_window(projection: Projection) -> str | None:
    """The window whose figure the line keeps longest: the binding one, else 5h, else 7d,
    else the spend limit."""
    if projection.binding_window in projection.windows:
        return projection.binding_window
    for name in ("five_hour", "seven_day", SPEND_LIMIT):
        if name in projection.windows:
            return name
    return None


def _window_segment(ctx: Context, name: str) -> Segment | None:
    label = WINDOW_LABELS[name]
    forecast = ctx.projection.windows.get(name)
    if forecast is None:
        if name in ctx.projection.ended and ctx.payload.rate_limits is not None:
            # Only a session with rate limits of its own says so (not an API-key session
            # beside an old archive).
            return Segment(f"{label} reset", "ok", ((RANK_OTHER, None),))
        return None
    full, short, tiny = _window_forms(ctx, label, forecast)
    if key_window(ctx.projection) == name:
        steps = _giving_way(full, (RANK_KEY_SHORT, short), (RANK_KEY_TINY, tiny), (RANK_KEY, None))
    else:
        steps = _giving_way(full, (RANK_OTHER_SHORT, short), (RANK_OTHER_TINY, tiny),
                            (RANK_OTHER, None))
    return Segment(full, _window_style(ctx, forecast), steps)


def _window_forms(ctx: Context, label: str, w: WindowForecast) -> tuple[str, str, str]:
    """The window's full, short and shortest texts (``style = "compact"``: full is short).

    Full: ``7d 88% +1.8%/h → limit Thu 14:05 (5h45)``; short: ``7d 88% → 5h45``;
    shortest: ``7d 88%``.
    """
    sym = ctx.symbols
    tiny = f"{label} {format_pct(w.used_pct)}"
    until_reset = format_duration(w.resets_at - ctx.now)
    if w.used_pct >= 100:
        return f"{tiny} limit, resets {until_reset}", f"{tiny} resets {until_reset}", tiny
    approx = sym["approx"] if w.thin else ""
    if w.limit_before_reset and w.eta_limit_at is not None:
        left = round_eta(w.eta_limit_at - ctx.now)
        short = f"{tiny} {sym['arrow']} {approx}{format_duration(left)}"
        if ctx.config.style == "compact":
            return short, short, tiny
        # The rate the printed figures imply: room left (as printed) over the printed time.
        room = 100 - int(format_pct(w.used_pct)[:-1])
        shown = room / (left / 3600.0) if left > 0 else 0.0
        rate = f" +{format_rate(shown)}" if shown >= MIN_SHOWN_RATE else ""
        when = ctx.clock(ctx.now + left)
        full = f"{tiny}{rate} {sym['arrow']} limit {approx}{when} ({approx}{format_duration(left)})"
        return full, short, tiny
    short = f"{tiny} resets {until_reset}"
    if (w.rate_pct_per_hour is not None and w.rate_pct_per_hour > 0
            and ctx.config.style != "compact"):
        return f"{tiny} {sym['ok']} resets {until_reset}", short, tiny
    return short, short, tiny


def _window_style(ctx: Context, w: WindowForecast) -> str:
    if w.used_pct >= 100 or (w.limit_before_reset and w.eta_limit_at is not None
                             and w.eta_limit_at - ctx.now < 3600):
        return "alert"
    if w.limit_before_reset:
        return "warn"
    return usage_style(w.used_pct, ctx.config)


def five_hour(ctx: Context) -> Segment | None:
    """Pooled 5-hour window: used %, burn rate and time to the limit, or when it resets."""
    return _window_segment(ctx, "five_hour")


def seven_day(ctx: Context) -> Segment | None:
    """Pooled 7-day window: used %, and the time to the limit when it will bind first."""
    return _window_segment(ctx, "seven_day")


def cost(ctx: Context) -> Segment | None:
    """Spend when no rate limits are known (API key): this session's $ and the pooled $/h.

    Windows that ended long ago (the account had rate limits once) do not hide it: only
    rate limits in this call's payload, or a window running now, do.
    """
    if ctx.payload.rate_limits is not None or ctx.projection.windows:
        return None
    spent = ctx.payload.cost_usd
    if not spent:  # nothing spent yet (startup): $0.00 would only be noise
        return None
    text = f"${spent:.2f}"
    rate = ctx.projection.usd_per_hour
    if not rate:  # unknown, or nothing spent since the store first saw these sessions
        return Segment(text, "normal", ((RANK_KEY, None),))
    hourly = f"${rate:.2f}/h"
    full = (f"{text}, pool {hourly}" if len(ctx.state.live_sessions(ctx.now)) > 1
            else f"{text} {hourly}")
    # Without rate limits the pooled $/h is the pooled figure: it goes last.
    return Segment(full, "normal", _giving_way(
        full, (RANK_KEY_SHORT, f"{text} {hourly}"), (RANK_KEY_TINY, hourly), (RANK_KEY, None)))


def pace(ctx: Context) -> Segment | None:
    """5h pace: used % over the share of the window gone; above 1 it fills before it resets.

    Only for the 5-hour window: over a week, nights and weekends make a straight-line pace
    disagree with the forecast's week profile, and two different answers would confuse.
    """
    w = ctx.projection.windows.get("five_hour")
    if w is None or w.used_pct >= 100:
        return None
    length = WINDOW_SECONDS[w.name]
    elapsed = ctx.now - (w.resets_at - length)
    if elapsed < length * 0.05:
        return None  # too early in the window for a pace to mean anything
    ratio = w.used_pct / (elapsed / length * 100)
    style = "warn" if ratio > 1.2 else "dim"
    times = "×" if ctx.config.symbols == "unicode" else "x"
    return Segment(f"{WINDOW_LABELS[w.name]} pace {ratio:.1f}{times}", style, ((RANK_PACE, None),))


def sessions(ctx: Context) -> Segment | None:
    """How many sessions share the pool now, and this session's share of the last hour."""
    live = ctx.state.live_sessions(ctx.now)
    count = max(len(live), 1)
    short = f"{count} session" + ("s" if count != 1 else "")
    sid = ctx.session_key
    share = ctx.projection.shares.get(sid) if sid else None
    full = short
    if count > 1 and share is not None and ctx.config.style != "compact":
        full += f", this {round(share * 100)}%"
    return Segment(full, "dim", _giving_way(
        full, (RANK_SESSIONS_SHORT, short), (RANK_SESSIONS, None)))


def freshness(ctx: Context) -> Segment | None:
    """Time since a reply last confirmed the pooled figure, and whose, when not this one's.

    A session on another machine (a shared store) is named by its machine.
    """
    observed = [(w.observed_at, w.observed_by, ctx.state.windows.get(name))
                for name, w in ctx.projection.windows.items()]
    if not observed:
        return None
    confirmed = [o for o in observed if o[2] is None or not o[2].replayed]
    if not confirmed:
        # Only a replayed reading (a session's first call, a call the store cannot key):
        # nobody knows how old it is, so it is never "now".
        return Segment("age unknown", "dim", _giving_way(
            "age unknown", (RANK_FRESHNESS_SHORT, "age ?"), (RANK_FRESHNESS, None)))
    at, by, _ = max(confirmed, key=lambda o: o[0])
    age = format_age(ctx.now - at)
    full = age
    if by and by != ctx.session_key:
        other = ctx.state.sessions.get(by)
        me = ctx.state.sessions.get(ctx.session_key or "")
        if other is not None:
            # A reading from another machine (a shared store) is named by its machine.
            elsewhere = me is not None and me.host and other.host and other.host != me.host
            label = (clean(other.host or "", 20) if elsewhere
                     else names.session_names(ctx.state.sessions.values())[by])
            full += f" via {label}"
    return Segment(full, "dim", _giving_way(
        full, (RANK_FRESHNESS_SHORT, age), (RANK_FRESHNESS, None)))


SEGMENTS: dict[str, Callable[[Context], Segment | None]] = {
    "model": model,
    "context": context,
    "five_hour": five_hour,
    "seven_day": seven_day,
    "cost": cost,
    "sessions": sessions,
    "freshness": freshness,
    "pace": pace,
}


def run_segments(ctx: Context, names: tuple[str, ...], timed: bool = False) -> list[SegmentResult]:
    """Run the named segments in order; one that raises is reported, never fatal."""
    clock = time.perf_counter
    results = []
    for name in names:
        fn = SEGMENTS.get(name)
        if fn is None:
            continue
        started = clock() if timed else 0.0
        try:
            segment, error = fn(ctx), None
        except Exception as exc:  # noqa: BLE001 - one broken segment must not blank the line
            segment, error = None, f"{type(exc).__name__}: {exc}"
        elapsed = (clock() - started) * 1000 if timed else 0.0
        results.append(SegmentResult(name, segment, error, elapsed))
    return results


def _register_limit_segments() -> None:
    """The spend-limit and per-model-week segments live in their own module."""
    from statusline.line import segments_limits

    SEGMENTS["spend_limit"] = segments_limits.spend_limit
    SEGMENTS["model_week"] = segments_limits.model_week


_register_limit_segments()
