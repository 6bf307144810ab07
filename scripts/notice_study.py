#!/usr/bin/env python3
"""What would make the hook's limit notice right more often? Candidate rules on fit and held sets.

Replays each trace once, as ``bench_notices.py`` does (the store folded by ``call.advance``,
the decision made at each turn before its reading is folded in), and records at every turn
where the forecast puts a window's limit before its reset within ``--horizon`` what a
notice's decision could use: the forecast now, ``CONFIRM_S`` and 30 minutes earlier; the
store (live sessions, the account's ended 5h windows and how many of them hit, the rhythm's
days, the recent per-turn step, spend over the last 15 and 60 minutes, how long the current
stretch of work has run, whether the person went on past this clock time on earlier days);
and the trace's truth. Each candidate in ``RULES`` is then scored offline exactly as
``bench_notices.py`` scores the hook: a window's limit notice is its first turn where the
rule holds (each turn also gets the account's own record so far, ``came_true`` and ``wrong``:
the rule's earlier 5h notices whose window has reset); precision over the judged windows,
hits announced at least 30 minutes ahead. The rule ``shipped`` is the hook's own decision
and gives bench_notices' figures (``--check`` confirms it on the first set).

The candidate chosen is the best on the fit sets by fit_forecast's notice objective
(precision + hits ahead, summed); judge it on the held-out columns. ``--ceiling`` adds, per
set, what a model of every input fitted on that set itself reaches there (an upper bound).

    python scripts/notice_study.py --sets build/forecast_sets --benchmark ../shared/forecast
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_notices  # noqa: E402
import fit_limit_odds  # noqa: E402

from statusline import call, forecast, history, notice, payload, process  # noqa: E402
from statusline.config import NotifyConfig  # noqa: E402
from statusline.forecast.projection import spend_by_session  # noqa: E402

Record = dict[str, Any]
FIT_SETS = ("fit_days", "fit_rhythms")
HELD_SETS = ("held_days", "held_rhythms")
STRETCH_GAP_S = 3 * 3600.0  # a stretch of work: growth with no pause this long
HIT_PCT = 99.5
HORIZON_S = 3 * 3600.0  # turns whose ETA is further away cannot be a notice


def earlier(state: history.State, name: str, t: float, back: float, offset: float,
            resets_at: float) -> tuple[bool, float | None, float | None] | None:
    """(warned, odds, eta from then) of the forecast ``back`` seconds ago, same window."""
    before = forecast.project(state, t - back, offset).windows.get(name)
    if before is None or before.resets_at != resets_at:
        return None
    eta = None if before.eta_limit_at is None else before.eta_limit_at - (t - back)
    return before.limit_before_reset, before.hit_odds, eta


def growth_times(state: history.State, window: history.Window, t: float) -> list[float]:
    """When the 5h figure rose, over the archived windows and the running one."""
    every = [kept.samples for kept in state.archive.get("five_hour", [])] + [window.samples]
    return sorted(b[0] for pairs in every for a, b in itertools.pairwise(pairs)
                  if b[1] > a[1] and b[0] <= t)


def value_then(state: history.State, x: float) -> float | None:
    """The 5h figure at ``x`` from the archived windows (None: no window then)."""
    for kept in state.archive.get("five_hour", []):
        if kept.resets_at - 18000 <= x < kept.resets_at and kept.samples:
            return ([pct for at, pct in kept.samples if at <= x] or [0.0])[-1]
    return None


def went_on(state: history.State, t: float, eta_at: float) -> tuple[int, int]:
    """(days active at this clock time, of which still active at the ETA's clock time),
    over the last seven days (the archive keeps a few days of 5h windows)."""
    active = continued = 0
    for days in range(1, 8):
        now_then, eta_then = t - days * 86400, eta_at - days * 86400
        a, b = value_then(state, now_then - 1800), value_then(state, now_then)
        if a is None or b is None or b - a <= 0.5:
            continue
        active += 1
        c, d = value_then(state, eta_then - 900), value_then(state, eta_then + 900)
        continued += c is not None and d is not None and d - c > 0.5
    return active, continued


def features(state: history.State, fc: forecast.WindowForecast, t: float,
             offset: float) -> Record:
    window = state.windows[fc.name]
    assert window is not None and fc.eta_limit_at is not None
    peaks = [kept.peak_pct for kept in state.archive.get(fc.name, [])]
    recent = [s for s in window.samples if s[0] >= t - 3600]
    steps = [b[1] - a[1] for a, b in itertools.pairwise(recent) if b[1] > a[1]]
    rec: Record = {
        "name": fc.name, "t": t, "resets_at": fc.resets_at, "used": fc.used_pct,
        "odds": fc.hit_odds, "eta": fc.eta_limit_at - t, "left": fc.resets_at - t,
        "rate": fc.rate_pct_per_hour or 0.0, "projected": fc.projected_pct_at_reset or 0.0,
        "days": fc.rhythm_days, "live": len(state.live_sessions(t)),
        "ended": len(peaks), "ended_hit": sum(p >= HIT_PCT for p in peaks),
        "ended_reached": sum(p >= fc.used_pct for p in peaks),
        "step": statistics.median(steps) if steps else 0.0,
        "usd15": sum(spend_by_session(state, t, 900).values()) * 4,
        "usd60": sum(spend_by_session(state, t, 3600).values()),
    }
    grew = growth_times(state, window, t)
    start = grew[0] if grew else t
    for a, b in itertools.pairwise(grew):
        if b - a > STRETCH_GAP_S:
            start = b
    rec["stretch"] = t - start
    rec["active_days"], rec["went_on"] = went_on(state, t, fc.eta_limit_at)
    return rec


def replay(pair: tuple[Path, Path]) -> tuple[str, list[Record], list[tuple[str, float, float]]]:
    """(trace, the candidate turns' records, the hits a notice could announce 30 min ahead)."""
    events_path, truth_path = pair
    truth = json.loads(truth_path.read_text())
    if not truth.get("has_rate_limits", True):
        return truth_path.name, [], []
    os.environ["TZ"] = str(truth["tz"])
    time.tzset()
    state = history.State()
    records: list[Record] = []
    with events_path.open() as handle:
        for line, row in zip(handle, truth["rows"], strict=True):
            event = json.loads(line)
            t = float(event["t"])
            offset = process.utc_offset(t)
            if row[1] in bench_notices.TURN_KINDS:
                for name, fc in forecast.project(state, t, offset).windows.items():
                    if (name not in ("five_hour", "seven_day") or not fc.limit_before_reset
                            or fc.eta_limit_at is None or fc.used_pct >= 100
                            or fc.eta_limit_at - t > HORIZON_S):
                        continue
                    rec = features(state, fc, t, offset)
                    rec["confirm"] = earlier(state, name, t, notice.CONFIRM_S, offset,
                                             fc.resets_at)
                    rec["confirm30"] = earlier(state, name, t, 1800.0, offset, fc.resets_at)
                    real = bench_notices.true_window(truth, name, fc.resets_at)
                    rec["judged"] = real is not None and bench_notices.judged(real, t)
                    rec["hit"] = real is not None and real.get("hit_at") is not None
                    records.append(rec)
            doc = event.get("payload")
            if isinstance(doc, dict):
                call.advance(state, payload.from_mapping(doc), t, offset)
    turns = [row[0] for row in truth["rows"] if row[1] in bench_notices.TURN_KINDS]
    chances = []
    for name, windows in truth["windows"].items():
        for real in windows:
            hit_at = real.get("hit_at")
            if hit_at is None or hit_at > float(truth["end"]) or real.get("rebaselines"):
                continue
            start = max(float(real["start"]), float(truth["start"]))
            if any(start <= x <= hit_at - 1800 for x in turns):
                chances.append((name, float(real["resets_at"]), float(hit_at)))
    return truth_path.name, records, chances


# Candidate rules: each is the shipped decision plus one more condition on the 5h window.


def shipped(r: Record, odds: float = notice.LIMIT_ODDS, lead: float = 3600.0,
            confirm: str = "confirm") -> bool:
    """notice.limit_coming and notice.confirmed, on the record."""
    five = r["name"] == "five_hour"
    if r["eta"] > lead or (five and r["odds"] < odds):
        return False
    then = r[confirm]
    if then is None or not then[0] or then[2] is None:
        return False
    return not five or then[1] >= odds


def also(condition: Callable[[Record], bool], **base: Any) -> Callable[[Record], bool]:
    return lambda r: shipped(r, **base) and (r["name"] != "five_hour" or condition(r))


RULES: dict[str, Callable[[Record], bool]] = {
    "shipped": shipped,
    "odds 0.8": lambda r: shipped(r, odds=0.8),
    "odds 0.9": lambda r: shipped(r, odds=0.9),
    "lead 45 min": lambda r: shipped(r, lead=2700.0),
    "lead 30 min, odds 0.9 (the latest useful notice)": lambda r: shipped(r, 0.9, 1800.0),
    "lead 15 min, odds 0.9": lambda r: shipped(r, 0.9, 900.0),
    "lead 80 min": lambda r: shipped(r, lead=4800.0),
    "lead 80 min, one live session: odds 0.85, stretch < 8 h": also(
        lambda r: (r["live"] >= 2 or r["odds"] >= 0.85) and r["stretch"] < 8 * 3600,
        lead=4800.0),
    "confirmed 15 and 30 min ago": also(lambda r: bool(
        r["confirm30"] and r["confirm30"][0] and (r["confirm30"][1] or 0) >= notice.LIMIT_ODDS)),
    "first day (no rhythm): odds 0.85": also(lambda r: r["days"] >= 0.5 or r["odds"] >= 0.85),
    "first day (no rhythm): lead 45 min": also(lambda r: r["days"] >= 0.5 or r["eta"] <= 2700),
    "one live session: odds 0.85": also(lambda r: r["live"] >= 2 or r["odds"] >= 0.85),
    "one live session: lead 45 min": also(lambda r: r["live"] >= 2 or r["eta"] <= 2700),
    "ETA 30 min before the reset": also(lambda r: r["left"] - r["eta"] >= 1800),
    "projected at the reset >= 105 %": also(lambda r: r["projected"] >= 105),
    "projected at the reset >= 120 %": also(lambda r: r["projected"] >= 120),
    "room >= 3 recent steps": also(lambda r: 100 - r["used"] >= 3 * r["step"]),
    "ended windows hit >= 25 % (3+ ended)": also(
        lambda r: r["ended"] < 3 or r["ended_hit"] / r["ended"] >= 0.25),
    "ended windows that got this far: half hit (2+)": also(
        lambda r: r["ended_reached"] < 2 or (r["ended_hit"] + 1) / (r["ended_reached"] + 1.5)
        >= 0.5),
    "spend of the last 15 min >= 80 % of the hour's": also(
        lambda r: r["usd15"] >= 0.8 * r["usd60"]),
    "stretch of work < 8 h": also(lambda r: r["stretch"] < 8 * 3600),
    "went on past the ETA's clock on half the days": also(
        lambda r: r["active_days"] == 0 or (r["went_on"] + 0.5) / (r["active_days"] + 1) >= 0.5),
    # The account's own record of limit notices: after notices that did not come true, a
    # higher bar (odds or a shorter lead) for the next.
    "a third of 1+ earlier notices wrong: odds 0.85": lambda r: shipped(
        r, 0.85 if r["wrong"] and 3 * r["wrong"] >= r["wrong"] + r["came_true"]
        else notice.LIMIT_ODDS),
    "a third of 1+ earlier notices wrong: odds 0.9, lead 45 min": lambda r: (
        shipped(r, 0.9, 2700.0) if r["wrong"] and 3 * r["wrong"] >= r["wrong"] + r["came_true"]
        else shipped(r)),
    "more earlier notices wrong than right: odds 0.9": lambda r: shipped(
        r, 0.9 if r["wrong"] > r["came_true"] else notice.LIMIT_ODDS),
}


def score(rule: Callable[[Record], bool],
          traces: list[tuple[str, list[Record], list[tuple[str, float, float]]]]) -> dict[str, int]:
    """bench_notices' counts for ``rule``: notified, right, hits, hits announced >= 30 min."""
    notified = right = hits = ahead = 0
    for _trace, records, chances in traces:
        first: dict[tuple[str, float], Record] = {}
        for r in records:
            key = (r["name"], r["resets_at"])
            if key in first:
                continue
            # The account's own record: its 5h limit notices whose window has reset by now
            # (the store knows from the ended window's peak whether each came true).
            past = [f["hit"] for f in first.values()
                    if f["name"] == "five_hour" and f["resets_at"] <= r["t"]]
            r["came_true"], r["wrong"] = sum(past), len(past) - sum(past)
            if rule(r):
                first[key] = r
        for r in first.values():
            if r["judged"]:
                notified += 1
                right += r["hit"]
        for name, resets_at, hit_at in chances:
            hits += 1
            said = [r["t"] for (n, at), r in first.items()
                    if n == name and abs(at - resets_at) <= bench_notices.SAME_WINDOW_S
                    and r["t"] <= hit_at]
            ahead += bool(said) and hit_at - min(said) >= 1800
    return {"notified": notified, "right": right, "hits": hits, "ahead": ahead}


def cell(c: dict[str, int]) -> str:
    def pct(a: int, b: int) -> str:
        return f"{a / b:.0%}" if b else "-"
    return (f"{pct(c['right'], c['notified'])} ({c['right']}/{c['notified']}) / "
            f"{pct(c['ahead'], c['hits'])} ({c['ahead']}/{c['hits']})")


def objective(counts: dict[str, dict[str, int]], targets: bool = False) -> float:
    """fit_forecast's notice objective on the fit sets: precision + hits ahead, summed; with
    ``targets`` the issue's own measure, the worst of precision / 0.9 and ahead / 0.8."""
    pairs = [(c["right"] / max(c["notified"], 1), c["ahead"] / max(c["hits"], 1))
             for name, c in counts.items() if name in FIT_SETS]
    if targets:
        return min(min(right / 0.9, ahead / 0.8) for right, ahead in pairs)
    return sum(right + ahead for right, ahead in pairs)


def inputs(r: Record) -> tuple[float, ...]:
    """Every recorded input of a 5h turn, for the in-sample ceiling."""
    odds = min(max(r["odds"], 1e-4), 1 - 1e-4)
    return (math.log(odds / (1 - odds)), r["used"] / 100, min(r["live"], 4) / 4,
            math.log((r["usd15"] + 0.5) / (r["usd60"] + 0.5)), float(r["days"] < 0.5),
            (r["ended_hit"] + 0.5) / (r["ended"] + 1), min(r["days"], 10) / 10,
            math.log((100 - r["used"]) / max(r["step"], 0.1)), r["left"] / 18000,
            r["stretch"] / 36000, (r["went_on"] + 0.5) / (r["active_days"] + 1))


def ceiling(traces: list[tuple[str, list[Record], list[tuple[str, float, float]]]]) -> str:
    """The best precision with >= 80 % of hits ahead that a logistic model of ``inputs``,
    fitted on these very traces (turns 40-70 min before the ETA), reaches on them: an upper
    bound for any rule of the same inputs, not a candidate."""
    zone = [(inputs(r), int(r["hit"])) for _t, records, _c in traces for r in records
            if r["name"] == "five_hour" and r["judged"] and 2400 <= r["eta"] <= 4200
            and shipped(r, odds=0.5, lead=4200)]
    intercept, weights = fit_limit_odds.fit_logistic(zone, ridge=1.0)

    def odds(r: Record) -> float:
        return intercept + sum(w * x for w, x in zip(weights, inputs(r), strict=True))

    best = (0.0, 0.0, 0.0, 0.0)
    for lead, p in itertools.product((3600.0, 4200.0, 4800.0, 5400.0), range(30, 96, 3)):
        cut = math.log(p / (100 - p))

        def rule(r: Record, lead: float = lead, cut: float = cut) -> bool:
            return shipped(r, 0.5, lead) and (r["name"] != "five_hour" or odds(r) >= cut)

        c = score(rule, traces)
        right, ahead = c["right"] / max(c["notified"], 1), c["ahead"] / max(c["hits"], 1)
        if ahead >= 0.8 and right > best[0]:
            best = (right, ahead, lead / 60, p / 100)
    return (f"{best[0]:.0%} right, {best[1]:.0%} ahead (lead {best[2]:.0f} min, "
            f"p >= {best[3]:.2f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", type=Path, default=ROOT / "build" / "forecast_sets")
    parser.add_argument("--benchmark", type=Path, help="also score its public and personas")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--ceiling", action="store_true",
                        help="also the in-sample ceiling of a model of every input, per set")
    parser.add_argument("--check", action="store_true",
                        help="confirm 'shipped' against bench_notices on the first set")
    args = parser.parse_args(argv)
    folders = {name: [args.sets / name] for name in (*FIT_SETS, *HELD_SETS)}
    if args.benchmark:
        folders |= {name: [args.benchmark / name] for name in ("public", "personas")}
    recorded = {}
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        for name, where in folders.items():
            subdirs = sorted(p for f in where for p in f.iterdir() if p.is_dir()) or where
            pairs = bench_notices.find_traces(subdirs)
            recorded[name] = pool.map(replay, pairs, chunksize=1)
            if args.check and name == FIT_SETS[0]:
                expected = bench_notices.score(pairs, NotifyConfig())
                got = score(shipped, recorded[name])
                mine = (got["notified"], got["hits"], got["right"] / max(got["notified"], 1),
                        got["ahead"] / max(got["hits"], 1))
                theirs = (expected["limit_notices"], expected["hits"],
                          expected["precision"] or 0.0, expected["hits_30m_ahead"] or 0.0)
                if any(abs(a - b) > 1e-9 for a, b in zip(mine, theirs, strict=True)):
                    raise SystemExit(f"'shipped' gives {got}, bench_notices {expected}")
                print(f"checked: 'shipped' = bench_notices on {name}", file=sys.stderr)
    table = {label: {name: score(rule, traces) for name, traces in recorded.items()}
             for label, rule in RULES.items()}
    print("| rule | " + " | ".join(f"{name}: right / hits >= 30 min" for name in recorded)
          + " |\n|---|" + "---|" * len(recorded))
    for label, counts in table.items():
        print(f"| {label} | " + " | ".join(cell(counts[name]) for name in recorded) + " |")
    for targets in (False, True):
        best = max(table, key=lambda label: objective(table[label], targets))
        print(f"{'by the targets' if targets else 'by the sum'}, chosen on the fit sets: {best} "
              f"({objective(table[best], targets):.3f}, shipped "
              f"{objective(table['shipped'], targets):.3f}); judge it on the held-out columns")
    if args.ceiling:
        for name, traces in recorded.items():
            print(f"in-sample ceiling, {name}: {ceiling(traces)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
