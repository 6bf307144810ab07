"""The pool's clock: the shared store's server, and the payload's resets, against ours.

Every machine of a shared store runs at one clock: a machine whose clock is off by more
than ``CLOCK_TOLERANCE_S`` from the server's runs at the server's; a clock far behind is
told by the payload's own resets (a 5-hour window cannot reset more than five hours on).
"""

from __future__ import annotations

from statusline import history
from statusline.process import clock_skew

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from statusline.payload import Payload


# A clock within this of the shared store's server is left alone (no figure moves by it).
CLOCK_TOLERANCE_S = 2.0


def now_by_server(backend: object, clock_now: float, env: Mapping[str, str]) -> float | None:
    """This call's ``clock_now`` on the shared store's server clock, or None to keep it.

    The server's offset is measured against ``time.time()``; this machine's clock as the
    call reads it is that plus ``STATUSLINE_CLOCK_SKEW`` (how wrong the clock is made to
    be, for tests), so the correction is the offset less the skew, and ``clock_now`` keeps
    its own base (``STATUSLINE_NOW`` in a replay). None when no server told its time or
    the clock is within ``CLOCK_TOLERANCE_S`` of it.
    """
    offset = getattr(backend, "server_offset", None)
    if not isinstance(offset, float):
        return None
    error = offset - clock_skew(env)
    if abs(error) <= CLOCK_TOLERANCE_S:
        return None
    return clock_now + error


# A local clock this far behind the server's is corrected from the readings' resets_at.
MAX_CLOCK_BEHIND_S = 3 * 3600.0


def clock_behind(payload: Payload, now: float) -> float:
    """How far ``now`` is at least behind the server's clock, judged by the payload.

    A window resets at most its length after the reading was taken, so a 5-hour window
    resetting 5h20 from ``now`` means a clock at least 20 minutes slow: the call then runs
    at the corrected time (a sane countdown, the reading kept). Only up to
    ``MAX_CLOCK_BEHIND_S``: beyond that the reading is more likely wrong than the clock. A
    clock that is ahead cannot be told from an old reading, and is left alone.
    """
    behind = 0.0
    for name, reading in (payload.rate_limits or {}).items():
        length = history.WINDOW_SECONDS.get(name)
        if length is None:
            continue
        excess = reading.resets_at - now - length
        if 0 < excess <= MAX_CLOCK_BEHIND_S:
            behind = max(behind, excess)
    return behind
