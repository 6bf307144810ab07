"""scripts/oracle_trace.py: a persona trace's plan and rhythm, as the oracles know it."""

from __future__ import annotations

from types import SimpleNamespace

from tests.helpers_scripts import load_script

trace = load_script("oracle_trace")

HOUR = 3600.0


def test_each_recorded_block_is_matched_to_the_rhythms_block_of_its_day() -> None:
    sim = SimpleNamespace(tz_off=lambda tz: 0, BASE_DAY=0.0,
                          MODELS={"opus": {"usd_h": (16.0, 30.0)}})
    spec = {"weekday": [((9.0, 12.0), 1.0, 1.0), ((13.0, 18.0), 0.9, 0.5)],
            "weekend": [((10.0, 12.0), 0.2, 1.0)], "sessions": (1, 2), "models": {"opus": 1.0}}
    recorded = [
        {"day": 0.0, "hours": (13.2, 17.7), "start": 13.2 * HOUR, "end": 17.7 * HOUR,
         "intensity": 0.5 * 1.2 * 0.8, "sessions": [0]},
        {"day": 5 * 86400.0, "hours": (9.8, 12.3), "start": 0.0, "end": 0.0,
         "intensity": 0.8, "sessions": [1]},
        {"day": 6 * 86400.0, "hours": (9.8, 12.3), "start": 0.0, "end": 0.0,
         "intensity": 0.8, "sessions": []},  # made no session: not a block of the plan
    ]
    person = trace.rhythm_of(sim, spec, {"usd_scale": (1.0, 1.0), "persona_days": 10},
                             "UTC0", recorded)
    assert [(b.kind, b.entry) for b in person.blocks] == [("weekday", 1), ("weekend", 0)]
    assert abs(person.blocks[0].day_k - 1.2) < 1e-9
    assert person.days == (0.0, 9 * 86400.0)
