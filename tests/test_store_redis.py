"""statusline.store.redis_store against a real redis-server (started per test)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from statusline import account, call, history
from statusline.payload import from_mapping
from statusline.store import backend as store_backend
from statusline.store import local, outbox, redis_store
from tests.helpers_redis import RedisServer

NOW = 1_800_000_000.0
KEY = "statusline:v1:store"
REAL_BUDGET_S = redis_store.CALL_BUDGET_S


@pytest.fixture(autouse=True)
def generous_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests of what is merged must not depend on the machine's load: a budget that a busy
    CI box meets. The budget itself is tested where it is the point (a hung server)."""
    monkeypatch.setattr(redis_store, "CALL_BUDGET_S", 5.0)


def _payload(session: str, five: float, cost: float = 1.0) -> dict[str, object]:
    return {
        "session_id": session,
        "model": {"display_name": "Opus 5.5"},
        "cost": {"total_cost_usd": cost},
        "rate_limits": {
            "five_hour": {"used_percentage": five, "resets_at": NOW + 3600},
            "seven_day": {"used_percentage": 20.0, "resets_at": NOW + 3 * 86400},
        },
    }


def _save(backend: store_backend.Backend, doc: dict[str, object], now: float = NOW,
          host: str = "laptop") -> history.State | None:
    """What the hot path does for one call that writes."""
    payload = from_mapping(doc)
    kept = {"now": now, "offset": 0.0, "host": host, "payload": json.dumps(doc)}
    return backend.update(lambda s: call.advance(s, payload, now, 0.0, host), kept)


def _open(path: Path, url: str) -> store_backend.Backend:
    backend = store_backend.open_backend(str(path), url, call.replay)
    assert backend.kind == "redis"
    return backend


def _remote(server: RedisServer) -> history.State:
    data = server.client().get(KEY)
    assert data is not None, "nothing in Redis"
    return history.from_json(json.loads(data))


def test_a_save_reaches_redis_and_this_machines_copy(tmp_path: Path,
                                                     redis_server: RedisServer) -> None:
    path = tmp_path / "state" / "store.json"
    backend = _open(path, redis_server.url)
    assert backend.read().status == local.MISSING
    saved = _save(backend, _payload("sess-a", 60.0))

    assert saved is not None and backend.problem is None
    remote = _remote(redis_server)
    assert remote.sessions["sess-a"].host == "laptop"
    window = remote.windows["five_hour"]
    assert window is not None and window.used_pct == 60.0
    assert local.read(str(path)).state.sessions.keys() == {"sess-a"}, "the local copy"
    ttl = redis_server.client().ttl(KEY)
    assert 7 * 86400 < ttl <= redis_store.TTL_S
    assert not outbox.pending(str(path))


def test_two_machines_share_sessions_and_the_higher_reading(tmp_path: Path,
                                                            redis_server: RedisServer) -> None:
    laptop = _open(tmp_path / "laptop" / "store.json", redis_server.url)
    laptop.read()
    _save(laptop, _payload("sess-a", 60.0), host="laptop")
    desktop = _open(tmp_path / "desktop" / "store.json", redis_server.url)
    seen = desktop.read().state
    assert seen.sessions["sess-a"].host == "laptop"
    saved = _save(desktop, _payload("sess-b", 40.0), NOW + 5, host="desktop")

    assert saved is not None
    window = saved.windows["five_hour"]
    assert window is not None and window.used_pct == 60.0 and window.observed_by == "sess-a"
    assert {s.host for s in _remote(redis_server).sessions.values()} == {"laptop", "desktop"}


def test_a_write_in_between_is_merged_not_overwritten(tmp_path: Path,
                                                      redis_server: RedisServer) -> None:
    """Another machine saves between our WATCH and our EXEC: ours is merged on theirs."""
    other = _open(tmp_path / "other" / "store.json", redis_server.url)
    other.read()
    ours = _open(tmp_path / "ours" / "store.json", redis_server.url)
    ours.read()  # WATCH is set here
    _save(other, _payload("sess-other", 50.0))
    calls = []
    payload = from_mapping(_payload("sess-ours", 55.0))

    def change(state: history.State) -> bool:
        calls.append(set(state.sessions))
        return call.advance(state, payload, NOW + 1, 0.0, "ours")

    assert ours.update(change) is not None
    assert calls == [set(), {"sess-other"}], "the merge ran again on the fresh document"
    assert set(_remote(redis_server).sessions) == {"sess-other", "sess-ours"}


def test_unreachable_server_keeps_the_reading_and_the_next_call_sends_it(
        tmp_path: Path, redis_server: RedisServer) -> None:
    path = tmp_path / "state" / "store.json"
    first = _open(path, redis_server.url)
    first.read()
    _save(first, _payload("sess-a", 30.0, cost=1.0))
    redis_server.kill()

    down = _open(path, redis_server.url)
    started = time.monotonic()
    result = down.read()
    assert time.monotonic() - started < 2.0  # refused at once
    assert result.status == local.OK and "sess-a" in result.state.sessions, "the local copy"
    assert down.problem is not None and "cannot connect" in down.problem
    saved = _save(down, _payload("sess-a", 35.0, cost=2.0), NOW + 60)
    assert saved is not None, "acknowledged locally"
    assert outbox.pending(str(path))
    assert len(outbox.read(str(path))) == 1

    redis_server.start()
    back = _open(path, redis_server.url)
    back.read()
    assert back.wants_write
    assert _save(back, _payload("sess-b", 35.0), NOW + 90, host="desktop") is not None
    remote = _remote(redis_server)
    assert remote.sessions["sess-a"].cost_usd == 2.0, "the kept reading reached Redis"
    window = remote.windows["five_hour"]
    assert window is not None and window.used_pct == 35.0
    assert not outbox.pending(str(path))


def test_a_kept_call_sent_twice_is_merged_once(tmp_path: Path,
                                               redis_server: RedisServer) -> None:
    state = history.State()
    kept = {"now": NOW, "offset": 0.0, "host": "h", "payload": json.dumps(_payload("s", 10.0))}
    assert call.replay(state, kept) is True
    costs = list(state.sessions["s"].costs)
    assert call.replay(state, kept) is False
    assert state.sessions["s"].costs == costs
    assert call.replay(state, {"now": "soon", "payload": 3}) is False


def test_a_wrong_password_falls_back_and_never_shows_it(tmp_path: Path, redis_binary: str) -> None:
    server = RedisServer(redis_binary, tmp_path / "redis", password="s3cret-pw", durable=False)
    server.start()
    try:
        path = tmp_path / "state" / "store.json"
        backend = _open(path, f"redis://:not-{server.password}@127.0.0.1:{server.port}/0")
        result = backend.read()
        assert result.status == local.MISSING
        assert backend.problem is not None
        assert "s3cret-pw" not in backend.problem and "not-s3cret" not in backend.problem
        assert "***@" in backend.problem
        assert "s3cret" not in backend.location
        assert _save(backend, _payload("sess-a", 10.0)) is not None
        assert outbox.pending(str(path))
    finally:
        server.stop()


def test_a_hung_server_costs_at_most_the_call_budget(tmp_path: Path, redis_server: RedisServer,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(redis_store, "CALL_BUDGET_S", REAL_BUDGET_S)
    path = tmp_path / "state" / "store.json"
    redis_server.pause()
    try:
        backend = _open(path, redis_server.url)
        started = time.monotonic()
        backend.read()
        saved = _save(backend, _payload("sess-a", 10.0))
        elapsed = time.monotonic() - started
    finally:
        redis_server.resume()
    assert saved is not None and outbox.pending(str(path))
    # The budget, plus the local save; generous for a loaded machine, far below a hang.
    assert elapsed < REAL_BUDGET_S + 1.0


def test_a_newer_schema_in_redis_is_read_never_overwritten(tmp_path: Path,
                                                           redis_server: RedisServer) -> None:
    document = json.dumps({"schema_version": history.SCHEMA_VERSION + 1, "sessions": {}})
    redis_server.client().set(KEY, document)
    backend = _open(tmp_path / "state" / "store.json", redis_server.url)
    assert backend.read().status == local.NEWER
    assert _save(backend, _payload("sess-a", 10.0)) is None
    assert redis_server.client().get(KEY) == document.encode()


def test_a_bad_url_keeps_the_file_store_and_never_repeats_it(tmp_path: Path) -> None:
    backend = store_backend.open_backend(str(tmp_path / "store.json"),
                                         "redis://:pw-123@host:notaport", call.replay)
    assert backend.kind == "file"
    assert backend.problem is not None and "pw-123" not in backend.problem


def test_the_url_comes_from_the_environment_first() -> None:
    from statusline.config import Config

    config = Config()
    config.store_url = "redis://from-config"
    assert account.store_url({}, config) == "redis://from-config"
    assert account.store_url({"STATUSLINE_STORE_URL": "redis://env"}, config) == (
        "redis://env")
    assert account.store_url({}, Config()) is None
    assert os.environ.get("STATUSLINE_STORE_URL") is None


def test_a_kept_reading_older_than_the_pool_keeps_the_series_in_time_order() -> None:
    """Another machine saved later readings while ours waited: the series stays sorted."""
    state = history.State()
    for at, pct in ((NOW, 40.0), (NOW + 100, 50.0)):
        call.advance(state, from_mapping(_payload("other", pct)), at, 0.0, "desktop")
    kept = {"now": NOW + 50, "offset": 0.0, "host": "laptop",
            "payload": json.dumps(_payload("mine", 55.0))}

    assert call.replay(state, kept) is True

    window = state.windows["five_hour"]
    assert window is not None and window.used_pct == 55.0
    times = [t for t, _ in window.samples]
    assert times == sorted(times) and NOW + 50 in times


def test_a_command_failing_inside_exec_is_not_taken_for_a_save(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """EXEC answers each command; an error among the answers means nothing was saved there."""
    monkeypatch.setattr(redis_store, "TTL_S", 0)  # "invalid expire time", raised inside EXEC
    path = tmp_path / "state" / "store.json"
    backend = _open(path, redis_server.url)
    backend.read()
    saved = _save(backend, _payload("sess-a", 10.0))
    assert saved is not None, "kept on this machine instead"
    assert backend.problem is not None and "invalid expire" in backend.problem
    assert outbox.pending(str(path))
    assert redis_server.client().get(KEY) is None
