"""Several machines on one Redis, through the real entry point (issue 13).

Each "machine" is its own HOME and state directory with its own ``STATUSLINE_HOST``; they
share one redis-server started for the test. The server going away must never cost a line.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from statusline import history
from tests.helpers_redis import RedisServer
from tests.helpers_reliability import FIVE_HOUR_RESET, NOW, encode, reading_payload, run_call

KEY = "statusline:v1:default"  # the default profile, no account named
ANSI = "\x1b["


def machine(tmp_path: Path, name: str, url: str, now: float = NOW,
            **extra: str) -> dict[str, str]:
    """The environment of one call on machine ``name``."""
    home = tmp_path / name / "home"
    home.mkdir(parents=True, exist_ok=True)
    (tmp_path / name / "state").mkdir(mode=0o700, exist_ok=True)  # so the log is kept
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STATUSLINE_", "XDG_"))}
    env.update({
        "HOME": str(home),
        "STATUSLINE_STATE_DIR": str(tmp_path / name / "state"),
        "STATUSLINE_HOST": name,
        "STATUSLINE_NOW": repr(now),
        "STATUSLINE_STORE_URL": url,
        "STATUSLINE_LOG": "debug",
        "NO_COLOR": "1",
        "COLUMNS": "200",
    })
    env.update(extra)
    return env


def remote(server: RedisServer) -> history.State:
    data = server.client().get(KEY)
    assert data is not None
    return history.from_json(json.loads(data))


def log_text(tmp_path: Path, name: str) -> str:
    path = tmp_path / name / "state" / "statusline.log"
    return path.read_text() if path.exists() else ""


def test_the_second_machine_shows_the_first_machines_reading(tmp_path: Path,
                                                             redis_server: RedisServer) -> None:
    url = redis_server.url
    # the laptop session's start-up call (no rate limits before its first reply), so that
    # its reading is a reply's, not a replay of unknown age
    startup = {k: v for k, v in reading_payload("sess-laptop").items() if k != "rate_limits"}
    run_call(encode(startup), machine(tmp_path, "laptop", url, NOW - 5)).assert_contract()
    first = run_call(encode(reading_payload("sess-laptop", five_hour=60.0)),
                     machine(tmp_path, "laptop", url)).assert_contract()
    assert "5h 60%" in first and "1 session" in first
    run_call(encode(reading_payload("sess-desk", five_hour=40.0)),
             machine(tmp_path, "desktop", url, NOW + 5)).assert_contract()

    line = run_call(encode(reading_payload("sess-desk", five_hour=40.0)),
                    machine(tmp_path, "desktop", url, NOW + 10)).assert_contract()

    assert "5h 60%" in line
    assert "2 sessions" in line
    assert "via laptop" in line
    state = remote(redis_server)
    assert {s.session_id: s.host for s in state.sessions.values()} == {
        "sess-laptop": "laptop", "sess-desk": "desktop"}


def test_inspect_lists_every_machine(tmp_path: Path, redis_server: RedisServer) -> None:
    from tests.conftest import run_cli

    for name, sid in (("laptop", "sess-l"), ("desktop", "sess-d")):
        run_call(encode(reading_payload(sid)), machine(tmp_path, name, redis_server.url))
    env = machine(tmp_path, "desktop", redis_server.url)
    shown = run_cli(None, "inspect", "--json", env=env)
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["hosts"] == ["desktop", "laptop"]
    assert {s["host"] for s in data["sessions"]} == {"desktop", "laptop"}
    assert data["store"]["shared"]["kind"] == "redis"
    text = run_cli(None, "inspect", env=env)
    assert text.returncode == 0, text.stderr
    assert "laptop" in text.stdout and "desktop" in text.stdout
    assert f"127.0.0.1:{redis_server.port}" in text.stdout


def test_redis_down_every_call_still_prints_and_nothing_is_lost(
        tmp_path: Path, redis_server: RedisServer) -> None:
    url = redis_server.url
    run_call(encode(reading_payload("sess-l", five_hour=30.0, cost=1.0)),
             machine(tmp_path, "laptop", url)).assert_contract()
    redis_server.kill()

    down = []
    for step, (name, sid, pct) in enumerate((("laptop", "sess-l", 35.0),
                                             ("desktop", "sess-d", 45.0))):
        result = run_call(encode(reading_payload(sid, five_hour=pct, cost=2.0 + step)),
                          machine(tmp_path, name, url, NOW + 60 + step))
        down.append(result.assert_contract())
        assert result.elapsed < 4.0  # a process start (slow on a busy box) plus the budget
        state_dir = tmp_path / name / "state"
        assert (state_dir / "store.json.outbox").exists(), "kept for Redis"
        local_copy = history.from_json(json.loads((state_dir / "store.json").read_text()))
        assert local_copy.sessions[sid].cost_usd == 2.0 + step, "saved in this machine's copy"
    assert "5h 35%" in down[0] and "5h 45%" in down[1], "each machine's own reading"

    redis_server.start()
    for step, (name, sid) in enumerate((("laptop", "sess-l"), ("desktop", "sess-d"))):
        # A repeat of the last reading: nothing new, but the kept one is sent.
        run_call(encode(reading_payload(sid, five_hour=35.0 + 10 * step, cost=2.0 + step)),
                 machine(tmp_path, name, url, NOW + 70 + step)).assert_contract()
    state = remote(redis_server)
    assert state.sessions["sess-l"].cost_usd == 2.0
    assert state.sessions["sess-d"].cost_usd == 3.0
    window = state.windows["five_hour"]
    assert window is not None and window.used_pct == 45.0
    for name in ("laptop", "desktop"):
        assert not (tmp_path / name / "state" / "store.json.outbox").exists()


def test_a_hung_server_costs_the_budget_not_the_line(tmp_path: Path,
                                                     redis_server: RedisServer) -> None:
    redis_server.pause()
    try:
        result = run_call(encode(reading_payload("sess-l", five_hour=12.0)),
                          machine(tmp_path, "laptop", redis_server.url))
    finally:
        redis_server.resume()
    line = result.assert_contract()
    assert "5h 12%" in line
    assert (tmp_path / "laptop" / "state" / "store.json.outbox").exists()
    assert "no answer in time" in log_text(tmp_path, "laptop")


def test_a_refused_password_never_reaches_the_log_or_the_line(tmp_path: Path,
                                                              redis_binary: str) -> None:
    server = RedisServer(redis_binary, tmp_path / "redis-auth", password="correct-horse",
                         durable=False)
    server.start()
    try:
        wrong = f"redis://:battery-staple@127.0.0.1:{server.port}/0"
        line = run_call(encode(reading_payload("sess-l", five_hour=20.0)),
                        machine(tmp_path, "laptop", wrong)).assert_contract()
        log = log_text(tmp_path, "laptop")
        assert "WRONGPASS" in log and "***@" in log
        for secret in ("battery-staple", "correct-horse"):
            assert secret not in log and secret not in line
        assert "5h 20%" in line
    finally:
        server.stop()


def test_the_config_file_can_name_the_store(tmp_path: Path, redis_server: RedisServer) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'store_url = "{redis_server.url}"\n')
    env = machine(tmp_path, "laptop", "", STATUSLINE_CONFIG=str(config))
    del env["STATUSLINE_STORE_URL"]
    run_call(encode(reading_payload("sess-l", five_hour=33.0)), env).assert_contract()
    state = remote(redis_server)
    assert state.sessions["sess-l"].host == "laptop"
    window = state.windows["five_hour"]
    assert window is not None and window.resets_at == float(int(FIVE_HOUR_RESET))


def test_an_existing_local_store_is_not_forgotten_when_redis_is_turned_on(
        tmp_path: Path, redis_server: RedisServer) -> None:
    """A machine that used the file store first: its history seeds an empty shared store."""
    env = machine(tmp_path, "laptop", "")
    del env["STATUSLINE_STORE_URL"]
    run_call(encode(reading_payload("sess-old", five_hour=50.0)), env).assert_contract()
    line = run_call(encode(reading_payload("sess-new", five_hour=50.0)),
                    machine(tmp_path, "laptop", redis_server.url, NOW + 5)).assert_contract()
    assert "2 sessions" in line
    assert set(remote(redis_server).sessions) == {"sess-old", "sess-new"}


def test_each_account_has_its_own_key_on_every_machine(tmp_path: Path,
                                                       redis_server: RedisServer) -> None:
    """The key is the store's name (profile and account), never a local path: two machines
    of one account meet on one key, and another account stays apart."""
    account = {"CLAUDE_CODE_OAUTH_TOKEN": "x",
               "CLAUDE_CODE_ACCOUNT_UUID": "00000000-0000-4000-8000-00000000a001"}
    other = {**account, "CLAUDE_CODE_ACCOUNT_UUID": "00000000-0000-4000-8000-00000000b002"}
    url = redis_server.url
    run_call(encode(reading_payload("sess-l", five_hour=70.0)),
             machine(tmp_path, "laptop", url, **account)).assert_contract()
    line = run_call(encode(reading_payload("sess-d", five_hour=20.0)),
                    machine(tmp_path, "desktop", url, NOW + 5, **account)).assert_contract()
    run_call(encode(reading_payload("sess-x", five_hour=5.0)),
             machine(tmp_path, "desktop", url, NOW + 6, **other)).assert_contract()

    assert "5h 70%" in line and "2 sessions" in line
    keys = sorted(k.decode() for k in redis_server.client().keys("statusline:*"))
    assert keys == ["statusline:v1:default.00000000-0000-4000-8000-00000000a001",
                    "statusline:v1:default.00000000-0000-4000-8000-00000000b002"]


def test_the_hook_claims_its_notice_in_the_store_the_config_names(
        tmp_path: Path, redis_server: RedisServer) -> None:
    """store_url only in the config file: two machines past 80 % give one notice, not two."""
    from tests.test_hook import hook

    config = tmp_path / "config.toml"
    config.write_text(f'store_url = "{redis_server.url}"\n')
    envs = []
    for offset, name in enumerate(("laptop", "desktop")):
        env = machine(tmp_path, name, "", NOW + offset, STATUSLINE_CONFIG=str(config))
        del env["STATUSLINE_STORE_URL"]
        env["TERM"] = "xterm-256color"
        run_call(encode(reading_payload(f"sess-{name}", five_hour=83.0)), env).assert_contract()
        envs.append(env)
    answers = [hook(env)[0] for env in envs]
    assert sum(answer is not None for answer in answers) == 1, answers
    assert answers[0] is not None and "83%" in answers[0]["systemMessage"]
