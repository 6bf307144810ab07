#!/usr/bin/env python3
"""Choose the forecast's constants on the fit sets and judge them on the held-out sets.

The sets come from ``scripts/forecast_sets.py`` (fit_days, fit_rhythms, held_days,
held_rhythms); the benchmark's public sets may be scored beside them (``--public``), never
chosen on. Each candidate is a list of ``module.NAME=value`` settings of the package's
constants (``profile.PACE_TOLERANCE=0.3``, ``notice.LIMIT_ODDS=0.8``...). For every candidate
the forecast is scored in process with the benchmark's own scoring (as
``scripts/bench_forecast.py``) and the hook's notices with ``scripts/bench_notices.py``;
the candidate chosen is the best on the fit sets (``--objective``), and its figures on the
held-out sets are printed beside the fit ones: a change that helps the fit sets and hurts the
held-out ones is not an improvement.

    python scripts/fit_forecast.py --benchmark ../shared/forecast \\
        --grid notice.LIMIT_ODDS=0.6,0.7,0.8 --grid notice.CONFIRM_S=600,900,1200 --public
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import multiprocessing
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_forecast  # noqa: E402
import bench_notices  # noqa: E402

from statusline.config import NotifyConfig  # noqa: E402

SETS = ("fit_days", "fit_rhythms", "held_days", "held_rhythms")
MODULES = {"profile": "statusline.forecast.profile", "five_hour": "statusline.forecast.five_hour",
           "seven_day": "statusline.forecast.seven_day", "window": "statusline.forecast.window",
           "limit_odds": "statusline.forecast.limit_odds", "rhythm": "statusline.history.rhythm",
           "windows": "statusline.history.windows",
           "notice": "statusline.notice"}
_evaluate: Any = None


def apply(settings: list[tuple[str, float]]) -> None:
    """Set each ``module.NAME`` to its value (in this process; workers fork after it)."""
    from statusline.forecast import profile

    for key, value in settings:
        module_key, name = key.split(".", 1)
        module = importlib.import_module(MODULES[module_key])
        if not hasattr(module, name):
            raise SystemExit(f"{key}: no such constant")
        setattr(module, name, value)
        # Constants imported by name elsewhere follow the module that owns them.
        for other in MODULES.values():
            importer = importlib.import_module(other)
            if other != module.__name__ and hasattr(importer, name):
                setattr(importer, name, value)
    profile._profiles.clear()
    importlib.import_module("statusline.history.rhythm")._shapes.clear()


def forecast_task(work: tuple[str, str]) -> tuple[str, str, Any]:
    trace, name = work
    opts = {"cmd": None, "contract": _evaluate.CONTRACT, "max_inspect": 120, "every": 0,
            "max_feed": 0, "timeout": 10.0, "usd_key": "usd_h_60m", "env": {}}
    _trace, _name, score, _stats, _points = _evaluate.task((trace, name, opts))
    return trace, name, score


def notice_task(pair: tuple[Path, Path]) -> dict[str, Any]:
    return bench_notices.score([pair], NotifyConfig())


def merge_notices(parts: list[dict[str, Any]]) -> dict[str, float | None]:
    """Pooled precision of limit notices and share of hits announced >= 30 min ahead."""
    notified = sum(p["limit_notices"] for p in parts)
    right = sum(round((p["precision"] or 0.0) * p["limit_notices"]) for p in parts)
    hits = sum(p["hits"] for p in parts)
    ahead = sum(round((p["hits_30m_ahead"] or 0.0) * p["hits"]) for p in parts)
    return {"notices": notified, "precision": right / notified if notified else None,
            "hits": hits, "ahead": ahead / hits if hits else None}


def score_folder(pool: Any, folders: list[Path], baselines: list[str],
                 notices_only: bool = False) -> dict[str, Any]:
    """evaluate.py's summary for the package and ``baselines``, and the notices' figures
    (the notices' alone with ``notices_only``)."""
    pairs = bench_notices.find_traces(folders)
    if notices_only:
        return {"notices": merge_notices(pool.map(notice_task, pairs, chunksize=1))}
    traces = _evaluate.find_traces([str(f) for f in folders])
    names = [bench_forecast.NAME, *baselines]
    results = pool.map(forecast_task, [(t, n) for n in names for t in traces], chunksize=1)
    out: dict[str, Any] = {}
    for n in names:
        out[n] = _evaluate.aggregate([s for _t, name, s in results if name == n])
    out["notices"] = merge_notices(pool.map(notice_task, pairs, chunksize=1))
    return out


def figures(summary: dict[str, Any], name: str) -> dict[str, float | None]:
    """The few figures the targets speak of, for ``name`` in ``summary``."""
    o = summary[name]
    eta = o["eta_by_window"]

    def get(value: object) -> float | None:
        return float(value) if isinstance(value, (int, float)) else None

    return {"eta": get(o["eta"]["all"]["median"]), "warned": get(o["warned_30m"]),
            "fa": get(o["false_alarm_rate"]), "binding": get(o["binding_acc"]),
            "eta7": get(eta["seven_day"]["median"])}


def objective(summary: dict[str, dict[str, Any]], weights: dict[str, float]) -> float:
    """Lower is better: ETA + FA - warned - binding - notice precision - notices ahead."""
    total = 0.0
    for set_summary in summary.values():
        n = set_summary["notices"]
        total -= (weights["precision"] * (n["precision"] or 0.0)
                  + weights["ahead"] * (n["ahead"] or 0.0))
        if bench_forecast.NAME not in set_summary:
            continue
        f = figures(set_summary, bench_forecast.NAME)
        total += (weights["eta"] * min(f["eta"] or 5.0, 5.0) + weights["fa"] * (f["fa"] or 0.0)
                  - weights["warned"] * (f["warned"] or 0.0)
                  - weights["binding"] * (f["binding"] or 0.0))
    return total


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def row(label: str, set_name: str, summary: dict[str, Any], baselines: list[str]) -> str:
    f = figures(summary, bench_forecast.NAME)
    best_eta = min((figures(summary, b)["eta"] or 9.0 for b in baselines), default=None)
    best_fa = min((figures(summary, b)["fa"] or 9.0 for b in baselines), default=None)
    n = summary["notices"]
    return (f"| {label} | {set_name} | {pct(f['eta'])} ({pct(best_eta)}) | {pct(f['warned'])} | "
            f"{pct(f['fa'])} ({pct(best_fa)}) | {pct(f['binding'])} | {pct(f['eta7'])} | "
            f"{pct(n['precision'])} ({n['notices']}) | {pct(n['ahead'])} ({n['hits']}) |")


HEADER = ("| candidate | set | ETA median (best baseline) | warned >= 30 min | FA (best baseline) "
          "| binding | 7d ETA | limit notices right | hits announced >= 30 min |\n"
          "|---|---|---|---|---|---|---|---|---|")


def parse_grid(specs: list[str]) -> list[list[tuple[str, float]]]:
    axes = []
    for spec in specs:
        key, values = spec.split("=", 1)
        axes.append([(key, float(v)) for v in values.split(",")])
    return [list(c) for c in itertools.product(*axes)] if axes else [[]]


def main(argv: list[str] | None = None) -> int:
    global _evaluate
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--benchmark", type=Path, required=True)
    parser.add_argument("--sets", type=Path, default=ROOT / "build" / "forecast_sets")
    parser.add_argument("--grid", action="append", default=[],
                        help="module.NAME=v1,v2,... (repeatable: the product is tried)")
    parser.add_argument("--baseline", action="append", default=None)
    parser.add_argument("--public", action="store_true", help="also score public and personas")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--notices-only", action="store_true",
                        help="choose on the notices' figures alone (a faster grid)")
    parser.add_argument("--rows", action="store_true",
                        help="each candidate's figures on the fit sets, not the chosen one's alone")
    parser.add_argument("--weights", default="eta=1,fa=1,warned=1,binding=0.5,precision=1,ahead=1")
    args = parser.parse_args(argv)
    weights = {k: float(v) for k, v in (p.split("=") for p in args.weights.split(","))}
    baselines = args.baseline if args.baseline is not None else ["naive", "cs"]
    _evaluate, _ = bench_forecast.load_benchmark(args.benchmark.resolve())
    folders = {name: sorted(p for p in (args.sets / name).iterdir() if p.is_dir())
               for name in SETS}
    candidates = parse_grid(args.grid)
    ranked = []
    for candidate in candidates:
        apply(candidate)
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            fit = {name: score_folder(pool, folders[name], [], args.notices_only)
                   for name in SETS if name.startswith("fit")}
        value = objective(fit, weights)
        label = ", ".join(f"{k}={v:g}" for k, v in candidate) or "as shipped"
        print(f"{value:8.3f}  {label}  " + "  ".join(
            f"{name}: {pct(s['notices']['precision'])} right, {pct(s['notices']['ahead'])} ahead"
            for name, s in fit.items()), flush=True)
        if args.rows and not args.notices_only:
            for name, summary in fit.items():
                print(row(label, name, summary, []), flush=True)
        ranked.append((value, candidate))
    best = min(ranked, key=lambda pair: pair[0])[1]
    apply(best)
    label = ", ".join(f"{k}={v:g}" for k, v in best) or "as shipped"
    judged = [n for n in SETS] + (["public", "personas"] if args.public else [])
    print(f"\nchosen on the fit sets: {label}\n\n{HEADER}")
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        for name in judged:
            where = folders.get(name) or [args.benchmark / name]
            print(row(label, name, score_folder(pool, where, baselines), baselines), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
