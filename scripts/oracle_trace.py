"""A persona trace rebuilt with the benchmark's simulator, as the oracles of
``oracle_study.py`` know it: its plan, its work blocks and its rhythm.

The simulator is run again with the trace's recipe and seed while three of its functions
are wrapped to record what it plans (``at`` for each block's start and end, ``new_session``
for the block a session belongs to, ``run_account`` for the requests and the windows); the
rebuilt 5h hits are checked against the trace's truth.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from oracle_draws import Costs, Session
from oracle_rhythm import Block, Rhythm

PATCHED = ("at", "new_session", "run_account")  # simulate.py's, recorded while it builds


@dataclass
class Window:
    start: float
    reset: float
    hit_at: float | None
    times: list[float]
    units: list[float]


@dataclass
class Trace:
    name: str
    limit: float
    sessions: list[Session]
    background: list[tuple[float, float]]  # (time, units) of the claude.ai chats
    windows: list[Window]
    costs: Costs
    rhythm: Rhythm
    base_day: float
    truth: dict[str, Any] = field(repr=False)


class _Recorder:
    """Wraps simulate.py's ``at``, ``new_session`` and ``run_account`` to keep the plan."""

    def __init__(self, sim: ModuleType) -> None:
        self.sim = sim
        self.real = tuple(getattr(sim, name) for name in PATCHED)
        self.pending: list[tuple[float, float]] = []
        self.blocks: list[dict[str, Any]] = []
        self.account: dict[str, Any] = {}

    def at(self, day: float, hours: float, tz: str) -> float:
        value = float(self.real[0](day, hours, tz))
        self.pending.append((hours, value))
        if len(self.pending) == 2:  # persona_plan asks for a block's start, then its end
            (start_h, start), (end_h, end) = self.pending
            self.blocks.append({"day": day, "hours": (start_h, end_h), "start": start,
                                "end": end, "intensity": None, "sessions": []})
            self.pending = []
        return value

    def new_session(self, *args: Any, **kwargs: Any) -> Any:
        made = self.real[1](*args, **kwargs)
        block = self.blocks[-1]
        made.block = (block["start"], block["end"])
        made.block_index = len(self.blocks) - 1
        block["intensity"] = kwargs.get("intensity", 1.0)
        return made

    def run_account(self, plan: Any, reqs: Any, limit5: float, *rest: Any) -> Any:
        result = self.real[2](plan, reqs, limit5, *rest)
        self.account.update(plan=plan, reqs=reqs, limit=limit5, windows=result[0])
        return result

    def __enter__(self) -> _Recorder:
        for name in PATCHED:
            setattr(self.sim, name, getattr(self, name))
        return self

    def __exit__(self, *_exc: object) -> None:
        for name, real in zip(PATCHED, self.real, strict=True):
            setattr(self.sim, name, real)


def persona_spec(sim: ModuleType, scenario: str, profile: dict[str, Any]) -> dict[str, Any]:
    """The rhythm a persona scenario is drawn from (a recipe's own, else simulate's)."""
    name = scenario[len("persona_"):]
    spec = profile.get("persona_spec", {}).get(name, name)
    return dict(sim.PERSONAS[spec] if isinstance(spec, str) else spec)


def rhythm_of(sim: ModuleType, spec: dict[str, Any], profile: dict[str, Any], tz: str,
              recorded: list[dict[str, Any]]) -> Rhythm:
    """The persona's rhythm, with each recorded block matched to the rhythm's block."""
    rhythm = Rhythm(spec, float(sim.tz_off(tz)), (0.0, 0.0),
                    {k: tuple(v["usd_h"]) for k, v in sim.MODELS.items()},
                    tuple(profile["usd_scale"]), [])
    for raw in recorded:
        if not raw["sessions"]:
            continue
        day = float(raw["day"])
        kind = "weekend" if int((day - sim.BASE_DAY) // 86400) % 7 >= 5 else "weekday"
        entries = rhythm.entries(kind)
        entry = min(range(len(entries)), key=lambda k: abs(entries[k][0][0] - raw["hours"][0]))
        intensity = entries[entry][2]
        day_k = float(raw["intensity"]) / (0.8 * intensity) if intensity else 1.0
        rhythm.blocks.append(Block(day, kind, entry, raw["start"], raw["end"], day_k,
                                   raw["sessions"]))
    days = [b.day for b in rhythm.blocks]
    length = int(profile.get("persona_days", 10))
    rhythm.days = (min(days), max(*days, min(days) + (length - 1) * 86400.0))
    return rhythm


def regenerate(sim: ModuleType, truth_path: Path) -> Trace:
    """Rebuild a persona trace's plan from its recipe and seed, with its blocks and rhythm.

    Raises ValueError when the rebuilt 5h windows do not hit as the trace's truth says.
    """
    truth = json.loads(truth_path.read_text())
    folder = truth_path.parent
    name = truth_path.name[: -len(".truth.json")]
    recipe = folder / "set.json"
    set_name = str(truth["profile"])
    spec = sim.load_recipe(set_name, str(folder), str(recipe) if recipe.exists() else None)
    index = int(name[1:3]) - 1
    scenario, overrides = spec["traces"][index]
    with _Recorder(sim) as recorder:
        sim.build(scenario, spec["seed"] + index, set_name, dict(overrides), prof=spec["profile"])
    plan, reqs = recorder.account["plan"], recorder.account["reqs"]
    requests: dict[int, list[tuple[float, int, str]]] = {}
    for req in reqs:
        if req.sess >= 0:
            requests.setdefault(req.sess, []).append((req.t, req.ctx, req.model))
    sessions = [Session(s.open_at, s.close_at, s.block, s.usd_h, s.model, s.gap_mean,
                        s.ctx_size, list(s.segments), requests.get(i, []))
                for i, s in enumerate(plan.sessions)]
    for i, s in enumerate(plan.sessions):
        recorder.blocks[s.block_index]["sessions"].append(i)
    windows = [Window(w.start, w.reset, w.hit_at, list(w.ts), [p * w.limit / 100 for p in w.pct])
               for w in recorder.account["windows"]]
    if [w.hit_at for w in windows] != [w["hit_at"] for w in truth["windows"]["five_hour"]]:
        raise ValueError(f"{name}: the rebuilt trace's 5h hits differ from its truth")
    background = [(req.t, req.units) for req in reqs if req.sess == -1]
    costs = Costs(dict(sim.MODEL_MID), {k: v["weight"] for k, v in sim.MODELS.items()})
    rhythm = rhythm_of(sim, persona_spec(sim, scenario, spec["profile"]), spec["profile"],
                       plan.tz, recorder.blocks)
    return Trace(name, float(recorder.account["limit"]), sessions, background, windows, costs,
                 rhythm, float(sim.BASE_DAY), truth)
