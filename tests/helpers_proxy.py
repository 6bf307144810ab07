"""A loopback stand-in for the shared store's server: another service, or a faulty path.

``LoopbackServer`` listens on a free 127.0.0.1 port in a thread of the test process, so a
real ``python -m statusline`` can be pointed at it (``url``). It either answers as
something else would (``answer`` bytes after the client's first request, or ``banner``
bytes as soon as it connects, as SMTP does), or forwards to a real redis-server
(``upstream``) with a fault: a ``delay`` before each reply, the connection ``drop``ped at
once, or the replies ``cut`` after so many bytes. Every connection is counted.
"""

from __future__ import annotations

import socket
import threading
import time

# Canned answers of services that are not Redis.
HTTP = (b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: 11\r\n\r\n"
        b"Bad Request")
SMTP_BANNER = b"220 mail.example.test ESMTP Postfix\r\n"
GARBAGE = bytes(range(256)) * 4
DEEP_ARRAY = b"*1\r\n" * 10_000 + b":1\r\n"
HUGE_BULK = b"$99999999999999\r\nabc"
BAD_NUMBER = b"$12a\r\nxx\r\n"
ESCAPES_ERROR = "-ERR \x1b]52;c;cGF3bmVk\x07\x1b[2J\u202egotcha\r\n".encode()


class LoopbackServer:
    """One listening socket on 127.0.0.1 and a thread serving each connection."""

    def __init__(self, *, answer: bytes | None = None, banner: bytes | None = None,
                 upstream: int | None = None, delay: float = 0.0, drop: bool = False,
                 cut: int | None = None) -> None:
        self.answer = answer
        self.banner = banner
        self.upstream = upstream
        self.delay = delay
        self.drop = drop
        self.cut = cut
        self.connections = 0
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = int(self._listener.getsockname()[1])
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def close(self) -> None:
        self._stopped.set()
        try:
            self._listener.close()
        except OSError:
            pass
        self._thread.join(timeout=5)

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            if self.drop:
                return
            if self.banner is not None:
                conn.sendall(self.banner)
            if self.upstream is not None:
                self._forward(conn)
                return
            if self.answer is not None:
                conn.recv(1 << 16)
                time.sleep(self.delay)
                conn.sendall(self.answer)
            # Keep the connection open a while, as a service waiting for more would.
            conn.recv(1 << 16)
        except OSError:
            pass
        finally:
            conn.close()

    def _forward(self, conn: socket.socket) -> None:
        """Relay to the real server; each reply after ``delay``, all of them cut at ``cut``."""
        with socket.create_connection(("127.0.0.1", self.upstream or 0), timeout=5) as server:
            sent = 0
            while True:
                request = conn.recv(1 << 16)
                if not request:
                    return
                server.sendall(request)
                server.settimeout(0.2)
                reply = b""
                try:
                    while True:
                        chunk = server.recv(1 << 16)
                        if not chunk:
                            break
                        reply += chunk
                        if len(chunk) < 1 << 16:
                            break
                except TimeoutError:
                    pass
                time.sleep(self.delay)
                if self.cut is not None and sent + len(reply) > self.cut:
                    conn.sendall(reply[:max(self.cut - sent, 0)])
                    return
                conn.sendall(reply)
                sent += len(reply)
