"""Stateful test (reliability.md T10): calls, corruptions, orphaned temp files, clock jumps and
deletions in any order, against a model of what the store must hold.

After every step the store is absent, or valid and holding every acknowledged reading: each
session a call saved (``Outcome.wrote``) is there with the cost it last saved (the cost is a
sequence number here), unless the documented age rule pruned it; a window's value is never
below a value a call saved for the same ``resets_at``. Damage from outside (corruption,
deletion) destroys what it destroys: the model forgets it, and the next call must rebuild.

``STATUSLINE_STATEFUL_EXAMPLES`` / ``STATUSLINE_STATEFUL_STEPS`` raise the counts
(scripts/soak.py does).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import stat
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from statusline import call, history
from statusline.store import local as store

from .helpers_reliability import NOW, assert_terminal_safe, fast_tmp_base, reading_payload

SESSIONS = ("s1", "s2", "s3", "s4")
FIVE_HOURS = 5 * 3600.0
JUMPS = {
    "tick": 20.0,
    "minutes": 600.0,
    "hour": 3600.0,
    "past-reset": 6 * 3600.0,
    "back-a-day": -86400.0,
    "ten-years": 10 * 365 * 86400.0,
}


class StoreMachine(RuleBasedStateMachine):
    """Drives in-process calls (``call.render_call``) and outside damage on one store."""

    def __init__(self) -> None:
        super().__init__()
        self.base = Path(tempfile.mkdtemp(prefix="rel-state-", dir=fast_tmp_base()))
        self.state_dir = self.base / "state"
        self.path = self.state_dir / "store.json"
        self.victim = self.base / "victim"
        self.victim.write_text("precious")
        self.clock = NOW
        self.seq = 0
        # The model: session -> (last acknowledged cost, the clock of that call).
        self.acked: dict[str, tuple[float, float]] = {}
        # resets_at -> the highest five_hour value a saving call carried for it.
        self.window_floor: dict[float, float] = {}
        self.reset_at = float(int(NOW + 4 * 3600))
        self.pool_pct = 10.0
        self.damaged = False

    def teardown(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)

    # --- rules ---------------------------------------------------------------------------

    @rule(calls=st.lists(
        st.tuples(st.sampled_from(SESSIONS), st.sampled_from([0.0, 0.5, 3.0]), st.booleans()),
        min_size=1, max_size=4,
    ))
    def call(self, calls: list[tuple[str, float, bool]]) -> None:
        """A few status-line calls in a row (calls are most of what happens)."""
        for session, step, with_limits in calls:
            self._call(session, step, with_limits)

    @rule(jump=st.sampled_from(sorted(JUMPS)), calls=st.lists(
        st.tuples(st.sampled_from(SESSIONS), st.sampled_from([0.0, 3.0]), st.booleans()),
        min_size=1, max_size=3,
    ))
    def skewed_calls(self, jump: str, calls: list[tuple[str, float, bool]]) -> None:
        """Calls from a session whose clock is off (a VM, a wrong timezone setting), after
        which the clock is right again."""
        right = self.clock
        self.clock += JUMPS[jump]
        try:
            for session, step, with_limits in calls:
                self._call(session, step, with_limits)
        finally:
            self.clock = right + 1

    def _call(self, session: str, step: float, with_limits: bool) -> None:
        self.seq += 1
        cost = float(self.seq)  # always new, so every call is due to save
        if not self.clock < self.reset_at <= self.clock + FIVE_HOURS:
            # The running window (as the server would report it) for the current clock.
            self.reset_at = float(int(self.clock + 3 * 3600))
            # Usage never falls within a window (a lower value would be a re-baseline, a
            # different story): a reset time within SAME_WINDOW_S of a known one is that
            # same window and continues from its value.
            self.pool_pct = max([5.0, *self._floors_near(self.reset_at)])
        self.pool_pct = min(self.pool_pct + step, 100.0)
        doc = reading_payload(
            session, five_hour=self.pool_pct if with_limits else None, seven_day=None,
            cost=cost, five_reset=self.reset_at,
        )
        if not with_limits:
            doc.pop("rate_limits")
        env = {"STATUSLINE_STATE_DIR": str(self.state_dir), "STATUSLINE_NOW": repr(self.clock)}
        outcome = call.render_call(json.dumps(doc).encode(), env, save=True)
        assert_terminal_safe(outcome.line)
        # Nothing stands in the way of this save, so the call must have made it.
        assert outcome.wrote, "a writable store was not saved"
        self.damaged = False
        self._prune_model(session)
        self.acked[session] = (cost, self.clock)
        if with_limits:
            floor = self.window_floor.get(self.reset_at, 0.0)
            self.window_floor[self.reset_at] = max(floor, self.pool_pct)
        self._assert_no_old_orphans()

    @rule(kind=st.sampled_from(["truncate", "random", "wrong-type", "directory", "fifo",
                                "symlink", "empty"]),
          data=st.data())
    def corrupt(self, kind: str, data: st.DataObject) -> None:
        self.state_dir.mkdir(mode=0o700, exist_ok=True)
        current = self.path.read_bytes() if self.path.is_file() else b'{"schema_version": 1}'
        self._remove_store()
        if kind == "truncate":
            cut = data.draw(st.integers(0, max(len(current) - 1, 0)))
            self.path.write_bytes(current[:cut])
        elif kind == "random":
            self.path.write_bytes(data.draw(st.binary(min_size=1, max_size=256)))
        elif kind == "wrong-type":
            self.path.write_text(data.draw(st.sampled_from(['[]', '"x"', '1', 'null', '{}'])))
        elif kind == "directory":
            self.path.mkdir()
        elif kind == "fifo":
            os.mkfifo(self.path)
        elif kind == "symlink":
            self.path.symlink_to(self.victim)
        else:
            self.path.write_bytes(b"")
        self._forget_everything()
        self.damaged = True

    @rule(old=st.booleans())
    def orphan_temp_file(self, old: bool) -> None:
        self.state_dir.mkdir(mode=0o700, exist_ok=True)
        temp = self.state_dir / f".store.json.{random.randint(2, 99999)}.{os.urandom(4).hex()}.tmp"
        temp.write_text('{"schema_version": 1, "sess')  # what a killed writer leaves
        if old:
            past = time.time() - store.ORPHAN_TEMP_AGE_S - 30
            os.utime(temp, (past, past))

    @rule(jump=st.sampled_from(sorted(JUMPS)))
    def clock_jump(self, jump: str) -> None:
        self.clock += JUMPS[jump]

    @rule()
    def clock_back_to_now(self) -> None:
        self.clock = NOW + self.seq  # the real time again, a little later

    @precondition(lambda self: self.path.exists() or self.path.is_symlink())
    @rule()
    def delete(self) -> None:
        self._remove_store()
        self._forget_everything()

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def store_absent_or_valid(self) -> None:
        if self.damaged:
            return  # damage from outside is only judged after the next call repairs it
        if not os.path.lexists(self.path):
            assert not self.acked, "acknowledged readings vanished with the store"
            return
        info = os.lstat(self.path)
        assert stat.S_ISREG(info.st_mode)
        assert stat.S_IMODE(info.st_mode) == 0o600
        result = store.read(str(self.path))
        assert result.status == store.OK, result.detail

    @invariant()
    def acknowledged_readings_are_kept(self) -> None:
        if self.damaged or not os.path.lexists(self.path):
            return
        state = store.read(str(self.path)).state
        assert set(state.sessions) == set(self.acked), (sorted(state.sessions), self.acked)
        for session, (cost, _) in self.acked.items():
            assert state.sessions[session].cost_usd == cost, session
        window = state.windows["five_hour"]
        if window is not None:
            for floor in self._floors_near(window.resets_at):
                assert window.used_pct >= floor, (window.used_pct, self.window_floor)

    @invariant()
    def victim_untouched_and_quarantine_bounded(self) -> None:
        assert self.victim.read_text() == "precious"
        if self.state_dir.is_dir():
            kept = [n for n in os.listdir(self.state_dir) if n.startswith("store.json.corrupt-")]
            assert len(kept) <= store.QUARANTINE_KEPT

    # --- helpers -----------------------------------------------------------------------------

    def _prune_model(self, caller: str) -> None:
        """The documented age rule (history._prune): a session more than SESSION_TTL_S older
        than the newest other session (capped at now) is dropped."""
        others = [t for s, (_, t) in self.acked.items() if s != caller]
        if not others:
            return
        newest = min(max(others), self.clock)
        for session in [s for s, (_, t) in self.acked.items()
                        if s != caller and t < newest - history.SESSION_TTL_S]:
            del self.acked[session]

    def _floors_near(self, resets_at: float) -> list[float]:
        return [pct for at, pct in self.window_floor.items()
                if abs(at - resets_at) <= history.SAME_WINDOW_S]

    def _forget_everything(self) -> None:
        self.acked.clear()
        self.window_floor.clear()

    def _remove_store(self) -> None:
        if self.path.is_dir() and not self.path.is_symlink():
            shutil.rmtree(self.path)
        elif os.path.lexists(self.path):
            self.path.unlink()

    def _assert_no_old_orphans(self) -> None:
        cutoff = time.time() - store.ORPHAN_TEMP_AGE_S
        for name in os.listdir(self.state_dir):
            if name.startswith(".store.json.") and name.endswith(".tmp"):
                assert os.lstat(self.state_dir / name).st_mtime >= cutoff, name


StoreMachine.TestCase.settings = settings(
    max_examples=int(os.environ.get("STATUSLINE_STATEFUL_EXAMPLES", "60")),
    stateful_step_count=int(os.environ.get("STATUSLINE_STATEFUL_STEPS", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestStoreMachine = StoreMachine.TestCase
