#!/usr/bin/env python3
"""Score this package's forecast on benchmark traces in process, with the benchmark's scoring.

shared/forecast/evaluate.py replays a trace as Claude Code would, one `statusline` process
per event: faithful, and about ten minutes for the public set. This script feeds the same
events to the same code in one process (call.advance, as each call does, and
report.snapshot for `inspect --json`), hands the points to evaluate.py's own scoring, and
prints its table: the same figures in seconds, for trying a change across many traces.
Confirm with the real command before quoting a number.

    python scripts/bench_forecast.py --benchmark ../shared/forecast
    python scripts/bench_forecast.py --benchmark ../shared/forecast --traces DIR [DIR ...] \\
        --baseline naive --baseline cs

DIR holds NAME.events.jsonl / NAME.truth.json pairs, as simulate.py writes them (e.g.
`simulate.py --set broad --recipe bench/forecast_broad_set.json --out-dir DIR`).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from statusline import call, forecast, history, payload, process  # noqa: E402
from statusline.inspect import report  # noqa: E402
from statusline.store import local  # noqa: E402

NAME = "statusline"


def load_benchmark(folder: Path) -> tuple[ModuleType, ModuleType]:
    """(evaluate, baselines) from the benchmark folder, with this package registered."""
    sys.path.insert(0, str(folder))
    import baselines  # the benchmark folder's, found through sys.path above
    import evaluate

    class Package(baselines.Baseline):
        """The package's merge and forecast, called as the hot path and inspect call them."""

        name = NAME

        faithful = False

        def __init__(self, truth: object = None) -> None:
            # With --faithful, the store as a command sees it: each call reads the saved
            # document, and only a call that is due writes it back. Otherwise one State
            # in memory (twice as fast; the figures have matched so far).
            self.state = history.State()
            self.saved = b""

        def _read(self) -> history.State:
            if not self.faithful:
                return self.state
            return local.parse(self.saved).state if self.saved else history.State()

        def feed(self, t: float, doc: object) -> None:
            if not isinstance(doc, dict):
                return
            state = self._read()
            due = call.advance(state, payload.from_mapping(doc), t, process.utc_offset(t))
            if due and self.faithful:
                self.saved = json.dumps(history.to_json(state), separators=(",", ":"),
                                        allow_nan=False).encode()

        def inspect(self, t: float) -> dict[str, object]:
            state = self._read()
            projection = forecast.project(state, t, process.utc_offset(t))
            return report.snapshot(state, projection, t, "default", None, "ok")

    baselines.REGISTRY[NAME] = Package
    return evaluate, baselines


def inspected(evaluate: ModuleType, baselines: ModuleType,
              trace: str) -> tuple[dict[str, Any], Iterator[tuple[int, dict[str, Any], Any]]]:
    """(the trace's truth, its inspected points): the points feed ``trace`` to the package's
    predictor in the trace's zone, event by event, and yield (index, event, predictor) at
    each point evaluate.py inspects (120 a trace)."""
    events, truth = evaluate.load_trace(trace)
    os.environ["TZ"] = truth["tz"]
    time.tzset()
    pred = baselines.REGISTRY[NAME](truth=truth)
    feed, inspect_at = evaluate.plan_points(len(events), {"max_feed": 0, "every": 0,
                                                           "max_inspect": 120})

    def points() -> Iterator[tuple[int, dict[str, Any], Any]]:
        for i in feed:
            pred.feed(events[i]["t"], events[i]["payload"])
            if i in inspect_at:
                yield i, events[i], pred

    return truth, points()


def set_faithful(on: bool) -> None:
    """Replay through the saved store document (as separate calls do) instead of memory."""
    import baselines

    baselines.REGISTRY[NAME].faithful = on


def by_window(summary: dict[str, dict[str, dict]], predictors: list[str]) -> str:
    """One row per predictor and window: FA, FA<90, flagged points, hits warned, ETA median."""
    def cell(value: object, scale: float = 100.0) -> str:
        return "-" if not isinstance(value, (int, float)) else f"{value * scale:.0f}"

    rows = [f"{'predictor':<12} {'window':<10} {'FA%':>4} {'FA<90%':>6} {'flagged':>7} "
            f"{'warn30%':>7} {'ETAmed%':>7}"]
    for p in predictors:
        overall = summary[p]["overall"]
        for w in ("five_hour", "seven_day"):
            flags = overall["flags_by_window"][w]
            rows.append(
                f"{p:<12} {w:<10} {cell(flags['false_alarm_rate']):>4} "
                f"{cell(flags['false_alarm_rate_clear']):>6} {flags['flagged_points']:>7} "
                f"{cell(overall['warned_30m_by_window'][w]):>7} "
                f"{cell(overall['eta_by_window'][w]['median']):>7}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--benchmark", type=Path, required=True,
                        help="the folder of evaluate.py (shared/forecast)")
    parser.add_argument("--traces", type=Path, nargs="+",
                        help="trace folders (default: the benchmark's public set)")
    parser.add_argument("--baseline", action="append", default=[],
                        help="also score a benchmark baseline (naive, cs, ...)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--per-trace", action="store_true")
    parser.add_argument("--faithful", action="store_true",
                        help="read and write the store document per event, as calls do")
    parser.add_argument("--by-window", action="store_true",
                        help="also print false alarms, flagged points and ETA medians per window")
    args = parser.parse_args(argv)

    evaluate, _ = load_benchmark(args.benchmark.resolve())
    set_faithful(args.faithful)
    folders = args.traces or [args.benchmark / "public"]
    traces = evaluate.find_traces([str(f) for f in folders])
    predictors = [NAME, *args.baseline]
    opts = {"cmd": None, "contract": evaluate.CONTRACT, "max_inspect": 120, "every": 0,
            "max_feed": 0, "timeout": 10.0, "usd_key": "usd_h_60m", "env": {}}
    started = time.perf_counter()
    work = [(trace, p, opts) for p in predictors for trace in traces]
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        results = pool.map(evaluate.task, work, chunksize=1)
    summary = {}
    for p in predictors:
        mine = [(trace, score) for trace, name, score, _stats, _points in results if name == p]
        summary[p] = {"overall": evaluate.aggregate([score for _t, score in mine]),
                      "traces": {trace: evaluate.aggregate([score]) for trace, score in mine}}
    print(f"{len(traces)} traces; {time.perf_counter() - started:.1f} s")
    print(evaluate.table(summary, predictors))
    if args.per_trace:
        print(evaluate.per_trace_table(summary, predictors, traces))
    if args.by_window:
        print(by_window(summary, predictors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
