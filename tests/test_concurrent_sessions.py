"""Many sessions writing one store at once (scripts/concurrent_sessions.py, smaller in CI)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import concurrent_sessions


def test_concurrent_sessions_lose_nothing(tmp_path: Path) -> None:
    """Sessions x calls at once: every call prints one line, exit 0; the store keeps all."""
    soak = os.environ.get("STATUSLINE_SOAK") == "1"
    sessions, calls = (16, 100) if soak else (6, 8)
    result = concurrent_sessions.run(sessions, calls, [sys.executable, "-m", "statusline"],
                                     str(tmp_path / "state"))
    assert result["ok"], result
    assert result["calls"] == sessions * calls + sessions


@pytest.mark.parametrize("session", [0, 15])
def test_payloads_rise_with_every_call(session: int) -> None:
    """The storm's readings rise call by call, so the pool must end at the highest."""
    first = concurrent_sessions.payload(session, 0)
    last = concurrent_sessions.payload(session, 99)
    assert first != last
    assert concurrent_sessions.highest(16, 100) == 10 + 99 * 0.5 + 0.15
