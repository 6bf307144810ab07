"""limit_odds: the 5h warning's model is a probability, never falls with a faster pace, and
says what a reader of the line would expect in plain cases."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from statusline.forecast import limit_odds

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
rates = st.floats(min_value=0.0, max_value=1000.0, allow_nan=False)
hours = st.floats(min_value=0.0, max_value=5.0, allow_nan=False)
room = st.floats(min_value=0.0, max_value=100.0, allow_nan=False)


@given(finite, finite, finite, finite)
def test_any_finite_inputs_give_a_probability(rate: float, work: float, left: float,
                                              remaining: float) -> None:
    p = limit_odds.hit_probability(rate, work, left, remaining)
    assert 0.0 <= p <= 1.0 and math.isfinite(p)


@given(rates, rates, hours, st.floats(min_value=0.0, max_value=1.0), room)
def test_a_faster_pace_never_lowers_the_odds(a: float, b: float, left: float, working: float,
                                             remaining: float) -> None:
    slow, fast = sorted((a, b))
    work = left * working
    assert (limit_odds.hit_probability(slow, work, left, remaining)
            <= limit_odds.hit_probability(fast, work, left, remaining) + 1e-12)


def test_the_rate_weight_is_positive_over_the_whole_window() -> None:
    # carry's weight is linear in left (0..1): positive at both ends means positive throughout
    assert limit_odds.CARRY > 0
    assert limit_odds.CARRY + limit_odds.CARRY_BY_LEFT > 0


def test_features_follow_the_declared_order() -> None:
    inputs = limit_odds.features(20.0, 2.0, 4.0, 50.0)
    assert len(inputs) == len(limit_odds.FEATURES) == len(limit_odds.COEFFICIENTS)
    carry, _, working, _, left, room_, *_ = inputs
    assert carry == math.log(20.0 * 2.0 / 50.0 + 1e-3)
    assert working == math.log(0.5) and left == 0.8 and room_ == 0.5


def test_a_pace_that_fills_the_window_well_inside_the_working_day_warns() -> None:
    # 60 % used, 25 %/h, 3 working hours left: 100 % in about 1h40
    assert limit_odds.hit_probability(25.0, 3.0, 3.0, 40.0) > 0.8


def test_the_last_minutes_of_a_window_far_from_the_limit_do_not_warn() -> None:
    # 40 % used, 20 minutes left, 10 %/h: at most 43 % by the reset
    assert limit_odds.hit_probability(10.0, 1 / 3, 1 / 3, 60.0) < 0.1


def test_the_evening_before_the_reset_lowers_the_odds() -> None:
    # The same pace and room; in one case the reset comes after the working day ends.
    day = limit_odds.hit_probability(15.0, 4.0, 4.0, 60.0)
    evening = limit_odds.hit_probability(15.0, 1.5 + 2.5 * 0.27, 4.0, 60.0)
    assert day > 0.5 > evening
