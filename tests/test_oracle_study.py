"""scripts/oracle_study.py: the oracle's points scored as the benchmark scores a forecast."""

from __future__ import annotations

from types import SimpleNamespace

from tests.helpers_scripts import load_script

study = load_script("oracle_study")

HOUR = 3600.0
MIN = 60.0


def trace(windows: list[tuple[float, float | None]], start: float = 0.0,
          end: float = 30 * HOUR) -> object:
    """A trace of 5h windows (start, hit_at) and nothing else the scoring reads."""
    made = [study.Window(a, a + 5 * HOUR, hit, [a], [0.0]) for a, hit in windows]
    return SimpleNamespace(windows=made, truth={"start": start, "end": end})


def pts(rows: list[tuple[float, int | None, float]]) -> list[object]:
    return [study.Point(t, w, odds, t + 20 * MIN) for t, w, odds in rows]


def test_false_alarms_are_flagged_points_whose_window_did_not_hit() -> None:
    tr = trace([(0.0, 4 * HOUR), (10 * HOUR, None)])
    points = pts([(HOUR, 0, 0.9), (2 * HOUR, 0, 0.9), (11 * HOUR, 1, 0.9), (12 * HOUR, 1, 0.2)])
    scored = study.score_warnings([(tr, points)], 0.5)
    assert scored["flagged"] == 3
    assert abs(scored["fa"] - 1 / 3) < 1e-9


def test_a_hit_is_warned_when_the_flag_stood_unbroken_for_its_last_half_hour() -> None:
    tr = trace([(0.0, 4 * HOUR)])
    steady = pts([(t * 10 * MIN, 0, 0.9) for t in range(6, 24)])
    broken = pts([(t * 10 * MIN, 0, 0.2 if t == 22 else 0.9) for t in range(6, 24)])
    assert study.score_warnings([(tr, steady)], 0.5)["warned"] == 1.0
    assert study.score_warnings([(tr, broken)], 0.5)["warned"] == 0.0


def test_a_notice_is_right_when_its_window_hits_and_ahead_when_30_min_before() -> None:
    tr = trace([(0.0, 4 * HOUR), (10 * HOUR, None)])
    points = pts([(HOUR, 0, 0.3), (3 * HOUR, 0, 0.95), (11 * HOUR, 1, 0.95)])
    scored = study.score_notices([(tr, points)], 0.9, None)
    assert (scored["right"], scored["ahead"], scored["notices"]) == (0.5, 1.0, 2)
    late = pts([(HOUR, 0, 0.3), (3.8 * HOUR, 0, 0.95)])
    assert study.score_notices([(tr, late)], 0.9, None)["ahead"] == 0.0


def test_a_notice_waits_for_an_eta_within_the_lead() -> None:
    tr = trace([(0.0, 4 * HOUR)])
    far = [study.Point(HOUR, 0, 0.95, 3.5 * HOUR), study.Point(3 * HOUR, 0, 0.95, 3.9 * HOUR)]
    scored = study.score_notices([(tr, far)], 0.9, 60 * MIN)
    assert scored["notices"] == 1 and scored["ahead"] == 1.0  # the 3 h point, an hour ahead
    assert study.score_notices([(tr, far[:1])], 0.9, 60 * MIN)["notices"] == 0


def test_calibration_counts_each_bin_before_the_hit() -> None:
    tr = trace([(0.0, 4 * HOUR), (10 * HOUR, None)])
    points = pts([(HOUR, 0, 0.95), (5 * HOUR, 0, 0.95), (11 * HOUR, 1, 0.95)])
    bins = dict((name, (count, share)) for name, count, share in study.calibration([(tr, points)]))
    assert bins["0.9-1.0"] == (2, 0.5)  # the point after the hit is not counted
