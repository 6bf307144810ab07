"""What a simulated person does next, drawn as the benchmark's simulator draws it.

The oracle of ``oracle_study.py`` knows a trace's plan up to a moment and draws the rest: when
each session still open closes, how its bursts and gaps go on, and the requests it makes.
Every rule here copies ``shared/forecast/simulate.py`` (``persona_plan``, ``work``,
``session_requests``), conditioned on what has already happened at the moment ``t``; the
constants name the simulator's own numbers.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field

ACTIVE_S = (20 * 60.0, 70 * 60.0)  # persona_plan: work(..., act=(20, 70), idle=(3, 20))
IDLE_S = (3 * 60.0, 20 * 60.0)
SETTLE_S = 20.0  # work(rng, sa + 20, sb - 60): the first burst 20 s after the open,
WIND_DOWN_S = 60.0  # the last ending a minute before the close
CLOSE_SHARE = (0.5, 1.0)  # sb = min(b, sa + u (b - sa) + 600), u ~ U(0.5, 1)
CLOSE_PAD_S = 600.0
MIN_SESSION_S = 900.0  # shorter sessions are not made
PAUSE_SHARE = 0.12  # P_PAUSE: a gap that includes the person reading or typing
PAUSE_S = (60.0, 300.0)
CLEAR_SHARE = 0.12  # new_session: a /clear before some bursts after the first
FRESH_CONTEXT = (12000, 20000)
COMPACTED_CONTEXT = (20000, 45000)
CONTEXT_STEP = (800, 6000)


@dataclass
class Costs:
    """The simulator's price list: mean spend per model, and the units per dollar."""

    model_mid: dict[str, float]
    weight: dict[str, float]


@dataclass
class Session:
    """One session of a plan, as far as the oracle may know it."""

    open_at: float
    close_at: float  # the real close: known once it has passed
    block: tuple[float, float]  # the work block it belongs to (its real start and end)
    usd_h: float  # spend per active hour for ``model``
    model: str
    gap_mean: float
    ctx_size: int
    segments: list[tuple[float, float]] = field(default_factory=list)  # its real bursts
    requests: list[tuple[float, int, str]] = field(default_factory=list)  # (t, ctx, model)


def draw_close(rng: random.Random, open_at: float, block_end: float, t: float) -> float:
    """A close for a session opened at ``open_at`` in a block ending at ``block_end``.

    Drawn given the session is still open after ``t`` (and long enough to have been made).
    """
    span = block_end - open_at
    if span <= 0:
        return block_end
    low = max(CLOSE_SHARE[0], (MIN_SESSION_S - CLOSE_PAD_S) / span)
    if open_at < t:
        low = max(low, (t - CLOSE_PAD_S - open_at) / span)
    u = rng.uniform(min(low, CLOSE_SHARE[1]), CLOSE_SHARE[1])
    return min(block_end, open_at + u * span + CLOSE_PAD_S)


def open_odds(open_at: float, block_end: float, t: float) -> float:
    """The chance a session opened at ``open_at`` is still open after ``t`` (as drawn above)."""
    if block_end <= t:
        return 0.0
    span = block_end - open_at
    low = max(CLOSE_SHARE[0], (t - CLOSE_PAD_S - open_at) / span)
    return min(1.0, max(0.0, (CLOSE_SHARE[1] - low) / (CLOSE_SHARE[1] - CLOSE_SHARE[0])))


def close_density(open_at: float, block_end: float, closed_at: float, cell: float) -> float:
    """The likelihood of a session closing at ``closed_at`` in a block ending at ``block_end``.

    A close at the block's end (within ``cell`` seconds) is the draw's point mass there.
    """
    span = block_end - open_at
    if span <= 0 or closed_at > block_end + cell / 2:
        return 0.0
    if abs(closed_at - block_end) <= cell / 2:
        mass = min(1.0, max(0.0, CLOSE_PAD_S / span / (CLOSE_SHARE[1] - CLOSE_SHARE[0])))
        return mass / cell
    earliest = open_at + CLOSE_SHARE[0] * span + CLOSE_PAD_S
    return 1.0 / ((CLOSE_SHARE[1] - CLOSE_SHARE[0]) * span) if closed_at >= earliest else 0.0


def bursts(rng: random.Random, start: float, end: float) -> list[tuple[float, float]]:
    """The simulator's ``work``: bursts and gaps alternating from ``start`` to ``end``."""
    out = []
    cursor = start
    while cursor < end - 120:
        stop = min(end, cursor + rng.uniform(*ACTIVE_S))
        out.append((cursor, stop))
        cursor = stop + rng.uniform(*IDLE_S)
    return out


def bursts_after(rng: random.Random, s: Session, t: float, close: float
                 ) -> list[tuple[float, float]]:
    """The bursts of ``s`` after ``t``, given its real bursts so far and a drawn ``close``."""
    end = close - WIND_DOWN_S
    first = s.open_at + SETTLE_S
    i = bisect.bisect_right(s.segments, (t, float("inf"))) - 1
    if t <= first or i < 0:
        return bursts(rng, max(first, t), end)
    a, b = s.segments[i]
    if t < b:  # inside a burst that has run since a: it lasts past t
        low = max(ACTIVE_S[0], t - a)
        stop = min(end, a + rng.uniform(low, max(ACTIVE_S[1], low)))
        head = [(t, stop)] if stop > t else []
        return head + bursts(rng, stop + rng.uniform(*IDLE_S), end)
    low = max(IDLE_S[0], t - b)  # inside a gap since b: it lasts past t
    return bursts(rng, b + rng.uniform(low, max(IDLE_S[1], low)), end)


def requests_after(rng: random.Random, s: Session, t: float, reset: float,
                   spans: list[tuple[float, float]], costs: Costs) -> list[tuple[float, float]]:
    """(time, units) of the requests ``s`` makes in ``spans`` from ``t`` until ``reset``.

    As ``simulate.session_requests``: the context grows by each request and is compacted
    near its size, a /clear starts some bursts afresh, a request costs the session's spend
    over a mean gap times the context's factor and a log-normal draw of mean one, and the
    gaps are exponential with the odd pause.
    """
    before = bisect.bisect_right(s.requests, (t, 1 << 62, "")) - 1
    if before >= 0:
        _when, ctx, model = s.requests[before]
    else:
        ctx, model = rng.randint(*FRESH_CONTEXT), s.model
    mean_gap = s.gap_mean + PAUSE_SHARE * sum(PAUSE_S) / 2
    usd_h = s.usd_h * costs.model_mid[model] / costs.model_mid[s.model]
    per_request = usd_h * mean_gap / 3600.0 * costs.weight[model]
    started = before >= 0
    out = []
    for a, b in spans:
        if a >= reset:
            break
        if a > t:
            if started and rng.random() < CLEAR_SHARE:
                ctx = rng.randint(*FRESH_CONTEXT)
            when = a + rng.uniform(2, 20)
        else:
            when = t + max(1.5, rng.expovariate(1.0 / s.gap_mean))
        started = True
        while when < min(b, reset):
            ctx += rng.randint(*CONTEXT_STEP)
            cap = 0.85 * s.ctx_size if s.ctx_size <= 200_000 else rng.uniform(350_000, 600_000)
            if ctx > cap:
                ctx = rng.randint(*COMPACTED_CONTEXT)
            factor = 0.6 + 0.8 * min(ctx, 250_000) / 250_000
            out.append((when, per_request * factor * rng.lognormvariate(-0.125, 0.5)))
            gap = rng.expovariate(1.0 / s.gap_mean)
            if rng.random() < PAUSE_SHARE:
                gap += rng.uniform(*PAUSE_S)
            when += max(1.5, gap)
    return out


def crossing(requests: list[tuple[float, float]], need: float) -> float | None:
    """When ``requests`` (time, units) add up to ``need``, if they do."""
    total = 0.0
    for when, units in sorted(requests):
        total += units
        if total >= need:
            return when
    return None
