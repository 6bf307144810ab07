"""The account's record of limit notices: an ended window remembers whether the hook
announced its limit (history.windows.limit_noticed, kept by the codec), and inspect says how
many of the announced ones came true (report.limit_notices_json, text.notice_record_line)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from statusline import history
from statusline.config import NotifyConfig
from statusline.history import State
from statusline.history.windows import expire_windows, limit_noticed
from statusline.inspect.report import limit_notices_json
from statusline.inspect.text import notice_record_line
from statusline.payload import from_mapping
from tests.helpers_cli import FIVE_HOUR_RESET, NOW, payload, write_store
from tests.test_hook import env_for, hook
from tests.test_notice import announce, climbing

AFTER_RESET = FIVE_HOUR_RESET + 120.0
NEXT_RESET = FIVE_HOUR_RESET + 5 * 3600


def limit_announced(final_pct: float = 80.0) -> State:
    """A 5h window climbing to ``final_pct`` whose limit the hook has announced."""
    state = climbing(final_pct)
    found = announce(state, settings=NotifyConfig())
    assert found is not None and found.limit
    return state


def ended(state: State, at: float = AFTER_RESET) -> history.ArchivedWindow:
    """The 5h window after its reset, as the archive keeps it."""
    assert expire_windows(state, at)
    return state.archive["five_hour"][-1]


def test_an_ended_window_remembers_that_its_limit_was_announced() -> None:
    assert ended(limit_announced()).limit_noticed


def test_a_window_without_a_limit_notice_has_none() -> None:
    assert not ended(climbing(50.0)).limit_noticed
    levels_only = climbing(81.0)
    settings = NotifyConfig()
    settings.lead_minutes = 0  # levels, never the limit
    found = announce(levels_only, settings=settings)
    assert found is not None and not found.limit
    assert not ended(levels_only).limit_noticed


def test_a_claim_made_for_another_window_does_not_count() -> None:
    state = limit_announced()
    assert not limit_noticed(state, "five_hour", FIVE_HOUR_RESET + 3600)
    assert not limit_noticed(state, "seven_day", FIVE_HOUR_RESET)
    state.notices["five_hour"]["resets_at"] = True  # a hand-edited store: not a number
    assert not limit_noticed(state, "five_hour", FIVE_HOUR_RESET)


def test_the_store_keeps_the_mark_and_writes_it_only_when_set() -> None:
    state = limit_announced()
    ended(state)
    state.archive["five_hour"].insert(0, history.ArchivedWindow(NOW - 9 * 3600, 40.0, []))
    document = history.to_json(state)
    entries = document["archive"]["five_hour"]
    assert "limit_noticed" not in entries[0] and entries[1]["limit_noticed"] is True
    again = history.from_json(json.loads(json.dumps(document)))
    assert [a.limit_noticed for a in again.archive["five_hour"]] == [False, True]
    entries[1]["limit_noticed"] = "yes"  # only a true boolean is a mark
    assert not history.from_json(document).archive["five_hour"][1].limit_noticed


def test_the_record_counts_announced_windows_that_reached_the_limit() -> None:
    state = State()
    state.archive["five_hour"] = [
        history.ArchivedWindow(NOW - 3 * 18000, 100.0, [], limit_noticed=True),
        history.ArchivedWindow(NOW - 2 * 18000, 97.0, [], limit_noticed=True),
        history.ArchivedWindow(NOW - 18000, 100.0, []),  # reached, never announced
    ]
    state.archive["seven_day"] = [history.ArchivedWindow(NOW - 86400, 70.0, [])]
    record = limit_notices_json(state)
    assert record == {"five_hour": {"ended_windows": 3, "announced": 2, "reached": 1},
                      "seven_day": {"ended_windows": 1, "announced": 0, "reached": 0}}
    assert notice_record_line(record) == (
        "Limit notices: 5h 1 of 2 came true, over the last 3 windows")
    record["seven_day_opus"] = {"ended_windows": 1, "announced": 1, "reached": 1}
    assert notice_record_line(record).endswith("; 7d opus 1 of 1 came true, over the last window")


def test_no_announced_limit_means_no_line() -> None:
    assert notice_record_line({}) == ""
    assert notice_record_line(None) == ""
    assert notice_record_line({"five_hour": {"ended_windows": 4, "announced": 0,
                                             "reached": 0}}) == ""


def _call(state_dir: Path, at: float, five: float) -> None:
    """One status-line call of session 0 at ``at`` with a 5h reading of the next window."""
    doc = payload(0, at, five, 41.0, 30.0, five_reset=NEXT_RESET)
    done = subprocess.run([sys.executable, "-m", "statusline"], input=json.dumps(doc).encode(),
                          env=env_for(state_dir, at), capture_output=True, timeout=30,
                          check=False)
    assert done.returncode == 0 and done.stdout and done.stderr == b"", done


def _inspect(state_dir: Path, at: float) -> str:
    done = subprocess.run([sys.executable, "-m", "statusline", "inspect"],
                          env={**env_for(state_dir, at), "COLUMNS": "100"},
                          capture_output=True, timeout=30, check=False)
    assert done.returncode == 0 and done.stderr == b"", done
    return done.stdout.decode()


def test_inspect_says_whether_the_hooks_limit_notice_came_true(tmp_path: Path) -> None:
    """Through the entry points: the hook announces the limit, the window ends below it, the
    next call archives it, and inspect says the notice did not come true; a window that
    did fill after its notice counts as one that came true."""
    for final, reached, came in ((80.0, None, "0 of 1"), (80.0, 100.0, "1 of 1")):
        state_dir = tmp_path / f"state-{reached}"
        write_store(state_dir, climbing(final))
        answer, _ = hook(env_for(state_dir))
        assert answer is not None and "limit ~" in answer["systemMessage"]
        if reached is not None:  # the window fills before its reset
            filled = history.from_json(json.loads((state_dir / "store.json").read_text()))
            at = FIVE_HOUR_RESET - 600.0
            history.record(filled, from_mapping(payload(1, at, reached, 41.0, 80.0)), at)
            write_store(state_dir, filled)
        assert "Limit notices" not in _inspect(state_dir, NOW + 60)  # nothing ended yet
        _call(state_dir, AFTER_RESET, 2.0)
        report = _inspect(state_dir, AFTER_RESET + 5)
        assert f"Limit notices: 5h {came} came true, over the last window" in report, report
