"""scripts/oracle_learned.py: a rhythm learned from the days before, as the oracle uses it."""

from __future__ import annotations

from tests.helpers_scripts import load_script

draws = load_script("oracle_draws")
rhythm_module = load_script("oracle_rhythm")
learned = load_script("oracle_learned")

HOUR = 3600.0
DAY = 86400.0


def day_with_block(sessions: list[object], blocks: list[object], day: int, start_h: float,
                   end_h: float, kind: str = "weekday", usd_h: float = 20.0) -> None:
    """A block on ``day`` with one session open from its start to its end."""
    index = len(sessions)
    start, end = day * DAY + start_h * HOUR, day * DAY + end_h * HOUR
    sessions.append(draws.Session(start, end, (start, end), usd_h, "opus", 25.0, 1_000_000))
    blocks.append(rhythm_module.Block(day * DAY, kind, 0, start, end, 1.0, [index]))


def person(blocks: list[object], days: tuple[float, float] = (0.0, 9 * DAY)) -> object:
    return rhythm_module.Rhythm({}, 0.0, days, {"opus": (16.0, 30.0)}, (1.0, 1.0), blocks)


def test_blocks_of_earlier_days_become_the_rhythm_and_today_is_matched_to_them() -> None:
    sessions: list[object] = []
    blocks: list[object] = []
    for day, (start, end) in enumerate([(9.0, 12.0), (9.4, 12.6), (8.8, 12.2)]):
        day_with_block(sessions, blocks, day, start, end)
    day_with_block(sessions, blocks, 3, 9.1, 12.5)  # today's, still running at 10:00
    now = 3 * DAY + 10 * HOUR
    rhythm = learned.learn(person(blocks), sessions, now, 0.0)
    ((start_h, end_h), odds, intensity) = rhythm.entries("weekday")[0]
    assert abs(start_h - 9.0667) < 1e-3
    assert 12.2667 < end_h < 12.2667 + learned.LATEST_END_H  # later than the last closes
    assert odds == 1.0  # three weekdays seen, the block on all three
    assert abs(intensity - 20.0 / 23.0 / 0.8) < 1e-9  # the spend against the mean price
    assert [b.day for b in rhythm.blocks] == [3 * DAY]  # only today's is left to forecast
    assert rhythm.blocks[0].entry == 0


def test_nothing_is_learned_from_today_or_from_a_block_still_running() -> None:
    sessions: list[object] = []
    blocks: list[object] = []
    day_with_block(sessions, blocks, 0, 20.0, 26.5)  # runs past midnight into day 1
    now = 1 * DAY + 1 * HOUR
    rhythm = learned.learn(person(blocks), sessions, now, 0.0)
    # the block has not ended: it is still forecast, matched to a generic block of its own
    assert len(rhythm.blocks) == 1
    ((start_h, end_h), odds, _intensity) = rhythm.entries("weekday")[rhythm.blocks[0].entry]
    assert start_h == 20.0 and odds == 0.0
    low, high = learned.GENERIC_HOURS
    assert end_h == 20.0 + (low + high) / 2
    assert rhythm.spreads("weekday", rhythm.blocks[0].entry)[1] == (high - low) / 2


def test_a_kind_of_day_never_seen_borrows_the_other_at_half_the_odds() -> None:
    sessions: list[object] = []
    blocks: list[object] = []
    day_with_block(sessions, blocks, 0, 9.0, 12.0)  # day 0 is a Monday
    rhythm = learned.learn(person(blocks), sessions, 1 * DAY + 8 * HOUR, 0.0)
    assert rhythm.entries("weekend")[0][1] == 0.5
    assert rhythm.entries("weekday")[0][1] == 1.0


def test_starts_hours_apart_are_different_blocks_of_the_rhythm() -> None:
    sessions: list[object] = []
    blocks: list[object] = []
    day_with_block(sessions, blocks, 0, 7.0, 9.0)
    day_with_block(sessions, blocks, 0, 19.0, 23.0)
    day_with_block(sessions, blocks, 1, 19.3, 23.2)
    rhythm = learned.learn(person(blocks), sessions, 2 * DAY, 0.0)
    entries = rhythm.entries("weekday")
    assert [round(e[0][0], 2) for e in entries] == [7.0, 19.15]
    assert [e[1] for e in entries] == [0.5, 1.0]


def test_a_past_blocks_end_is_read_from_its_closes() -> None:
    def closing(open_h: float, close_h: float) -> object:
        return draws.Session(open_h * HOUR, close_h * HOUR, (0.0, 0.0), 20.0, "opus", 25.0,
                             1_000_000)

    block = rhythm_module.Block(0.0, "weekday", 0, 9 * HOUR, 0.0, 1.0, [])
    one = learned.likely_end(block, [closing(9.0, 12.0)])
    # a lone session closes after 50-100 % of the rest of its block: the block ran on
    assert 12.0 * HOUR < one < 15.0 * HOUR
    # three sessions that closed together did so at the block's end (its point mass)
    together = learned.likely_end(block, [closing(9.0, 12.0), closing(9.5, 12.0),
                                          closing(10.0, 12.0)])
    assert together < one and together - 12.0 * HOUR < 10 * 60.0


def test_a_block_seen_on_few_days_may_stray_further() -> None:
    once = learned.spread(0.5, [12.0])
    four = learned.spread(0.5, [12.0, 12.2, 11.9, 12.1])
    assert once == 1.0 and four == 0.75
    assert learned.spread(0.5, [10.0, 13.0]) == 1.5  # never less than half the range seen
