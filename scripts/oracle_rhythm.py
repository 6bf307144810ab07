"""The rhythm oracle: knows how a person works, not what they will do today.

The plan oracle of ``oracle_study.py`` knows every session of the day before it opens and
when each work block ends. A status line could at best learn the person's rhythm: which
blocks their days have, how likely each is, how long, how many sessions, how heavy. This
oracle knows exactly that (the persona's spec, from the trace's recipe) and, of today, what
has already happened by ``t``: which sessions opened when, which closed, their spend. It
draws the rest as the simulator would, given what has happened:

* a block that has started: its end from the spec's range, weighed by the likelihood of the
  sessions seen so far (their opens and closes, and those still open), and how many more
  sessions it will open, after ``t``;
* a block of the rhythm that has not started: whether it happens (given it has not started
  by ``t``), when, how long, its sessions, and their spend.

The learned oracles (``oracle_learned.py``) forecast with this same code and a rhythm they
learned.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from oracle_draws import (
    CLOSE_PAD_S,
    CLOSE_SHARE,
    MIN_SESSION_S,
    SETTLE_S,
    WIND_DOWN_S,
    Session,
    bursts,
    bursts_after,
    close_density,
    draw_close,
    open_odds,
)

START_JITTER_H = 0.4  # persona_plan: a = a_h + U(-0.4, 0.4), b = b_h + U(-0.5, 0.5)
END_JITTER_H = 0.5
MIN_BLOCK_S = 1800.0
LATER_SHARE = 0.5  # sessions after the first open in the block's first half
SPEND_SHARE = 0.8  # new_session(..., intensity=intensity * day_k * 0.8)
END_CELL_S = 60.0  # the grid of a started block's possible ends
OVERRUN_H = 3.0  # how long a block that has run past its rhythm's range may still go on
GAP_MEAN_S = (15.0, 40.0)
BIG_CONTEXT_SHARE = 0.7


@dataclass
class Block:
    """One work block of a plan: its day, which block of the rhythm, its real bounds."""

    day: float  # simulate's day: UTC epoch of the local day's 00:00 before the zone
    kind: str  # weekday | weekend
    entry: int  # index into the rhythm's blocks of that kind
    start: float
    end: float
    day_k: float  # the day's spend factor
    sessions: list[int] = field(default_factory=list)


@dataclass
class Rhythm:
    """What the rhythm oracle knows of a person, and the simulator's price ranges."""

    spec: dict[str, object]
    zone_offset: float
    days: tuple[float, float]  # the first and last day the plan may have blocks
    usd_h: dict[str, tuple[float, float]]
    usd_scale: tuple[float, float]
    blocks: list[Block]

    def entries(self, kind: str) -> list[tuple[tuple[float, float], float, float]]:
        """The blocks of a ``kind`` of day: ((start hour, end hour), odds, intensity)."""
        raw = self.spec.get(kind) or []
        assert isinstance(raw, list)
        return [((float(h[0][0]), float(h[0][1])), float(h[1]), float(h[2])) for h in raw]

    def at(self, day: float, hours: float) -> float:
        """The epoch of local ``hours`` on ``day`` (simulate.at)."""
        return day + hours * 3600.0 - self.zone_offset

    def spreads(self, kind: str, entry: int) -> tuple[float, float]:
        """How far (hours) the block's start and end stray from the rhythm's hours."""
        raw = self.spec.get(kind) or []
        assert isinstance(raw, list)
        item = raw[entry]
        if len(item) > 3:
            return float(item[3][0]), float(item[3][1])
        return START_JITTER_H, END_JITTER_H

    def session_range(self) -> tuple[int, int]:
        """How few and how many sessions a block opens."""
        raw = self.spec["sessions"]
        assert isinstance(raw, (list, tuple))
        return int(raw[0]), int(raw[1])

    def latest_end(self, block: Block) -> float:
        """The latest the rhythm lets ``block`` end (the oracle does not know its real end)."""
        (_a_h, b_h), _p, _intensity = self.entries(block.kind)[block.entry]
        return self.at(block.day, b_h + self.spreads(block.kind, block.entry)[1])


def weekend(day: float, base_day: float) -> bool:
    """Whether ``day`` is a Saturday or a Sunday (``base_day`` is a Monday)."""
    return int((day - base_day) // 86400) % 7 >= 5


def end_posterior(rhythm: Rhythm, block: Block, seen: list[Session], t: float
                  ) -> list[tuple[float, float, int]]:
    """(weight, end, sessions in all) for a block that has started, given ``seen`` by ``t``.

    The ends are looked for over the rhythm's range for the block; a block that has run past
    all of it (a learned rhythm's range can be short of the day) is looked for over the
    ``OVERRUN_H`` hours after ``t`` instead.
    """
    (_a_h, b_h), _p, _intensity = rhythm.entries(block.kind)[block.entry]
    spread = rhythm.spreads(block.kind, block.entry)[1]
    low = rhythm.at(block.day, b_h - spread)
    high = rhythm.at(block.day, b_h + spread)
    out = ends_weighed(rhythm, block, seen, t, low, high)
    if not out and any(s.close_at > t for s in seen):
        out = ends_weighed(rhythm, block, seen, t, t, t + OVERRUN_H * 3600.0)
    return out


def ends_weighed(rhythm: Rhythm, block: Block, seen: list[Session], t: float, low: float,
                 high: float) -> list[tuple[float, float, int]]:
    """``end_posterior``'s weights for the ends from ``low`` to ``high``."""
    few, many = rhythm.session_range()
    a = block.start
    later = [s for s in seen if s.open_at > a + 1.0]
    out = []
    steps = max(1, int((high - low) / END_CELL_S))
    for k in range(steps + 1):
        end = low + (high - low) * k / steps
        if end - a < MIN_BLOCK_S:
            continue
        half = LATER_SHARE * (end - a)
        if any(s.open_at > a + half for s in later):
            continue
        like = (1.0 / half) ** len(later)
        for s in seen:
            like *= (close_density(s.open_at, end, s.close_at, END_CELL_S) if s.close_at <= t
                     else open_odds(s.open_at, end, t))
        if like <= 0.0:
            continue
        opened_by_t = min(1.0, max(0.0, (t - a) / half))
        for total in range(max(few, len(seen)), many + 1):
            ways = math.comb(total - 1, len(later))
            weight = like * ways * (1.0 - opened_by_t) ** (total - 1 - len(later))
            if weight > 0.0:
                out.append((weight, end, total))
    return out


def pick(rng: random.Random, weighted: list[tuple[float, float, int]]) -> tuple[float, int]:
    """An (end, sessions in all) drawn from ``end_posterior``'s weighted list."""
    total = sum(w for w, _e, _n in weighted)
    x = rng.random() * total
    for w, end, n in weighted:
        x -= w
        if x <= 0:
            return end, n
    return weighted[-1][1], weighted[-1][2]


def new_session(rng: random.Random, rhythm: Rhythm, open_at: float, close: float,
                intensity: float, day_k: float) -> Session:
    """A session the simulator would make, opened at ``open_at``."""
    models = rhythm.spec["models"]
    assert isinstance(models, dict)
    r, model = rng.random() * sum(models.values()), "sonnet"
    for name in ("opus", "sonnet", "haiku"):
        r -= float(models.get(name, 0.0))
        if r <= 0:
            model = name
            break
    usd_h = (rng.uniform(*rhythm.usd_h[model]) * rng.uniform(*rhythm.usd_scale)
             * intensity * day_k * SPEND_SHARE)
    big = model != "haiku" and rng.random() < BIG_CONTEXT_SHARE
    return Session(open_at, close, (open_at, close), usd_h, model, rng.uniform(*GAP_MEAN_S),
                   1_000_000 if big else 200_000)


def later_sessions(rng: random.Random, rhythm: Rhythm, a: float, end: float, count: int,
                   not_before: float, intensity: float, day_k: float
                   ) -> list[tuple[Session, list[tuple[float, float]]]]:
    """``count`` sessions opening in the first half of a block after ``not_before``."""
    out = []
    for _ in range(count):
        open_at = rng.uniform(max(not_before, a), a + LATER_SHARE * (end - a))
        close = min(end, open_at + rng.uniform(*CLOSE_SHARE) * (end - open_at) + CLOSE_PAD_S)
        if close - open_at < MIN_SESSION_S:
            continue
        s = new_session(rng, rhythm, open_at, close, intensity, day_k)
        out.append((s, bursts(rng, open_at + SETTLE_S, close - WIND_DOWN_S)))
    return out


def day_factor(rng: random.Random, rhythm: Rhythm, day: float, t: float) -> float:
    """The day's spend factor: known once a block of the day has started, else drawn."""
    for block in rhythm.blocks:
        if block.day == day and block.start <= t:
            return block.day_k
    sigma = float(rhythm.spec.get("day_sigma", 0.3))  # type: ignore[arg-type]
    return rng.lognormvariate(-sigma * sigma / 2, sigma)


def draw(rng: random.Random, rhythm: Rhythm, sessions: list[Session], t: float,
         reset: float, posteriors: dict[int, list[tuple[float, float, int]]],
         base_day: float) -> list[tuple[Session, list[tuple[float, float]]]]:
    """One draw of every session with bursts between ``t`` and ``reset``, and those bursts."""
    out = []
    started = set()
    for index, block in enumerate(rhythm.blocks):
        if block.start > t:
            continue
        started.add((block.day, block.kind, block.entry))
        weighted = posteriors.get(index)
        if not weighted:
            continue
        end, total = pick(rng, weighted)
        seen = [sessions[i] for i in block.sessions if sessions[i].open_at <= t]
        for s in seen:
            if s.close_at > t:
                out.append((s, bursts_after(rng, s, t, draw_close(rng, s.open_at, end, t))))
        (_h, _p, intensity) = rhythm.entries(block.kind)[block.entry]
        out += later_sessions(rng, rhythm, block.start, end, total - len(seen), t, intensity,
                              block.day_k)
    day = rhythm.days[0]
    while day <= rhythm.days[1]:
        kind = "weekend" if weekend(day, base_day) else "weekday"
        for entry, ((a_h, b_h), p, intensity) in enumerate(rhythm.entries(kind)):
            if (day, kind, entry) in started:
                continue
            start_spread, end_spread = rhythm.spreads(kind, entry)
            low, high = rhythm.at(day, a_h - start_spread), rhythm.at(day, a_h + start_spread)
            if high <= t or low >= reset:
                continue
            later = (high - max(low, t)) / (high - low)
            if rng.random() >= p * later / (1.0 - p + p * later):
                continue
            a = rng.uniform(max(low, t), high)
            end = rhythm.at(day, b_h + rng.uniform(-end_spread, end_spread))
            if end - a < MIN_BLOCK_S:
                continue
            count = rng.randint(*rhythm.session_range())
            day_k = day_factor(rng, rhythm, day, t)
            close = min(end, a + rng.uniform(*CLOSE_SHARE) * (end - a) + CLOSE_PAD_S)
            first = new_session(rng, rhythm, a, close, intensity, day_k)
            out.append((first, bursts(rng, a + SETTLE_S, close - WIND_DOWN_S)))
            out += later_sessions(rng, rhythm, a, end, count - 1, a, intensity, day_k)
        day += 86400.0
    return out
