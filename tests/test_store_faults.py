"""The shared store's seams under faults (issue 18), through the real entry point.

Racing hook calls on two machines, an outage between a claim and the reunion, a store of
mistyped fields, a port that answers as another service (tests/helpers_proxy.py), text and
figures beyond sense in the store, and two machines whose clocks disagree by an hour.
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path

import pytest

from statusline import history
from tests.conftest import run_cli
from tests.helpers_proxy import (
    BAD_NUMBER,
    DEEP_ARRAY,
    ESCAPES_ERROR,
    GARBAGE,
    HTTP,
    HUGE_BULK,
    SMTP_BANNER,
    LoopbackServer,
)
from tests.helpers_redis import RedisServer, free_port
from tests.helpers_reliability import (
    FIVE_HOUR_RESET,
    NOW,
    assert_terminal_safe,
    encode,
    reading_payload,
    run_call,
)
from tests.test_hook import hook
from tests.test_shared_store import KEY, machine

# -- exactly one notice per level ------------------------------------------------------------


def _race(envs: list[dict[str, str]]) -> list[dict[str, str]]:
    answers: list[dict[str, str]] = []
    guard = threading.Lock()

    def one(env: dict[str, str]) -> None:
        answer, _ = hook(env)
        if answer is not None:
            with guard:
                answers.append(answer)

    threads = [threading.Thread(target=one, args=(env,)) for env in envs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _hook_env(tmp_path: Path, name: str, url: str, now: float) -> dict[str, str]:
    env = machine(tmp_path, name, url, now)
    env["TERM"] = "xterm-256color"
    return env


def test_sixteen_racing_hooks_on_two_machines_give_one_notice_per_level(
        tmp_path: Path, redis_server: RedisServer) -> None:
    url = redis_server.url
    for offset, name in enumerate(("laptop", "desktop")):
        run_call(encode(reading_payload(f"sess-{name}", five_hour=83.0)),
                 machine(tmp_path, name, url, NOW + offset)).assert_contract()
    envs = [_hook_env(tmp_path, ("laptop", "desktop")[i % 2], url, NOW + 2) for i in range(16)]
    answers = _race(envs)
    assert len(answers) == 1, answers
    assert "83%" in answers[0]["systemMessage"]
    # The next level: one notice again.
    run_call(encode(reading_payload("sess-laptop", five_hour=91.0)),
             machine(tmp_path, "laptop", url, NOW + 5)).assert_contract()
    answers = _race([_hook_env(tmp_path, ("laptop", "desktop")[i % 2], url, NOW + 6)
                     for i in range(16)])
    assert len(answers) == 1, answers
    assert "91%" in answers[0]["systemMessage"]


def test_a_level_announced_during_an_outage_is_not_announced_again_after_it(
        tmp_path: Path, redis_server: RedisServer) -> None:
    url = redis_server.url
    dead = f"redis://127.0.0.1:{free_port()}/0"
    run_call(encode(reading_payload("sess-desktop", five_hour=70.0)),
             machine(tmp_path, "desktop", url, NOW)).assert_contract()
    # The laptop is out of reach: its calls keep their readings, its hooks race locally.
    run_call(encode(reading_payload("sess-laptop", five_hour=84.0)),
             machine(tmp_path, "laptop", dead, NOW + 1)).assert_contract()
    during = _race([_hook_env(tmp_path, "laptop", dead, NOW + 2) for _ in range(8)])
    assert len(during) == 1, during
    # Back in reach: before and after the laptop's next status-line call sends what it kept,
    # no hook on either machine says 80 % again.
    envs = [_hook_env(tmp_path, ("laptop", "desktop")[i % 2], url, NOW + 3) for i in range(16)]
    assert _race(envs) == []
    run_call(encode(reading_payload("sess-laptop", five_hour=84.0)),
             machine(tmp_path, "laptop", url, NOW + 4)).assert_contract()
    assert not (tmp_path / "laptop" / "state" / "store.json.outbox").exists()
    envs = [_hook_env(tmp_path, ("laptop", "desktop")[i % 2], url, NOW + 5) for i in range(16)]
    assert _race(envs) == []
    notices = json.loads(redis_server.client().get(KEY))["notices"]
    assert 80 in notices["five_hour"]["levels"]


# -- a store of unexpected types --------------------------------------------------------------

MISTYPED = [
    ("sessions", []),
    ("windows.five_hour.samples", "x"),
    ("windows.five_hour.used_pct", "40"),
    ("windows.seven_day_opus.label", 5),
    ("usage_fetched_at", "soon"),
    ("notices.five_hour.levels", "80"),
]


def _store_with(tmp_path: Path, field: str, value: object) -> Path:
    state_dir = tmp_path / "state"
    run_call(encode(reading_payload("sess-a", five_hour=30.0)),
             {**os.environ, "STATUSLINE_NOW": repr(NOW)}).assert_contract()
    path = state_dir / "store.json"
    doc = json.loads(path.read_text())
    doc["windows"]["seven_day_opus"] = {"resets_at": NOW + 86400, "used_pct": 40.0,
                                        "observed_at": NOW, "observed_by": "",
                                        "samples": [[NOW, 40.0]], "label": "Opus"}
    doc["notices"] = {"five_hour": {"resets_at": FIVE_HOUR_RESET, "levels": [], "limit": False}}
    node = doc
    keys = field.split(".")
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize(("field", "value"), MISTYPED)
def test_a_mistyped_field_costs_that_field_never_the_line(tmp_path: Path, field: str,
                                                         value: object) -> None:
    _store_with(tmp_path, field, value)
    env = {**os.environ, "STATUSLINE_NOW": repr(NOW + 5), "NO_COLOR": "1"}
    line = run_call(encode(reading_payload("sess-b", five_hour=31.0)), env).assert_contract()
    assert "5h 31%" in line and "7d" in line
    for command in (["inspect"], ["inspect", "--json"]):
        shown = run_cli(None, *command, env=env)
        assert shown.returncode == 0 and "Traceback" not in shown.stderr, shown.stderr
    explained = run_cli(encode(reading_payload("sess-b", five_hour=31.0)), "explain", env=env)
    assert explained.returncode == 0 and "Traceback" not in explained.stderr


def test_doctor_names_the_field_of_unexpected_type(tmp_path: Path) -> None:
    _store_with(tmp_path, "windows.seven_day_opus.label", 5)
    env = {**os.environ, "STATUSLINE_NOW": repr(NOW + 5), "NO_COLOR": "1"}
    shown = run_cli(None, "doctor", env=env, timeout=120)
    assert "Traceback" not in shown.stderr
    assert "windows.seven_day_opus.label of unexpected type ignored" in shown.stdout


def test_a_shared_value_that_cannot_be_read_is_copied_aside_before_it_is_replaced(
        tmp_path: Path, redis_server: RedisServer) -> None:
    client = redis_server.client()
    client.set(KEY, b'{"schema_version": 1, "sessions": {"x": ')  # cut short
    line = run_call(encode(reading_payload("sess-l", five_hour=22.0)),
                    machine(tmp_path, "laptop", redis_server.url)).assert_contract()
    assert "5h 22%" in line
    aside = [k.decode() for k in client.keys(f"{KEY}:corrupt:*")]
    assert len(aside) == 1 and 0 < client.ttl(aside[0]) <= 7 * 86400
    assert client.get(aside[0]).startswith(b'{"schema_version": 1, "sessions"')
    assert "sess-l" in history.from_json(json.loads(client.get(KEY))).sessions


def test_a_mistyped_shared_field_costs_that_field_on_every_machine(
        tmp_path: Path, redis_server: RedisServer) -> None:
    url = redis_server.url
    run_call(encode(reading_payload("sess-l", five_hour=22.0)),
             machine(tmp_path, "laptop", url)).assert_contract()
    client = redis_server.client()
    doc = json.loads(client.get(KEY))
    doc["sessions"]["sess-l"]["costs"] = "lots"
    client.set(KEY, json.dumps(doc))
    line = run_call(encode(reading_payload("sess-d", five_hour=25.0)),
                    machine(tmp_path, "desktop", url, NOW + 5)).assert_contract()
    assert "5h 25%" in line and "2 sessions" in line
    assert client.keys(f"{KEY}:corrupt:*"), "the value as it was is kept aside"


# -- a port that is not Redis ---------------------------------------------------------------

SERVICES = {"http": {"answer": HTTP}, "smtp": {"banner": SMTP_BANNER},
            "garbage": {"answer": GARBAGE}, "deep": {"answer": DEEP_ARRAY},
            "huge": {"answer": HUGE_BULK}, "number": {"answer": BAD_NUMBER},
            "escapes": {"answer": ESCAPES_ERROR}, "dropped": {"drop": True}}


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_a_port_that_answers_as_another_service_leaves_the_line_its_figures(
        tmp_path: Path, service: str) -> None:
    with LoopbackServer(**SERVICES[service]) as fake:  # type: ignore[arg-type]
        env = machine(tmp_path, "laptop", fake.url)
        line = run_call(encode(reading_payload("sess-l", five_hour=44.0)), env).assert_contract()
        assert "5h 44%" in line and "7d" in line
        assert (tmp_path / "laptop" / "state" / "store.json.outbox").exists()
        for command in (["inspect"], ["doctor"]):
            shown = run_cli(None, *command, env=env, timeout=120)
            assert "Traceback" not in shown.stderr, shown.stderr
            assert_terminal_safe(re.sub(r"\x1b\[[0-9;]*m", "", shown.stdout).replace("\n", ""))
        assert fake.connections >= 1


def test_a_reply_cut_midway_or_delayed_falls_back_and_then_drains(
        tmp_path: Path, redis_server: RedisServer) -> None:
    with LoopbackServer(upstream=redis_server.port, cut=20) as cut:
        line = run_call(encode(reading_payload("sess-l", five_hour=51.0)),
                        machine(tmp_path, "laptop", cut.url)).assert_contract()
    assert "5h 51%" in line
    with LoopbackServer(upstream=redis_server.port, delay=0.5) as slow:
        result = run_call(encode(reading_payload("sess-l", five_hour=52.0, cost=2.0)),
                          machine(tmp_path, "laptop", slow.url, NOW + 1))
        assert "5h 52%" in result.assert_contract()
    run_call(encode(reading_payload("sess-l", five_hour=52.0, cost=2.0)),
             machine(tmp_path, "laptop", redis_server.url, NOW + 2)).assert_contract()
    assert not (tmp_path / "laptop" / "state" / "store.json.outbox").exists()
    state = history.from_json(json.loads(redis_server.client().get(KEY)))
    window = state.windows["five_hour"]
    assert window is not None and window.used_pct == 52.0


# -- text and figures from the store ---------------------------------------------------------

HOSTILE = "\x1b]52;c;cGF3bmVk\x07Op\x1b[31mus\u202e\u2066"


def test_store_strings_and_figures_beyond_sense_never_reach_the_terminal(
        tmp_path: Path, redis_server: RedisServer) -> None:
    url = redis_server.url
    run_call(encode(reading_payload("sess-l", five_hour=22.0)),
             machine(tmp_path, "laptop", url)).assert_contract()
    client = redis_server.client()
    doc = json.loads(client.get(KEY))
    doc["windows"]["seven_day_opus"] = {"resets_at": NOW + 86400, "used_pct": 90.0,
                                        "observed_at": NOW, "observed_by": HOSTILE,
                                        "samples": [[NOW, 90.0]], "label": HOSTILE}
    session = doc["sessions"]["sess-l"]
    session.update(host=HOSTILE, model=HOSTILE, costs=[[NOW - 60, 1e308], [NOW, 1e300]])
    doc["windows"]["five_hour"]["samples"] = [[NOW - 600, -1e308], [NOW, 1e308]]
    doc["extra_usage"] = {"enabled": True, "used": 1e308, "limit": 1e300,
                          "used_pct": 1e308, "currency": HOSTILE, "fetched_at": NOW}
    client.set(KEY, json.dumps(doc))
    env = machine(tmp_path, "desktop", url, NOW + 5)
    line = run_call(encode(reading_payload("sess-d", five_hour=25.0)), env).assert_contract()
    assert "52;" not in line and "e+" not in line and "inf" not in line.lower()
    assert "7d Opus 90%" in line
    for command in (["inspect"], ["inspect", "--json"]):
        shown = run_cli(None, *command, env=env)
        assert shown.returncode == 0, shown.stderr
        assert "\x1b]" not in shown.stdout and "\u202e" not in shown.stdout
        assert "e+300" not in shown.stdout and "e+308" not in shown.stdout


def test_nan_in_the_store_costs_its_field_and_an_unreadable_store_is_moved_aside(
        tmp_path: Path) -> None:
    env = {**os.environ, "STATUSLINE_NOW": repr(NOW), "NO_COLOR": "1"}
    run_call(encode(reading_payload("sess-a", five_hour=30.0)), env).assert_contract()
    path = tmp_path / "state" / "store.json"
    doc = json.loads(path.read_text())
    doc["windows"]["five_hour"]["used_pct"] = float("nan")
    path.write_text(json.dumps(doc, allow_nan=True))
    line = run_call(encode(reading_payload("sess-a", five_hour=31.0)), env).assert_contract()
    assert "5h 31%" in line
    assert "NaN" not in path.read_text(), "the save rewrote it without the bad figure"
    path.write_text('{"schema_version": 1' + ', "x": [' * 100_000)
    line = run_call(encode(reading_payload("sess-a", five_hour=32.0)), env).assert_contract()
    assert "5h 32%" in line
    assert list(path.parent.glob("store.json.corrupt-*")), "moved aside"


# -- one clock for the pool --------------------------------------------------------------------


def test_two_machines_an_hour_apart_agree_on_the_pool(tmp_path: Path,
                                                      redis_server: RedisServer) -> None:
    url = redis_server.url
    ahead = {"STATUSLINE_CLOCK_SKEW": "3600"}
    lines = {}
    for step in range(3):
        for name, extra in (("laptop", {}), ("desktop", ahead)):
            pct = 40.0 + step * 2
            env = machine(tmp_path, name, url, NOW + step * 60, **extra)
            result = run_call(encode(reading_payload(f"sess-{name}", five_hour=pct,
                                                     cost=1.0 + step)), env)
            lines[name] = result.assert_contract()
    # The pool's figures and countdowns agree ("this N%" is each session's own share).
    assert _pool(lines["laptop"]) == _pool(lines["desktop"]), lines
    state = history.from_json(json.loads(redis_server.client().get(KEY)))
    seen = {sid: s.last_seen for sid, s in state.sessions.items()}
    assert abs(seen["sess-laptop"] - seen["sess-desktop"]) < 5, seen
    assert "2 sessions" in lines["laptop"] and "2 sessions" in lines["desktop"]


def _pool(line: str) -> str:
    return re.sub(r", this \d+%", "", line)


def test_without_the_server_a_skewed_clock_keeps_its_own_time(tmp_path: Path) -> None:
    """The correction needs the server: out of reach, the clock is as it is (no guess)."""
    dead = f"redis://127.0.0.1:{free_port()}/0"
    env = machine(tmp_path, "laptop", dead, NOW, STATUSLINE_CLOCK_SKEW="60")
    run_call(encode(reading_payload("sess-l")), env).assert_contract()
    copy = history.from_json(json.loads(
        (tmp_path / "laptop" / "state" / "store.json").read_text()))
    assert copy.sessions["sess-l"].last_seen == NOW + 60
