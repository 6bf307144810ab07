#!/usr/bin/env python3
"""Score the pause hint on the forecast benchmark's traces (#21), in process.

Each trace's events are fed as the status-line call feeds them (``call.advance``); after
every event the projection is made as a call makes it and the pause hint asked for
(``forecast.what_if.pause_hint``). Where a hint is shown, the trace's ground truth at that
event (``shares``: each session's true share of the sessions' usage over the last hour,
claude.ai excluded) says whether the named session was the one burning most. Also: the
named session's mean true share, and how often the window the hint acts on truly filled
before its reset (the forecast's own false alarms show there).

    python scripts/bench_pause.py --benchmark ../shared/forecast
    python scripts/bench_pause.py --benchmark ../shared/forecast --traces DIR [DIR ...]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from statusline import call, forecast, history, payload, process  # noqa: E402
from statusline.forecast.what_if import pause_hint  # noqa: E402


def score_trace(events: Path, truth_path: Path) -> dict[str, object]:
    """The hint's record on one trace: points shown, agreeing, the named one's true share."""
    truth = json.loads(truth_path.read_text())
    # The trace's own zone, as evaluate.py gives each call (the forecast's working hours).
    os.environ["TZ"] = str(truth.get("tz") or "UTC0")
    time.tzset()
    columns = truth["columns"]
    rows = [dict(zip(columns, row, strict=True)) for row in truth["rows"]]
    state = history.State()
    shown = agree = hit = 0
    named_share = 0.0
    sessions_named: set[str] = set()
    with events.open() as handle:
        for line, row in zip(handle, rows, strict=False):
            event = json.loads(line)
            t = float(event["t"])
            doc = event.get("payload")
            if isinstance(doc, dict):
                call.advance(state, payload.from_mapping(doc), t, process.utc_offset(t))
            projection = forecast.project(state, t, process.utc_offset(t))
            hint = pause_hint(state, projection, t)
            if hint is None:
                continue
            true_shares = row.get("shares") or {}
            if not true_shares:
                continue
            shown += 1
            sessions_named.add(hint.session_id)
            top = max(true_shares, key=lambda sid: true_shares[sid])
            agree += hint.session_id.split(".")[0] == top
            named_share += float(true_shares.get(hint.session_id.split(".")[0], 0.0))
            key = "hit_5h" if hint.window == "five_hour" else "hit_7d"
            hit += row.get(key) is not None
    return {"events": len(rows), "shown": shown, "agree": agree, "hit": hit,
            "named_share": named_share, "sessions_named": len(sessions_named)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--benchmark", type=Path, default=ROOT.parent / "shared" / "forecast")
    parser.add_argument("--traces", type=Path, nargs="+",
                        help="folders of NAME.events.jsonl / NAME.truth.json (default: public)")
    args = parser.parse_args(argv)
    folders = args.traces or [args.benchmark / "public"]
    traces = sorted(p for folder in folders for p in folder.glob("*.events.jsonl"))
    totals = {"events": 0, "shown": 0, "agree": 0, "hit": 0, "named_share": 0.0}
    print(f"{'trace':<32} {'events':>6} {'hinted':>6} {'agree':>6} {'share':>6} {'hit':>5}")
    for events in traces:
        truth = events.with_name(events.name.replace(".events.jsonl", ".truth.json"))
        result = score_trace(events, truth)
        for key in totals:
            totals[key] += result[key]  # type: ignore[operator]
        shown = int(result["shown"])  # type: ignore[call-overload]
        agree = f"{result['agree'] / shown:.0%}" if shown else "-"  # type: ignore[operator]
        share = f"{result['named_share'] / shown:.2f}" if shown else "-"  # type: ignore[operator]
        hit = f"{result['hit'] / shown:.0%}" if shown else "-"  # type: ignore[operator]
        name = events.name.replace(".events.jsonl", "")
        print(f"{name:<32} {result['events']:>6} {shown:>6} {agree:>6} {share:>6} {hit:>5}")
    shown = int(totals["shown"])
    if shown:
        print(f"{'all':<32} {int(totals['events']):>6} {shown:>6} "
              f"{totals['agree'] / shown:>6.0%} {totals['named_share'] / shown:>6.2f} "
              f"{totals['hit'] / shown:>5.0%}")
    print("agree: the named session had the largest true share of the last hour; share: "
          "its mean true share; hit: the window truly filled before its reset")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
