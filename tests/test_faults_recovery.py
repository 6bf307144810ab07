"""Recovery (reliability.md R5, T7, T8): a store that is not a store is moved aside and rebuilt;
one that is not ours, or newer than this build, is never touched.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statusline import history
from statusline.store import local as store

from .helpers_reliability import (
    NOW,
    assert_terminal_safe,
    call_env,
    call_in_process,
    digest,
    encode,
    fast_tmp_base,
    reading_payload,
    run_call,
    temp_files,
)


def _valid_store_bytes(tmp_path: Path) -> bytes:
    seed_dir = tmp_path / "seed"
    for i in range(3):
        assert call_in_process(reading_payload(f"seed-{i}", cost=i + 0.5), seed_dir).wrote
    return (seed_dir / "store.json").read_bytes()


def _quarantined(state_dir: Path) -> list[Path]:
    return sorted(p for p in state_dir.iterdir() if p.name.startswith("store.json.corrupt-"))


@pytest.fixture
def fast_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A scratch dir for the long in-process loops, in memory when possible, and no fsync:
    they test recovery, not durability (the fault tests inject fsync errors)."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)
    base = Path(tempfile.mkdtemp(prefix="rel-fast-", dir=fast_tmp_base()))
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_every_truncation_point_is_recovered(fast_dir: Path) -> None:
    tmp_path = fast_dir
    valid = _valid_store_bytes(tmp_path)
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o700)
    path = state_dir / "store.json"
    assert len(valid) > 500
    for cut in range(len(valid)):
        prefix = valid[:cut]
        path.write_bytes(prefix)
        read = store.read(str(path))
        assert read.status == store.CORRUPT, cut
        outcome = call_in_process(reading_payload("after-cut", cost=float(cut)), state_dir)
        assert outcome.wrote, cut
        assert "Sonnet" in outcome.line
        rebuilt = store.read(str(path))
        assert rebuilt.status == store.OK
        assert set(rebuilt.state.sessions) == {"after-cut"}
        kept = _quarantined(state_dir)
        assert 1 <= len(kept) <= store.QUARANTINE_KEPT
        assert kept[-1].read_bytes() == prefix, "the newest quarantine holds the bytes as found"
    assert temp_files(state_dir) == []


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(junk=st.binary(max_size=2048))
def test_random_bytes_are_recovered(tmp_path: Path, junk: bytes) -> None:
    state_dir = tmp_path / "random"
    state_dir.mkdir(mode=0o700, exist_ok=True)
    path = state_dir / "store.json"
    path.write_bytes(junk)
    outcome = call_in_process(reading_payload("after-junk"), state_dir)
    assert_terminal_safe(outcome.line)
    assert store.read(str(path)).status == store.OK
    assert len(_quarantined(state_dir)) <= store.QUARANTINE_KEPT


def _store_doc(tmp_path: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(_valid_store_bytes(tmp_path))
    return loaded


WRONG = [None, "x", 1, -1, 1e308, True, [], {}, [[1]], ["a", "b", "c"], {"a": 1}, "\x1b[2J"]


def _paths(node: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node[:3]):
            out += _paths(value, (*prefix, index))
    return out


def test_wrong_types_anywhere_in_the_store(fast_dir: Path) -> None:
    """A store that parses but holds wrong types: bad entries are dropped, the rest kept."""
    tmp_path = fast_dir
    doc = _store_doc(tmp_path)
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o700)
    path = state_dir / "store.json"
    tried = 0
    for where in _paths(doc):
        for value in WRONG:
            mutated = json.loads(json.dumps(doc))
            node = mutated
            for key in where[:-1]:
                node = node[key]
            node[where[-1]] = value
            path.write_text(json.dumps(mutated))
            outcome = call_in_process(reading_payload("typed", cost=float(tried)), state_dir)
            assert_terminal_safe(outcome.line)
            assert "Sonnet" in outcome.line, (where, value)
            after = store.read(str(path))
            assert after.status in (store.OK, store.NEWER), (where, value, after.detail)
            tried += 1
    assert tried > 300


@pytest.mark.parametrize("kind", ["directory", "fifo", "symlink", "oversized", "empty", "nested"])
def test_non_store_at_store_path_end_to_end(tmp_path: Path, kind: str) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o700)
    path = state_dir / "store.json"
    victim = tmp_path / "victim.json"
    victim.write_text('{"schema_version": 1, "sessions": {}}')
    if kind == "directory":
        path.mkdir()
        (path / "inside").write_text("kept")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink":
        path.symlink_to(victim)
    elif kind == "oversized":
        path.write_bytes(b" " * (store.MAX_STORE_BYTES + 1))
    elif kind == "empty":
        path.write_bytes(b"")
    else:
        path.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    victim_before = digest(victim)
    result = run_call(encode(reading_payload("rebuild-1")), call_env(state_dir))
    assert "Sonnet" in result.assert_contract()
    assert store.read(str(path)).status == store.OK
    assert digest(victim) == victim_before
    moved = _quarantined(state_dir)
    assert len(moved) == 1
    if kind == "directory":
        assert (moved[0] / "inside").read_text() == "kept"
    if kind == "symlink":
        assert moved[0].is_symlink()


def test_quarantine_keeps_a_few(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o700)
    rng = random.Random(4)
    for i in range(8):
        (state_dir / "store.json").write_bytes(rng.randbytes(64))
        assert call_in_process(reading_payload("q", cost=float(i)), state_dir).wrote
    assert len(_quarantined(state_dir)) == store.QUARANTINE_KEPT


def test_newer_schema_is_never_overwritten(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o700)
    path = state_dir / "store.json"
    future = {
        "schema_version": history.SCHEMA_VERSION + 1,
        "sessions": {"future-1": {"last_seen": NOW, "model": "Future", "shiny": [1, 2, 3]}},
        "windows": {"five_hour": {"resets_at": NOW + 3600, "used_pct": 50, "observed_at": NOW}},
        "something_new": {"we": "do not know"},
    }
    path.write_text(json.dumps(future, indent=1))
    before = digest(path)
    for i in range(3):
        run_call(encode(reading_payload(f"old-build-{i}", cost=i)), call_env(state_dir)) \
            .assert_contract()
    outcome = call_in_process(reading_payload("old-build-9"), state_dir)
    assert not outcome.wrote
    assert digest(path) == before
    assert temp_files(state_dir) == []
    assert _quarantined(state_dir) == []


def test_store_owned_by_another_user_end_to_end(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("chown to another user needs root")
    state_dir = tmp_path / "state"
    state_dir.mkdir(mode=0o700)
    path = state_dir / "store.json"
    path.write_bytes(_valid_store_bytes(tmp_path))
    os.chown(path, 65534, 65534)
    before = digest(path)
    result = run_call(encode(reading_payload("not-mine")), call_env(state_dir))
    assert "Sonnet" in result.assert_contract()
    assert digest(path) == before
    assert os.stat(path).st_uid == 65534
    assert _quarantined(state_dir) == []
