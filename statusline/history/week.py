"""Where the week went: tracked spend by project and hour, kept in the store (pure).

Each rise of a session's cumulative cost is added, in USD, to its project's bucket for the
hour it was seen in (``State.project_spend``: project -> [(hour start, USD)], oldest first).
The rise is taken against the cost the *document* holds for that session, so the fold is
exact under the store's one merge: a call re-applied on a fresher document (a lost
``WATCH``), or a kept call replayed twice, adds only what that document has not counted; a
session keeps its own total, so two machines never count one another's spend. Buckets are
kept ``KEEP_S`` (a week and a day), at most ``MAX_PROJECTS`` projects (the quietest folded
into ``OTHER``) and ``MAX_BUCKETS`` buckets in all (the oldest go first); they outlive the
sessions (which expire after two days) and their short cost history.

``summary`` says, for the running 7-day window: each project's share of the tracked spend,
how much of the window's rise came in hours some tracked session was spending, and the
spend by local day and project (``inspect``'s chart).
"""

from __future__ import annotations

from itertools import pairwise

from statusline.history.model import WINDOW_SECONDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from statusline.history.model import Session, State

HOUR_S = 3600.0
DAY_S = 86400.0
KEEP_S = 8 * DAY_S
MAX_PROJECTS = 12
MAX_BUCKETS = 400
MAX_KEY = 64
OTHER = "(other)"
NO_PROJECT = "(no project)"


def project_key(session: Session) -> str:
    """The project a session spends for: its folder's name, as the line names it."""
    folder = (session.project_dir or "").rstrip("/").rsplit("/", 1)[-1]
    return (folder or session.session_name or NO_PROJECT)[:MAX_KEY]


def add_spend(state: State, session: Session, usd: float, now: float) -> None:
    """Count ``usd`` (a rise of ``session``'s own cost seen at ``now``) for its project."""
    if not usd > 0:
        return
    key = project_key(session)
    if key not in state.project_spend and len(state.project_spend) >= MAX_PROJECTS:
        key = OTHER
    hour = now // HOUR_S * HOUR_S
    buckets = state.project_spend.setdefault(key, [])
    if buckets and buckets[-1][0] == hour:
        buckets[-1] = (hour, round(buckets[-1][1] + usd, 6))
    else:
        buckets.append((hour, round(usd, 6)))
        if len(buckets) > 1 and buckets[-2][0] > hour:  # a replayed, earlier call
            buckets.sort(key=lambda b: b[0])
            merged: list[tuple[float, float]] = []
            for t, v in buckets:
                if merged and merged[-1][0] == t:
                    merged[-1] = (t, round(merged[-1][1] + v, 6))
                else:
                    merged.append((t, v))
            state.project_spend[key] = merged


def prune_spend(state: State, now: float) -> bool:
    """Drop buckets older than ``KEEP_S`` and the oldest past ``MAX_BUCKETS``; True if any."""
    horizon = now - KEEP_S
    changed = False
    total = 0
    for key in list(state.project_spend):
        buckets = state.project_spend[key]
        if buckets and buckets[0][0] < horizon:
            buckets = [b for b in buckets if b[0] >= horizon]
            changed = True
            if buckets:
                state.project_spend[key] = buckets
            else:
                del state.project_spend[key]
        total += len(buckets)
    if total > MAX_BUCKETS:
        hours = sorted(b[0] for buckets in state.project_spend.values() for b in buckets)
        cut = hours[total - MAX_BUCKETS]
        for key in list(state.project_spend):
            kept = [b for b in state.project_spend[key] if b[0] >= cut]
            if kept:
                state.project_spend[key] = kept
            else:
                del state.project_spend[key]
        changed = True
    return changed


def hourly_total(state: State) -> dict[float, float]:
    """The tracked spend of all projects by hour start."""
    total: dict[float, float] = {}
    for buckets in state.project_spend.values():
        for hour, usd in buckets:
            total[hour] = total.get(hour, 0.0) + usd
    return total


def spend_between(hourly: dict[float, float], start: float, end: float) -> float:
    """Tracked spend in ``[start, end)``, a partly covered hour counted in proportion."""
    spent = 0.0
    for hour, usd in hourly.items():
        overlap = min(hour + HOUR_S, end) - max(hour, start)
        if overlap > 0:
            spent += usd * overlap / HOUR_S
    return spent


def summary(state: State, now: float, utc_offset: float = 0.0) -> dict[str, object]:
    """Where the running 7-day window's usage went, from what the store holds.

    ``projects``: name, USD and share of the tracked spend since the window began (the
    shares sum to 1; empty when nothing was tracked). ``window_rise_pct``: the window's
    figure (it rose from 0). ``explained_share``: the part of that rise that came in hours
    when some tracked session spent (each rise spread evenly between the readings around
    it); ``unexplained_pct``: the rest, in points of the window: claude.ai chats, machines
    without the store, or hours before the store watched. ``days``: the spend by local day
    and project, oldest first.
    """
    window = state.current_window("seven_day", now)
    start = window.resets_at - WINDOW_SECONDS["seven_day"] if window else now - 7 * DAY_S
    by_project: dict[str, float] = {}
    days: dict[float, dict[str, float]] = {}
    active: set[float] = set()
    for key, buckets in state.project_spend.items():
        for hour, usd in buckets:
            part = usd * min(1.0, max(0.0, (hour + HOUR_S - start) / HOUR_S))
            if part <= 0 or hour > now:
                continue
            active.add(hour)
            by_project[key] = by_project.get(key, 0.0) + part
            day = (hour + utc_offset) // DAY_S * DAY_S - utc_offset
            row = days.setdefault(day, {})
            row[key] = row.get(key, 0.0) + part
    tracked = sum(by_project.values())
    ranked = sorted(by_project.items(), key=lambda kv: -kv[1]) if tracked else []
    projects = [{"name": key, "usd": round(usd, 4), "share": usd / tracked} for key, usd in ranked]
    rise = window.used_pct if window else None
    explained = None
    if window is not None and rise:
        explained = _explained(window.samples_since_rebase(), start, now, active) / rise
        explained = min(max(explained, 0.0), 1.0)
    return {
        "since": start,
        "tracked_usd": round(tracked, 4),
        "projects": projects,
        "window_rise_pct": rise,
        "explained_share": None if explained is None else round(explained, 4),
        "unexplained_pct": None if explained is None or rise is None
        else round(rise * (1.0 - explained), 2),
        "days": [{"start": day, "by_project": {k: round(v, 4) for k, v in row.items()}}
                 for day, row in sorted(days.items())],
    }


def _explained(samples: list[tuple[float, float]], start: float, now: float,
               active: set[float]) -> float:
    """Points of rise that fall into ``active`` hours, each rise spread over its interval."""
    if not active:
        return 0.0
    points = [(start, 0.0)] + [s for s in samples if start <= s[0] <= now]
    explained = 0.0
    for (t0, v0), (t1, v1) in pairwise(points):
        rise = v1 - v0
        if rise <= 0:
            continue
        if t1 - t0 <= 0:
            hour = t1 // HOUR_S * HOUR_S
            explained += rise if hour in active else 0.0
            continue
        covered = 0.0
        hour = t0 // HOUR_S * HOUR_S
        while hour < t1:
            if hour in active:
                covered += min(hour + HOUR_S, t1) - max(hour, t0)
            hour += HOUR_S
        explained += rise * covered / (t1 - t0)
    return explained
