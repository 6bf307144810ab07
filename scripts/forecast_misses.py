#!/usr/bin/env python3
"""Where the forecast's misses come from, trace by trace (in process, as bench_forecast.py).

For each trace, at the points evaluate.py inspects: every true hit not warned 30 minutes
ahead (what the 5h forecast said at the points before it: used %, rate, ETA against the
hit and the reset, odds), every flagged point whose window reset first (used %, the
window's true peak, hours to the reset, odds, local hour), and the binding window's misses
counted by (said, truth).

    python scripts/forecast_misses.py --benchmark ../shared/forecast build/forecast_sets/held_days
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_forecast  # noqa: E402

from statusline import forecast, process  # noqa: E402

_evaluate: Any = None
_baselines: Any = None


def replay(trace: str) -> dict[str, Any]:
    """The trace's score and, per inspected point, the 5h and 7d forecasts' details."""
    truth, inspected = bench_forecast.inspected(_evaluate, _baselines, trace)
    points, details = [], {}
    for i, ev, pred in inspected:
        t = ev["t"]
        points.append((i, t, _evaluate.normalize(pred.inspect(t), _evaluate.CONTRACT)))
        projection = forecast.project(pred.state, t, process.utc_offset(t))
        details[i] = {name: (w.used_pct, w.rate_pct_per_hour, w.eta_limit_at, w.hit_odds,
                             w.resets_at, w.limit_before_reset)
                      for name, w in projection.windows.items()}
        details[i]["hour"] = time.localtime(t).tm_hour + time.localtime(t).tm_min / 60
        details[i]["wday"] = time.localtime(t).tm_wday
        details[i]["weight"] = projection.windows["five_hour"].rhythm_weight \
            if "five_hour" in projection.windows else None
    return {"trace": trace, "truth": truth, "points": points, "details": details,
            "score": _evaluate.score(truth, points)}


def fmt_t(t: float | None, ref: float) -> str:
    return "-" if t is None else f"{(t - ref) / 60:+.0f}m"


def report(result: dict[str, Any], show_fa: bool) -> tuple[int, int, collections.Counter]:
    truth, points, details = result["truth"], result["points"], result["details"]
    rows = truth["rows"]
    name = Path(result["trace"]).name
    os.environ["TZ"] = truth["tz"]  # times below on the trace's clock
    time.tzset()
    peaks = {w: {x["resets_at"]: x["peak_pct"] for x in truth["windows"][w]}
             for w in ("five_hour", "seven_day")}
    out = []
    for hit in result["score"]["hits"]:
        if not hit["warnable"] or hit["lead"] >= 1800:
            continue
        w, h = hit["window"], hit["hit_at"]
        out.append(f"  MISS {w} hit at {time.strftime('%a %H:%M', time.localtime(h))} "
                   f"lead {hit['lead'] / 60:.0f}m first {hit['first_lead'] / 60:.0f}m")
        for i, t, _p in points:
            if h - 4 * 3600 <= t < h and w in details[i]:
                used, rate, eta, odds, resets, flag = details[i][w]
                out.append(f"    {fmt_t(t, h):>6} used {used:5.1f} rate {rate or 0:5.1f} "
                           f"eta {fmt_t(eta, h):>6} reset {fmt_t(resets, h):>6} "
                           f"odds {odds if odds is None else round(odds, 2)} flag {flag} "
                           f"h{details[i]['hour']:.1f} w{details[i]['weight']:.2f}")
    fa = flagged = 0
    binding: collections.Counter = collections.Counter()
    for i, t, p in points:
        row = rows[i]
        for w in ("five_hour", "seven_day"):
            k = "5h" if w == "five_hour" else "7d"
            if row["mask_" + k] or not (p.get(w) and p[w]["flag"]):
                continue
            flagged += 1
            if row["hit_" + k] is None:
                fa += 1
                if show_fa:
                    used, rate, eta, odds, resets, _ = details[i][w]
                    peak = peaks[w].get(row["resets_" + k])
                    out.append(f"  FA {w} {time.strftime('%a %H:%M', time.localtime(t))} used "
                               f"{used:5.1f} peak {peak} rate {rate or 0:5.1f} to reset "
                               f"{(resets - t) / 3600:.1f}h eta-reset {fmt_t(eta, resets)} "
                               f"odds {odds if odds is None else round(odds, 2)} "
                               f"w{details[i]['weight'] or 0.0:.2f}")
        if not (row["mask_5h"] or row["mask_7d"]) and p["binding"] != row["binding"]:
            binding[(p["binding"], row["binding"])] += 1
    if out:
        print(f"{name} ({truth['tz']})")
        print("\n".join(out))
    return fa, flagged, binding


def init(benchmark: Path) -> None:
    global _evaluate, _baselines
    _evaluate, _baselines = bench_forecast.load_benchmark(benchmark)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--benchmark", type=Path, required=True)
    parser.add_argument("folders", type=Path, nargs="+")
    parser.add_argument("--fa", action="store_true", help="list every false alarm")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    init(args.benchmark.resolve())
    traces = _evaluate.find_traces([str(f) for f in args.folders])
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        results = pool.map(replay, traces, chunksize=1)
    fa = flagged = 0
    binding: collections.Counter = collections.Counter()
    for result in results:
        a, b, c = report(result, args.fa)
        fa, flagged, binding = fa + a, flagged + b, binding + c
    total = sum(len(r["score"]["binding"]) for r in results)
    print(f"\nfalse alarms {fa}/{flagged}; binding misses {sum(binding.values())}/{total}:")
    for (said, true), n in binding.most_common():
        print(f"  said {said}, truth {true}: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
