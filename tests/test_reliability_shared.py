"""The shared store's soak (scripts/soak_shared.py): CI size here, full size with STATUSLINE_SOAK=1.

CI runs 3 hosts x 3 sessions x 6 calls with the server killed after a third of them and
restarted; the full run (3 hosts x 8 sessions x 50 calls) is ``python
scripts/soak_shared.py`` or this file under ``STATUSLINE_SOAK=1``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import soak_shared

SOAK = os.environ.get("STATUSLINE_SOAK") == "1"


def test_three_hosts_on_one_redis_killed_mid_run_lose_nothing(tmp_path: Path,
                                                               redis_binary: str) -> None:
    figures = soak_shared.shared(3, 3, 6, tmp_path, kill=True, binary=redis_binary)
    assert figures["ok"], figures
    assert figures["calls"] == 54 and figures["bad_exits_or_output"] == 0
    assert figures["lost_updates"] == 0 and figures["outboxes_left"] == 0
    assert figures["hosts_in_redis"] == ["host-0", "host-1", "host-2"]


@pytest.mark.slow
@pytest.mark.skipif(not SOAK, reason="long loop: set STATUSLINE_SOAK=1 (or run "
                    "scripts/soak_shared.py)")
def test_soak_shared_full_size(tmp_path: Path, redis_binary: str) -> None:
    figures = soak_shared.shared(3, 8, 50, tmp_path, kill=True, binary=redis_binary)
    assert figures["ok"], figures
    assert figures["calls"] == 1200
