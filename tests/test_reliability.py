"""The soak loops of scripts/soak.py at CI size, and at full size with STATUSLINE_SOAK=1.

CI runs a few writers, a few SIGKILL rounds and a few hundred hostile inputs; the full
counts (16 writers x 100 calls, 200 kill rounds, 20 000 hostile inputs) run from
``python scripts/soak.py`` or here under ``STATUSLINE_SOAK=1``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import soak

SOAK = os.environ.get("STATUSLINE_SOAK") == "1"
soak_only = pytest.mark.skipif(not SOAK, reason="long loop: set STATUSLINE_SOAK=1 (or run "
                               "scripts/soak.py)")


def test_concurrent_writers_lose_no_acknowledged_update(tmp_path: Path) -> None:
    figures = soak.writers(3, 6, tmp_path)
    assert figures["ok"], figures
    assert figures["calls"] == 18
    assert figures["lost_updates"] == 0


def test_sigkill_rounds_keep_every_acknowledged_write(tmp_path: Path) -> None:
    figures = soak.kills(4, tmp_path)
    assert figures["ok"], figures
    assert figures["acked_writes"] == figures["acked_writes_kept"]


def test_hostile_loop_raises_nothing_and_leaks_nothing(tmp_path: Path) -> None:
    figures = soak.hostile(300, tmp_path)
    assert figures["ok"], figures


@pytest.mark.slow
@soak_only
def test_soak_writers(tmp_path: Path) -> None:
    figures = soak.writers(16, 100, tmp_path)
    assert figures["ok"], figures


@pytest.mark.slow
@soak_only
def test_soak_kills(tmp_path: Path) -> None:
    figures = soak.kills(200, tmp_path)
    assert figures["ok"], figures


@pytest.mark.slow
@soak_only
def test_soak_hung_lock(tmp_path: Path) -> None:
    figures = soak.hung(20, tmp_path)
    assert figures["ok"], figures


@pytest.mark.slow
@soak_only
def test_soak_hostile(tmp_path: Path) -> None:
    figures = soak.hostile(20_000, tmp_path)
    assert figures["ok"], figures
