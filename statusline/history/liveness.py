"""Which sessions count as live: those whose Claude Code process runs, when the caller could
look it up, else those still calling on their own cadence (pure).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from statusline.history.model import Session

# Timestamps that only say "still alive" are saved at most this often, so most calls
# (refreshInterval ticks repeating the same reading) never take the lock or write.
SNAPSHOT_REFRESH_S = 30.0
# A session whose Claude Code process every reader can look up (this machine, a local store)
# is live while that process runs, so its "still here" stamp is saved this seldom instead
# (see ``State.running``); the stamp then only bounds a reused process id.
PROCESS_BEAT_S = 300.0
LIVE_SESSION_S = 15 * 60.0
# A session whose calls come on refreshInterval ticks is live for LIVE_INTERVALS of its own
# longest recent idle gap (see live_for), never less than LIVE_MIN_S.
LIVE_INTERVALS = 3
LIVE_MIN_S = 90.0
# Timestamps further ahead than this are from a clock that jumped: not live, not a yardstick.
FUTURE_SKEW_S = 300.0


def live_for(cadence: float | None) -> float:
    """How long after its last call a session with this call ``cadence`` still counts as live.

    With ``refreshInterval`` ticks Claude Code calls an open session every N seconds, idle or
    not; a closed session stops. The stamp the store keeps is saved at most every
    ``SNAPSHOT_REFRESH_S``, so the gaps seen between saved stamps of calls that brought
    nothing new are max(N, ~SNAPSHOT_REFRESH_S) plus up to one tick: their maximum over the
    last ``CADENCE_SAMPLES`` such calls is the longest silence an open session shows. A
    session is live for ``LIVE_INTERVALS`` of that: one save skipped on a busy lock or one
    late tick does not drop it, and three missed intervals do (at the default 10 s ticks,
    ~30-40 s gaps: ~1.5-2 minutes instead of 15). The gaps are the session's own, so a user
    who sets a longer interval (or none, per project) is measured as such: its gaps are
    longer, and a single longer gap enters the maximum at once, so a session is never
    declared gone twice in a row for keeping its own slower beat. Without ticks an open,
    idle session makes no calls at all and nothing can tell it from a closed one: such
    sessions (fewer than ``CADENCE_SAMPLES`` idle gaps, or long ones) keep the old rule,
    ``LIVE_SESSION_S``, which is also the ceiling.
    """
    if cadence is None:
        return LIVE_SESSION_S
    return min(max(LIVE_INTERVALS * cadence, LIVE_MIN_S), LIVE_SESSION_S)


def live_sessions(sessions: Iterable[Session], running: Mapping[str, bool],
                  now: float) -> list[Session]:
    """The live ones of ``sessions``, most recently seen first (see ``live_for``).

    A session that has not shown its own cadence yet (new, or always busy) is judged by
    the slowest cadence any session in the store has shown: sessions of one profile share
    its settings. A session stamped more than ``FUTURE_SKEW_S`` ahead of ``now`` (a clock
    that jumped) is not shown as live: it would otherwise stay "live" until the clock
    catches up.

    A session in ``running`` (whether its process runs, as the caller saw it) is live while
    its process runs and it was seen within ``LIVE_SESSION_S`` (a process id the system gave
    to another program later does not keep it longer), and not live once its process has
    ended, whatever its stamp; its seldom stamps say nothing of the profile's cadence.
    """
    sessions = list(sessions)
    known = [c for c in (s.cadence() for s in sessions if s.session_id not in running)
             if c is not None]
    shared = max(known) if known else None
    live = []
    for s in sessions:
        runs = running.get(s.session_id)
        if runs is not None:
            if runs and -FUTURE_SKEW_S <= now - s.last_seen <= LIVE_SESSION_S:
                live.append(s)
            continue
        cadence = s.cadence()
        if -FUTURE_SKEW_S <= now - s.last_seen <= live_for(shared if cadence is None else cadence):
            live.append(s)
    live.sort(key=lambda s: s.last_seen, reverse=True)
    return live
