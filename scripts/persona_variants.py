#!/usr/bin/env python3
"""Persona rhythms beyond the benchmark's six, for fitting and for checking the forecast.

shared/forecast/simulate.py builds a ten-day trace from a persona: work blocks by local hour
and weekday, the chance each happens, its intensity, sessions and models (its ``PERSONAS``).
Its own six are the benchmark's ``personas/`` set; a forecast that learns an account's rhythm
must also do well on rhythms nobody tuned it on. This module makes two kinds:

* ``VARIANTS``: six hand-made shifts of the benchmark's people (a late office on the US west
  coast, a deep-night coder, a weekend-only builder, three short shifts, a dawn starter, an
  irregular sprinter);
* ``random_persona(rng)``: a random weekly rhythm (one to three weekday blocks anywhere in
  the day, up to two weekend blocks, random odds, intensities, sessions and models).

    python scripts/persona_variants.py --simulator ../shared/forecast/simulate.py \\
        --out-dir build/sets            # writes variants/ and random/ (set.json + traces)
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

TRACE_KEYS = ("office", "night_owl", "weekend_builder", "split_shift", "early_bird", "sprinter")
ZONES = ["UTC0", "CET-1", "EST5", "PST8", "JST-9", "IST-5:30"]

VARIANTS: dict[str, dict[str, object]] = {
    "office": {  # a late office: 11:00-20:00, a long lunch
        "weekday": [((11.0, 14.0), 1.0, 1.0), ((15.5, 20.0), 0.95, 1.1)],
        "weekend": [],
        "sessions": (1, 3), "models": {"opus": 0.5, "sonnet": 0.5},
    },
    "night_owl": {  # deep nights, 23:00-05:00, and weekend afternoons
        "weekday": [((23.0, 29.0), 0.85, 1.2)],
        "weekend": [((13.0, 18.0), 0.6, 0.8), ((23.5, 28.5), 0.6, 1.1)],
        "sessions": (1, 2), "models": {"opus": 0.8, "sonnet": 0.2},
    },
    "weekend_builder": {  # nothing on weekdays, two long weekend days
        "weekday": [],
        "weekend": [((9.0, 13.5), 0.95, 1.3), ((14.5, 21.0), 0.9, 1.2)],
        "sessions": (2, 4), "models": {"opus": 0.4, "sonnet": 0.6},
    },
    "split_shift": {  # three short shifts
        "weekday": [((6.0, 8.0), 0.8, 1.1), ((12.0, 14.0), 0.7, 1.0), ((21.0, 24.0), 0.8, 1.2)],
        "weekend": [((15.0, 18.0), 0.4, 0.7)],
        "sessions": (1, 3), "models": {"opus": 0.6, "sonnet": 0.3, "haiku": 0.1},
    },
    "early_bird": {  # 04:00-08:30 then a short late morning, every day
        "weekday": [((4.0, 8.5), 0.95, 1.2), ((9.5, 11.5), 0.6, 0.8)],
        "weekend": [((5.0, 8.0), 0.5, 0.9)],
        "sessions": (1, 2), "models": {"opus": 0.7, "sonnet": 0.3},
    },
    "sprinter": {  # irregular days at any hour of the afternoon and evening
        "weekday": [((12.0, 16.0), 0.6, 1.0), ((17.0, 23.0), 0.6, 1.1)],
        "weekend": [((12.0, 20.0), 0.4, 1.0)],
        "sessions": (2, 5), "models": {"opus": 0.4, "sonnet": 0.4, "haiku": 0.2},
        "day_sigma": 0.8,
    },
}


def random_block(rng: random.Random, earliest: float, latest: float) -> tuple[float, float]:
    """A block of 1.5-6 hours starting between ``earliest`` and ``latest`` (local hours)."""
    start = rng.uniform(earliest, latest)
    return round(start, 1), round(start + rng.uniform(1.5, 6.0), 1)


def random_persona(rng: random.Random) -> dict[str, object]:
    """A random weekly rhythm in the shape of simulate.py's ``PERSONAS`` entries."""
    weekday = []
    start = rng.uniform(0.0, 24.0)
    for _ in range(rng.choice((1, 2, 2, 3))):
        a, b = random_block(rng, start, start + 1.0)
        weekday.append(((a, b), round(rng.uniform(0.5, 1.0), 2), round(rng.uniform(0.6, 1.3), 2)))
        start = b + rng.uniform(0.5, 5.0)
    weekend = []
    for _ in range(rng.choice((0, 1, 1, 2))):
        a, b = random_block(rng, 0.0, 22.0)
        weekend.append(((a, b), round(rng.uniform(0.1, 0.9), 2), round(rng.uniform(0.4, 1.3), 2)))
    opus = round(rng.uniform(0.3, 0.9), 2)
    low = rng.randint(1, 2)
    return {"weekday": weekday, "weekend": weekend, "sessions": (low, low + rng.randint(0, 3)),
            "models": {"opus": opus, "sonnet": round(1.0 - opus, 2)},
            "day_sigma": round(rng.uniform(0.2, 0.7), 2)}


def recipe(specs: dict[str, dict[str, object]], seed: int) -> dict[str, object]:
    """A simulate.py set recipe: the personas profile, ``specs`` under the trace keys, all
    six zones, one trace per key."""
    import simulate  # loaded by the caller

    profile = dict(simulate.PROFILES["personas"])
    profile["tzs"] = ZONES
    profile["persona_spec"] = specs
    return {"seed": seed, "profile": profile,
            "traces": [[f"persona_{key}", {}] for key in specs]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--simulator", type=Path, required=True,
                        help="path to shared/forecast/simulate.py")
    parser.add_argument("--out-dir", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=71000,
                        help="first seed (away from the benchmark's and the fit's)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.simulator.resolve().parent))
    import simulate

    rng = random.Random(args.seed)
    sets = {"variants": recipe(VARIANTS, args.seed),
            "random": recipe({key: random_persona(rng) for key in TRACE_KEYS}, args.seed + 100)}
    for name, spec in sets.items():
        folder = args.out_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "set.json"
        path.write_text(json.dumps(spec, indent=1))
        simulate.generate_set(name, str(folder), str(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
