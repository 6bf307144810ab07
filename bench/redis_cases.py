"""The benchmark's Redis pieces (standard library only): a redis-server of its own, and RESP.

``bench/run.py`` times the status-line call with the shared store on a redis-server it starts
here on a free loopback port (no persistence: nothing is kept), one database per case so
the cases never see each other's documents.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

KEY = "statusline:v1:default"  # the default profile, no account named


def find_server() -> str | None:
    return shutil.which("redis-server") or shutil.which("valkey-server")


class Server:
    """A throwaway redis-server on 127.0.0.1."""

    def __init__(self, binary: str, work: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.directory = os.path.join(work, "redis")
        os.makedirs(self.directory, exist_ok=True)
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.directory, "--daemonize", "no",
             "--logfile", os.path.join(self.directory, "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.command(0, "PING") == b"+PONG":
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def command(self, db: int, *args: str | bytes) -> bytes:
        """Run one command on database ``db``; the raw first line of the reply (+ bulk)."""
        def encode(command: tuple[str | bytes, ...]) -> bytes:
            out = [b"*%d\r\n" % len(command)]
            for arg in command:
                data = arg if isinstance(arg, bytes) else arg.encode()
                out.append(b"$%d\r\n%s\r\n" % (len(data), data))
            return b"".join(out)

        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as conn:
            conn.sendall(encode(("SELECT", str(db))) + encode(args))
            replies = conn.makefile("rb")
            replies.readline()  # SELECT's +OK
            line = replies.readline()
            if line.startswith(b"$"):
                size = int(line[1:])
                return b"" if size < 0 else replies.read(size + 2)[:-2]
            return line.rstrip(b"\r\n")

    def put(self, db: int, document: bytes) -> None:
        self.command(db, "SET", KEY, document)

    def get(self, db: int) -> bytes:
        return self.command(db, "GET", KEY)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
