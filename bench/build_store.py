"""Write the stores the benchmark starts from; runs inside the benchmark's venv.

usage: python build_store.py PAYLOAD NOW KIND OUT
  KIND: "empty"        only the benchmark's own session, as its last call left it;
        "full"         a 7-day history at every cap of ``statusline.history``
                       (MAX_SESSIONS sessions, MAX_COST_POINTS cost points each, MAX_SAMPLES
                       samples per running window, ARCHIVED_WINDOWS archived windows of
                       ARCHIVE_SAMPLES samples), plus the benchmark's session;
        "empty-stale" / "full-stale": the same, but the benchmark's session last reported a
                       different rate-limit reading, so the next call must write.

The store is built with the package's own model and merge rules (``call.advance`` for the
benchmark's session, ``history.to_json`` for the file) and checked: a "full" store keeps
every cap through a save and load, and the call the benchmark times is due (or not) as
intended. Prints the store size in bytes.
"""

from __future__ import annotations

import json
import os
import random
import sys

from statusline import call, history, paths, payload, process
from statusline.history import (
    ARCHIVE_SAMPLES,
    ARCHIVED_WINDOWS,
    MAX_COST_POINTS,
    MAX_SAMPLES,
    MAX_SESSIONS,
    WINDOW_SECONDS,
    ArchivedWindow,
    Session,
    State,
)

DAY = 86400.0


def _fill_history(state: State, now: float, own_session: str) -> None:
    """Add the other sessions, the windows' samples and the archive, all at their caps."""
    rng = random.Random(7)
    for i in range(MAX_SESSIONS - 1):
        sid = f"bench-other-{i:03d}-{rng.getrandbits(32):08x}"
        # Everybody seen within the last hour, each with a full cost history inside the
        # two hours the store keeps: the largest store the caps allow.
        last_seen = now - rng.uniform(60.0, 3600.0)
        session = Session(sid, last_seen - DAY)
        session.last_seen = last_seen
        session.model = "Opus 5.5"
        session.project_dir = f"/home/user/src/project-{i:02d}"
        session.context_pct = float(rng.randint(1, 95))
        first_cost = now - history.COST_HISTORY_S + 60.0
        spacing = (last_seen - first_cost) / MAX_COST_POINTS
        session.costs = [
            (first_cost + k * spacing, round(0.05 * k, 4)) for k in range(MAX_COST_POINTS)
        ]
        session.reading = [["five_hour", 10.0, now + 3600.0], ["seven_day", 40.0, now + DAY]]
        session.reading_changed_at = last_seen
        state.sessions[sid] = session
    for name in payload.WINDOW_NAMES:
        window = state.windows[name]
        if window is None:
            raise SystemExit(f"the payload has no {name} reading")
        span = WINDOW_SECONDS[name]
        start = window.resets_at - span
        first = max(start, now - 7 * DAY)
        step = (now - first) / MAX_SAMPLES
        # A rising series of MAX_SAMPLES values ending at the window's current value.
        window.samples = [
            (first + k * step, round(window.used_pct * (k + 1) / (MAX_SAMPLES + 1), 2))
            for k in range(MAX_SAMPLES - 1)
        ] + [(now - 1.0, window.used_pct)]
        archived = []
        for j in range(ARCHIVED_WINDOWS[name], 0, -1):
            resets_at = window.resets_at - j * span
            samples = [
                (resets_at - span + k * span / ARCHIVE_SAMPLES, k * 90.0 / ARCHIVE_SAMPLES)
                for k in range(ARCHIVE_SAMPLES)
            ]
            archived.append(ArchivedWindow(resets_at, 90.0, samples))
        state.archive[name] = archived
    # A rhythm learned from four weeks of back-to-back 5h windows: every slot in use.
    span = WINDOW_SECONDS["five_hour"]
    first_end = now - 28 * DAY
    for k in range(int(28 * DAY / span)):
        resets_at = first_end + k * span
        state.rhythm.learn_window(resets_at, span, [
            (resets_at - span + m * 600.0, round(rng.uniform(0, 6) * m, 1)) for m in range(1, 31)])
    own = state.sessions[own_session]
    own.costs = [
        # One short of the cap: the timed call's own cost comes on top.
        (now - 2 * 3600 + 60 + k * 29.0, round(0.01 * k, 4)) for k in range(MAX_COST_POINTS - 1)
    ]


def _check_full(state: State) -> None:
    """The saved and reloaded store still holds every cap (nothing was silently dropped)."""
    loaded = history.from_json(json.loads(json.dumps(history.to_json(state))))
    problems = []
    if len(loaded.sessions) != MAX_SESSIONS:
        problems.append(f"{len(loaded.sessions)} sessions")
    for session in loaded.sessions.values():
        # The benchmark's own session is one short until its timed call adds its cost.
        if len(session.costs) < MAX_COST_POINTS - 1:
            problems.append(f"{session.session_id}: {len(session.costs)} cost points")
            break
    for name in payload.WINDOW_NAMES:
        window = loaded.windows[name]
        if window is None or len(window.samples) != MAX_SAMPLES:
            problems.append(f"{name}: window samples")
        kept = loaded.archive[name]
        if len(kept) != ARCHIVED_WINDOWS[name] or any(
            len(a.samples) != ARCHIVE_SAMPLES for a in kept
        ):
            problems.append(f"{name}: archive")
    if loaded.rhythm.days < 10 or not all(loaded.rhythm.hours) or not all(loaded.rhythm.usage):
        problems.append("rhythm")
    if problems:
        raise SystemExit("the full store lost data on a save/load: " + ", ".join(problems))


def _older_reading(document: dict[str, object]) -> dict[str, object]:
    """The same payload a little earlier: both windows one point lower."""
    older = json.loads(json.dumps(document))
    limits = older["rate_limits"]
    for name in payload.WINDOW_NAMES:
        limits[name]["used_percentage"] = round(limits[name]["used_percentage"] - 1.0, 1)
    return older


def build(payload_bytes: bytes, now: float, kind: str) -> bytes:
    """The store document ``kind`` for a call at ``now`` with ``payload_bytes``."""
    document = json.loads(payload_bytes)
    stale = kind.endswith("-stale")
    own = payload.parse(payload_bytes)
    if own.session_id is None:
        raise SystemExit("the payload has no valid session_id")
    state = State()
    # The calls record this machine's name with their session (as the hot path does).
    host = paths.host_name(os.environ)
    # Each call folds its payload as ``call.advance`` does (the merge, then what the
    # forecast remembers), at the zone's offset the timed calls will have.
    offset = process.utc_offset(now)
    if stale:
        # The session's previous call, a minute ago, reported a lower reading.
        older = payload.parse(json.dumps(_older_reading(document)).encode())
        call.advance(state, older, now - 60, offset, host)
    else:
        call.advance(state, own, now, offset, host)
    if kind.startswith("full"):
        _fill_history(state, now, own.session_id)
        if not stale:
            call.advance(state, own, now, offset, host)  # this session's snapshot is current
        _check_full(state)
    text = json.dumps(history.to_json(state), separators=(",", ":"), allow_nan=False).encode()
    # The timed call must find exactly the situation it is meant to measure.
    due = call.advance(history.from_json(json.loads(text)), own, now, offset, host)
    if due != stale:
        raise SystemExit(f"{kind}: the timed call would {'' if due else 'not '}write")
    return text


def main() -> None:
    payload_path, now, kind, out = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
    if kind not in ("empty", "full", "empty-stale", "full-stale"):
        raise SystemExit(f"unknown kind {kind!r}")
    with open(payload_path, "rb") as handle:
        text = build(handle.read(), now, kind)
    with open(out, "wb") as handle:
        handle.write(text)
    print(len(text))


if __name__ == "__main__":
    main()
