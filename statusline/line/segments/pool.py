"""What the pool says about its sessions: how many share it, how fresh its figure is, and
the spend when no rate limits are known (pure)."""

from __future__ import annotations

from statusline.line import names
from statusline.line.formatting import format_age
from statusline.line.kit import (
    RANK_FRESHNESS,
    RANK_FRESHNESS_SHORT,
    RANK_KEY,
    RANK_KEY_SHORT,
    RANK_KEY_TINY,
    RANK_SESSIONS,
    RANK_SESSIONS_SHORT,
    Context,
    Segment,
    giving_way,
)
from statusline.sanitize import clean


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
    return Segment(full, "normal", giving_way(
        full, (RANK_KEY_SHORT, f"{text} {hourly}"), (RANK_KEY_TINY, hourly), (RANK_KEY, None)))


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
    return Segment(full, "dim", giving_way(
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
        return Segment("age unknown", "dim", giving_way(
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
    return Segment(full, "dim", giving_way(
        full, (RANK_FRESHNESS_SHORT, age), (RANK_FRESHNESS, None)))
