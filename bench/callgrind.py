"""Instruction counts of whole processes under valgrind's callgrind (``run.py --instructions``).

Wall and CPU times move with the machine's load; the number of instructions a process runs
in user space barely does. One run of each case under callgrind (the string hash seed fixed,
so dictionary layouts repeat) gives a ratio to the floor that is a load-independent
cross-check of the timed ratios. It is not the same figure: the kernel's side (exec, page
faults, file system calls) and cache misses are not counted.

Under callgrind a process runs some fifty times slower, which would trip the call's own
deadlines (its watchdog, the Redis budget) and cut it short. So while counting, the venv's
site-packages holds a ``sitecustomize`` (``SLOW_CLOCK``, compiled beforehand) that
stretches what those deadlines see (``setitimer`` and ``time.monotonic``) by ``SLOW``;
every counted process, the floor included, runs it, and what it costs (the floor counted
with and without it) is taken off every figure. Standard library only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable

TOTAL = re.compile(rb"^(?:summary|totals):\s*(\d+)", re.MULTILINE)
SLOW = 200.0
SLOW_CLOCK = f"""\
# bench/callgrind.py: deadlines see a clock {SLOW:g} times slower, as the process runs slower.
import _signal
import time

_setitimer = _signal.setitimer
_monotonic = time.monotonic
_origin = _monotonic()


def _slow_setitimer(which, seconds, interval=0.0):
    return _setitimer(which, seconds * {SLOW!r}, interval * {SLOW!r})


def _slow_monotonic():
    return _origin + (_monotonic() - _origin) / {SLOW!r}


_signal.setitimer = _slow_setitimer  # signal.py takes its names from _signal
time.monotonic = _slow_monotonic
"""


def find() -> str | None:
    return shutil.which("valgrind")


class SlowClock:
    """The ``sitecustomize`` above in ``site`` (a venv's site-packages) while in use."""

    def __init__(self, site: str, python: str) -> None:
        self.path = os.path.join(site, "sitecustomize.py")
        self.python = python

    def __enter__(self) -> SlowClock:
        if os.path.exists(self.path):
            raise RuntimeError(f"{self.path} exists already; not replacing it")
        with open(self.path, "w") as handle:
            handle.write(SLOW_CLOCK)
        # Compiled now, so that no counted process pays for compiling it.
        subprocess.run([self.python, "-m", "py_compile", self.path], check=True)
        return self

    def __exit__(self, *exc: object) -> None:
        import glob

        for path in [self.path, *glob.glob(os.path.join(
                os.path.dirname(self.path), "__pycache__", "sitecustomize.*.pyc"))]:
            os.unlink(path)


def count(valgrind: str, argv: list[str], env: dict[str, str], stdin: str,
          before: Callable[[], None] | None = None,
          timeout: float = 300) -> tuple[int | None, bytes]:
    """Instructions run by one process of ``argv`` (children not followed; a shebang
    script is run by its interpreter, as the kernel would) and what it printed; None when
    callgrind gave no count."""
    if before is not None:
        before()
    with tempfile.TemporaryDirectory(prefix="statusline-callgrind-") as work:
        out = os.path.join(work, "callgrind.out")
        env = {**env, "PYTHONHASHSEED": "0"}
        with open(stdin, "rb") as handle:
            done = subprocess.run(
                [valgrind, "--tool=callgrind", f"--callgrind-out-file={out}",
                 "--dump-line=no", "--compress-strings=no", *argv],
                stdin=handle, capture_output=True, env=env, timeout=timeout, check=False)
        if done.returncode != 0 or not os.path.exists(out):
            return None, done.stdout
        with open(out, "rb") as handle:
            found = TOTAL.search(handle.read())
    return (int(found.group(1)) if found else None), done.stdout
