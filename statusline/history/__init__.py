"""The shared store's model and its merge rules (pure: no files, clock or environment).

Each status-line call brings one session's view; ``record`` folds it into the account-wide
``State`` that every session shares:

* per session: a snapshot (model, project, context %, cost and a short cost history) and
  the last rate-limit reading it reported, with the time that reading last changed;
* per window (``five_hour``, ``seven_day``): the merged reading of the window running now,
  keyed by ``resets_at``, with the series of values it took.

Merge rules (DESIGN section 3): readings that are not finite, negative or above 101 % are
dropped (the client has put the epoch into the percentage); (100, 101] counts as 100; a
``resets_at`` that is past, or further out than the window length plus an hour, is dropped;
a later ``resets_at`` starts a new window; within a window the value only rises, except an
official re-baseline: a lower value from a known session whose own reading just changed,
accepted once a later fresh lower reading, at least ``REBASELINE_CONFIRM_S`` after it,
confirms it (replies in flight together come back in any order, so two replies a second
apart prove nothing), or once it stands ``REBASELINE_GRACE_S`` with no reply confirming the
higher value. A session whose reading has not changed for ``FROZEN_AFTER_S`` replays a frozen
snapshot: it can show the pool but neither raise, lower nor confirm it. A value only a
replay produced (a session's first call, a call without a session id) is marked
``replayed``: its age is unknown until a reply confirms it.

The package: ``model`` (the classes and the store's bounds), ``merge`` (``record`` and the
rules above) and ``codec`` (the store document). Everything is re-exported here, so callers
import from ``statusline.history``.
"""

from __future__ import annotations

from statusline.history.codec import from_json, to_json
from statusline.history.liveness import (
    FUTURE_SKEW_S,
    LIVE_INTERVALS,
    LIVE_MIN_S,
    LIVE_SESSION_S,
    PROCESS_BEAT_S,
    SNAPSHOT_REFRESH_S,
    live_for,
)
from statusline.history.merge import _prune, record, session_key
from statusline.history.model import (
    ARCHIVE_SAMPLES,
    ARCHIVED_WINDOWS,
    COST_HISTORY_S,
    FROZEN_AFTER_S,
    MAX_COST_POINTS,
    MAX_SAMPLES,
    MAX_SESSIONS,
    PCT_ACCEPTED_MAX,
    REBASELINE_CONFIRM_S,
    REBASELINE_GRACE_S,
    SAME_WINDOW_S,
    SCHEMA_VERSION,
    SESSION_TTL_S,
    WINDOW_SECONDS,
    ArchivedWindow,
    Session,
    State,
    Window,
    thin,
    thin_by_time,
    trim_costs,
)
from statusline.history.windows import accept_reading

__all__ = [
    "ARCHIVED_WINDOWS",
    "ARCHIVE_SAMPLES",
    "COST_HISTORY_S",
    "FROZEN_AFTER_S",
    "FUTURE_SKEW_S",
    "LIVE_INTERVALS",
    "LIVE_MIN_S",
    "LIVE_SESSION_S",
    "MAX_COST_POINTS",
    "MAX_SAMPLES",
    "MAX_SESSIONS",
    "PCT_ACCEPTED_MAX",
    "PROCESS_BEAT_S",
    "REBASELINE_CONFIRM_S",
    "REBASELINE_GRACE_S",
    "SAME_WINDOW_S",
    "SCHEMA_VERSION",
    "SESSION_TTL_S",
    "SNAPSHOT_REFRESH_S",
    "WINDOW_SECONDS",
    "ArchivedWindow",
    "Session",
    "State",
    "Window",
    "_prune",
    "accept_reading",
    "from_json",
    "live_for",
    "record",
    "session_key",
    "thin",
    "thin_by_time",
    "to_json",
    "trim_costs",
]
