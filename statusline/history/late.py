"""Readings that arrive after the pool moved on: kept through an outage, replayed later.

A machine away from the shared store for hours keeps its calls and replays them when it is
back. By then another machine may have seen a window end and the next begin; a kept
reading of the ended window must not be merged as if it were running (it would set the
running window aside as another account's, and archive the ended one twice). Such a
reading is *late*: it can only raise what the archive remembers of its window (pure: the
time is passed in).
"""

from __future__ import annotations

from statusline.history.model import ARCHIVE_SAMPLES, SAME_WINDOW_S, State, thin


def is_late(state: State, name: str, resets_at: float) -> bool:
    """True when a reading of window ``name`` resetting at ``resets_at`` is of a window that
    ended before the one the state shows (or one the archive already holds)."""
    window = state.windows.get(name)
    if window is not None and resets_at < window.resets_at - SAME_WINDOW_S:
        return True
    return any(abs(old.resets_at - resets_at) <= SAME_WINDOW_S
               for old in state.archive.get(name, ()))


def fold_late(state: State, name: str, pct: float, resets_at: float, at: float) -> bool:
    """Raise the archived window's peak (and add the point) with a late reading; True if it
    changed anything. A reading of a window the archive never saw is not invented."""
    for old in state.archive.get(name, ()):
        if abs(old.resets_at - resets_at) > SAME_WINDOW_S or pct <= old.peak_pct:
            continue
        old.peak_pct = pct
        old.samples = thin(sorted([*old.samples, (at, pct)]), ARCHIVE_SAMPLES)
        return True
    return False
