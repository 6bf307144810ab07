"""A small append-only diagnostic log in the state directory; never stdout or stderr.

Not the ``logging`` module: the status-line call cannot afford its import. The level comes
from ``STATUSLINE_LOG`` (``debug``, ``info``, ``warning`` (default), ``error``, ``off``).
"""

from __future__ import annotations

import os
import stat
import time

LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40, "off": 100}
MAX_BYTES = 256 * 1024


class Log:
    """Writes one line per message at or above its level, each distinct message once."""

    def __init__(self, path: str | None, level: str | None) -> None:
        self.path = path
        self.threshold = LEVELS.get((level or "warning").strip().lower(), LEVELS["warning"])
        self._seen: set[str] = set()

    def enabled(self, level: str) -> bool:
        """True when messages of ``level`` would be written."""
        return self.path is not None and LEVELS[level] >= self.threshold

    def write(self, level: str, message: str) -> None:
        """Append ``message``; any I/O problem is swallowed (logging must never hurt)."""
        if not self.enabled(level) or message in self._seen or self.path is None:
            return
        self._seen.add(message)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime())
        entry = f"{stamp} {level.upper()} [{os.getpid()}] {message}\n".encode("utf-8", "replace")
        # O_NONBLOCK: a FIFO planted at the path must not stall the call; the fstat check
        # keeps a FIFO, device or hard link to someone's file from receiving our lines.
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        flags |= os.O_NONBLOCK  # a FIFO planted at the log path must not block the call
        try:
            fd = os.open(self.path, flags, 0o600)
            try:
                info = os.fstat(fd)
                if not _private_file(info):
                    return
                if info.st_size > MAX_BYTES:
                    os.replace(self.path, self.path + ".1")  # one rotation keeps it bounded
                os.write(fd, entry)
            finally:
                os.close(fd)
        except OSError:
            pass

    def debug(self, message: str) -> None:
        """Log at debug level."""
        self.write("debug", message)

    def warning(self, message: str) -> None:
        """Log at warning level."""
        self.write("warning", message)

    def error(self, message: str) -> None:
        """Log at error level."""
        self.write("error", message)


def _private_file(info: os.stat_result) -> bool:
    """True for a regular file of ours with a single name (not a link to another file)."""
    return stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and info.st_uid == os.geteuid()
