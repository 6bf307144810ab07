"""scripts/fit_limit_odds.py: the fitter recovers a known model, writes the block the module
ships, and replays a trace through the package into labelled samples."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from statusline.forecast import limit_odds
from tests.helpers_scripts import load_script

ROOT = Path(__file__).resolve().parent.parent
TRACES = Path(__file__).parent / "data" / "traces"


fit = load_script("fit_limit_odds")


def test_newton_recovers_a_known_logistic_model() -> None:
    rng = random.Random(7)
    truth = (-0.5, 1.5, -2.0)
    data = []
    for _ in range(6000):
        x = (rng.gauss(0, 1), rng.gauss(0, 1))
        z = truth[0] + truth[1] * x[0] + truth[2] * x[1]
        data.append((x, int(rng.random() < 1 / (1 + math.exp(-z)))))
    intercept, coefficients = fit.fit_logistic(data, ridge=0.0)
    assert intercept == pytest.approx(truth[0], abs=0.15)
    assert coefficients == pytest.approx(truth[1:], abs=0.15)


def test_solve_gives_the_solution_of_a_linear_system() -> None:
    matrix = [[0.0, 2.0, 1.0], [1.0, 1.0, 0.0], [3.0, 0.0, 1.0]]
    x = fit.solve(matrix, [5.0, 3.0, 4.0])
    assert x == pytest.approx([1.0, 2.0, 1.0])


def test_the_shipped_module_is_exactly_what_the_script_writes() -> None:
    source = (ROOT / "statusline" / "forecast" / "limit_odds.py").read_text()
    block = fit.fitted_block(limit_odds.INTERCEPT, limit_odds.COEFFICIENTS, limit_odds.FIT_NOTE)
    assert fit.rewrite(source, block) == source


def test_rewrite_replaces_only_the_fitted_block() -> None:
    source = (ROOT / "statusline" / "forecast" / "limit_odds.py").read_text()
    block = fit.fitted_block(1.0, tuple(float(i) for i in range(2, 11)), "test fit")
    namespace: dict[str, object] = {}
    new = fit.rewrite(source, block)
    exec(compile(new, "limit_odds", "exec"), namespace)  # our own module, rewritten
    assert namespace["INTERCEPT"] == 1.0 and namespace["ROOM_SQUARED"] == 10.0
    assert namespace["FIT_NOTE"] == "test fit"
    assert new.split("# BEGIN")[0] == source.split("# BEGIN")[0]
    assert new.split("# END fitted")[1] == source.split("# END fitted")[1]
    with pytest.raises(ValueError):
        fit.rewrite("no markers here", block)


def test_a_fit_whose_rate_weight_turns_negative_is_refused() -> None:
    assert fit.rate_weight_is_positive((2.0, -1.5) + (0.0,) * 7)
    assert not fit.rate_weight_is_positive((2.0, -2.5) + (0.0,) * 7)
    assert not fit.rate_weight_is_positive((-0.1, 1.0) + (0.0,) * 7)


@pytest.mark.parametrize(("zone", "offset"), [("UTC0", 0), ("CET-1", 3600), ("EST5", -18000),
                                              ("IST-5:30", 19800), ("PST8", -28800)])
def test_posix_zones_give_their_offset(zone: str, offset: int) -> None:
    assert fit.utc_offset_of(zone) == offset


def test_a_replayed_trace_gives_labelled_samples_that_match_the_truth() -> None:
    truth = json.loads((TRACES / "p01_steady_single.truth.json").read_text())
    lines = (TRACES / "p01_steady_single.events.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    samples = fit.samples(events, truth)
    assert len(samples) > len(events) // 2
    assert {label for _x, label in samples} == {0, 1}  # one window fills, the next does not
    assert all(len(x) == len(limit_odds.FEATURES) and all(map(math.isfinite, x))
               for x, _label in samples)
    # the shipped model is right on most of them (a model that had learnt nothing would not)
    assert fit.accuracy(samples, limit_odds.INTERCEPT, limit_odds.COEFFICIENTS) > 0.7
