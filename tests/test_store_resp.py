"""statusline.store.resp: URL parsing without leaking the password, and RESP on a real server."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from statusline.store import resp
from statusline.store.resp import Connection, RedisError, parse_url
from tests.helpers_redis import RedisServer


def test_a_full_url_parses() -> None:
    url = parse_url("rediss://alice:s%40cret@cache.example.net:6380/3?ssl_ca_certs=/etc/ca.pem")
    assert (url.tls, url.username, url.password, url.host, url.port, url.db, url.ca_file) == (
        True, "alice", "s@cret", "cache.example.net", 6380, 3, "/etc/ca.pem")
    assert url.redacted() == "rediss://***@cache.example.net:6380/3"
    assert not url.loopback


@pytest.mark.parametrize(("text", "host", "port", "password", "loopback"), [
    ("redis://localhost", "localhost", 6379, None, True),
    ("redis://:pw@127.0.0.1:7000", "127.0.0.1", 7000, "pw", True),
    ("redis://pw@[::1]:7001/2", "::1", 7001, "pw", True),
    ("redis://10.0.0.5", "10.0.0.5", 6379, None, False),
])
def test_short_urls(text: str, host: str, port: int, password: str | None,
                    loopback: bool) -> None:
    url = parse_url(text)
    assert (url.host, url.port, url.password, url.loopback) == (host, port, password, loopback)


@pytest.mark.parametrize("text", [
    "http://:hunter2@host", "redis://:hunter2@host:99999", "redis://:hunter2@host/x",
    "hunter2", "redis://:hunter2@host:port",
])
def test_a_bad_url_is_refused_without_repeating_it(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_url(text)
    assert "hunter2" not in str(caught.value)


@given(st.text(min_size=1, max_size=40).filter(
    lambda p: not set(p) & set(":@/?#%") and p == p.strip()))
def test_the_redacted_url_never_holds_the_password(password: str) -> None:
    url = parse_url(f"redis://user:{password}@db.internal:6379/0")
    assert url.password == password
    assert url.redacted() == "redis://***@db.internal:6379/0"


def test_commands_and_a_transaction_on_a_real_server(redis_server: RedisServer) -> None:
    conn = Connection(parse_url(redis_server.url), time.monotonic() + 5, 1.0)
    try:
        assert conn.call("PING") == "PONG"
        assert conn.call("SET", "k", b"caf\xc3\xa9\r\n", "EX", 60) == "OK"
        assert 50 < int(conn.call("TTL", "k")) <= 60  # type: ignore[call-overload]
        assert conn.pipeline([("WATCH", "k"), ("GET", "k")]) == ["OK", b"caf\xc3\xa9\r\n"]
        replies = conn.pipeline([("MULTI",), ("SET", "k", "v2"), ("EXEC",)])
        assert replies == ["OK", "QUEUED", ["OK"]]
        assert conn.call("GET", "missing") is None
    finally:
        conn.close()
    assert redis_server.client().get("k") == b"v2"


def test_exec_is_refused_when_someone_else_wrote_after_watch(redis_server: RedisServer) -> None:
    conn = Connection(parse_url(redis_server.url), time.monotonic() + 5, 1.0)
    try:
        conn.pipeline([("WATCH", "k"), ("GET", "k")])
        redis_server.client().set("k", "theirs")
        replies = conn.pipeline([("MULTI",), ("SET", "k", "mine"), ("EXEC",)])
        assert replies[2] is None
    finally:
        conn.close()
    assert redis_server.client().get("k") == b"theirs"


def test_a_wrong_password_is_an_auth_error_without_the_password(tmp_path: Path,
                                                                redis_binary: str) -> None:
    server = RedisServer(redis_binary, tmp_path / "auth", password="right-one", durable=False)
    server.start()
    try:
        no_password = Connection(parse_url(f"redis://127.0.0.1:{server.port}"),
                                 time.monotonic() + 5, 1.0)
        try:
            with pytest.raises(RedisError) as caught:
                no_password.call("GET", "k")
        finally:
            no_password.close()
        assert caught.value.kind == resp.AUTH
        assert "right-one" not in str(caught.value)
        with pytest.raises(RedisError) as caught:
            Connection(parse_url(f"redis://:wrong-one@127.0.0.1:{server.port}"),
                       time.monotonic() + 5, 1.0)
        assert caught.value.kind == resp.AUTH
        assert "wrong-one" not in str(caught.value) and "right-one" not in str(caught.value)
        good = Connection(parse_url(server.url), time.monotonic() + 5, 1.0)
        assert good.call("PING") == "PONG"
        good.close()
    finally:
        server.stop()


def test_nobody_listening_fails_at_once() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(RedisError) as caught:
        Connection(parse_url(f"redis://:pw@127.0.0.1:{port}"), time.monotonic() + 5, 1.0)
    assert caught.value.kind == resp.UNREACHABLE
    assert time.monotonic() - started < 2.0  # refused at once (generous for a busy box)
    assert "pw@" not in str(caught.value)


def test_a_server_that_never_answers_costs_only_the_deadline() -> None:
    """A listener that accepts and then says nothing (a hung server): the deadline ends it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()
    try:
        url = parse_url(f"redis://127.0.0.1:{listener.getsockname()[1]}")
        started = time.monotonic()
        conn = Connection(url, time.monotonic() + 0.3, 0.2)
        with pytest.raises(RedisError) as caught:
            conn.call("GET", "k")
        conn.close()
        elapsed = time.monotonic() - started
        assert caught.value.kind == resp.TIMEOUT
        assert 0.25 <= elapsed < 1.5  # the deadline, not a hang (generous for a busy box)
    finally:
        listener.close()
        for sock in accepted:
            sock.close()


def test_something_else_on_the_port_is_a_protocol_error() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)

    def answer() -> None:
        sock, _ = listener.accept()
        sock.recv(1024)
        sock.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        time.sleep(0.5)
        sock.close()

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        conn = Connection(parse_url(f"redis://127.0.0.1:{listener.getsockname()[1]}"),
                          time.monotonic() + 2, 1.0)
        with pytest.raises(RedisError) as caught:
            conn.call("PING")
        conn.close()
        assert caught.value.kind == resp.PROTOCOL
    finally:
        thread.join(timeout=2)
        listener.close()
