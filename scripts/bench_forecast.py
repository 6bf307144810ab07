#!/usr/bin/env python3
"""Score this package's forecast on benchmark traces in process, with the benchmark's scoring.

shared/forecast/evaluate.py replays a trace as Claude Code would, one `statusline` process
per event: faithful, and about ten minutes for the public set. This script feeds the same
events to the same code in one process (hotpath.advance, as each call does, and
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
import multiprocessing
import sys
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from statusline import forecast, history, hotpath, payload, report  # noqa: E402

NAME = "statusline"


def load_benchmark(folder: Path) -> tuple[ModuleType, ModuleType]:
    """(evaluate, baselines) from the benchmark folder, with this package registered."""
    sys.path.insert(0, str(folder))
    import baselines  # the benchmark folder's, found through sys.path above
    import evaluate

    class Package(baselines.Baseline):
        """The package's merge and forecast, called as the hot path and inspect call them."""

        name = NAME

        def __init__(self, truth: object = None) -> None:
            self.state = history.State()

        def feed(self, t: float, doc: object) -> None:
            if isinstance(doc, dict):
                hotpath.advance(self.state, payload.from_mapping(doc), t, hotpath.utc_offset(t))

        def inspect(self, t: float) -> dict[str, object]:
            projection = forecast.project(self.state, t, hotpath.utc_offset(t))
            return report.snapshot(self.state, projection, t, "default", None, "ok")

    baselines.REGISTRY[NAME] = Package
    return evaluate, baselines


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
    args = parser.parse_args(argv)

    evaluate, _ = load_benchmark(args.benchmark.resolve())
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
