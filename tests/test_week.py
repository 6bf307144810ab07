"""history/week.py: tracked spend by project and hour, its merge, bounds and document (#21)."""

from __future__ import annotations

import itertools
import json

from hypothesis import given
from hypothesis import strategies as st

from statusline import history
from statusline.history import State, week
from statusline.payload import from_mapping

NOW = 1794314400.0  # Tue 2026-11-10 12:20 UTC
RESET_7D = NOW + 3 * 86400


def doc(sid: int, project: str, cost: float, seven: float = 20.0) -> dict[str, object]:
    return {
        "session_id": f"{sid:08d}-0000-4000-8000-000000000000",
        "workspace": {"project_dir": f"/home/u/{project}"},
        "cost": {"total_cost_usd": cost},
        "rate_limits": {"seven_day": {"used_percentage": seven, "resets_at": RESET_7D}},
    }


def feed(state: State, calls: list[tuple[float, dict[str, object], str]]) -> State:
    for t, payload, host in calls:
        history.record(state, from_mapping(payload), t, host)
    return state


def test_a_sessions_cost_rises_are_counted_once_for_its_project_and_hour() -> None:
    state = feed(State(), [(NOW - 600, doc(1, "api", 1.0), "a"),
                           (NOW - 300, doc(1, "api", 3.5), "a"), (NOW, doc(1, "api", 4.0), "a")])
    # The first figure is the baseline (a session's spend before the store saw it is unknown).
    assert sum(usd for _, usd in state.project_spend["api"]) == 3.0
    assert {hour for hour, _ in state.project_spend["api"]} <= {NOW // 3600 * 3600,
                                                               NOW // 3600 * 3600 - 3600}
    # The same call applied again (a lost WATCH, an outbox line sent twice) adds nothing.
    before = json.dumps(history.to_json(state)["project_spend"])
    feed(state, [(NOW, doc(1, "api", 4.0), "a"), (NOW + 1, doc(1, "api", 4.0), "a")])
    assert json.dumps(history.to_json(state)["project_spend"]) == before


def test_two_machines_in_any_interleaving_give_the_same_buckets() -> None:
    """Each machine's calls in its own order, interleaved every way through one document
    (what the shared store's optimistic merge does): one result."""
    first = [(NOW - 900 + 60 * k, doc(1, "api", 1.0 + k), "a") for k in range(4)]
    second = [(NOW - 880 + 60 * k, doc(2, "docs", 0.5 + 0.1 * k), "b") for k in range(4)]
    results = set()
    for picks in set(itertools.permutations([0] * 4 + [1] * 4)):
        queues = [list(first), list(second)]
        order = [queues[p].pop(0) for p in picks]
        state = feed(State(), order)
        spend = {k: round(sum(v for _, v in b), 6) for k, b in state.project_spend.items()}
        results.add(json.dumps(spend, sort_keys=True))
    assert results == {json.dumps({"api": 3.0, "docs": 0.3}, sort_keys=True)}


def test_the_buckets_outlive_the_sessions_and_stay_bounded() -> None:
    state = State()
    day = 86400.0
    # Nine days of one call an hour from a session per day and project: sessions expire
    # after two days, the buckets after eight, and there are never more than the caps.
    for hour in range(9 * 24):
        t = NOW - 9 * day + hour * 3600
        sid = hour // 24
        project = f"p{hour % 20}"
        feed(state, [(t, doc(sid * 100 + hour % 20, project, 0.0), "a"),
                     (t + 60, doc(sid * 100 + hour % 20, project, 1.0), "a")])
    assert len(state.project_spend) <= week.MAX_PROJECTS + 1
    assert week.OTHER in state.project_spend
    buckets = [b for bs in state.project_spend.values() for b in bs]
    assert len(buckets) <= week.MAX_BUCKETS
    assert min(hour for hour, _ in buckets) >= NOW - week.KEEP_S - 3600
    assert len(state.sessions) < 9 * 20  # sessions went; their spend stayed
    assert sum(usd for _, usd in buckets) > 100


def test_the_document_carries_them_and_older_documents_read_fine() -> None:
    state = feed(State(), [(NOW - 60, doc(1, "api", 1.0), "a"), (NOW, doc(1, "api", 2.0), "a")])
    document = json.loads(json.dumps(history.to_json(state)))
    assert history.from_json(document).project_spend == state.project_spend
    del document["project_spend"]  # a store written before #21
    assert history.from_json(document).project_spend == {}
    document["project_spend"] = {"x" * 65: [[NOW, 1.0]], "ok": [[NOW, 1.0], ["bad"], [NOW, -2.0],
                                                              [NOW, "1"]], "": [], "n": 5}
    assert history.from_json(document).project_spend == {"ok": [(NOW, 1.0)]}
    # A reader that does not know a field (an older version) ignores it, as ours does.
    document["a_field_from_the_future"] = {"anything": [1, 2]}
    assert history.from_json(document).schema_version == history.SCHEMA_VERSION


def test_the_summary_shares_sum_to_one_and_rises_without_spend_are_unexplained() -> None:
    state = State()
    hour = NOW // 3600 * 3600
    state.project_spend = {"api": [(hour - 7200, 9.0)], "docs": [(hour - 7200, 1.0)]}
    # The 7-day window rose 10 points over the two spending hours, then 10 more overnight
    # hours later with nobody tracked spending.
    feed(state, [(hour - 7200 + 10, doc(1, "api", 1.0, seven=10.0), "a")])
    window = state.windows["seven_day"]
    assert window is not None
    window.samples = [(hour - 7190, 10.0), (hour - 7200 + 3599, 20.0), (NOW - 5, 30.0)]
    window.used_pct = 30.0
    summary = week.summary(state, NOW)
    shares = {p["name"]: p["share"] for p in summary["projects"]}  # type: ignore[attr-defined]
    assert shares == {"api": 0.9, "docs": 0.1}
    explained = summary["explained_share"]
    assert isinstance(explained, float) and 0.3 < explained < 0.7
    assert summary["unexplained_pct"] == round(30.0 * (1 - explained), 2)


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.floats(0, 9 * 86400),
                          st.floats(0.001, 50)), max_size=60))
def test_any_spend_sums_to_shares_of_one_and_stays_in_bounds(
        spends: list[tuple[str, float, float]]) -> None:
    state = State()
    for project, offset, usd in sorted(spends, key=lambda s: s[1]):
        session = history.Session(f"{project}0000000", NOW)
        session.project_dir = f"/x/{project}"
        week.add_spend(state, session, usd, NOW - 9 * 86400 + offset)
        week.prune_spend(state, NOW - 9 * 86400 + offset)
    summary = week.summary(state, NOW)
    projects = summary["projects"]
    assert isinstance(projects, list)
    if projects:
        assert abs(sum(p["share"] for p in projects) - 1.0) < 1e-9
    for buckets in state.project_spend.values():
        assert [b[0] for b in buckets] == sorted({b[0] for b in buckets})
