"""The account's own rhythm: when in the week it uses its 5-hour window (pure).

A 5-hour window starts with the first request after the last reset, so any time no window
runs nobody used the account at all, and a window's readings say how much it grew in each
hour it ran. Each window that ends is folded into a record of 168 hour-of-week slots:

* ``usage[s]``: the window's growth (% of the 5h limit) that fell in slot ``s``;
* ``hours[s]``: the hours of slot ``s`` the record has watched (windows and the gaps
  between them, when nobody used the account).

Both decay with a half-life of ``HALF_LIFE_S`` (the last weeks count most), so the record
never grows: two rows of 168 numbers and a few counters, whatever the age of the store.
Slots are the person's hours: local hours of the week on the clock the account was last
seen with (``offset``, seconds east of UTC, which the forecast passes on every call), so after
a daylight-saving change 09:00 is still 09:00, not 08:00 or 10:00. A record from before the
clock was known (``offset`` None, stores written before this) holds UTC hours and is turned
to local ones once, with the first offset it is told. The record also keeps how windows
ended: a decayed count of windows and of those that filled.

``Profile`` is what the forecast reads: a relative intensity per local hour of the week,
the account's own where it has data and the fixed prior where it has little. The shrinkage
is a Bayesian mean per slot (see ``Profile.__init__``); ``days`` (the decayed hours watched,
in days) says how much the profile rests on.
"""

from __future__ import annotations

from math import isfinite

SLOTS = 168
HALF_LIFE_S = 14 * 86400.0
# A gap longer than this between two windows is counted as this long: a holiday should
# not teach the record that every hour of the week is empty.
MAX_GAP_S = 3 * 86400.0
# A rise seen after a silence happened at most this long before the reading that showed it.
MAX_SPREAD_S = 3600.0
# Pseudo-hours of the prior in each slot's estimate, and in each hour-of-day's estimate
# pooled over the days of the same kind (weekdays, weekend days); see ``Profile``.
SLOT_PRIOR_HOURS = 1.0
DAY_PRIOR_HOURS = 2.0
# The weight of the fixed prior overall, in days of the account's own readings (fitted:
# docs/forecast.md, "Fitted on one thing, judged on another").
PRIOR_DAYS = 1.0
SMOOTH_SIDE = 0.25
UNWATCHED_CAP = 1.0  # the most a never-watched kind of day's hour counts (mean hour: 1)
_KINDS = ((0, 120), (120, SLOTS))  # weekdays, weekend days (local slots, Monday first)
_MONDAY_SLOT_OFFSET = 72  # the epoch began on a Thursday: hour 0 is Thursday 00:00 UTC


def utc_slot(t: float) -> int:
    """The hour-of-week slot (Monday 00:00 UTC = 0) of the epoch time ``t``."""
    return (int(t // 3600) + _MONDAY_SLOT_OFFSET) % SLOTS


class Rhythm:
    """The decayed record of one account's 5h-window growth by hour of week (UTC)."""

    __slots__ = ("decayed_at", "filled", "hours", "learned_until", "offset", "usage", "windows")

    def __init__(self) -> None:
        self.usage = [0.0] * SLOTS
        self.hours = [0.0] * SLOTS
        # Time up to which the record has watched the account, and when it last decayed.
        self.learned_until: float | None = None
        self.decayed_at: float | None = None
        # Decayed counts of the windows learned and of those that reached 100 %.
        self.windows = 0.0
        self.filled = 0.0
        # The clock the slots are on (seconds east of UTC); None: UTC slots, no clock yet.
        self.offset: float | None = None

    def follow_clock(self, utc_offset: float) -> bool:
        """Learn from now on with the person's clock at ``utc_offset``; True if it changed.

        The slots stay the person's hours when the clock changes (daylight saving, travel):
        only a record still on UTC hours is turned, once, to the local ones.
        """
        if not isfinite(utc_offset) or utc_offset == self.offset:
            return False
        if self.offset is None:
            shift = round(utc_offset / 3600.0) % SLOTS
            self.usage = self.usage[SLOTS - shift:] + self.usage[:SLOTS - shift]
            self.hours = self.hours[SLOTS - shift:] + self.hours[:SLOTS - shift]
        self.offset = utc_offset
        return True

    @property
    def days(self) -> float:
        """How many (decayed) days of the account's time the record rests on."""
        return sum(self.hours) / 24.0

    def learn_window(self, resets_at: float, length_s: float,
                     samples: list[tuple[float, float]]) -> bool:
        """Fold one ended window (its ``(time, %)`` samples) in; False if it was old news.

        The gap since the last window learned counts as watched and empty (no window ran,
        so nobody used the account), up to ``MAX_GAP_S``. A window that ends before what
        the record already covers is ignored, so learning is idempotent.
        """
        start = resets_at - length_s
        if not samples or not isfinite(resets_at) or (
                self.learned_until is not None and resets_at <= self.learned_until):
            return False
        self._decay(resets_at)
        watched_from = start
        if self.learned_until is not None:
            watched_from = max(self.learned_until, start - MAX_GAP_S)
        self._watch(watched_from, resets_at)
        previous_t, previous_v = start, 0.0
        for at, value in samples:
            t = min(max(at, start), resets_at)
            if value > previous_v:
                self._add(max(previous_t, t - MAX_SPREAD_S), t, value - previous_v)
            previous_t, previous_v = t, value
        self.learned_until = resets_at
        peak = max(value for _, value in samples)
        self.windows += 1.0
        self.filled += 1.0 if peak >= 100.0 else 0.0
        return True

    def _decay(self, now: float) -> None:
        if self.decayed_at is not None and now > self.decayed_at:
            factor = 0.5 ** ((now - self.decayed_at) / HALF_LIFE_S)
            self.usage = [u * factor for u in self.usage]
            self.hours = [h * factor for h in self.hours]
            self.windows *= factor
            self.filled *= factor
        if self.decayed_at is None or now > self.decayed_at:
            self.decayed_at = now

    def _watch(self, start: float, end: float) -> None:
        shift = self.offset or 0.0
        for slot, hours in _hour_pieces(start + shift, end + shift):
            self.hours[slot] += hours

    def _add(self, start: float, end: float, pct: float) -> None:
        shift = self.offset or 0.0
        if end <= start:
            self.usage[utc_slot(end + shift - 1e-6)] += pct
            return
        span_h = (end - start) / 3600.0
        for slot, hours in _hour_pieces(start + shift, end + shift):
            self.usage[slot] += pct * hours / span_h


def _hour_pieces(start: float, end: float) -> list[tuple[int, float]]:
    """(slot, hours) for each clock hour [start, end] touches."""
    pieces = []
    t = start
    while t < end:
        step_end = min(end, (t // 3600 + 1) * 3600)
        pieces.append((utc_slot(t), (step_end - t) / 3600.0))
        t = step_end
    return pieces


class Profile:
    """Relative usage intensity by local hour of the week: the account's, shrunk to a prior.

    ``prior[s]`` is the fixed profile for local slot ``s`` (any scale, made mean 1). The
    account's shape is ``learned_shape``; the two are blended with weight
    ``days / (days + PRIOR_DAYS)`` for the account: one day of readings weighs as much as the
    prior (the prior is an office day; a rhythm learned from one afternoon must not overrule
    it, ten days of one should, at 91 %). ``PRIOR_DAYS`` was chosen on the fit sets of
    scripts/fit_forecast.py among 1, 2 and 4 and judged on the held-out ones (docs/forecast.md).
    """

    __slots__ = ("busy", "days", "intensity", "seen", "weight")

    def __init__(self, rhythm: Rhythm | None, prior: list[float], utc_offset: float) -> None:
        prior_mean = sum(prior) / SLOTS or 1.0
        shape = [p / prior_mean for p in prior]  # mean 1
        self.days = rhythm.days if rhythm is not None else 0.0
        self.weight = self.days / (self.days + PRIOR_DAYS) if self.days > 0 else 0.0
        learned = learned_shape(rhythm, utc_offset) if rhythm is not None else None
        # How far each slot's kind of hour has been watched (0-1); None: the prior alone.
        self.seen: list[float] | None = None
        if learned is None or self.weight <= 0.0:
            self.intensity = shape
            self.busy = busy_level(shape)
            return
        values, seen = learned
        self.seen = seen
        w = self.weight
        # An hour of a kind of day never watched (the weekend, before the first one) keeps
        # the prior: the account's mean would be a guess, and a busy one. But never busier
        # than the account's mean watched hour: the prior's busy weekdays, for someone seen
        # only at a weekend, would project their weekend's pace over five office days.
        for first, last in _KINDS:
            if not any(seen[first:last]):
                shape[first:last] = [min(b, UNWATCHED_CAP) for b in shape[first:last]]
        self.intensity = [w * s * a + (1.0 - w * s) * b
                          for a, s, b in zip(values, seen, shape, strict=True)]
        self.busy = busy_level(self.intensity)

    def at(self, t: float, utc_offset: float) -> float:
        """The intensity of the local hour of the week that contains ``t``."""
        return self.intensity[utc_slot(t + utc_offset)]


def busy_level(intensity: list[float]) -> float:
    """The intensity of an hour when the person works: the mean over the hours at or above
    the week's mean. An hour's intensity is a wall-clock average (the days nobody worked
    then count as empty), so a quiet hour in which someone *is* working compares with this,
    not with its own low average."""
    mean = sum(intensity) / len(intensity) if intensity else 0.0
    busy = [v for v in intensity if v >= mean]
    return sum(busy) / len(busy) if busy else mean


_shapes: dict[tuple[object, ...], tuple[list[float], list[float]] | None] = {}


def learned_shape(rhythm: Rhythm,
                  utc_offset: float) -> tuple[list[float], list[float]] | None:
    """The account's own intensity per local slot (Monday 00:00 first; its mean rate is 1)
    and how far each slot's kind of hour has been watched (0-1: an hour or more on the days
    of its kind), or None before it has seen any use. Memoised per record state and offset.

    Each slot's rate is a Bayesian mean: its growth and watched hours, plus
    ``SLOT_PRIOR_HOURS`` pseudo-hours at the rate of the same hour of the day pooled over the
    days of its kind (weekdays or weekend days); that pooled rate has ``DAY_PRIOR_HOURS``
    pseudo-hours at the account's mean rate. So a slot seen once leans on the same hour of
    the other days, and a slot seen on many days on itself. A light smoothing over the
    neighbouring hours follows (a block's end wobbles by half an hour from day to day).
    """
    # A record on the person's clock is in local slots already; one on UTC turns now.
    shift = 0 if rhythm.offset is not None else round(utc_offset / 3600.0) % SLOTS
    key = (shift, rhythm.offset, rhythm.learned_until, rhythm.decayed_at, rhythm.windows,
           rhythm.usage[0], rhythm.hours[0])
    if key in _shapes:
        return _shapes[key]
    if len(_shapes) > 8:
        _shapes.clear()
    # Local slot s holds UTC slot s - shift.
    usage = rhythm.usage[SLOTS - shift:] + rhythm.usage[:SLOTS - shift]
    hours = rhythm.hours[SLOTS - shift:] + rhythm.hours[:SLOTS - shift]
    total_hours = sum(hours)
    level = sum(usage) / total_hours if total_hours > 0 else 0.0
    if level <= 0.0:
        _shapes[key] = None
        return None
    learned = [0.0] * SLOTS
    seen = [0.0] * SLOTS
    for first, last in _KINDS:
        for hour in range(24):
            pooled = slice(first + hour, last, 24)
            watched = sum(hours[pooled])
            day_rate = ((sum(usage[pooled]) + DAY_PRIOR_HOURS * level)
                        / (watched + DAY_PRIOR_HOURS))
            for s in range(first + hour, last, 24):
                seen[s] = min(1.0, watched)
                learned[s] = ((usage[s] + SLOT_PRIOR_HOURS * day_rate)
                              / ((hours[s] + SLOT_PRIOR_HOURS) * level))
    side, middle = SMOOTH_SIDE, 1.0 - 2 * SMOOTH_SIDE
    smooth = [side * learned[s - 1] + middle * learned[s] + side * learned[s + 1]
              for s in range(SLOTS - 1)]
    smooth.append(side * learned[-2] + middle * learned[-1] + side * learned[0])
    _shapes[key] = smooth, seen
    return smooth, seen


def local_rates(rhythm: Rhythm, utc_offset: float) -> list[float | None]:
    """The account's own growth in %/h (of the 5h limit) per local hour of the week, Monday
    00:00 first; None where the record has watched less than a tenth of an hour. (A rate
    per watched hour: the hours nobody worked count, so it is a wall-clock rate.)"""
    shift = 0 if rhythm.offset is not None else round(utc_offset / 3600.0)
    rates: list[float | None] = []
    for slot in range(SLOTS):
        source = (slot - shift) % SLOTS
        hours = rhythm.hours[source]
        rates.append(rhythm.usage[source] / hours if hours >= 0.1 else None)
    return rates


# ---------------------------------------------------------------------------------------
# To and from JSON (tolerant: anything malformed gives an empty record)


def to_json(rhythm: Rhythm) -> dict[str, object]:
    """The record as a JSON-ready dict (numbers rounded: the store stays small)."""
    return {
        "usage": [round(u, 4) for u in rhythm.usage],
        "hours": [round(h, 4) for h in rhythm.hours],
        "learned_until": rhythm.learned_until,
        "decayed_at": rhythm.decayed_at,
        "windows": round(rhythm.windows, 4),
        "filled": round(rhythm.filled, 4),
        "offset": rhythm.offset,
    }


def _row(value: object) -> list[float] | None:
    if not isinstance(value, list) or len(value) != SLOTS:
        return None
    try:
        row = [float(item) for item in value]  # every call reads it: no check per item
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int beyond any float
        return None
    # A sum of finite non-negative numbers is finite; NaN or an infinity makes it not.
    if not isfinite(sum(row)) or min(row) < 0 or any(type(i) is bool for i in value):
        return None
    return row


def _count(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or abs(value) > 1e15:
        return 0.0
    number = float(value)
    return number if isfinite(number) and number >= 0 else 0.0


def _time(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or abs(value) > 1e11:
        return None
    number = float(value)
    return number if isfinite(number) else None


def from_json(raw: object) -> Rhythm:
    """Rebuild a record from ``to_json``'s dict; an empty record for anything else."""
    rhythm = Rhythm()
    if not isinstance(raw, dict):
        return rhythm
    usage, hours = _row(raw.get("usage")), _row(raw.get("hours"))
    if usage is None or hours is None:
        return rhythm
    rhythm.usage, rhythm.hours = usage, hours
    rhythm.learned_until = _time(raw.get("learned_until"))
    rhythm.decayed_at = _time(raw.get("decayed_at"))
    rhythm.windows = _count(raw.get("windows"))
    rhythm.filled = min(_count(raw.get("filled")), rhythm.windows)
    offset = _time(raw.get("offset"))
    rhythm.offset = offset if offset is not None and abs(offset) <= 18 * 3600 else None
    return rhythm
