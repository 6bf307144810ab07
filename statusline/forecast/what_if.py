"""What pausing one session would do to the binding window, and which one to pause (pure).

The pooled burn is shared: each live session's part of it is its share of the tracked spend
of the last hour (``Projection.shares``) times the part of the pace tracked sessions explain
at all. That part is ``tracked_fraction``: the pool's points per tracked dollar in the
cleanest 5-hour window that ended in the last week (the lowest %/$: the one where least
went by unseen) times the pooled $/h, over the 5h pace now; 1 until such a window has been
seen. What no tracked session explains (claude.ai chats, machines without the store) stays
in the pace. Without session S the pace is ``rate × (1 - tracked × share_S)``, so the time
to the limit stretches by its inverse (the forecast's own ETA, whatever profile it used,
stretched: exact for a straight line).

The **pause hint**: when the binding window's limit comes before its reset (and it is not
reached yet), the live session whose pause helps most, if pausing it alone would make the
window last to its reset; None otherwise (calm pace, a single session, or no single pause
is enough). Nothing here runs unless a window binds, so a calm call pays one attribute test.
"""

from __future__ import annotations

from statusline.history.model import WINDOW_SECONDS
from statusline.history.week import DAY_S, hourly_total, spend_between

TYPE_CHECKING = False
if TYPE_CHECKING:
    from statusline.forecast.model import Projection
    from statusline.history import State

CALIBRATION_S = 7 * DAY_S
MIN_CALIBRATION_PCT = 10.0  # a window that ended this full, ...
MIN_CALIBRATION_USD = 1.0  # ... on this much tracked spend, calibrates the %/$


class IfPaused:
    """The binding window's forecast without one session's part of the burn."""

    __slots__ = ("eta_limit_at", "limit_before_reset", "rate_pct_per_hour", "resets_at",
                 "session_id", "share", "window")

    def __init__(self, session_id: str, window: str, share: float, resets_at: float) -> None:
        self.session_id = session_id
        self.window = window
        # The session's share of the tracked spend of the last hour.
        self.share = share
        self.resets_at = resets_at
        self.rate_pct_per_hour: float | None = None
        # When the window would fill without it (None: never at that pace).
        self.eta_limit_at: float | None = None
        self.limit_before_reset = True


class PauseHint:
    """The session to pause, and what pausing it buys."""

    __slots__ = ("eta_limit_at", "eta_now", "if_paused", "lasts_to_reset", "resets_at",
                 "runner_up", "session_id", "share", "tracked", "window")

    def __init__(self, best: IfPaused, eta_now: float, tracked: float,
                 runner_up: IfPaused | None) -> None:
        self.session_id = best.session_id
        self.window = best.window
        self.share = best.share
        self.if_paused = best
        self.eta_limit_at = best.eta_limit_at
        self.eta_now = eta_now  # when the limit comes with every session going on
        self.resets_at = best.resets_at
        self.lasts_to_reset = not best.limit_before_reset
        self.tracked = tracked
        self.runner_up = runner_up


def calibration(state: State, now: float) -> float | None:
    """The pool's 5h points per tracked dollar in the cleanest ended window of the last
    week (the lowest ratio), or None when no ended window had enough of both."""
    ended = [a for a in state.archive.get("five_hour", [])
             if now - CALIBRATION_S <= a.resets_at <= now and a.peak_pct >= MIN_CALIBRATION_PCT]
    if not ended or not state.project_spend:
        return None
    hourly = hourly_total(state)
    first = min(hourly) if hourly else now
    ratios = []
    for archived in ended:
        start = archived.resets_at - WINDOW_SECONDS["five_hour"]
        if start < first:
            continue  # the store did not watch the whole window: its $ would be short
        spent = spend_between(hourly, start, archived.resets_at)
        if spent >= MIN_CALIBRATION_USD:
            ratios.append(archived.peak_pct / spent)
    return min(ratios) if ratios else None


def tracked_fraction(state: State, projection: Projection, now: float) -> float:
    """The part (0-1) of the pooled pace now that the tracked sessions' spend explains."""
    five = projection.windows.get("five_hour")
    per_usd = calibration(state, now)
    if (per_usd is None or five is None or not five.rate_pct_per_hour
            or not projection.usd_per_hour):
        return 1.0
    return min(1.0, per_usd * projection.usd_per_hour / five.rate_pct_per_hour)


def if_paused(state: State, projection: Projection, now: float,
              tracked: float | None = None) -> dict[str, IfPaused]:
    """For every live session, the binding window's forecast without its part of the burn;
    empty when no window binds (or the binding one is full already)."""
    name = projection.binding_window
    forecast = projection.windows.get(name) if name else None
    if forecast is None or forecast.eta_limit_at is None or forecast.used_pct >= 100:
        return {}
    if tracked is None:
        tracked = tracked_fraction(state, projection, now)
    left = max(forecast.eta_limit_at - now, 0.0)
    result = {}
    for session in state.live_sessions(now):
        sid = session.session_id
        share = projection.shares.get(sid, 0.0)
        outcome = IfPaused(sid, forecast.name, share, forecast.resets_at)
        kept = 1.0 - tracked * share
        if forecast.rate_pct_per_hour is not None:
            outcome.rate_pct_per_hour = forecast.rate_pct_per_hour * max(kept, 0.0)
        if kept > 1e-9:
            outcome.eta_limit_at = now + left / kept
            outcome.limit_before_reset = outcome.eta_limit_at < forecast.resets_at
        else:
            outcome.limit_before_reset = False
        result[sid] = outcome
    return result


def pause_hint(state: State, projection: Projection, now: float,
               outcomes: dict[str, IfPaused] | None = None) -> PauseHint | None:
    """The session to pause so the binding window lasts to its reset, or None."""
    if projection.binding_window is None:
        return None  # the calm case: nothing binds, nothing to compute
    forecast = projection.windows.get(projection.binding_window)
    if forecast is None or forecast.eta_limit_at is None:
        return None
    tracked = tracked_fraction(state, projection, now)
    if outcomes is None:
        outcomes = if_paused(state, projection, now, tracked)
    if len(outcomes) < 2:
        return None  # one session alone: "stop working" is no advice
    ranked = sorted((o for o in outcomes.values() if o.share > 0),
                    key=lambda o: (-o.share, o.session_id))
    if not ranked or ranked[0].limit_before_reset:
        return None
    return PauseHint(ranked[0], forecast.eta_limit_at, tracked,
                     ranked[1] if len(ranked) > 1 else None)
