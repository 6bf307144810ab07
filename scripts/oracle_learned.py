"""The learned-rhythm oracle: the person's rhythm as the days before today can teach it.

The rhythm oracle of ``oracle_rhythm.py`` is handed the persona's spec. This one learns a
spec of the same shape from the trace's own earlier days, seen perfectly (each block's
sessions, when they opened and closed, and their spend), and then forecasts as the rhythm
oracle does. It is what a status line could at best know after watching the same days, if
it saw sessions open and close and kept every day's blocks; its gap to the rhythm oracle is
what ten days cannot teach.

* A day's blocks are grouped, per kind of day, by their start hour (starts less than
  ``SAME_BLOCK_H`` apart are the same block of the rhythm).
* A learned block: the mean start and end hour (the end read from the closes, see
  ``likely_end``), how far they may stray (the simulator's own jitter, widened by how few
  days the mean is of; ``spread``), the share of the kind's days it happened on, and its
  spend against the simulator's mean (its intensity).
* A kind of day never seen borrows the other kind's blocks at half their odds; a block today
  that matches nothing learned ends anywhere from ``GENERIC_HOURS`` after its start.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import replace

from oracle_draws import Session, close_density
from oracle_rhythm import (
    END_CELL_S,
    END_JITTER_H,
    SPEND_SHARE,
    START_JITTER_H,
    Block,
    Rhythm,
    weekend,
)

SAME_BLOCK_H = 1.5
GENERIC_HOURS = (1.5, 6.0)  # persona_variants.random_block: blocks of 1.5-6 hours
GENERIC_SESSIONS = (1, 3)
MIN_DAY_SIGMA = 0.2
LATEST_END_H = 3.0  # how far past its last close a past block's end is looked for
KINDS = ("weekday", "weekend")


def local_hours(rhythm: Rhythm, day: float, when: float) -> float:
    return (when + rhythm.zone_offset - day) / 3600.0


def learn(rhythm: Rhythm, sessions: list[Session], t: float, base_day: float,
          hindsight: bool = False) -> Rhythm:
    """A rhythm learned from the blocks of the days before ``t``'s, with the blocks not over
    matched to it (``rhythm`` gives the plan's blocks, prices and zone; its spec is unused).

    A block is learned from once its day is past and its last session has closed by ``t``.
    ``hindsight``: learn from every other day of the trace too, later ones included (how
    well the learner does with all the days there are, for comparison only).
    """
    today = math.floor((t + rhythm.zone_offset) / 86400.0) * 86400.0
    past = [b for b in rhythm.blocks
            if (b.day < today and max(sessions[i].close_at for i in b.sessions) <= t)
            or (hindsight and b.day > today)]
    spec: dict[str, object] = {}
    counts = [len(b.sessions) for b in past]
    spec["sessions"] = (min(counts), max(counts)) if counts else GENERIC_SESSIONS
    models: dict[str, float] = {}
    for b in past:
        for i in b.sessions:
            models[sessions[i].model] = models.get(sessions[i].model, 0.0) + 1.0
    spec["models"] = models or {"opus": 0.6, "sonnet": 0.4}
    logs = [math.log(b.day_k) for b in past if b.day_k > 0]
    spec["day_sigma"] = max(MIN_DAY_SIGMA, statistics.pstdev(logs)) if len(logs) > 1 else 0.3
    days_seen = {k: 0 for k in KINDS}
    day = rhythm.days[0]
    while day < today or (hindsight and day <= rhythm.days[1]):
        if day != today:
            days_seen["weekend" if weekend(day, base_day) else "weekday"] += 1
        day += 86400.0
    for kind in KINDS:
        spec[kind] = learned_blocks(rhythm, sessions, [b for b in past if b.kind == kind],
                                    days_seen[kind])
    for kind, other in (KINDS, KINDS[::-1]):
        if not days_seen[kind] and days_seen[other]:
            borrowed = spec[other]
            assert isinstance(borrowed, list)
            spec[kind] = [[hours, p / 2, intensity, spread]
                          for hours, p, intensity, spread in borrowed]
    learned = Rhythm(spec, rhythm.zone_offset, rhythm.days, rhythm.usd_h, rhythm.usd_scale, [])
    learned.blocks = [matched(learned, b) for b in rhythm.blocks if b not in past]
    return learned


def learned_blocks(rhythm: Rhythm, sessions: list[Session], blocks: list[Block],
                   days: int) -> list[list[object]]:
    """The rhythm's blocks of one kind of day, from that kind's past blocks."""
    rows = sorted(((local_hours(rhythm, b.day, b.start),
                    local_hours(rhythm, b.day, likely_end(b, [sessions[i] for i in b.sessions])),
                    b) for b in blocks), key=lambda row: row[0])
    groups: list[list[tuple[float, float, Block]]] = []
    for row in rows:
        if groups and row[0] - groups[-1][-1][0] < SAME_BLOCK_H:
            groups[-1].append(row)
        else:
            groups.append([row])
    out: list[list[object]] = []
    for group in groups:
        starts = [g[0] for g in group]
        ends = [g[1] for g in group]
        spend = [sessions[i].usd_h / mean_price(rhythm, sessions[i].model)
                 for _a, _b, block in group for i in block.sessions]
        out.append([(statistics.fmean(starts), statistics.fmean(ends)),
                    min(1.0, len({g[2].day for g in group}) / max(days, 1)),
                    statistics.fmean(spend) / SPEND_SHARE,
                    (spread(START_JITTER_H, starts), spread(END_JITTER_H, ends))])
    return out


def spread(jitter: float, seen: list[float]) -> float:
    """How far (hours) a block's start or end may stray from the mean of ``seen``.

    Each day strays by up to ``jitter`` from the block's hour, and a mean of few days is
    itself that far from it: seen once, the block's next day may be twice the jitter away.
    """
    return max(jitter * (1.0 + 1.0 / math.sqrt(len(seen))), (max(seen) - min(seen)) / 2)


def likely_end(block: Block, seen: list[Session]) -> float:
    """A past block's end, read from its sessions' closes by the law they close by.

    The last close comes before the block's end (a session closes after half to all of the
    rest of its block, plus ten minutes, capped at the end), so the end is the mean of the
    ends over ``LATEST_END_H`` after the last close, each weighed by how likely it makes
    the closes seen.
    """
    last = max(s.close_at for s in seen)
    weighted = []
    steps = int(LATEST_END_H * 3600.0 / END_CELL_S)
    for k in range(steps + 1):
        end = last + k * END_CELL_S
        like = 1.0
        for s in seen:
            like *= close_density(s.open_at, end, s.close_at, END_CELL_S)
        weighted.append((like, end))
    total = sum(w for w, _e in weighted)
    return sum(w * e for w, e in weighted) / total if total > 0 else last


def mean_price(rhythm: Rhythm, model: str) -> float:
    low, high = rhythm.usd_h[model]
    return (low + high) / 2 * sum(rhythm.usd_scale) / 2


def matched(learned: Rhythm, block: Block) -> Block:
    """``block`` pointed at the learned block it belongs to, or at a new generic one."""
    entries = learned.spec.setdefault(block.kind, [])
    assert isinstance(entries, list)
    start = local_hours(learned, block.day, block.start)
    near = [k for k, e in enumerate(entries) if abs(e[0][0] - start) < SAME_BLOCK_H]
    if near:
        return replace(block, entry=min(near, key=lambda k: abs(entries[k][0][0] - start)))
    middle = (GENERIC_HOURS[0] + GENERIC_HOURS[1]) / 2
    half = (GENERIC_HOURS[1] - GENERIC_HOURS[0]) / 2
    entries.append([(start, start + middle), 0.0, 1.0, (START_JITTER_H, half)])
    return replace(block, entry=len(entries) - 1)
