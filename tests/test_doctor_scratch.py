"""``statusline doctor`` never writes to a real store, local or shared.

Doctor times the call on a bundled example and runs the kept status line once; a machine
whose store is on Redis (named by the environment or by the config file) must see nothing
change, neither in Redis nor in its state directory, even when the kept status line runs
statusline again. Real redis-server, real entry point.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, OAUTH_NOW, run_cli, with_session
from tests.helpers_redis import RedisServer


def redis_snapshot(server: RedisServer) -> dict[bytes, tuple[bytes, int]]:
    """Every key with its serialized value and its remaining time to live (ms)."""
    client = server.client()
    return {key: (client.dump(key), client.pttl(key)) for key in client.keys("*")}


def local_snapshot(directory: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``directory`` with its digest and modification time."""
    found = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            info = path.stat()
            found[str(path.relative_to(directory))] = (
                hashlib.sha256(path.read_bytes()).hexdigest(), info.st_mtime_ns)
    return found


@pytest.mark.parametrize("named_by", ["environment", "config file"])
def test_doctor_changes_nothing_in_redis_nor_in_the_state_directory(
    named_by: str, claude_dir: Path, tmp_path: Path, redis_server: RedisServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if named_by == "environment":
        monkeypatch.setenv("STATUSLINE_STORE_URL", redis_server.url)
    else:  # the default config file, which doctor used to read for its timing runs
        config = Path(os.environ["XDG_CONFIG_HOME"]) / "statusline" / "config.toml"
        config.parent.mkdir(parents=True)
        config.write_text(f'store_url = "{redis_server.url}"\n')
    # Installed over a kept status line that runs statusline again (a widget of it).
    theirs = tmp_path / "theirs.sh"
    theirs.write_text(f"#!/bin/sh\n{shlex.quote(sys.executable)} -m statusline "
                      "--segments model,five_hour\n")
    theirs.chmod(0o755)
    (claude_dir / "settings.json").write_text(
        json.dumps({"statusLine": {"type": "command", "command": str(theirs)}}))
    assert run_cli(None, "install").returncode == 0
    # A machine in use: one session's reading in Redis and in the local copy.
    reading = with_session(json.loads((EXAMPLES / "oauth-003.json").read_text()),
                           "real-session", five_hour=61.0)
    done = run_cli(reading, env={"STATUSLINE_NOW": str(OAUTH_NOW)})
    assert done.returncode == 0 and "5h 61%" in done.stdout
    state_dir = Path(os.environ["STATUSLINE_STATE_DIR"])
    redis_before, local_before = redis_snapshot(redis_server), local_snapshot(state_dir)
    assert redis_before, "the reading is in Redis"
    assert local_before, "and the machine keeps its files"

    doctor = subprocess.run([sys.executable, "-m", "statusline", "doctor"], capture_output=True,
                            text=True, env=dict(os.environ), timeout=180, check=False)

    assert "Traceback" not in doctor.stderr
    assert "example line" in doctor.stdout, doctor.stdout  # the example was rendered
    assert "printed 1 row(s)" in doctor.stdout, doctor.stdout  # and theirs was run
    redis_after = redis_snapshot(redis_server)
    assert redis_after.keys() == redis_before.keys()
    for key, (value, ttl) in redis_after.items():
        assert value == redis_before[key][0], f"{key!r} was rewritten"
        assert ttl <= redis_before[key][1], f"{key!r} was written again (its TTL grew)"
    assert local_snapshot(state_dir) == local_before
