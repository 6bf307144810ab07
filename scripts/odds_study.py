#!/usr/bin/env python3
"""Would more inputs tell a 5h window that fills from one that stops? limit_odds on held-out sets.

Replays every trace in process (as ``forecast_misses.py``) and records, at the points
evaluate.py inspects where the 5h window has a pace, limit_odds' own inputs, the shipped
odds, candidate inputs from the store, and whether the window did fill (the trace's truth):

* ``trend``: the last 15 minutes' slope against the pace (log ratio): a block winding down;
* ``live``: sessions that spent in the last 10 minutes; ``live_share``: that against the
  most seen at 15-minute steps over the last three hours (sessions closing one by one);
* ``idle``: hours since any session spent (at most one);
* ``weight``: the learned rhythm's weight in the profile (0 on a first day);
* ``went_on``: of the account's ended 5h windows that got as far as this one, the share
  that filled (log, smoothed); ``mean_peak``: their mean peak / 100.

A logistic model of limit_odds' inputs, alone and with each candidate (and with all), is
fitted on the fit sets and scored on every set: log-loss, accuracy, and at odds 0.5 the
share of flagged points whose window did not fill (FA) and of filling points flagged
(recall). The shipped coefficients are scored beside them.

    python scripts/odds_study.py --benchmark ../shared/forecast --sets build/forecast_sets
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_forecast  # noqa: E402
import fit_limit_odds  # noqa: E402

from statusline import forecast, history, process  # noqa: E402
from statusline.forecast import limit_odds  # noqa: E402
from statusline.forecast.profile import rhythm_profile, working_hours_left  # noqa: E402
from statusline.forecast.series import readings, slope  # noqa: E402

CANDIDATES = ("trend", "live", "live_share", "idle", "weight", "went_on", "mean_peak")
FIT_SETS = ("fit_days", "fit_rhythms")
LIVE_S = 600.0
HIT_PCT = 99.5
Point = tuple[tuple[float, ...], dict[str, float], float, int]  # inputs, candidates, odds, hit
_evaluate: Any = None
_baselines: Any = None


def live_at(state: history.State, t: float) -> int:
    """Sessions whose cost rose in the ``LIVE_S`` before ``t``."""
    return sum(any(t - LIVE_S < at <= t for at, _cost in session.costs[-40:])
               for session in state.sessions.values())


def point(state: history.State, t: float) -> Point | None:
    """The 5h window's inputs at ``t`` (None without a running window or a pace)."""
    window = state.windows.get("five_hour")
    if window is None or window.used_pct >= 100 or window.resets_at <= t:
        return None
    offset = process.utc_offset(t)
    fc = forecast.project(state, t, offset).windows.get("five_hour")
    if fc is None or not fc.rate_pct_per_hour or fc.hit_odds is None:
        return None
    profile = rhythm_profile("five_hour", state.rhythm, offset)
    series, effective = readings(window, t)
    rate = fc.rate_pct_per_hour
    work = working_hours_left(t, window.resets_at, offset, profile)
    inputs = limit_odds.features(rate, work, (window.resets_at - t) / 3600.0, 100.0 - effective)
    recent = slope(series, t, 900.0, 600.0)[0]
    live = live_at(state, t)
    since = max(window.resets_at - 5 * 3600.0, t - 3 * 3600.0)
    most = max([live] + [live_at(state, since + k * 900.0)
                         for k in range(int((t - since) // 900.0))])
    ended = state.archive["five_hour"][-20:]
    got_this_far = [kept.peak_pct for kept in ended if kept.peak_pct >= window.used_pct]
    idle = forecast.idle_seconds(state, t)
    extra = {
        "trend": math.log(max(recent or 0.0, 0.0) + 1.0) - math.log(rate + 1.0),
        "live": float(live), "live_share": live / most if most else 0.0,
        "idle": min(idle or 0.0, 3600.0) / 3600.0, "weight": profile.weight,
        "went_on": math.log((sum(p >= HIT_PCT for p in got_this_far) + 0.5)
                            / (len(got_this_far) + 1.0)),
        "mean_peak": (sum(k.peak_pct for k in ended) / len(ended) / 100.0) if ended else 0.7,
    }
    return inputs, extra, fc.hit_odds, 0


def replay(trace: str) -> list[Point]:
    """Every inspected point's ``Point``, labelled with whether its 5h window filled."""
    truth, inspected = bench_forecast.inspected(_evaluate, _baselines, trace)
    out = []
    for i, event, pred in inspected:
        row = truth["rows"][i]
        found = None if row["mask_5h"] else point(pred.state, event["t"])
        if found is not None:
            out.append((*found[:3], int(row["hit_5h"] is not None)))
    return out


def init(benchmark: Path) -> None:
    global _evaluate, _baselines
    _evaluate, _baselines = bench_forecast.load_benchmark(benchmark)


def rates(probabilities: list[float], labels: list[int]) -> str:
    """Log-loss, accuracy, FA share and recall at 0.5."""
    eps = 1e-9
    loss = -sum(y * math.log(p + eps) + (1 - y) * math.log(1 - p + eps)
                for p, y in zip(probabilities, labels, strict=True)) / len(labels)
    accuracy = sum((p >= 0.5) == bool(y)
                   for p, y in zip(probabilities, labels, strict=True)) / len(labels)
    return f"{loss:.3f} / {accuracy:.1%} / {at_cut(probabilities, labels, 0.5)}"


def at_cut(probabilities: list[float], labels: list[int], cut: float) -> str:
    """FA share and recall when the odds must reach ``cut``."""
    flagged = [y for p, y in zip(probabilities, labels, strict=True) if p >= cut]
    hits = sum(labels)
    fa = (len(flagged) - sum(flagged)) / len(flagged) if flagged else float("nan")
    return f"{fa:.1%} / {sum(flagged) / hits if hits else float('nan'):.1%}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--benchmark", type=Path, required=True)
    parser.add_argument("--sets", type=Path, default=ROOT / "build" / "forecast_sets")
    parser.add_argument("--public", action="store_true", help="also score public and personas")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    init(args.benchmark.resolve())
    folders = {name: [str(p) for p in sorted((args.sets / name).iterdir()) if p.is_dir()]
               for name in (*FIT_SETS, "held_days", "held_rhythms")}
    if args.public:
        folders["public"] = [str(args.benchmark / "public")]
        folders["personas"] = [str(args.benchmark / "personas")]
    data: dict[str, list[Point]] = {}
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        for name, paths in folders.items():
            traces = _evaluate.find_traces(paths)
            data[name] = [p for points in pool.map(replay, traces, chunksize=1) for p in points]
    print("log-loss / accuracy / FA at 0.5 / recall at 0.5, fitted on "
          + " + ".join(FIT_SETS) + "\n")
    print("| model | " + " | ".join(data) + " |\n|---|" + "---|" * len(data))
    print("| shipped | " + " | ".join(rates([p[2] for p in points], [p[3] for p in points])
                                       for points in data.values()) + " |")
    for cut in (0.6, 0.7, 0.8, 0.9):
        print(f"| shipped, FA / recall at {cut} | "
              + " | ".join(at_cut([p[2] for p in points], [p[3] for p in points], cut)
                           for points in data.values()) + " |")
    models = {"refitted": (), **{f"+ {c}": (c,) for c in CANDIDATES}, "+ all": CANDIDATES}
    for label, extra in models.items():
        def inputs(p: Point, extra: tuple[str, ...] = extra) -> tuple[float, ...]:
            return (*p[0], *(p[1][c] for c in extra))

        fit = [(inputs(p), p[3]) for name in FIT_SETS for p in data[name]]
        intercept, weights = fit_limit_odds.fit_logistic(fit, ridge=1.0)

        def odds(p: Point, intercept: float = intercept,
                 weights: tuple[float, ...] = weights, inputs: Any = inputs) -> float:
            z = intercept + sum(w * x for w, x in zip(weights, inputs(p), strict=True))
            return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

        print(f"| {label} | " + " | ".join(rates([odds(p) for p in points],
                                                  [p[3] for p in points])
                                            for points in data.values()) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
