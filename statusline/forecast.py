"""Project the pooled rate-limit windows forward (pure: ``now`` is passed in).

From the merged readings of every session, per window: the burn rate in %/h, when the
window would reach 100 % at that pace (``eta_limit_at``), whether that comes before the
reset, and the figure expected at the reset; then the binding window, each session's share
of the recent spend, and the pooled $/h (the only figure API-key users have).
"""

from __future__ import annotations

from statusline.history import WINDOW_SECONDS, State, Window
from statusline.payload import WINDOW_NAMES

# The merged value moves in 0.1 % (sometimes 1 %) steps, so a rate needs a span of readings.
RECENT_LOOKBACK_S = 3600.0
MIN_RECENT_SPAN_S = 20 * 60.0
MIN_ELAPSED_S = 10 * 60.0
SHARE_SPAN_S = 3600.0
MIN_COST_SPAN_S = 300.0


class WindowForecast:
    """What the forecast says about one running window."""

    __slots__ = (
        "eta_limit_at",
        "limit_before_reset",
        "name",
        "observed_at",
        "observed_by",
        "projected_pct_at_reset",
        "rate_pct_per_hour",
        "resets_at",
        "thin",
        "used_pct",
    )

    def __init__(self, name: str, window: Window) -> None:
        self.name = name
        self.used_pct = window.used_pct
        self.resets_at = window.resets_at
        self.observed_at = window.observed_at
        self.observed_by = window.observed_by
        self.rate_pct_per_hour: float | None = None
        self.eta_limit_at: float | None = None
        self.limit_before_reset = False
        self.projected_pct_at_reset: float | None = None
        # True when the rate rests on little data: shown with '~'.
        self.thin = True


class Projection:
    """The whole forecast for one moment: windows, binding window, shares and spend."""

    __slots__ = ("binding_window", "ended", "shares", "usd_per_hour", "windows")

    def __init__(self) -> None:
        self.windows: dict[str, WindowForecast] = {}
        # Windows whose last known reset has passed and no new reading came since.
        self.ended: set[str] = set()
        self.binding_window: str | None = None
        self.shares: dict[str, float] = {}
        self.usd_per_hour: float | None = None


def project(state: State, now: float) -> Projection:
    """Return the projection of ``state`` at ``now``; never raises on a consistent state."""
    projection = Projection()
    for name in WINDOW_NAMES:
        window = state.current_window(name, now)
        if window is not None:
            projection.windows[name] = forecast_window(name, window, now)
        elif state.windows[name] is not None or state.archive[name]:
            projection.ended.add(name)
    projection.binding_window = binding_window(projection.windows)
    spent = spend_by_session(state, now, SHARE_SPAN_S)
    total = sum(spent.values())
    if total > 0:
        projection.shares = {sid: value / total for sid, value in spent.items()}
    projection.usd_per_hour = pooled_usd_per_hour(state, now, total)
    return projection


def forecast_window(name: str, window: Window, now: float) -> WindowForecast:
    """Rate, ETA and reset outlook of one running window at ``now``."""
    result = WindowForecast(name, window)
    used = window.used_pct
    if used >= 100:
        result.rate_pct_per_hour = 0.0
        result.eta_limit_at = window.full_at if window.full_at is not None else now
        result.limit_before_reset = True
        result.projected_pct_at_reset = 100.0
        result.thin = False
        return result
    rate, thin = burn_rate(name, window, now)
    result.rate_pct_per_hour, result.thin = rate, thin
    if rate is None:
        return result
    hours_left = max(window.resets_at - now, 0.0) / 3600.0
    result.projected_pct_at_reset = min(used + rate * hours_left, 100.0) if rate > 0 else used
    if rate > 0:
        result.eta_limit_at = now + (100.0 - used) / rate * 3600.0
        result.limit_before_reset = result.eta_limit_at < window.resets_at
    return result


def burn_rate(name: str, window: Window, now: float) -> tuple[float | None, bool]:
    """Pooled burn in %/h and whether it is thin, from the window's merged readings.

    The recent rate (up to ``RECENT_LOOKBACK_S``) is blended with the whole-window average,
    weighting the recent one by how much span it covers.
    """
    samples = [s for s in window.samples_since_rebase() if s[0] <= now]
    start = window.resets_at - WINDOW_SECONDS[name]
    if window.rebased_at is not None:
        base_t, base_v = samples[0] if samples else (now, window.used_pct)
    else:
        base_t, base_v = start, 0.0
    elapsed = now - base_t
    average = (window.used_pct - base_v) / (elapsed / 3600.0) if elapsed >= MIN_ELAPSED_S else None
    recent = None
    weight = 0.0
    if samples:
        cutoff = now - RECENT_LOOKBACK_S
        t0, v0 = samples[0]
        for t, v in samples:
            if t <= cutoff:
                t0, v0 = cutoff, v
            else:
                break
        span = now - t0
        if span >= MIN_RECENT_SPAN_S:
            recent = (window.used_pct - v0) / (span / 3600.0)
            weight = min(span / RECENT_LOOKBACK_S, 1.0)
    if recent is None and average is None:
        return None, True
    if recent is None:
        return max(average or 0.0, 0.0), True
    if average is None:
        return max(recent, 0.0), weight < 1.0
    return max(weight * recent + (1 - weight) * average, 0.0), weight < 0.5


def binding_window(windows: dict[str, WindowForecast]) -> str | None:
    """The window that reaches 100 % first among those that do so before their reset."""
    hitting = [w for w in windows.values() if w.limit_before_reset and w.eta_limit_at is not None]
    if not hitting:
        return None
    return min(hitting, key=lambda w: w.eta_limit_at or 0.0).name


def spend_by_session(state: State, now: float, span: float) -> dict[str, float]:
    """Each session's spend in USD over the last ``span`` seconds (positive deltas only)."""
    spent: dict[str, float] = {}
    for sid, session in state.sessions.items():
        total = 0.0
        previous: float | None = None
        for t, cost in session.costs:
            if t > now:
                break
            if previous is not None and t > now - span and cost > previous:
                total += cost - previous
            previous = cost
        if total > 0:
            spent[sid] = total
    return spent


def pooled_usd_per_hour(state: State, now: float, spent: float) -> float | None:
    """Pooled $/h over the last hour (or since the first cost seen, when more recent)."""
    starts = [s.costs[0][0] for s in state.sessions.values() if s.costs]
    if not starts:
        return None
    observed = min(now - min(starts), SHARE_SPAN_S)
    if observed < MIN_COST_SPAN_S:
        return None
    return spent / (observed / 3600.0)
