#!/usr/bin/env python3
"""How far could any forecast go on the rhythm sets? Oracles (issue 20, sixth pass).

Five passes tuned the forecast and found the remaining targets trading against each other:
fewer false alarms or righter limit notices cost a warning's lead. This study asks how much
of that is the traces' own uncertainty: it scores forecasters that know more than a status
line can, and reads their trade-offs. Each regenerates a ten-day persona trace with the
benchmark's simulator (same recipe, same seed; the rebuilt 5h hits are checked against the
trace's truth) and, at a moment ``t`` inside a 5-hour window, knows the window's use and
limit exactly, the sessions that opened by ``t`` (their spend, context and closes) and the
background use. Beyond that:

* ``plan`` knows today's plan: every session before it opens, and each block's end;
* ``rhythm`` knows the person's weekly rhythm as the simulator draws it (oracle_rhythm.py);
* ``learned`` learns that rhythm from the trace's earlier days (oracle_learned.py);
* ``hindsight`` learns it from every other day of the trace, later ones too (a comparison).

What it does not know it draws ``--draws`` times with the simulator's own rules
(oracle_draws.py): when open sessions close, how their bursts and gaps go on, the requests
they make. The share of draws that reach 100 % before the reset is the odds of a hit, their
median time of reaching it the ETA.

Scored as the benchmark scores, on the 5h window (the 7-day window is taken as known: no
ten-day trace reaches it):

* warnings at evaluate.py's inspect points, flagged when the odds reach a threshold: false
  alarms are flagged points whose window reset first; warned, the hits flagged without a
  break for their last 30 minutes;
* limit notices at the turns (one per ``--step`` seconds at most), given once per window when
  the odds reach a threshold (and, in the lines "ETA within 60 min", the ETA is within the
  hour): right is the share of notified windows that hit, ahead the share of hits notified
  at least 30 minutes before.

    python3 scripts/oracle_study.py --simulator ../shared/forecast/simulate.py --jobs 2 \\
        build/forecast_sets/fit_rhythms/{a,b} build/forecast_sets/held_rhythms/{a,b} \\
        ../shared/forecast/personas --save build/oracle_study/points.json   # ~20 min

``--load`` scores saved points again (``--from-day 3``: only the windows from the fourth day
on). Results and their reading: docs/forecast.md, "How far any forecast could go".
"""

from __future__ import annotations

import argparse
import bisect
import json
import multiprocessing
import random
import statistics
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fit_limit_odds import load_simulator
from oracle_draws import (
    SETTLE_S,
    WIND_DOWN_S,
    Session,
    bursts,
    bursts_after,
    crossing,
    draw_close,
    requests_after,
)
from oracle_learned import learn
from oracle_rhythm import draw, end_posterior
from oracle_trace import Trace, Window, regenerate

AHEAD_S = 1800.0
TURN_KINDS = ("start", "response")
ORACLES = ("plan", "rhythm", "learned", "hindsight")
WARN_ODDS = (0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9)
NOTICE_ODDS = (0.5, 0.7, 0.8, 0.9, 0.95)
NOTICE_LEADS = (None, 60 * 60.0)


def plan_draw(rng: random.Random, trace: Trace, t: float, reset: float
              ) -> list[tuple[Session, list[tuple[float, float]]]]:
    """One draw for the plan oracle: every planned session, its close and bursts drawn."""
    out = []
    for s in trace.sessions:
        if s.close_at <= t or s.open_at >= reset:
            continue
        close = draw_close(rng, s.open_at, s.block[1], t)
        spans = (bursts_after(rng, s, t, close) if s.open_at <= t
                 else bursts(rng, s.open_at + SETTLE_S, close - WIND_DOWN_S))
        out.append((s, spans))
    return out


def odds(trace: Trace, window: Window, t: float, draws: int, rng: random.Random,
         oracle: str) -> tuple[float, float | None]:
    """An oracle's odds that ``window`` hits by its reset, and its median ETA given a hit."""
    i = bisect.bisect_right(window.times, t) - 1
    need = trace.limit - (window.units[i] if i >= 0 else 0.0)
    if need <= 1e-9:
        return 1.0, t
    known = [(when, units) for when, units in trace.background if t < when < window.reset]
    rhythm = (learn(trace.rhythm, trace.sessions, t, trace.base_day, oracle == "hindsight")
              if oracle in ("learned", "hindsight") else trace.rhythm)
    posteriors = {}
    if oracle != "plan":
        for k, block in enumerate(rhythm.blocks):
            if block.start <= t and (t < rhythm.latest_end(block) or any(
                    trace.sessions[j].open_at <= t < trace.sessions[j].close_at
                    for j in block.sessions)):
                seen = [trace.sessions[j] for j in block.sessions
                        if trace.sessions[j].open_at <= t]
                posteriors[k] = end_posterior(rhythm, block, seen, t)
    hits = []
    for _ in range(draws):
        drawn = (plan_draw(rng, trace, t, window.reset) if oracle == "plan" else
                 draw(rng, rhythm, trace.sessions, t, window.reset, posteriors,
                      trace.base_day))
        requests = list(known)
        for s, spans in drawn:
            requests += requests_after(rng, s, t, window.reset, spans, trace.costs)
        when = crossing(requests, need)
        if when is not None:
            hits.append(when)
    return len(hits) / draws, (statistics.median(hits) if hits else None)


def window_at(trace: Trace, t: float) -> Window | None:
    """The 5h window running at ``t``, if one is."""
    for window in trace.windows:
        if window.start <= t < window.reset:
            return window
    return None


def evenly(n: int, k: int) -> list[int]:
    """evaluate.py's inspect points: ``k`` indices spread over ``range(n)``, with the last."""
    if k <= 0 or k >= n:
        return list(range(n))
    return sorted({round(i * (n - 1) / (k - 1)) for i in range(k)})


@dataclass
class Point:
    """An oracle's forecast at one moment of a trace."""

    t: float
    window: int | None  # index into trace.windows
    odds: float
    eta: float | None


def points(trace: Trace, times: list[float], draws: int, seed: int, oracle: str
           ) -> list[Point]:
    """An oracle's odds and ETA at each of ``times``."""
    rng = random.Random(seed)
    out = []
    for t in times:
        window = window_at(trace, t)
        if window is None:
            out.append(Point(t, None, 0.0, None))
            continue
        chance, eta = odds(trace, window, t, draws, rng, oracle)
        out.append(Point(t, trace.windows.index(window), chance, eta))
    return out


def decision_times(trace: Trace, step: float) -> tuple[list[float], list[float]]:
    """evaluate.py's inspect times, and the turns at most one per ``step`` seconds."""
    rows = trace.truth["rows"]
    inspect = [float(rows[i][0]) for i in evenly(len(rows), 120) if not rows[i][10]]
    turns: list[float] = []
    for row in rows:
        if row[1] in TURN_KINDS and (not turns or float(row[0]) - turns[-1] >= step):
            turns.append(float(row[0]))
    return inspect, turns


def score_warnings(traced: list[tuple[Trace, list[Point]]], threshold: float) -> dict[str, float]:
    """False alarms and hits warned 30 minutes ahead, as evaluate.py counts the 5h window."""
    flagged = wrong = chances = warned = 0
    for trace, pts in traced:
        for p in pts:
            if p.window is not None and p.odds >= threshold:
                flagged += 1
                wrong += trace.windows[p.window].hit_at is None
        start, end = float(trace.truth["start"]), float(trace.truth["end"])
        for k, window in enumerate(trace.windows):
            hit = window.hit_at
            if hit is None or not start <= hit <= end:
                continue
            before = [p for p in pts if max(window.start, start) <= p.t < hit]
            if not before or hit - before[0].t < AHEAD_S:
                continue
            chances += 1
            j = len(before)
            while j > 0 and before[j - 1].window == k and before[j - 1].odds >= threshold:
                j -= 1
            warned += j < len(before) and hit - before[j].t >= AHEAD_S
    return {"fa": wrong / flagged if flagged else 0.0, "warned": warned / chances if chances
            else 0.0, "flagged": flagged, "hits": chances}


def score_notices(traced: list[tuple[Trace, list[Point]]], threshold: float,
                  lead_s: float | None) -> dict[str, float]:
    """Limit notices right, and hits announced 30 minutes ahead, as bench_notices counts."""
    right = wrong = chances = ahead = 0
    for trace, pts in traced:
        notified: dict[int, float] = {}
        for p in pts:
            if p.window is None or p.window in notified or p.odds < threshold:
                continue
            window = trace.windows[p.window]
            if window.hit_at is not None and p.t >= window.hit_at:
                continue
            if lead_s is not None and (p.eta is None or p.eta - p.t > lead_s):
                continue
            notified[p.window] = p.t
        for k in notified:
            if trace.windows[k].hit_at is None:
                wrong += 1
            else:
                right += 1
        start, end = float(trace.truth["start"]), float(trace.truth["end"])
        turns = [p.t for p in pts]
        for k, window in enumerate(trace.windows):
            hit = window.hit_at
            if hit is None or hit > end:
                continue
            if not any(max(window.start, start) <= t <= hit - AHEAD_S for t in turns):
                continue
            chances += 1
            ahead += k in notified and hit - notified[k] >= AHEAD_S
    return {"right": right / (right + wrong) if right + wrong else 0.0,
            "ahead": ahead / chances if chances else 0.0, "notices": right + wrong,
            "hits": chances}


def calibration(traced: list[tuple[Trace, list[Point]]]) -> list[tuple[str, int, float]]:
    """For bins of the oracle's odds: how many points, and the share whose window hit."""
    bins = [(0.0, 0.1), (0.1, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.0001)]
    out = []
    for low, high in bins:
        inside = [trace.windows[p.window].hit_at is not None for trace, pts in traced
                  for p in pts if p.window is not None and low <= p.odds < high
                  and (trace.windows[p.window].hit_at or float("inf")) > p.t]
        out.append((f"{low:.1f}-{min(high, 1.0):.1f}", len(inside),
                    sum(inside) / len(inside) if inside else float("nan")))
    return out


def trace_points(task: tuple[str, str, str, int, int, float]
                 ) -> tuple[str, str, str, list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """One trace's points for one oracle (a worker's task): inspect points, then turns."""
    simulator, truth_path, oracle, draws, seed, step = task
    trace = regenerate(load_simulator(Path(simulator)), Path(truth_path))
    inspect, turns = decision_times(trace, step)
    rows = [[(p.t, p.window, p.odds, p.eta) for p in points(trace, times, draws, seed + k, oracle)]
            for k, times in enumerate((inspect, turns))]
    return truth_path, oracle, trace.name, rows[0], rows[1]


def from_day(traced: list[tuple[Trace, list[Point]]], days: float
             ) -> list[tuple[Trace, list[Point]]]:
    """The traces scored only on the windows that start ``days`` days or more into them."""
    out = []
    for trace, pts in traced:
        cutoff = float(trace.truth["start"]) + days * 86400.0
        later = [p for p in pts if p.t >= cutoff
                 and (p.window is None or trace.windows[p.window].start >= cutoff)]
        out.append((replace(trace, truth={**trace.truth, "start": cutoff}), later))
    return out


def set_name(folder: Path) -> str:
    """A set's name: forecast_sets.py writes each set in halves ``a`` and ``b``."""
    return folder.parent.name if folder.name in ("a", "b") else folder.name


def report(name: str, warn_pts: list[tuple[Trace, list[Point]]],
           turn_pts: list[tuple[Trace, list[Point]]]) -> list[str]:
    """The lines printed for one set and one oracle."""
    out = [f"### {name}",
           "calibration (odds, points, share that hit): " + ", ".join(
               f"{b} {c} {s:.2f}" for b, c, s in calibration(turn_pts))]
    for threshold in WARN_ODDS:
        w = score_warnings(warn_pts, threshold)
        out.append(f"warning at odds {threshold:.2f}: FA {w['fa']:.0%} of {w['flagged']} "
                   f"flagged, warned {w['warned']:.0%} of {w['hits']}")
    for lead in NOTICE_LEADS:
        for threshold in NOTICE_ODDS:
            n = score_notices(turn_pts, threshold, lead)
            out.append(f"notice at odds {threshold:.2f}, ETA within "
                       f"{'any time' if lead is None else f'{lead / 60:.0f} min'}: right "
                       f"{n['right']:.0%} of {n['notices']}, ahead {n['ahead']:.0%} of {n['hits']}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", type=Path, nargs="+", help="folders of persona traces")
    parser.add_argument("--simulator", type=Path, required=True, help="the benchmark's simulate.py")
    parser.add_argument("--oracle", choices=ORACLES, action="append",
                        help="which oracle (default: all)")
    parser.add_argument("--draws", type=int, default=100, help="draws per point (default 100)")
    parser.add_argument("--step", type=float, default=300.0,
                        help="seconds between the turns a notice may come at (default 300)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--from-day", type=float, default=0.0,
                        help="score only the windows that start this many days into a trace")
    parser.add_argument("--save", type=Path, help="also write every point to this JSON file")
    parser.add_argument("--load", type=Path, action="append",
                        help="score the points of an earlier --save (repeatable)")
    args = parser.parse_args(argv)
    oracles = args.oracle or list(ORACLES)
    tasks = [(str(args.simulator), str(path), oracle, args.draws, 1000 * n, args.step)
             for oracle in oracles for folder in args.folders
             for n, path in enumerate(sorted(folder.glob("*.truth.json")))]
    if args.load:
        done = [tuple(d) for path in args.load for d in json.loads(path.read_text())
                if d[1] in oracles and Path(d[0]).parent in args.folders]
        oracles = [o for o in oracles if any(d[1] == o for d in done)]
    elif args.jobs > 1:
        with multiprocessing.Pool(args.jobs) as pool:
            done = pool.map(trace_points, tasks, chunksize=1)
    else:
        done = [trace_points(task) for task in tasks]
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(json.dumps(done))
    sim = load_simulator(args.simulator)
    traces = {path: regenerate(sim, Path(path)) for path in {str(d[0]) for d in done}}
    for name in dict.fromkeys(set_name(folder) for folder in args.folders):
        for oracle in oracles:
            mine = [d for d in done if d[1] == oracle and set_name(Path(d[0]).parent) == name]
            warn = from_day([(traces[d[0]], [Point(*row) for row in d[3]]) for d in mine],
                            args.from_day)
            turn = from_day([(traces[d[0]], [Point(*row) for row in d[4]]) for d in mine],
                            args.from_day)
            print("\n".join(report(f"{name} ({len(mine)} traces), {oracle} oracle", warn,
                                    turn)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
