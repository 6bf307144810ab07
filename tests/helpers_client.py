"""The pinned Claude Code client for the tests that need the real one.

Found, in order: ``CLAUDE_BIN``; the project-local install under ``.tools/`` (what
``.ci/run`` and these tests install with npm); ``claude`` on PATH. When none is there it is
installed from the npm registry into ``.tools/claude-code-<version>/`` (never globally, with
its own npm cache). Tests skip only when that install cannot reach the registry, saying so.

Run as a script (stdlib only) to install it ahead of the tests: ``python3 tests/helpers_client.py``
prints the client's path and version, or why it is not there (exit 1).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# The newest client checked against the contract (shared/docs/claude-code-contract.md §11:
# 2.1.332 changed nothing a status line depends on since 2.1.328).
CLIENT_VERSION = "2.1.332"
PACKAGE = "@anthropic-ai/claude-code"
REPO = Path(__file__).resolve().parent.parent
PREFIX = REPO / ".tools" / f"claude-code-{CLIENT_VERSION}"
LOCAL_BIN = PREFIX / "node_modules" / ".bin" / "claude"
# Read at import: the tests' autouse fixture clears CLAUDE_* variables before each test.
CLAUDE_BIN = os.environ.get("CLAUDE_BIN")


def runs(binary: str) -> str | None:
    """``claude --version``'s answer, or None when the binary does not run."""
    with tempfile.TemporaryDirectory(prefix="claude-home-") as home:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "DISABLE_AUTOUPDATER": "1"}
        try:
            done = subprocess.run([binary, "--version"], capture_output=True, text=True,
                                  timeout=60, check=False, stdin=subprocess.DEVNULL, env=env)
        except (OSError, subprocess.TimeoutExpired):
            return None
    return done.stdout.strip() if done.returncode == 0 else None


def find_client() -> str | None:
    """The client to use without installing anything, or None."""
    for candidate in (CLAUDE_BIN, str(LOCAL_BIN) if LOCAL_BIN.exists() else None,
                      shutil.which("claude")):
        if candidate and runs(candidate):
            return candidate
    return None


def install_client() -> tuple[str | None, str]:
    """Install the pinned client into PREFIX with npm: (path, "") or (None, why not)."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return None, "node and npm are not on PATH (.ci/run installs them with apt-get)"
    PREFIX.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".claude-code-{CLIENT_VERSION}-", dir=PREFIX.parent))
    try:
        done = subprocess.run(
            [npm, "install", "--prefix", str(staging), "--no-audit", "--no-fund",
             "--no-update-notifier", "--cache", str(staging / ".npm-cache"),
             f"{PACKAGE}@{CLIENT_VERSION}"],
            capture_output=True, text=True, timeout=900, check=False, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
            return None, (f"npm could not install {PACKAGE}@{CLIENT_VERSION} "
                          f"(is the npm registry reachable?): {last}")
        shutil.rmtree(staging / ".npm-cache", ignore_errors=True)
        binary = staging / "node_modules" / ".bin" / "claude"
        if not runs(str(binary)):
            return None, f"{PACKAGE}@{CLIENT_VERSION} installed but `claude --version` fails"
        try:
            staging.rename(PREFIX)
        except OSError:  # another run got there first
            pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return (str(LOCAL_BIN), "") if runs(str(LOCAL_BIN)) else (None, f"{LOCAL_BIN} does not run")


def client() -> tuple[str | None, str]:
    """The client to test with, installing the pinned one when none is found."""
    found = find_client()
    return (found, "") if found else install_client()


def client_or_skip() -> str:
    """The client's path, or skip the calling test saying why it cannot be had."""
    import pytest

    found, why = client()
    if found is None:
        pytest.skip(why)
    return found


if __name__ == "__main__":
    path, reason = client()
    if path is None:
        print(f"no Claude Code client: {reason}", file=sys.stderr)
        sys.exit(1)
    print(f"Claude Code client: {path} ({runs(path)})")
