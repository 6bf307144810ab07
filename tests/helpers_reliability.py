"""Shared pieces of the reliability tests (issue 4): payloads, runs, and output checks.

The contract under test is per process: one line on stdout, exit 0, nothing on stderr, no
file outside the state directory. ``run_call`` runs the real entry point the way Claude Code
does; ``call_in_process`` runs the same ``call.render_call`` in this process where the
contract allows it (it is much faster, and it says whether the call saved).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from statusline import call

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "payloads" / "oauth-003.json"
# The captured oauth-003 run: 5h resets in ~1h15, 7d in ~3d10h.
NOW = 1795519800.0
FIVE_HOUR_RESET = 1795524279.0
SEVEN_DAY_RESET = 1795817079.0

# The project's own colour codes: SGR only.
OUR_SGR = re.compile(r"\x1b\[[0-9;]*m")
# What must never reach the terminal once our SGR is removed.
FORBIDDEN = re.compile("[\x00-\x1f\x7f\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

SETPRIV = shutil.which("setpriv")
NOBODY = 65534


def base_payload(session_id: str = "sess-a", **fields: object) -> dict[str, object]:
    """The captured oauth payload under ``session_id``, with top-level ``fields`` replaced."""
    doc: dict[str, object] = json.loads(EXAMPLE.read_text())
    doc["session_id"] = session_id
    doc.update(fields)
    return doc


def reading_payload(
    session_id: str,
    five_hour: float | None = 23.7,
    seven_day: float | None = 41.5,
    context: float | None = 10.0,
    cost: float | None = 1.0,
    five_reset: float = FIVE_HOUR_RESET,
    seven_reset: float = SEVEN_DAY_RESET,
) -> dict[str, object]:
    """A payload carrying the given readings (None leaves a field out)."""
    doc = base_payload(session_id)
    limits: dict[str, object] = {}
    if five_hour is not None:
        limits["five_hour"] = {"used_percentage": five_hour, "resets_at": five_reset}
    if seven_day is not None:
        limits["seven_day"] = {"used_percentage": seven_day, "resets_at": seven_reset}
    doc["rate_limits"] = limits
    context_window = copy.deepcopy(doc["context_window"])
    assert isinstance(context_window, dict)
    context_window["used_percentage"] = context
    doc["context_window"] = context_window
    cost_doc = copy.deepcopy(doc["cost"])
    assert isinstance(cost_doc, dict)
    cost_doc["total_cost_usd"] = cost
    doc["cost"] = cost_doc
    return doc


def encode(doc: object) -> bytes:
    """JSON bytes of ``doc``."""
    return json.dumps(doc).encode()


def call_env(state_dir: Path, now: float = NOW, **extra: str) -> dict[str, str]:
    """An environment for one call: the isolated one, this state dir and clock, ``extra``."""
    env = dict(os.environ)
    env["STATUSLINE_STATE_DIR"] = str(state_dir)
    env["STATUSLINE_NOW"] = repr(now)
    env["STATUSLINE_LOG"] = "warning"
    env.update(extra)
    return env


class CallResult:
    """What one process run produced."""

    def __init__(self, returncode: int, stdout: bytes, stderr: bytes, elapsed: float) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.elapsed = elapsed

    @property
    def text(self) -> str:
        """Stdout decoded (strictly: the line must be valid UTF-8)."""
        return self.stdout.decode("utf-8")

    def assert_contract(self) -> str:
        """Exit 0, exactly one newline-terminated line, nothing on stderr; return the line."""
        assert self.returncode == 0, (self.returncode, self.stderr)
        assert self.stderr == b"", self.stderr
        assert self.stdout.endswith(b"\n"), self.stdout
        assert self.stdout.count(b"\n") == 1, self.stdout
        line = self.text[:-1]
        assert line.strip(), "an empty line blanks the status line"
        assert_terminal_safe(line)
        return line


def run_call(
    stdin: bytes | None,
    env: Mapping[str, str],
    cwd: Path | None = None,
    timeout: float = 20.0,
    prefix: list[str] | None = None,
) -> CallResult:
    """Run ``python -m statusline`` once with ``stdin`` (None: stdin closed at once)."""
    command = [*(prefix or []), sys.executable, "-m", "statusline"]
    started = time.monotonic()
    completed = subprocess.run(
        command,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=dict(env),
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    return CallResult(
        completed.returncode, completed.stdout, completed.stderr, time.monotonic() - started
    )


def call_in_process(
    doc: object, state_dir: Path, now: float = NOW, save: bool = True, **extra: str
) -> call.Outcome:
    """``call.render_call`` in this process (no watchdog); returns its ``Outcome``."""
    data = doc if isinstance(doc, bytes) else encode(doc)
    env = {
        "STATUSLINE_STATE_DIR": str(state_dir),
        "STATUSLINE_NOW": repr(now),
        "HOME": os.environ.get("HOME", "/nonexistent"),
        **extra,
    }
    return call.render_call(data, env, save=save)


def assert_terminal_safe(line: str) -> None:
    """No control byte, C1 control or bidi control survives outside our own SGR codes."""
    plain = OUR_SGR.sub("", line)
    found = FORBIDDEN.search(plain)
    assert found is None, f"unsafe character {found.group()!r} in {line!r}"


def digest(path: Path) -> str | None:
    """SHA-256 of the file at ``path`` (None when absent)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def tree(root: Path) -> set[str]:
    """Every path below ``root`` (relative), to prove nothing was created elsewhere."""
    if not root.exists():
        return set()
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def temp_files(state_dir: Path) -> list[str]:
    """Write temp files (``.store*.tmp``) present in ``state_dir``."""
    if not state_dir.is_dir():
        return []
    return sorted(n for n in os.listdir(state_dir) if n.startswith(".") and n.endswith(".tmp"))


def stored(state_dir: Path, name: str = "store.json") -> dict[str, Any]:
    """The store document as JSON (the test fails if it does not parse)."""
    loaded: dict[str, Any] = json.loads((state_dir / name).read_bytes())
    return loaded


def fast_tmp_base() -> str | None:
    """A memory-backed directory (``/dev/shm``) when there is one: on ext4 every
    ``os.replace`` over an existing file flushes (auto_da_alloc), which makes thousand-call
    loops slow without testing anything more."""
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return None


def can_drop_privileges() -> bool:
    """True when tests may run a command as the unprivileged user ``nobody`` (root + setpriv)."""
    return os.geteuid() == 0 and SETPRIV is not None


def as_nobody() -> list[str]:
    """The command prefix that runs the rest as uid/gid 65534 with no supplementary groups."""
    assert SETPRIV is not None
    return [SETPRIV, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


def nobody_can_run_python() -> bool:
    """True when uid 65534 can start this interpreter and import the package."""
    if not can_drop_privileges():
        return False
    completed = subprocess.run(
        [*as_nobody(), sys.executable, "-c", "import statusline.call"],
        capture_output=True,
        cwd="/",
        timeout=30,
        check=False,
    )
    return completed.returncode == 0


@contextmanager
def stopped_holder(take_lock: str) -> Iterator[None]:
    """A process that runs ``take_lock`` (Python code that takes a lock), says so, and is
    then stopped with SIGSTOP: a lock holder that never lets go. Resumed and killed after."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import os, signal, time\n" + take_lock + "\nprint('held', flush=True)\n"
         "os.kill(os.getpid(), signal.SIGSTOP)\ntime.sleep(60)"],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        for _ in range(200):  # wait until it is really stopped
            with open(f"/proc/{holder.pid}/stat") as handle:
                if handle.read().split(") ", 1)[1].startswith("T"):
                    break
            time.sleep(0.01)
        yield
    finally:
        holder.send_signal(signal.SIGCONT)
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
