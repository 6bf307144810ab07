"""The registry: every segment by its config name, and the loop that runs them (pure).

Shaped like starship's modules: the kit (``line.kit``) says what a segment is, each family
module here holds segments of one kind (``session``: this session; ``windows``: the pooled
5h/7d windows and pace; ``limits``: spend limit and per-model weeks; ``pool``: sessions,
freshness, cost; ``pause``: which session to pause), and this registry on top names them.
Nothing below imports it.
"""

from __future__ import annotations

import time

from statusline.line.kit import Context, Segment, SegmentResult
from statusline.line.segments.limits import model_week, spend_limit
from statusline.line.segments.pause import pause
from statusline.line.segments.pool import cost, freshness, sessions
from statusline.line.segments.session import context, model
from statusline.line.segments.windows import five_hour, pace, seven_day

TYPE_CHECKING = False
if TYPE_CHECKING:  # the status-line call does not import typing
    from collections.abc import Callable

SEGMENTS: dict[str, Callable[[Context], Segment | None]] = {
    "model": model,
    "context": context,
    "five_hour": five_hour,
    "seven_day": seven_day,
    "cost": cost,
    "sessions": sessions,
    "freshness": freshness,
    "pace": pace,
    "spend_limit": spend_limit,
    "model_week": model_week,
    "pause": pause,
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
