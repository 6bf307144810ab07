#!/usr/bin/env python3
"""Refit statusline/forecast/limit_odds.py: the odds that a 5-hour window fills before its reset.

Generates traces with the forecast benchmark's simulator (shared/forecast/simulate.py, not
part of this repository), replays every event through this package's own merge and forecast
(in process, as the hot path would fold it), and records at each event the model's inputs for
the running 5h window and whether that window did fill before its reset (the trace's truth).
A ridge-regularised logistic regression (Newton's method, stdlib only) is fitted on one set
of seeds and scored on a second, disjoint set.

    python scripts/fit_limit_odds.py --simulator ../shared/forecast/simulate.py
    python scripts/fit_limit_odds.py --simulator ../shared/forecast/simulate.py --write

Seeds 50000 and up are used so that the fit never sees the benchmark's public or checking
traces. Half the traces use the simulator's public profile and half a broader one (more
background use, sparser ticks, more whole-percent readings, six time zones), so the model does
not learn one profile's quirks. ``--write`` rewrites the fitted block of limit_odds.py; it
refuses a fit whose rate weight is not positive over the whole window (a faster pace must
never lower the odds).
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import random
import re
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from statusline import call, forecast, history, payload  # noqa: E402
from statusline.forecast import limit_odds  # noqa: E402

MODULE = ROOT / "statusline" / "forecast" / "limit_odds.py"
NAMES = ("INTERCEPT", "CARRY", "CARRY_BY_LEFT", "WORKING", "WORKING_BY_LEFT", "LEFT", "ROOM",
         "LEFT_SQUARED", "LEFT_BY_ROOM", "ROOM_SQUARED")
BROAD_PROFILE = {
    "usd_scale": (0.75, 1.3), "bg_episodes": (1, 4), "bg_usd_h": (2.0, 9.0),
    "tick_base": (120.0, 420.0), "resp_gap": (45.0, 130.0), "p_integer": 0.4,
    "p_corrupt_rand": 0.01, "tzs": ["PST8", "JST-9", "IST-5:30", "UTC0", "CET-1", "EST5"],
    "max_events": 600, "p_ghost_hit": 0.2, "peak_jitter": 1.0, "day_range": (0, 35),
}
# Scenarios whose heaviest window may be forced to hit (as the benchmark's sets do).
HIT_SCENARIOS = ("steady_single", "bursty_idle", "window_reset", "late_night")

Sample = tuple[tuple[float, ...], int]  # (limit_odds.features(...), 1 if the window filled)


def load_simulator(path: Path) -> ModuleType:
    """Import the benchmark's simulate.py from ``path``."""
    spec = importlib.util.spec_from_file_location("simulate", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import the simulator at {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["simulate"] = module  # its dataclasses look themselves up here
    spec.loader.exec_module(module)
    return module


def generate(sim: ModuleType, count: int, first_seed: int) -> list[tuple[list, dict]]:
    """``count`` traces (events, truth) from seeds ``first_seed`` on, rate-limited only."""
    scenarios = [name for name in sim.SCENARIOS if name != "api_key"]
    choices = random.Random(first_seed)
    traces = []
    for index in range(count):
        scenario = scenarios[index % len(scenarios)]
        profile = dict(sim.PROFILES["public"]) if index % 2 == 0 else dict(BROAD_PROFILE)
        overrides: dict[str, object] = {}
        if scenario in HIT_SCENARIOS and choices.random() < 0.5:
            overrides["outcome"] = "hit"
        if choices.random() < 0.25:
            overrides["quant"] = "integer"
        traces.append(sim.build(scenario, first_seed + index, "custom", overrides=overrides,
                                prof=profile))
    return traces


def generate_personas(sim: ModuleType, count: int, first_seed: int) -> list[tuple[list, dict]]:
    """``count`` ten-day traces of random rhythms (scripts/persona_variants.py), so the odds
    are fitted on profiles learned from an account's own days, not only on the prior."""
    from persona_variants import ZONES, random_persona

    choices = random.Random(first_seed)
    traces = []
    for index in range(count):
        profile = dict(sim.PROFILES["personas"], tzs=ZONES,
                       persona_spec={"office": random_persona(choices)})
        traces.append(sim.build("persona_office", first_seed + index, "custom", prof=profile))
    return traces


def load_folders(folders: list[Path]) -> list[tuple[list, dict]]:
    """(events, truth) of every trace under ``folders`` (scripts/forecast_sets.py's sets)."""
    import json

    traces = []
    for folder in folders:
        for events_path in sorted(folder.rglob("*.events.jsonl")):
            truth = json.loads(events_path.with_name(
                events_path.name.replace(".events.jsonl", ".truth.json")).read_text())
            if not truth.get("has_rate_limits", True):
                continue
            with events_path.open() as handle:
                traces.append(([json.loads(line) for line in handle if line.strip()], truth))
    return traces


def utc_offset_of(zone: str) -> float:
    """Seconds east of UTC of a POSIX TZ string with a fixed offset ("CET-1", "IST-5:30")."""
    match = re.fullmatch(r"[A-Z]+([+-]?)(\d+)(?::(\d+))?", zone)
    if match is None:
        raise ValueError(f"unsupported zone {zone!r}")
    sign = 1 if match.group(1) == "-" else -1  # POSIX counts hours *west* of UTC
    return sign * (int(match.group(2)) * 3600 + int(match.group(3) or 0) * 60)


def samples(events: list[dict], truth: dict) -> list[Sample]:
    """Replay a trace through the package; one sample per event with a running 5h window.

    Skipped: events before the window has a rate, windows already full, windows the truth
    says are re-baselined later (their outcome was unforeseeable), and events where the
    store's window is not the one the truth is about.
    """
    columns = truth["columns"]
    offset = utc_offset_of(truth["tz"])
    state = history.State()
    out: list[Sample] = []
    for event, raw_row in zip(events, truth["rows"], strict=True):
        row = dict(zip(columns, raw_row, strict=True))
        now = float(event["t"])
        call.advance(state, payload.from_mapping(event["payload"]), now, offset)
        window = state.current_window("five_hour", now)
        if (window is None or window.used_pct >= 100 or row["mask_5h"]
                or row["resets_5h"] is None or abs(row["resets_5h"] - window.resets_at) > 5):
            continue
        hit = row["hit_5h"]
        if hit is not None and hit <= now:
            continue
        series, effective = forecast.readings(window, now)
        rate, _thin = forecast.five_hour_rate(window, series, now)
        if rate is None or rate <= 0:
            continue
        # The profile the forecast would use: the rhythm learned so far, shrunk to the prior.
        profile = forecast.rhythm_profile("five_hour", state.rhythm, offset)
        inputs = limit_odds.features(
            rate, forecast.working_hours_left(now, window.resets_at, offset, profile),
            (window.resets_at - now) / 3600.0, 100.0 - effective)
        out.append((inputs, int(hit is not None)))
    return out


def fit_logistic(data: list[Sample], ridge: float = 0.1,
                 iterations: int = 25) -> tuple[float, tuple[float, ...]]:
    """(intercept, coefficients) maximising the ridge-penalised log-likelihood.

    Newton's method; the intercept is not penalised. Stops when a step moves no weight by
    more than 1e-7.
    """
    size = len(data[0][0]) + 1
    weights = [0.0] * size
    for _ in range(iterations):
        gradient = [0.0] * size
        hessian = [[0.0] * size for _ in range(size)]
        for inputs, label in data:
            x = (1.0, *inputs)
            z = sum(w * v for w, v in zip(weights, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))
            residual, curvature = label - p, p * (1.0 - p)
            for i in range(size):
                gradient[i] += residual * x[i]
                scaled = curvature * x[i]
                row = hessian[i]
                for j in range(i + 1):
                    row[j] += scaled * x[j]
        for i in range(size):
            for j in range(i):
                hessian[j][i] = hessian[i][j]
            if i:
                gradient[i] -= ridge * weights[i]
                hessian[i][i] += ridge
        step = solve(hessian, gradient)
        weights = [w + s for w, s in zip(weights, step, strict=True)]
        if max(abs(s) for s in step) < 1e-7:
            break
    return weights[0], tuple(weights[1:])


def solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """x with matrix @ x = vector (Gaussian elimination with partial pivoting)."""
    n = len(vector)
    rows = [[*matrix[i], vector[i]] for i in range(n)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        if rows[col][col] == 0:
            raise ValueError("singular system")
        for r in range(col + 1, n):
            factor = rows[r][col] / rows[col][col]
            for c in range(col, n + 1):
                rows[r][c] -= factor * rows[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (rows[r][n] - sum(rows[r][c] * x[c] for c in range(r + 1, n))) / rows[r][r]
    return x


def accuracy(data: list[Sample], intercept: float, coefficients: tuple[float, ...]) -> float:
    """Share of samples where odds >= 0.5 agrees with the outcome."""
    right = sum((limit_odds.logit(x, intercept, coefficients) >= 0) == bool(y) for x, y in data)
    return right / len(data)


def rate_weight_is_positive(coefficients: tuple[float, ...]) -> bool:
    """The weight of ``carry`` (CARRY + CARRY_BY_LEFT * left) is positive for left in [0, 1]."""
    carry, carry_by_left = coefficients[0], coefficients[1]
    return carry > 0 and carry + carry_by_left > 0


def fitted_block(intercept: float, coefficients: tuple[float, ...], note: str) -> str:
    """The text between the BEGIN/END markers of limit_odds.py."""
    lines = [f"{name} = {value:.6f}" for name, value in
             zip(NAMES, (intercept, *coefficients), strict=True)]
    return "\n".join([*lines, f"FIT_NOTE = {note!r}"]) + "\n"


def rewrite(source: str, block: str) -> str:
    """``source`` with its fitted block replaced by ``block``."""
    pattern = re.compile(r"(# BEGIN fitted[^\n]*\n).*?(# END fitted)", re.S)
    if not pattern.search(source):
        raise ValueError("no '# BEGIN fitted' ... '# END fitted' block")
    return pattern.sub(lambda m: m.group(1) + block + m.group(2), source, count=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--simulator", type=Path,
                        help="path to shared/forecast/simulate.py")
    parser.add_argument("--traces", type=int, default=264, help="training traces (264)")
    parser.add_argument("--held-out", type=int, default=66, help="checking traces (66)")
    parser.add_argument("--seed", type=int, default=50000, help="first training seed")
    parser.add_argument("--personas", type=int, default=40,
                        help="ten-day random-rhythm traces added to training (40)")
    parser.add_argument("--held-out-personas", type=int, default=10)
    parser.add_argument("--ridge", type=float, default=0.1)
    parser.add_argument("--fit-sets", type=Path, nargs="+",
                        help="fit on these trace folders (scripts/forecast_sets.py) instead")
    parser.add_argument("--held-sets", type=Path, nargs="+",
                        help="judge on these trace folders (with --fit-sets)")
    parser.add_argument("--write", action="store_true",
                        help="rewrite statusline/forecast/limit_odds.py")
    args = parser.parse_args(argv)

    persona_seed = args.seed + 20000
    if args.fit_sets:
        train = [s for events, truth in load_folders(args.fit_sets)
                 for s in samples(events, truth)]
        check = [s for events, truth in load_folders(args.held_sets or [])
                 for s in samples(events, truth)]
    else:
        sim = load_simulator(args.simulator)
        train = [s for events, truth in (generate(sim, args.traces, args.seed)
                                         + generate_personas(sim, args.personas, persona_seed))
                 for s in samples(events, truth)]
        check_seed = args.seed + args.traces + 1000
        check = [s for events, truth in (
            generate(sim, args.held_out, check_seed)
            + generate_personas(sim, args.held_out_personas,
                                persona_seed + args.personas + 1000))
            for s in samples(events, truth)]
    intercept, coefficients = fit_logistic(train, args.ridge)
    fit = accuracy(train, intercept, coefficients)
    held = accuracy(check, intercept, coefficients)
    shipped = accuracy(check, limit_odds.INTERCEPT, limit_odds.COEFFICIENTS)
    print(f"training: {len(train)} points, accuracy {fit:.3f}")
    print(f"held out: {len(check)} points, accuracy {held:.3f} "
          f"(shipped coefficients: {shipped:.3f})")
    if args.fit_sets:
        note = (f"{', '.join(p.name for p in args.fit_sets)} (scripts/forecast_sets.py), "
                f"{len(train)} points; accuracy {fit:.3f}, held out {held:.3f}")
    else:
        note = (f"{args.traces} traces from seed {args.seed} and {args.personas} random rhythms "
                f"from seed {persona_seed}, {len(train)} points; accuracy {fit:.3f}, held out "
                f"{held:.3f}")
    block = fitted_block(intercept, coefficients, note)
    print(block, end="")
    if not rate_weight_is_positive(coefficients):
        print("refused: the rate weight is not positive over the window", file=sys.stderr)
        return 1
    if args.write:
        MODULE.write_text(rewrite(MODULE.read_text(), block))
        print(f"wrote {MODULE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
