#!/usr/bin/env python3
"""Score the hook's notices on benchmark traces: are they right, and do they come in time?

Replays each trace in one process as the status-line calls would fold it (call.advance)
and, at every turn (a trace's ``start`` and ``response`` events), first makes the hook's
decision on the store as it stands, before that turn's reading is folded in: under Claude
Code 2.1.328 the Stop hook runs ~0.35 s before the status line records the turn's last reply.
A notice is claimed as the hook claims it, so each window gets each notice once.

Scores, against the trace's truth (the window running at the notice, by its ``resets_at``):

* limit notices: the share of notified windows that really reached 100 % before their reset
  (precision), and for every window that hit, how long before the hit its limit notice came
  (lead; "≥30m" counts the hits that had a turn at least 30 minutes before the hit);
* level notices: how many, and how many of those windows went on to hit (for reading only:
  a level is a fact, not a forecast).

Notices made before a later official re-baseline of their window are not judged (the
benchmark's own masking rule), nor windows of API-key traces (no rate limits).

    python scripts/bench_notices.py ../shared/forecast/public [DIR ...] [--lead 60] [--odds 0.5]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from statusline import call, forecast, history, notice, payload, process  # noqa: E402
from statusline.config import NotifyConfig  # noqa: E402

TURN_KINDS = ("start", "response")
SAME_WINDOW_S = 90.0


def replay(events_path: Path, truth: dict[str, Any],
           settings: NotifyConfig) -> list[dict[str, Any]]:
    """Every notice the hook would give over one trace: time, window, resets_at, kind."""
    os.environ["TZ"] = str(truth["tz"])
    time.tzset()
    rows = truth["rows"]
    assert isinstance(rows, list)
    state = history.State()
    given: list[dict[str, Any]] = []
    with events_path.open() as handle:
        for line, row in zip(handle, rows, strict=True):
            event = json.loads(line)
            t = float(event["t"])
            offset = process.utc_offset(t)
            if row[1] in TURN_KINDS:
                found = notice.due(state, forecast.project(state, t, offset), t, settings,
                                   offset)
                if found is not None:
                    notice.claim(state, found, settings)
                    window = state.windows[found.window]
                    assert window is not None
                    given.append({"t": t, "window": found.window, "resets_at": window.resets_at,
                                  "level": found.level, "limit": found.limit,
                                  "used": window.used_pct, "text": found.text})
            doc = event.get("payload")
            if isinstance(doc, dict):
                call.advance(state, payload.from_mapping(doc), t, offset)
    return given


def true_window(truth: dict[str, Any], name: str, resets_at: float) -> dict[str, Any] | None:
    windows = truth["windows"]
    assert isinstance(windows, dict)
    for window in windows.get(name, []):
        if abs(float(window["resets_at"]) - resets_at) <= SAME_WINDOW_S:
            return dict(window)
    return None


def judged(window: dict[str, Any], t: float) -> bool:
    """False when an official re-baseline of the window comes after ``t``."""
    rebases = window.get("rebaselines") or []
    assert isinstance(rebases, list)
    return not any(float(r["t"] if isinstance(r, dict) else r[0]) > t for r in rebases)


def score(traces: list[tuple[Path, Path]], settings: NotifyConfig) -> dict[str, Any]:
    limit_right = limit_wrong = 0
    level_count = level_hit = 0
    leads: list[float] = []
    chances = 0
    wrong: list[str] = []
    late: list[str] = []
    per_window: dict[str, list[int]] = {}
    for events_path, truth_path in traces:
        truth = json.loads(truth_path.read_text())
        if not truth.get("has_rate_limits", True):
            continue
        given = replay(events_path, truth, settings)
        turn_times = [row[0] for row in truth["rows"] if row[1] in TURN_KINDS]
        # A window's limit notice is its first notice that announced the limit (later level
        # notices repeat the forecast in their sentence, but the limit is said once).
        seen: set[tuple[object, object]] = set()
        for given_item in given:
            key = (given_item["window"], given_item["resets_at"])
            item = {**given_item, "limit": given_item["limit"] and key not in seen}
            if item["limit"]:
                seen.add(key)
            window = true_window(truth, str(item["window"]), float(item["resets_at"]))
            t = float(item["t"])
            if window is None or not judged(window, t):
                continue
            hit = window.get("hit_at") is not None
            if item["limit"]:
                counts = per_window.setdefault(str(item["window"]), [0, 0])
                counts[0 if hit else 1] += 1
                if hit:
                    limit_right += 1
                else:
                    limit_wrong += 1
                    wrong.append(f"{truth_path.name[:-11]} {item['window']} at "
                                 f"{item['used']:.0f}% peak {window['peak_pct']}")
            if item["level"] is not None:
                level_count += 1
                level_hit += hit
        trace_end = float(truth["end"])
        for name, windows in truth["windows"].items():
            for window in windows:
                hit_at = window.get("hit_at")
                if hit_at is None or hit_at > trace_end or window.get("rebaselines"):
                    continue
                start = max(float(window["start"]), float(truth["start"]))
                if not any(start <= t <= hit_at - 1800 for t in turn_times):
                    continue  # no turn 30 min before the hit: no notice could be that early
                chances += 1
                notices = [float(g["t"]) for g in given
                           if g["window"] == name and g["limit"]
                           and abs(float(g["resets_at"]) - float(window["resets_at"]))
                           <= SAME_WINDOW_S and float(g["t"]) <= hit_at]
                lead = hit_at - min(notices) if notices else 0.0
                leads.append(lead)
                if lead < 1800:
                    late.append(f"{truth_path.name[:-11]} {name} lead {lead / 60:.0f} min")
    notified = limit_right + limit_wrong
    leads.sort()
    return {
        "traces": len(traces),
        "limit_notices": notified,
        "precision": limit_right / notified if notified else None,
        "by_window": per_window,
        "hits": chances,
        "hits_30m_ahead": sum(1 for lead in leads if lead >= 1800) / chances if chances else None,
        "median_lead_min": leads[len(leads) // 2] / 60 if leads else None,
        "level_notices": level_count,
        "level_windows_that_hit": level_hit,
        "wrong": wrong,
        "late": late,
    }


def find_traces(folders: list[Path]) -> list[tuple[Path, Path]]:
    found = []
    for folder in folders:
        for events in sorted(folder.glob("*.events.jsonl")):
            truth = events.with_name(events.name.replace(".events.jsonl", ".truth.json"))
            if truth.exists():
                found.append((events, truth))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", type=Path, nargs="+", help="trace folders")
    parser.add_argument("--lead", type=float, default=NotifyConfig().lead_minutes,
                        help="lead time in minutes (the config's notify.lead_minutes)")
    parser.add_argument("--odds", type=float, default=notice.LIMIT_ODDS,
                        help="the 5h limit notice's odds threshold")
    parser.add_argument("--details", action="store_true", help="list misses and late hits")
    args = parser.parse_args(argv)
    settings = NotifyConfig()
    settings.lead_minutes = args.lead
    notice.LIMIT_ODDS = args.odds
    result = score(find_traces(args.folders), settings)
    details = {k: result.pop(k) for k in ("wrong", "late")}
    print(json.dumps(result, indent=1))
    if args.details:
        print(json.dumps(details, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
