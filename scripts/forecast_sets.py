#!/usr/bin/env python3
"""The forecast's own trace sets: one to fit its constants on, one held out to judge them.

Every constant and fitted model of the forecast (the rhythm's shrinkage and floors,
``limit_odds``, the notice thresholds) is chosen on the *fit* sets and judged on the *held*
sets, which share no seed, no rhythm and not the same spread of profiles; the benchmark's
public sets are scored beside them and never fitted on.

* ``fit_days``: 48 single days, the twelve scenarios four times, half with the simulator's
  public profile and half with broader ranges (more background use, sparser ticks, more
  whole-percent readings, all six zones), seeds from 80000;
* ``fit_rhythms``: 12 ten-day traces of random weekly rhythms (``persona_variants``), all six
  zones, random start days, seeds from 81000;
* ``held_days``: 48 single days from seeds 90000 on, with another broad profile (other
  spend and tick ranges, more corrupt readings);
* ``held_rhythms``: the six hand-made variants of the benchmark's people and six more random
  rhythms, seeds from 91000.

    python scripts/forecast_sets.py --simulator ../shared/forecast/simulate.py \\
        --out-dir build/forecast_sets          # about two minutes; deterministic
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from persona_variants import TRACE_KEYS, VARIANTS, ZONES, random_persona  # noqa: E402

SCENARIOS = ("steady_single", "parallel_ramp", "bursty_idle", "idle_stale", "weekly_cap",
             "rebaseline", "never_limit", "window_reset", "api_key", "workday", "late_night",
             "many_sessions")
HIT_SCENARIOS = ("steady_single", "bursty_idle", "window_reset", "late_night")
FIT_BROAD = {
    "usd_scale": [0.75, 1.3], "bg_episodes": [1, 4], "bg_usd_h": [2.0, 9.0],
    "tick_base": [120.0, 420.0], "resp_gap": [45.0, 130.0], "p_integer": 0.4,
    "p_corrupt_rand": 0.01, "tzs": ZONES, "max_events": 600,
    "p_ghost_hit": 0.2, "peak_jitter": 1.0, "day_range": [0, 35],
}
HELD_BROAD = {
    "usd_scale": [0.7, 1.4], "bg_episodes": [0, 5], "bg_usd_h": [1.5, 10.0],
    "tick_base": [90.0, 480.0], "resp_gap": [40.0, 150.0], "p_integer": 0.35,
    "p_corrupt_rand": 0.015, "tzs": ZONES, "max_events": 600,
    "p_ghost_hit": 0.25, "peak_jitter": 1.0, "day_range": [0, 35],
}
SEEDS = {"fit_days": 80000, "fit_rhythms": 81000, "held_days": 90000, "held_rhythms": 91000}


def day_traces(seed: int) -> list[list[object]]:
    """The twelve scenarios four times; about half the hit-able ones forced to hit."""
    choices = random.Random(seed)
    traces: list[list[object]] = []
    for _round in range(4):
        for scenario in SCENARIOS:
            overrides: dict[str, object] = {}
            if scenario in HIT_SCENARIOS and choices.random() < 0.5:
                overrides["outcome"] = "hit"
            traces.append([scenario, overrides])
    return traces


def day_recipes(sim: object, name: str, broad: dict[str, object]) -> list[dict[str, object]]:
    """Two recipes of 24 single days: the public profile with all six zones, and ``broad``."""
    seed = SEEDS[name]
    traces = day_traces(seed)
    public = dict(sim.PROFILES["public"], tzs=ZONES)  # type: ignore[attr-defined]
    return [{"seed": seed, "profile": public, "traces": traces[0::2]},
            {"seed": seed + 500, "profile": broad, "traces": traces[1::2]}]


def rhythm_recipes(sim: object, name: str, variants: bool) -> list[dict[str, object]]:
    """Two recipes of six ten-day traces: random rhythms (or the hand-made variants first)."""
    seed = SEEDS[name]
    rng = random.Random(seed)
    profile = dict(sim.PROFILES["personas"], tzs=ZONES)  # type: ignore[attr-defined]
    first = VARIANTS if variants else {key: random_persona(rng) for key in TRACE_KEYS}
    second = {key: random_persona(rng) for key in TRACE_KEYS}
    return [{"seed": seed + 100 * i, "profile": dict(profile, persona_spec=specs),
             "traces": [[f"persona_{key}", {}] for key in specs]}
            for i, specs in enumerate((first, second))]


def write_set(sim: object, folder: Path, recipes: list[dict[str, object]]) -> None:
    """Generate every recipe's traces into ``folder`` (parts a, b: names stay unique)."""
    folder.mkdir(parents=True, exist_ok=True)
    for part, spec in zip("ab", recipes, strict=False):
        sub = folder / part
        sub.mkdir(exist_ok=True)
        path = sub / "set.json"
        path.write_text(json.dumps(spec, indent=1))
        sim.generate_set(folder.name + part, str(sub), str(path))  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--simulator", type=Path, required=True,
                        help="path to shared/forecast/simulate.py")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "build" / "forecast_sets")
    parser.add_argument("--only", choices=sorted(SEEDS), action="append")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.simulator.resolve().parent))
    import simulate

    plans = {"fit_days": lambda: day_recipes(simulate, "fit_days", FIT_BROAD),
             "fit_rhythms": lambda: rhythm_recipes(simulate, "fit_rhythms", False),
             "held_days": lambda: day_recipes(simulate, "held_days", HELD_BROAD),
             "held_rhythms": lambda: rhythm_recipes(simulate, "held_rhythms", True)}
    for name in args.only or list(plans):
        write_set(simulate, args.out_dir / name, plans[name]())
    return 0


if __name__ == "__main__":
    sys.exit(main())
