#!/usr/bin/env python3
"""Would boosted trees over what the sessions do make better 5h odds? A study (issue 20).

``limit_odds`` is a logistic model of the pace, the time and room left and the working hours
the profile gives. This study fits gradient-boosted trees (scikit-learn's
HistGradientBoostingClassifier: 100 rounds at most, depth 4) over four of the logistic's
inputs plus what it does not see (``FEATURES``): the last quarter, half and whole hour's
slopes against the pace, the live sessions, their share of the most live over the last three
hours of the window, the hours of silence and the sessions seen in the last day.

The trees are fitted on training traces of our own, generated from seeds disjoint from every
set they are judged on (240 single days from seed 83000 on, half with the public profile in
six zones and half with the broad fit profile; 48 ten-day random rhythms from seed 84000 on;
written once under ``--out``). Then, on every set (scripts/forecast_sets.py's four, the
benchmark's public days and personas):

1. each point's discrimination: AUC and accuracy at 0.5 of the shipped odds, the trees, and
   the trees with each input's direction imposed (``DIRECTIONS``);
2. with ``--forecast``, the whole forecast with the odds blended on the log-odds scale
   (``WEIGHT`` of the trees), scored as scripts/fit_forecast.py scores it, over a grid of
   ``trees_study.WEIGHT`` and ``five_hour.WARN_ODDS`` chosen on the fit sets.

Needs scikit-learn and numpy (``pip install scikit-learn``), which the package does not.

    python scripts/trees_study.py --benchmark ../shared/forecast             # ~1 min
    python scripts/trees_study.py --benchmark ../shared/forecast --forecast  # ~6 min
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
sys.modules.setdefault("trees_study", sys.modules[__name__])  # fit_forecast's --grid finds it

import bench_forecast  # noqa: E402
import fit_forecast  # noqa: E402
import forecast_sets  # noqa: E402
from persona_variants import TRACE_KEYS, ZONES, random_persona  # noqa: E402

from statusline import forecast, notice, process  # noqa: E402
from statusline.forecast import limit_odds  # noqa: E402
from statusline.forecast.profile import rhythm_profile, working_hours_left  # noqa: E402
from statusline.forecast.series import readings, slope  # noqa: E402
from statusline.history import WINDOW_SECONDS, State  # noqa: E402

FEATURES = ("carry", "working", "left", "room", "pace", "slope_15m", "slope_30m", "slope_1h",
            "live", "live_share", "idle", "day_sessions")
# Each input's direction, where it has one: a faster pace, a steeper slope or more sessions
# spending never lower the odds; a longer silence never raises them.
DIRECTIONS = {"carry": 1, "pace": 1, "slope_15m": 1, "slope_30m": 1, "slope_1h": 1, "live": 1,
              "live_share": 1, "idle": -1}
SLOPES = ((900.0, 600.0), (1800.0, 900.0), (3600.0, 1800.0))  # (lookback, least span), s
LIVE_S, LOOKBACK_S, STEP_S, IDLE_CAP_S, DAY_S = 600.0, 3 * 3600.0, 900.0, 3600.0, 86400.0
DAY_SEED, RHYTHM_SEED, DAY_ROUNDS, RHYTHM_GROUPS = 83000, 84000, 5, 8
RHYTHM_WEIGHT = 3.0  # rhythm points weigh three times a day's (there are five times fewer)
WEIGHT = 0.5  # the trees' share of the blended log-odds (--forecast)
JUDGED = ("fit_days", "fit_rhythms", "held_days", "held_rhythms", "public", "personas")
Trees = tuple[float, list[tuple[Any, ...]]]
_evaluate: Any = None
_baselines: Any = None
_blend: dict[str, Trees] = {}  # the trees --forecast blends in


def activity(state: State, now: float, window_start: float,
             idle: float | None) -> tuple[float, float, float, float]:
    """(live, share, idle_h, day) at ``now``: sessions with a cost reading in the last
    ``LIVE_S``; their share of the most live at ``STEP_S`` steps over the last
    ``LOOKBACK_S`` of the window (0 with none live); hours since any session spent (at most
    ``IDLE_CAP_S``); sessions seen in the last day."""
    since = max(window_start, now - LOOKBACK_S)
    steps = [since + k * STEP_S for k in range(int((now - since) // STEP_S))] + [now]
    live_at, day = [0] * len(steps), 0
    for session in state.sessions.values():
        day += session.last_seen >= now - DAY_S
        times = [at for at, _cost in session.costs[-40:] if since - LIVE_S < at <= now]
        for i, step in enumerate(steps if times else ()):
            live_at[i] += any(step - LIVE_S < at <= step for at in times)
    live, most = live_at[-1], max(live_at)
    return (float(live), live / most if most else 0.0,
            min(idle or 0.0, IDLE_CAP_S) / 3600.0, float(day))


def tree_inputs(rate: float, work_hours: float, hours_left: float, remaining_pct: float,
                state: State, now: float) -> tuple[float, ...]:
    """The trees' inputs, in the order of ``FEATURES``, for the running 5h window."""
    window = state.windows["five_hour"]
    assert window is not None
    carry, _, working, _, left, room = limit_odds.features(rate, work_hours, hours_left,
                                                           remaining_pct)[:6]
    series, _ = readings(window, now)
    pace = math.log(max(rate, 0.0) + 1.0)
    slopes = [math.log(max(slope(series, now, back, span)[0] or 0.0, 0.0) + 1.0) - pace
              for back, span in SLOPES]
    start = window.resets_at - WINDOW_SECONDS["five_hour"]
    sessions = activity(state, now, start, forecast.idle_seconds(state, now))
    return (carry, working, left, room, math.log(max(rate, 0.0) + 1e-3), *slopes, *sessions)


def replay(trace: str) -> list[tuple[tuple[float, ...], float, int]]:
    """(the trees' inputs, the shipped odds, 1 if the window filled) at each inspected point
    with a 5h pace."""
    truth, inspected = bench_forecast.inspected(_evaluate, _baselines, trace)
    out = []
    for i, event, pred in inspected:
        row, state, t = truth["rows"][i], pred.state, event["t"]
        window = state.windows.get("five_hour")
        if row["mask_5h"] or window is None or window.used_pct >= 100 or window.resets_at <= t:
            continue
        offset = process.utc_offset(t)
        fc = forecast.project(state, t, offset).windows.get("five_hour")
        if fc is None or not fc.rate_pct_per_hour or fc.hit_odds is None:
            continue
        _, effective = readings(window, t)
        work = working_hours_left(t, window.resets_at, offset,
                                  rhythm_profile("five_hour", state.rhythm, offset))
        inputs = tree_inputs(fc.rate_pct_per_hour, work, (window.resets_at - t) / 3600.0,
                             100.0 - effective, state, t)
        out.append((inputs, fc.hit_odds, int(row["hit_5h"] is not None)))
    return out


def generate(simulator: Path, out: Path) -> dict[str, list[str]]:
    """The training traces' folders by kind, written under ``out`` once (deterministic)."""
    sys.path.insert(0, str(simulator.resolve().parent))
    import simulate

    def write(folder: Path, name: str, recipe: dict[str, Any]) -> str:
        if not (folder / "manifest.json").exists():
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "set.json").write_text(json.dumps(recipe))
            simulate.generate_set(name, str(folder), str(folder / "set.json"))
        return str(folder)

    folders: dict[str, list[str]] = {"train_days": [], "train_rhythms": []}
    public = dict(simulate.PROFILES["public"], tzs=ZONES)
    for i in range(DAY_ROUNDS):
        seed, traces = DAY_SEED + 1000 * i, forecast_sets.day_traces(DAY_SEED + 1000 * i)
        for part, profile, chosen, offset in (("p", public, traces[0::2], 0),
                                              ("b", forecast_sets.FIT_BROAD, traces[1::2], 500)):
            folders["train_days"].append(write(out / "days" / f"{i}{part}", f"td{i}{part}", {
                "seed": seed + offset, "profile": profile, "traces": chosen}))
    rng = random.Random(RHYTHM_SEED)
    personas = dict(simulate.PROFILES["personas"], tzs=ZONES)
    for i in range(RHYTHM_GROUPS):
        specs = {key: random_persona(rng) for key in TRACE_KEYS}
        folders["train_rhythms"].append(write(out / "rhythms" / str(i), f"tr{i}", {
            "seed": RHYTHM_SEED + 100 * i, "profile": dict(personas, persona_spec=specs),
            "traces": [[f"persona_{key}", {}] for key in specs]}))
    return folders


def fit(points: dict[str, list[Any]], directions: bool) -> Any:
    """The trees fitted on the training points (early stopping on a tenth, seeded)."""
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier

    train = points["train_days"] + points["train_rhythms"]
    weight = [1.0] * len(points["train_days"]) + [RHYTHM_WEIGHT] * len(points["train_rhythms"])
    model = HistGradientBoostingClassifier(
        max_iter=100, learning_rate=0.1, max_depth=4, min_samples_leaf=80,
        l2_regularization=1.0, early_stopping=True, validation_fraction=0.1,
        n_iter_no_change=10, random_state=0,
        monotonic_cst=[DIRECTIONS.get(name, 0) if directions else 0 for name in FEATURES])
    return model.fit(np.array([p[0] for p in train]), np.array([p[2] for p in train]),
                     sample_weight=np.array(weight))


def plain(model: Any) -> Trees:
    """The fitted trees as (baseline, [(feature, threshold, left, right, value, leaf)])."""
    trees = []
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        trees.append(tuple(tuple(n[key].tolist() if hasattr(n[key], "tolist") else n[key]
                                 for n in nodes)
                           for key in ("feature_idx", "num_threshold", "left", "right",
                                       "value", "is_leaf")))
    return float(model._baseline_prediction.ravel()[0]), trees


def log_odds(trees: Trees, x: tuple[float, ...]) -> float:
    """The trees' log-odds for ``x`` (a sample equal to a threshold goes left)."""
    z, forest = trees
    for feature, threshold, left, right, value, leaf in forest:
        node = 0
        while not leaf[node]:
            node = left[node] if x[feature[node]] <= threshold[node] else right[node]
        z += value[node]
    return z


def auc(scores: list[float], labels: list[int]) -> float:
    """The area under the ROC curve (ties count half)."""
    ranked = sorted(zip(scores, labels, strict=True))
    positives = sum(labels)
    negatives = len(labels) - positives
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        rank_sum += (i + j + 1) / 2 * sum(label for _, label in ranked[i:j])
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def discrimination(points: dict[str, list[Any]], models: dict[str, Trees]) -> None:
    """AUC (accuracy at 0.5) of the shipped odds and of each model's, on every judged set."""
    print("| odds | " + " | ".join(JUDGED) + " |\n|---|" + "---|" * len(JUDGED))
    rows: dict[str, Any] = {"shipped": lambda p: math.log(p[1] / (1 - p[1] + 1e-12) + 1e-12)}
    rows.update({name: (lambda p, t=trees: log_odds(t, p[0])) for name, trees in models.items()})
    for name, score in rows.items():
        cells = []
        for set_name in JUDGED:
            scores = [score(p) for p in points[set_name]]
            labels = [p[2] for p in points[set_name]]
            right = sum((s >= 0) == bool(y) for s, y in zip(scores, labels, strict=True))
            cells.append(f"{auc(scores, labels):.3f} ({right / len(labels):.1%})")
        print(f"| {name} | " + " | ".join(cells) + " |")


def blended(rate: float, work_hours: float, hours_left: float, remaining_pct: float) -> float:
    """limit_odds.hit_probability with the trees blended in (needs ``_context``)."""
    z = limit_odds.logit(limit_odds.features(rate, work_hours, hours_left, remaining_pct))
    state, now = _context.get("state"), _context.get("now")
    if _blend and state is not None and state.windows.get("five_hour") is not None:
        trees = log_odds(_blend["trees"], tree_inputs(rate, work_hours, hours_left, remaining_pct,
                                             state, now))
        z += WEIGHT * (trees - z)
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


_context: dict[str, Any] = {}
_project = forecast.project


def project(state: State, now: float, utc_offset: float = 0.0) -> Any:
    """forecast.project, with the state and clock the blended odds need at hand."""
    _context.update(state=state, now=now)
    try:
        return _project(state, now, utc_offset)
    finally:
        _context.clear()


def main(argv: list[str] | None = None) -> int:
    global _evaluate, _baselines
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--benchmark", type=Path, required=True)
    parser.add_argument("--sets", type=Path, default=ROOT / "build" / "forecast_sets")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "trees_study")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--forecast", action="store_true",
                        help="also score the forecast with the blended odds (a grid)")
    args = parser.parse_args(argv)
    folders = generate(args.benchmark / "simulate.py", args.out)
    for name in JUDGED[:4]:
        folders[name] = [str(p) for p in sorted((args.sets / name).iterdir()) if p.is_dir()]
    folders["public"] = [str(args.benchmark / "public")]
    folders["personas"] = [str(args.benchmark / "personas")]
    _evaluate, _baselines = bench_forecast.load_benchmark(args.benchmark.resolve())
    points: dict[str, list[Any]] = {}
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        for name, paths in folders.items():
            traces = _evaluate.find_traces(paths)
            points[name] = [p for part in pool.map(replay, traces, chunksize=1) for p in part]
    print(" ".join(f"{name}: {len(found)} points" for name, found in points.items()) + "\n")
    models = {"trees": plain(fit(points, False)),
              "trees, directions imposed": plain(fit(points, True))}
    print("AUC (accuracy at even odds) of the 5h odds at the points evaluate.py inspects\n")
    discrimination(points, models)
    if args.forecast:
        _blend["trees"] = models["trees, directions imposed"]
        limit_odds.hit_probability = blended  # type: ignore[assignment]
        forecast.project = project  # type: ignore[assignment]
        notice.project = project  # type: ignore[assignment]  # the confirmation's re-run
        fit_forecast.MODULES["trees_study"] = "trees_study"
        print("\nThe forecast with the odds blended (trees with directions imposed):\n")
        fit_forecast.main(["--benchmark", str(args.benchmark), "--sets", str(args.sets),
                           "--public", "--rows", "--jobs", str(args.jobs),
                           "--grid", "trees_study.WEIGHT=0.3,0.5,0.7",
                           "--grid", "five_hour.WARN_ODDS=0.5,0.6"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
