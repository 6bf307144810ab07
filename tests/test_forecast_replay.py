"""Forecast regression: public benchmark traces replayed through the real entry point.

Each event of a trace is one ``statusline`` process with the event's payload on stdin and
``STATUSLINE_NOW`` at the event's time, as Claude Code (and shared/forecast/evaluate.py)
would call it; ``statusline inspect --json`` at a dozen points gives the projection, which is
compared with the trace's ground truth. The traces (tests/data/traces) are copies of
shared/forecast/public; p09 is cut to its first 160 events.

The tolerances sit above what the forecast measures on these traces today (printed by the
assertions) and well below what a naive window average scores, so a regression to naive
forecasting fails while the deterministic replay never flakes.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

TRACES = Path(__file__).parent / "data" / "traces"
INSPECT_POINTS = 14


Point = tuple[dict[str, object], dict[str, object]]  # (truth row, inspect --json)


def replay(name: str, state_dir: Path) -> list[Point]:
    """Feed every event of trace ``name``; return (truth row, inspect --json) at the points."""
    truth = json.loads((TRACES / f"{name}.truth.json").read_text())
    rows = [dict(zip(truth["columns"], row, strict=True)) for row in truth["rows"]]
    lines = (TRACES / f"{name}.events.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    assert len(events) == len(rows)
    points = {round(i * (len(events) - 1) / (INSPECT_POINTS - 1)) for i in range(INSPECT_POINTS)}
    base_env = dict(os.environ, STATUSLINE_STATE_DIR=str(state_dir), TZ=truth["tz"])
    command = [sys.executable, "-m", "statusline"]
    observed = []
    for index, (event, row) in enumerate(zip(events, rows, strict=True)):
        env = dict(base_env, STATUSLINE_NOW=repr(event["t"]))
        call = subprocess.run(command, input=json.dumps(event["payload"]).encode(),
                              capture_output=True, env=env, timeout=30, check=False)
        assert call.returncode == 0 and call.stdout.count(b"\n") == 1 and not call.stderr
        if index in points:
            inspect = subprocess.run([*command, "inspect", "--json"], capture_output=True,
                                     env=env, timeout=30, check=True)
            observed.append((row, json.loads(inspect.stdout)))
    return observed


@pytest.fixture(scope="module")
def replays(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Point]]:
    """The three traces, replayed in parallel (each in its own state directory)."""
    names = ["p01_steady_single", "p05_weekly_cap", "p09_api_key_head"]
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {n: pool.submit(replay, n, tmp_path_factory.mktemp(n)) for n in names}
        return {n: f.result() for n, f in futures.items()}


def eta_errors(points: list[Point], window: str, hit_key: str) -> list[float]:
    """Relative ETA errors |eta - hit| / (hit - t) at the points where a hit is still ahead."""
    errors = []
    for row, data in points:
        hit, t = row[hit_key], row["t"]
        view = data["windows"].get(window)  # type: ignore[union-attr]
        if not isinstance(hit, float) or hit <= t or not view:  # type: ignore[operator]
            continue
        eta = view["eta_limit_at"]
        errors.append(float("inf") if eta is None else abs(eta - hit) / (hit - t))
    return errors


def test_eta_tracks_the_true_hits(replays: dict) -> None:  # type: ignore[type-arg]
    """steady_single: the median ETA error over both windows stays under 20 %.

    The benchmark scores this trace at 9 % for this forecast and 46 % for a naive window
    average; the 5h window alone is harder (the user pauses for lunch after the pace was set).
    """
    points = replays["p01_steady_single"]
    errors = eta_errors(points, "five_hour", "hit_5h") + eta_errors(points, "seven_day", "hit_7d")
    assert len(errors) >= 10
    assert statistics.median(errors) <= 0.20, sorted(errors)


def test_five_hour_hit_is_warned_ahead_and_held_at_the_limit(replays: dict) -> None:  # type: ignore[type-arg]
    """The last point 30+ min before the 5h hit already warns; at 100 % the warning holds."""
    points = replays["p01_steady_single"]
    before = [(row, data) for row, data in points
              if isinstance(row["hit_5h"], float) and row["hit_5h"] - row["t"] >= 1800]
    assert before and before[-1][1]["windows"]["five_hour"]["limit_before_reset"]
    full = [data for row, data in points if row["u5"] >= 100 and data["windows"]["five_hour"]]
    assert all(d["windows"]["five_hour"]["limit_before_reset"] for d in full)


def test_weekly_cap_binds_and_its_eta_holds(replays: dict) -> None:  # type: ignore[type-arg]
    """weekly_cap: the 7d window is named binding where the truth says so; 7d ETA < 60 % off."""
    points = replays["p05_weekly_cap"]
    truth_7d = [(row, data) for row, data in points if row["binding"] == "seven_day"]
    agree = sum(data["binding_window"] == "seven_day" for _, data in truth_7d)
    assert truth_7d and agree / len(truth_7d) >= 0.75, (agree, len(truth_7d))
    errors = eta_errors(points, "seven_day", "hit_7d")
    assert errors and statistics.median(errors) <= 0.60, sorted(errors)


def test_api_key_pooled_spend_and_shares(replays: dict) -> None:  # type: ignore[type-arg]
    """api_key: pooled $/h within 5 % (median) and per-session shares within 0.05 (MAE)."""
    spend_errors, share_errors = [], []
    for row, data in replays["p09_api_key_head"]:
        assert data["windows"] == {"five_hour": None, "seven_day": None, "spend_limit": None}
        truth_usd = row["usd_h_60m"]
        usd = data["cost"]["usd_per_hour"]
        if isinstance(truth_usd, float) and truth_usd >= 0.5 and usd is not None:
            spend_errors.append(abs(usd - truth_usd) / truth_usd)
        truth_shares = row["shares"] or {}
        ours = {s["session_id"]: s["share"] for s in data["sessions"]}
        for sid in set(truth_shares) | {k for k, v in ours.items() if v}:
            share_errors.append(abs(ours.get(sid, 0.0) - truth_shares.get(sid, 0.0)))
    assert spend_errors and statistics.median(spend_errors) <= 0.05, spend_errors
    assert share_errors and statistics.mean(share_errors) <= 0.05, share_errors


def test_binding_window_matches_the_truth(replays: dict) -> None:  # type: ignore[type-arg]
    """steady_single and weekly_cap: the binding window is the truth's at 80 %+ of the points.

    The forecast scores 23 of these 28; the benchmark's naive window average 20, as it keeps
    warning in steady_single's second 5h window, which ends below the limit.
    """
    points = replays["p01_steady_single"] + replays["p05_weekly_cap"]
    agree = sum(data["binding_window"] == row["binding"] for row, data in points)
    assert agree / len(points) >= 0.80, (agree, len(points))
