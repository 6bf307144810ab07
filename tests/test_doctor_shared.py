"""statusline.doctor.shared_checks: what doctor says about a shared store and dev containers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from statusline.doctor import FAIL, OK, WARN
from statusline.doctor import shared_checks as doctor_shared
from statusline.store import outbox
from statusline.store.resp import parse_url
from tests.conftest import run_cli
from tests.helpers_redis import RedisServer, free_port


def _by_name(found: list[doctor_shared.Check]) -> dict[str, doctor_shared.Check]:
    return {c.name: c for c in found}


def test_a_reachable_server_is_ok(tmp_path: Path, redis_server: RedisServer) -> None:
    found = _by_name(doctor_shared.check_shared_store(redis_server.url,
                                                      str(tmp_path / "store.json")))
    assert found["shared store"].status == OK
    assert "connected" in found["shared store"].detail
    assert "statusline:v1:store" in found["shared store"].detail
    assert found["shared store security"].status == OK
    assert "kept readings" not in found


def test_a_server_that_is_down_fails_with_a_fix(tmp_path: Path) -> None:
    url = f"redis://:pa55word@127.0.0.1:{free_port()}/0"
    found = _by_name(doctor_shared.check_shared_store(url, str(tmp_path / "store.json")))
    check = found["shared store"]
    assert check.status == FAIL and "cannot connect" in check.detail
    assert check.hint and "start the server" in check.hint
    assert "pa55word" not in check.detail + check.hint


def test_readings_waiting_for_the_server_are_reported(tmp_path: Path,
                                                      redis_server: RedisServer) -> None:
    store = tmp_path / "store.json"
    outbox.append(str(store), json.dumps({"now": 1.0, "payload": "{}"}))
    outbox.append(str(store), json.dumps({"now": 2.0, "payload": "{}"}))
    found = _by_name(doctor_shared.check_shared_store(redis_server.url, str(store)))
    assert found["kept readings"].status == WARN
    assert found["kept readings"].detail.startswith("2 reading(s)")


@pytest.mark.parametrize(("url", "status", "words"), [
    ("redis://cache.example.net:6379", WARN, ("no TLS", "no password")),
    ("redis://:pw@cache.example.net:6379", WARN, ("no TLS",)),
    ("rediss://cache.example.net:6380", WARN, ("no password",)),
    ("rediss://:pw@cache.example.net:6380", OK, ("TLS and a password",)),
    ("redis://localhost:6379", OK, ("loopback",)),
])
def test_a_server_across_a_network_needs_tls_and_a_password(url: str, status: str,
                                                           words: tuple[str, ...]) -> None:
    check = doctor_shared._check_security(parse_url(url))
    assert check.status == status
    for word in words:
        assert word in check.detail
    assert "pw" not in check.detail.replace("password", "")


def test_a_container_without_a_shared_state_dir_gets_the_bind_mount_hint(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / ".dockerenv"
    marker.write_text("")
    monkeypatch.setattr(doctor_shared, "CONTAINER_MARKERS", (str(marker),))
    monkeypatch.setattr(doctor_shared, "_is_mount", lambda path: False)
    env = {"STATUSLINE_STATE_DIR": str(tmp_path / "state")}
    check = doctor_shared.check_container(env, None)
    assert check is not None and check.status == OK  # a hint, not a problem
    assert "pool only with this container" in check.detail
    assert "bind-mount" in check.notes[0] and str(tmp_path / "state") in check.notes[0]

    monkeypatch.setattr(doctor_shared, "_is_mount", lambda path: True)
    mounted = doctor_shared.check_container(env, None)
    assert mounted is not None and mounted.status == OK and not mounted.notes
    assert "share the host's store" in mounted.detail

    monkeypatch.setattr(doctor_shared, "CONTAINER_MARKERS", (str(tmp_path / "absent"),))
    assert doctor_shared.check_container(env, None) is None


def test_doctor_json_never_shows_the_password(tmp_path: Path, redis_binary: str) -> None:
    server = RedisServer(redis_binary, tmp_path / "redis", password="hunter2-long",
                         durable=False)
    server.start()
    try:
        url = f"redis://:wrong-hunter3@127.0.0.1:{server.port}/0"
        shown = run_cli(None, "doctor", "--json", env={"STATUSLINE_STORE_URL": url})
    finally:
        server.stop()
    assert "hunter2-long" not in shown.stdout + shown.stderr
    assert "wrong-hunter3" not in shown.stdout + shown.stderr
    checks = {c["name"]: c for c in json.loads(shown.stdout)["checks"]}
    assert checks["shared store"]["status"] == FAIL
    assert "WRONGPASS" in checks["shared store"]["detail"]
    assert "password" in checks["shared store"]["hint"]
