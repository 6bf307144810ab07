"""The projection of the whole store: every window, the binding one, shares and pooled $/h."""

from __future__ import annotations

from statusline.forecast.model import Projection, WindowForecast
from statusline.forecast.profile import rhythm_profile
from statusline.forecast.seven_day import typical_week_pct
from statusline.forecast.spend import spend_forecast
from statusline.forecast.window import forecast_window
from statusline.payload import SPEND_LIMIT, WINDOW_NAMES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from statusline.history import State

SHARE_SPAN_S = 3600.0
MIN_COST_SPAN_S = 300.0


def project(state: State, now: float, utc_offset: float = 0.0) -> Projection:
    """The projection of ``state`` at ``now`` (``utc_offset``: seconds east of UTC, local)."""
    projection = Projection(utc_offset)
    idle = idle_seconds(state, now)
    for name in WINDOW_NAMES:
        window = state.current_window(name, now)
        if window is not None:
            profile = rhythm_profile(name, state.rhythm, utc_offset)
            projection.windows[name] = forecast_window(name, window, now, idle, utc_offset,
                                                       profile, typical_week_pct(state))
        elif state.windows[name] is not None or state.archive[name]:
            projection.ended.add(name)
    for name in state.windows:  # the spend limit and per-model weeks, once seen
        window = state.current_window(name, now)
        if name in WINDOW_NAMES:
            continue
        if window is None:
            if name == SPEND_LIMIT and (state.windows[name] or state.archive.get(name)):
                projection.ended.add(name)
        elif name == SPEND_LIMIT:
            projection.windows[name] = spend_forecast(window, now, WindowForecast(name, window))
        else:
            # A per-model week from the usage cache: readings are rare, so no momentum.
            projection.windows[name] = forecast_window(
                name, window, now, None, utc_offset,
                rhythm_profile(name, state.rhythm, utc_offset), typical_week_pct(state))
    projection.binding_window = binding_window(projection.windows)
    spent = spend_by_session(state, now, SHARE_SPAN_S)
    total = sum(spent.values())
    if total > 0:
        projection.shares = {sid: value / total for sid, value in spent.items()}
    projection.usd_per_hour = pooled_usd_per_hour(state, now, total)
    return projection


def remember(state: State, projection: Projection) -> bool:
    """Store each window's warning in ``state`` (for the hysteresis) and the clock the
    account's rhythm learns on (its hours are the person's); True if anything changed."""
    changed = state.rhythm.follow_clock(projection.utc_offset)
    for name, forecast in projection.windows.items():
        window = state.windows[name]
        if window is not None and window.warned != forecast.limit_before_reset:
            window.warned = forecast.limit_before_reset
            changed = True
    return changed


def binding_window(windows: dict[str, WindowForecast]) -> str | None:
    """The window that reaches 100 % first among those that do so before their reset."""
    hitting = [w for w in windows.values() if w.limit_before_reset and w.eta_limit_at is not None]
    if not hitting:
        return None
    return min(hitting, key=lambda w: w.eta_limit_at or 0.0).name


def idle_seconds(state: State, now: float) -> float | None:
    """Seconds since any session's cost last rose (None if no session ever spent)."""
    latest = None
    for session in state.sessions.values():
        costs = session.costs
        for i in range(len(costs) - 1, 0, -1):
            if costs[i][1] > costs[i - 1][1] and costs[i][0] <= now:
                latest = costs[i][0] if latest is None else max(latest, costs[i][0])
                break
    return None if latest is None else max(0.0, now - latest)


def spend_by_session(state: State, now: float, span: float) -> dict[str, float]:
    """Each session's spend in USD over the last ``span`` seconds (cost only rises per id)."""
    spent: dict[str, float] = {}
    since = now - span
    for sid, session in state.sessions.items():
        base = last = None
        for t, cost in session.costs:
            if t > now:
                break
            if t <= since:
                base = cost
            last = cost
        if last is None:
            continue
        delta = last - (session.costs[0][1] if base is None else base)
        if delta > 0:
            spent[sid] = delta
    return spent


def pooled_usd_per_hour(state: State, now: float, spent: float) -> float | None:
    """Pooled $/h over the last hour, or since the store first saw a session if later."""
    starts = [s.first_seen for s in state.sessions.values() if s.first_seen <= now]
    if not starts:
        return None
    observed = min(now - min(starts), SHARE_SPAN_S)
    if observed < MIN_COST_SPAN_S:
        return None
    return spent / (observed / 3600.0)
