"""Property tests (reliability.md T10): over schema-shaped payloads and store documents with
every field possibly missing, null, mistyped, hostile or out of range, a call never raises,
prints only our own SGR codes around safe text, and stays within ``COLUMNS``.

``STATUSLINE_PROPERTY_EXAMPLES`` raises the example count (scripts/soak.py does).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from statusline import call, history
from statusline.line import render
from statusline.store import local as store

from .helpers_reliability import NOW, OUR_SGR, assert_terminal_safe, fast_tmp_base

EXAMPLES = int(os.environ.get("STATUSLINE_PROPERTY_EXAMPLES", "250"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HOSTILE_TEXT = st.sampled_from([
    "\x1b[2J", "\x1b]52;c;aGk=\x07", "\x1b]0;t\x1b\\", "\x1b]8;;http://x\x1b\\l\x1b]8;;\x1b\\",
    "\x9b31m", "\x9d0;x\x9c", "\x1bP+q\x1b\\", "\u202e", "\u2066", "\r\n", "\x00", "\x7f",
    "\ud800", "日本語のモデル", "🙂" * 30, "a" * 600, "",
])
TEXT = st.one_of(st.text(max_size=80), HOSTILE_TEXT, st.lists(HOSTILE_TEXT).map("".join))
NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(min_value=0, max_value=101),
    st.sampled_from([0, 100, 100.5, 101, 101.01, -0.0, 1e308]),
)
EPOCH = st.one_of(
    st.floats(min_value=NOW - 86400, max_value=NOW + 8 * 86400),
    st.sampled_from([NOW + 3600, NOW + 5 * 3600, NOW - 1, 0, 1e12, -1]),
    NUMBER,
)
JUNK = st.one_of(st.none(), st.booleans(), TEXT, NUMBER, st.just([]), st.just({}), st.just([1]))


def _maybe(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """The field's proper value most of the time (about 4 in 5), else junk of any type."""
    return _weighted(strategy, 4, JUNK)


def _weighted(
    usual: st.SearchStrategy[object], weight: int, other: st.SearchStrategy[object]
) -> st.SearchStrategy[object]:
    """``usual`` ``weight`` times in ``weight + 1``, else ``other`` (one_of would merge
    repeated branches, so the weighting is drawn explicitly)."""
    return st.integers(0, weight).flatmap(lambda i: other if i == 0 else usual)


def _obj(**fields: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """A JSON object whose keys are each present, missing or junk, or the whole thing junk."""
    return _maybe(st.fixed_dictionaries({k: _present_or_not(v) for k, v in fields.items()}))


_ABSENT = object()


def _present_or_not(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return _weighted(strategy, 3, st.just(_ABSENT))


def _drop_absent(node: object) -> object:
    if isinstance(node, dict):
        return {k: _drop_absent(v) for k, v in node.items() if v is not _ABSENT}
    if isinstance(node, list):
        return [_drop_absent(v) for v in node]
    return node


PCT = st.one_of(st.floats(min_value=0, max_value=100), st.integers(0, 100), NUMBER)
WINDOW = _obj(
    used_percentage=_maybe(PCT),
    resets_at=_maybe(st.one_of(st.floats(min_value=NOW + 1, max_value=NOW + 5 * 3600), EPOCH)),
)
SESSION_ID = _weighted(
    st.sampled_from(["sess-a", "sess-b", "730ff5bb-2ea5-47b0-9596-f547b19e635f"]), 4,
    st.one_of(TEXT, JUNK),
)
PAYLOAD = st.fixed_dictionaries(
    {"session_id": SESSION_ID, "rate_limits": _obj(five_hour=WINDOW, seven_day=WINDOW)},
    optional={
        "model": _obj(display_name=_maybe(TEXT), id=_maybe(TEXT)),
        "workspace": _obj(current_dir=_maybe(TEXT), project_dir=_maybe(TEXT)),
        "cwd": _maybe(TEXT),
        "session_name": _maybe(TEXT),
        "agent": _obj(name=_maybe(TEXT)),
        "output_style": _obj(name=_maybe(TEXT)),
        "worktree": _obj(branch=_maybe(TEXT), name=_maybe(TEXT)),
        "version": _maybe(TEXT),
        "cost": _obj(total_cost_usd=_maybe(NUMBER)),
        "context_window": _obj(
            used_percentage=_maybe(NUMBER),
            total_input_tokens=_maybe(NUMBER),
            context_window_size=_maybe(NUMBER),
        ),
    },
)
ENV = st.fixed_dictionaries(
    {"COLUMNS": st.one_of(st.integers(-5, 400).map(str), st.sampled_from(["", "x", "80"]))},
    optional={"NO_COLOR": st.just("1")},
)


@pytest.fixture
def state_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """One state dir shared by all examples of a test (the store grows across them)."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)  # durability is not the property here
    base = Path(tempfile.mkdtemp(prefix="rel-prop-", dir=fast_tmp_base()))
    try:
        yield base / "state"
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _allowed_width(env: dict[str, str]) -> int:
    try:
        columns = int(env["COLUMNS"])
    except ValueError:
        return call.width(env)
    return min(columns, call.width(env)) if columns > 0 else call.width(env)


def _check_line(line: str, env: dict[str, str]) -> None:
    assert line and "\n" not in line
    assert_terminal_safe(line)
    plain = OUR_SGR.sub("", line)
    assert render.cell_width(plain) <= _allowed_width(env), (plain, env)
    if env.get("NO_COLOR"):
        assert "\x1b" not in line


@SETTINGS
@given(doc=PAYLOAD, env=ENV, skew=_weighted(st.just(0.0), 3, st.floats(-86400, 86400)))
def test_any_schema_shaped_payload(state_dir: Path, doc: dict[str, object],
                                   env: dict[str, str], skew: float) -> None:
    data = json.dumps(_drop_absent(doc)).encode("utf-8", "surrogatepass")
    call_env = {**env, "STATUSLINE_STATE_DIR": str(state_dir), "STATUSLINE_NOW": repr(NOW + skew)}
    outcome = call.render_call(data, call_env, save=True)
    event(f"saved: {outcome.wrote}")
    event(f"windows shown: {len(outcome.projection.windows)}")
    event(f"store sessions: {min(len(outcome.state.sessions), 3)}")
    _check_line(outcome.line, call_env)
    assert store.read(str(state_dir / "store.json")).status in (store.OK, store.MISSING)


STORE_SESSION = _obj(
    last_seen=_maybe(EPOCH), first_seen=_maybe(EPOCH), model=_maybe(TEXT),
    project_dir=_maybe(TEXT), session_name=_maybe(TEXT), agent_name=_maybe(TEXT),
    context_pct=_maybe(NUMBER), costs=_maybe(st.lists(st.lists(NUMBER, max_size=3), max_size=5)),
    reading=_maybe(st.lists(st.tuples(TEXT, NUMBER, EPOCH).map(list), max_size=3)),
    reading_changed_at=_maybe(EPOCH),
)
STORE_WINDOW = _obj(
    resets_at=_maybe(EPOCH), used_pct=_maybe(NUMBER), observed_at=_maybe(EPOCH),
    observed_by=_maybe(st.sampled_from(["sess-a", "other", "nobody"])),
    confirmed_at=_maybe(EPOCH), rebased_at=_maybe(EPOCH), full_at=_maybe(EPOCH),
    pending=_maybe(st.tuples(NUMBER, EPOCH, TEXT).map(list)),
    samples=_maybe(st.lists(st.tuples(EPOCH, NUMBER).map(list), max_size=6)),
)
STORE_DOC = st.fixed_dictionaries(
    {"schema_version": _maybe(st.just(history.SCHEMA_VERSION))},
    optional={
        "sessions": _maybe(st.dictionaries(
            _weighted(st.sampled_from(["sess-a", "other", "x.y-z_1"]), 3, TEXT),
            STORE_SESSION,
            max_size=4,
        )),
        "windows": _obj(five_hour=STORE_WINDOW, seven_day=STORE_WINDOW),
        "archive": _obj(
            five_hour=_maybe(st.lists(_obj(resets_at=EPOCH, peak_pct=NUMBER), max_size=3)),
            seven_day=_maybe(st.lists(_obj(resets_at=EPOCH, peak_pct=NUMBER), max_size=3)),
        ),
    },
)


@SETTINGS
@given(document=STORE_DOC, doc=PAYLOAD, env=ENV)
def test_any_store_document(state_dir: Path, document: dict[str, object],
                            doc: dict[str, object], env: dict[str, str]) -> None:
    state_dir.mkdir(mode=0o700, exist_ok=True)
    path = state_dir / "store.json"
    path.write_bytes(json.dumps(_drop_absent(document)).encode("utf-8", "surrogatepass"))
    before = store.read(str(path)).status
    call_env = {**env, "STATUSLINE_STATE_DIR": str(state_dir), "STATUSLINE_NOW": repr(NOW)}
    data = json.dumps(_drop_absent(doc)).encode("utf-8", "surrogatepass")
    outcome = call.render_call(data, call_env, save=True)
    _check_line(outcome.line, call_env)
    after = store.read(str(path)).status
    event(f"store before: {before}, saved: {outcome.wrote}")
    # A call that saved leaves a valid store; one that did not leaves it as it found it.
    assert after == (store.OK if outcome.wrote else before)
