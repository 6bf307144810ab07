"""A small Redis client for the status-line call: RESP2 over one socket, under one deadline.

The call speaks the few commands it needs (``AUTH``, ``SELECT``, ``GET``, ``WATCH``,
``MULTI``, ``SET … EX``, ``EXEC``, ``PING``) itself, on the C ``_socket`` module. redis-py
would do the same work, but importing it costs ~240 ms of CPU (it loads asyncio, ssl,
logging and typing at import): fifteen times a whole status-line call, on every call of
every session. Here a call over plain TCP imports nothing the interpreter has not already
loaded; ``rediss://`` (TLS) adds ``ssl`` (~20 ms), and only when configured.

Every operation shares one deadline: a server that is down, slow or refusing the password
costs at most the time left, never a hang. Errors are ``RedisError`` with a ``kind`` and a
message that is safe to print: it never holds the password (the URL is shown redacted).
"""

from __future__ import annotations

import _socket
import time

from statusline.sanitize import clean

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

DEFAULT_PORT = 6379
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
MAX_REPLY = 8 << 20  # a store is at most 4 MiB (local.MAX_STORE_BYTES)
# Our commands get flat replies (EXEC's holds one per queued command, TIME's two): deeper
# or longer ones come from something else on the port.
MAX_DEPTH = 4
MAX_ARRAY = 1024
_CRLF = b"\r\n"

# What went wrong, for doctor and the log (each with its own fix).
UNREACHABLE, TIMEOUT, AUTH, TLS, PROTOCOL, SERVER, BUSY = (
    "unreachable", "timeout", "auth", "tls", "protocol", "server", "busy",
)


class RedisError(Exception):
    """A connection or server failure; ``str(error)`` never contains a credential."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class Url:
    """A parsed ``redis://`` or ``rediss://`` URL."""

    __slots__ = ("ca_file", "db", "host", "password", "port", "tls", "username")

    def __init__(self) -> None:
        self.tls = False
        self.host = "localhost"
        self.port = DEFAULT_PORT
        self.username: str | None = None
        self.password: str | None = None
        self.db = 0
        self.ca_file: str | None = None

    def redacted(self) -> str:
        """The URL for people: the password (and user name) replaced by ``***``."""
        scheme = "rediss" if self.tls else "redis"
        auth = "***@" if self.password is not None or self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{auth}{host}:{self.port}/{self.db}"

    @property
    def loopback(self) -> bool:
        """True when the server is on this machine (nothing crosses a network)."""
        host = self.host.lower()
        return host in LOOPBACK_NAMES or host.startswith("127.") or host == "::1"


def parse_url(text: str) -> Url:
    """Parse ``redis://[[user]:password@]host[:port][/db][?ssl_ca_certs=FILE]``.

    Raises ``ValueError`` with a message that never repeats the URL (it may hold a password).
    """
    url = Url()
    scheme, sep, rest = text.strip().partition("://")
    if not sep or scheme.lower() not in ("redis", "rediss"):
        raise ValueError("the store URL must start with redis:// or rediss://")
    url.tls = scheme.lower() == "rediss"
    rest, _, query = rest.partition("?")
    rest = rest.partition("#")[0]
    netloc, _, path = rest.partition("/")
    userinfo, at, hostport = netloc.rpartition("@")
    if at:
        user, colon, password = userinfo.partition(":")
        url.username = _unquote(user) or None
        url.password = _unquote(password) if colon else None
        if not colon:  # redis://secret@host: redis-py reads a lone userinfo as the password
            url.username, url.password = None, _unquote(user)
    if hostport.startswith("["):
        host, _, tail = hostport[1:].partition("]")
        port = tail[1:] if tail.startswith(":") else ""
    else:
        host, _, port = hostport.partition(":")
    url.host = host or "localhost"
    if port:
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("the store URL has an invalid port")
        url.port = int(port)
    path = path.strip("/")
    if path:
        if not path.isdigit():
            raise ValueError("the store URL's path must be a database number")
        url.db = int(path)
    for item in query.split("&") if query else ():
        key, _, value = item.partition("=")
        if key == "db" and value.isdigit():
            url.db = int(value)
        elif key == "ssl_ca_certs" and value:
            url.ca_file = _unquote(value)
    return url


def _unquote(text: str) -> str:
    """Percent-decoding (``%40`` -> ``@``) without importing urllib (it brings ``re``)."""
    if "%" not in text:
        return text
    out = bytearray()
    i = 0
    raw = text.encode("utf-8", "surrogateescape")
    while i < len(raw):
        if raw[i] == 0x25 and i + 2 < len(raw) and _is_hex(raw[i + 1:i + 3]):
            out.append(int(raw[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return out.decode("utf-8", "surrogateescape")


def _is_hex(pair: bytes) -> bool:
    return len(pair) == 2 and all(c in b"0123456789abcdefABCDEF" for c in pair)


class Connection:
    """One connection, authenticated and on its database, with every wait under ``deadline``."""

    def __init__(self, url: Url, deadline: float, connect_timeout: float) -> None:
        self.url = url
        self.deadline = deadline
        self._buffer = bytearray()
        self._sock = self._connect(min(connect_timeout, self._left()))
        try:
            setup: list[Sequence[object]] = []
            if url.password is not None:
                setup.append(("AUTH", url.username, url.password) if url.username
                             else ("AUTH", url.password))
            if url.db:
                setup.append(("SELECT", url.db))
            for reply in self.pipeline(setup):
                if isinstance(reply, RedisError):
                    raise reply
        except BaseException:
            self.close()
            raise

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise RedisError(TIMEOUT, f"{self.url.redacted()}: no answer in time")
        return left

    def _connect(self, timeout: float) -> object:
        where = self.url.redacted()
        name = self.url.host
        # As bytes: a str host goes through the idna codec, whose import (stringprep,
        # unicodedata, re) costs more than the rest of the call.
        host: str | bytes = name.encode("ascii") if name.isascii() else name
        try:
            infos = _socket.getaddrinfo(host, self.url.port, 0, _socket.SOCK_STREAM)
        except OSError as error:
            raise RedisError(UNREACHABLE, f"{where}: cannot resolve the host ({error})") from None
        last: Exception | None = None
        for family, kind, proto, _, address in infos:
            sock = _socket.socket(family, kind, proto)
            try:
                sock.settimeout(min(timeout, self._left()))
                sock.connect(address)
                sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
                return self._wrap_tls(sock, family, kind, proto) if self.url.tls else sock
            except RedisError:
                sock.close()
                raise
            except OSError as error:
                sock.close()
                last = error
        if isinstance(last, TimeoutError):
            raise RedisError(TIMEOUT, f"{where}: no connection within the time allowed")
        reason = getattr(last, "strerror", None) or "no address"
        raise RedisError(UNREACHABLE, f"{where}: cannot connect ({reason})")

    def _wrap_tls(self, raw: object, family: int, kind: int, proto: int) -> object:
        import socket  # TLS only: ssl wraps socket.socket objects, not _socket ones
        import ssl

        sock = socket.socket(family, kind, proto, fileno=raw.detach())  # type: ignore[attr-defined]
        try:
            context = ssl.create_default_context(cafile=self.url.ca_file)
            sock.settimeout(self._left())
            return context.wrap_socket(sock, server_hostname=self.url.host)
        except (ssl.SSLError, ssl.CertificateError) as error:
            sock.close()
            raise RedisError(TLS, f"{self.url.redacted()}: TLS failed ({error.__class__.__name__}: "
                             f"{getattr(error, 'reason', None) or 'handshake'})") from None
        except OSError:
            sock.close()
            raise

    def close(self) -> None:
        try:
            self._sock.close()  # type: ignore[attr-defined]
        except OSError:
            pass

    def pipeline(self, commands: Sequence[Sequence[object]]) -> list[object]:
        """Send ``commands`` in one write and return their replies in order.

        A server error reply is returned as a ``RedisError`` in its place (so that ``EXEC``
        after a failed command can still be read); a broken connection or the deadline
        raises ``RedisError``.
        """
        if not commands:
            return []
        data = b"".join(_encode(command) for command in commands)
        try:
            self._sock.settimeout(self._left())  # type: ignore[attr-defined]
            self._sock.sendall(data)  # type: ignore[attr-defined]
            return [self._reply() for _ in commands]
        except TimeoutError:
            raise RedisError(TIMEOUT, f"{self.url.redacted()}: no answer in time") from None
        except OSError as error:
            raise RedisError(UNREACHABLE, f"{self.url.redacted()}: connection lost "
                             f"({error.strerror or error.__class__.__name__})") from None

    def call(self, *command: object) -> object:
        """One command's reply; a server error reply raises ``RedisError``."""
        (reply,) = self.pipeline([command])
        if isinstance(reply, RedisError):
            raise reply
        return reply

    def _reply(self, depth: int = 0) -> object:
        """One RESP2 reply; anything that is not one (another service on the port, a reply
        cut short, nesting or sizes beyond what Redis sends us) is a ``PROTOCOL`` error."""
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode("utf-8", "replace")
        if kind == b"-":
            return _server_error(rest.decode("utf-8", "replace"), self.url)
        if kind == b":":
            return self._integer(rest)
        if kind == b"$":
            size = self._integer(rest)
            if size == -1:
                return None
            if not 0 <= size <= MAX_REPLY:
                raise self._protocol(f"a bulk reply of {size} bytes")
            data = self._exactly(size + 2)
            if data[-2:] != _CRLF:
                raise self._protocol("a bulk reply without its end")
            return data[:-2]
        if kind == b"*":
            count = self._integer(rest)
            if count == -1:
                return None
            if not 0 <= count <= MAX_ARRAY:
                raise self._protocol(f"an array of {count} replies")
            if depth >= MAX_DEPTH:
                raise self._protocol("replies nested too deeply")
            return [self._reply(depth + 1) for _ in range(count)]
        raise self._protocol("not a Redis server (RESP expected)")

    def _integer(self, text: bytes) -> int:
        digits = text[1:] if text[:1] == b"-" else text
        if not (0 < len(digits) <= 19 and digits.isdigit()):
            raise self._protocol("not a Redis server (a malformed number)")
        return int(text)

    def _protocol(self, what: str) -> RedisError:
        return RedisError(PROTOCOL, f"{self.url.redacted()}: {what}")

    def _line(self) -> bytes:
        while True:
            end = self._buffer.find(_CRLF)
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[:end + 2]
                return line
            if len(self._buffer) > 1 << 16:
                raise self._protocol("not a Redis server (a line without end)")
            self._fill()

    def _exactly(self, size: int) -> bytes:
        while len(self._buffer) < size:
            self._fill()
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def _fill(self) -> None:
        self._sock.settimeout(self._left())  # type: ignore[attr-defined]
        chunk = self._sock.recv(1 << 16)  # type: ignore[attr-defined]
        if not chunk:
            raise RedisError(UNREACHABLE, f"{self.url.redacted()}: the server closed the "
                             "connection")
        self._buffer += chunk


def _encode(command: Sequence[object]) -> bytes:
    parts = [b"*%d\r\n" % len(command)]
    for arg in command:
        data = arg if isinstance(arg, bytes) else str(arg).encode("utf-8", "surrogateescape")
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


def _server_error(message: str, url: Url) -> RedisError:
    code = message.split(" ", 1)[0]
    if url.password:
        message = message.replace(url.password, "***")
    auth = code in ("WRONGPASS", "NOAUTH", "NOPERM") or (
        "AUTH" in message.upper() and "password" in message.lower()
    )
    # The server's words go to the log, doctor and inspect: no escape sequence of theirs.
    return RedisError(AUTH if auth else SERVER, f"{url.redacted()}: {clean(message, 200)}")
