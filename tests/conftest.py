"""Shared fixtures: every test runs against a throwaway HOME and state directory.

``isolated_env`` is autouse: no test can read or write the real ``~/.claude`` or
``~/.local/state``. ``run_cli`` runs the real entry point in a subprocess, as Claude Code does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests check what a function promises, not how fast it is: hypothesis's default
# 200 ms deadline per example turned a loaded machine's scheduling into a failure
# (test_notice's garbage claims, once, under four parallel replays). Speed is measured by
# bench/run.py, never by a timed test.
settings.register_profile("statusline", deadline=None)
settings.load_profile("statusline")

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tests.helpers_redis import RedisServer

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "payloads"
# Epoch of the captured oauth-003 payload's run: 5h resets in ~1h15, 7d in ~3d10h.
OAUTH_NOW = 1795519800.0
# STATUSLINE_TEST_NO_FCNTL=1 with tests/windows_like on PYTHONPATH: no fcntl and no
# os.posix_spawn in this process and the ones it starts, as on Windows (.ci/run's second
# pass over the store, lock and chain tests). WINDOWS_LIKE_RUN says whether this run is one.
WINDOWS_LIKE = "STATUSLINE_TEST_NO_FCNTL"
WINDOWS_LIKE_RUN = os.environ.get(WINDOWS_LIKE) == "1"


def pytest_configure(config: pytest.Config) -> None:
    """A Windows-like run must really have lost fcntl (else it would pass for nothing)."""
    if WINDOWS_LIKE_RUN:
        try:
            import fcntl  # noqa: F401
        except ImportError:
            blocked = True
        else:
            blocked = False
        if not blocked or hasattr(os, "posix_spawn"):
            raise pytest.UsageError(f"{WINDOWS_LIKE}=1 needs PYTHONPATH=tests/windows_like")


def _real_user_files() -> dict[str, str]:
    """Digest of every file in the real user's statusline state directory and Claude Code
    settings: the passwd home's, whatever HOME says (a test that empties HOME falls back
    to it)."""
    import hashlib
    import pwd

    homes = {pwd.getpwuid(os.getuid()).pw_dir, os.environ.get("HOME", "")} - {""}
    places = []
    for home in homes:
        places += [os.path.join(home, ".local", "state", "statusline"),
                   os.path.join(home, ".config", "statusline"),
                   os.path.join(home, ".claude", "settings.json")]
    found: dict[str, str] = {}
    for place in places:
        names = ([os.path.join(place, n) for n in sorted(os.listdir(place))]
                 if os.path.isdir(place) else [place])
        for name in names:
            try:
                with open(name, "rb") as handle:
                    found[name] = hashlib.sha256(handle.read()).hexdigest()
            except OSError:
                continue
    return found


@pytest.fixture(scope="session", autouse=True)
def compiled_package() -> None:
    """Compile the package's ``.pyc`` files once, as ``install.sh`` does for a real install.

    On a fresh clone the first status-line call would otherwise compile some fifty modules
    inside its 0.8 s budget, and on a slow machine its watchdog would print the fallback.
    """
    import compileall

    compileall.compile_dir(str(REPO / "statusline"), quiet=1)


@pytest.fixture(scope="session", autouse=True)
def real_user_store_untouched() -> Iterator[None]:
    """Fail the run if any test changed the real user's store, config or Claude settings."""
    before = _real_user_files()
    yield
    after = _real_user_files()
    changed = sorted(n for n in before.keys() | after.keys() if before.get(n) != after.get(n))
    assert not changed, f"a test touched the real user's files: {changed}"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point HOME, XDG dirs and the store at ``tmp_path``; clear our variables.

    The XDG variables are set (to HOME's defaults) rather than cleared, so a test that
    empties HOME still lands in ``tmp_path`` and never in the passwd entry's home.
    """
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in list(os.environ):
        if name == WINDOWS_LIKE:
            continue  # the run's mode (below), for the subprocesses too
        if name.startswith(("STATUSLINE_", "CLAUDE_", "XDG_")) or name in ("NO_COLOR", "COLUMNS"):
            monkeypatch.delenv(name, raising=False)
    for name, default in (("XDG_STATE_HOME", ".local/state"), ("XDG_CONFIG_HOME", ".config"),
                          ("XDG_DATA_HOME", ".local/share"), ("XDG_CACHE_HOME", ".cache")):
        monkeypatch.setenv(name, str(home / default))
    monkeypatch.setenv("STATUSLINE_STATE_DIR", str(tmp_path / "state"))
    yield tmp_path


@pytest.fixture
def claude_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throwaway Claude Code profile directory (CLAUDE_CONFIG_DIR)."""
    directory = tmp_path / "claude-profile"
    directory.mkdir()
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(directory))
    return directory


@pytest.fixture
def nobody_dir() -> Iterator[Path]:
    """A directory in /tmp that uid 65534 can enter (pytest's tmp_path is private to root)."""
    from tests.helpers_reliability import nobody_can_run_python

    if not nobody_can_run_python():
        pytest.skip("needs root and setpriv to run a call as the unprivileged user 65534")
    base = Path(tempfile.mkdtemp(prefix="rel-nobody-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def example(name: str) -> dict[str, object]:
    """A captured payload from examples/payloads, as a dict."""
    loaded: dict[str, object] = json.loads((EXAMPLES / f"{name}.json").read_text())
    return loaded


def with_session(doc: dict[str, object], session_id: str, **rate: float) -> dict[str, object]:
    """A copy of ``doc`` under another session id, with 5h/7d percentages replaced."""
    copy = json.loads(json.dumps(doc))
    copy["session_id"] = session_id
    limits = copy.get("rate_limits")
    if isinstance(limits, dict):
        for window, pct in rate.items():
            limits[window]["used_percentage"] = pct
    return copy


def run_cli(
    stdin: bytes | str | dict[str, object] | None,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 30,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m statusline ARGS`` with ``stdin``, inheriting the isolated environment."""
    if isinstance(stdin, dict):
        data: bytes | None = json.dumps(stdin).encode()
    elif isinstance(stdin, str):
        data = stdin.encode()
    else:
        data = stdin
    full_env = dict(os.environ)
    full_env.update(env or {})
    completed = subprocess.run(
        [sys.executable, "-m", "statusline", *args],
        input=data if data is not None else b"",
        capture_output=True,
        env=full_env,
        timeout=timeout,
        check=False,
    )
    return subprocess.CompletedProcess(
        completed.args,
        completed.returncode,
        completed.stdout.decode("utf-8", "replace"),
        completed.stderr.decode("utf-8", "replace"),
    )


@pytest.fixture(scope="session")
def redis_binary() -> str:
    """The redis-server binary (.ci/run installs the Debian package); skip when there is none."""
    from tests.helpers_redis import find_server

    binary = find_server()
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    return binary


@pytest.fixture
def redis_server(redis_binary: str, tmp_path: Path) -> Iterator[RedisServer]:
    """A fresh redis-server on a free loopback port, data in tmp_path; stopped afterwards."""
    from tests.helpers_redis import RedisServer

    server = RedisServer(redis_binary, tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()
