"""Driving the real Claude Code client with the vendored harness (tests/harness/).

``installed_settings`` runs `statusline install` in the test's throwaway HOME (over whatever
settings.json the test put there first, as a user's would be); ``start``/``finish`` run the
harness with that statusLine entry and its hooks, one client per call (two at once share a
store through ``--env STATUSLINE_STATE_DIR=...``); ``captures`` reads back the rows the
client rendered under its prompt box. Skips only when tmux is missing or the pinned client
cannot be had from the npm registry (tests/helpers_client.py), saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers_client import client_or_skip

HARNESS = Path(__file__).resolve().parent / "harness" / "run_harness.py"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
RUN_TIMEOUT_S = 300


def installed_settings() -> dict[str, object]:
    """settings.json as `statusline install` leaves it in the test's throwaway HOME."""
    command = Path(sys.executable).parent / "statusline"
    argv = [str(command)] if command.exists() else [sys.executable, "-m", "statusline"]
    done = subprocess.run([*argv, "install"], capture_output=True, text=True, check=False,
                          timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout + done.stderr
    settings: dict[str, object] = json.loads(
        (Path(os.environ["HOME"]) / ".claude" / "settings.json").read_text())
    return settings


def isolation() -> list[str]:
    """Run in a loopback-only network namespace when this machine allows one."""
    if shutil.which("unshare") and shutil.which("ip"):
        probe = subprocess.run(["unshare", "-r", "-n", "true"] if os.geteuid() else
                               ["unshare", "-n", "true"], capture_output=True, check=False)
        if probe.returncode == 0:
            return []
    return ["--no-netns"]


def client_and_tmux_or_skip() -> str:
    """The pinned client's path; skip (saying why) without tmux or the client."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not on PATH (.ci/run installs it): the harness drives the "
                    "client's TUI in tmux")
    return client_or_skip()


def harness_argv(claude: str, out: Path, settings: dict[str, object], ratelimit: str,
                 steps: list[str], extra: list[str] | None = None) -> list[str]:
    """The harness's command line: the client with ``settings``' statusLine entry (its keys,
    e.g. refreshInterval, kept) and hooks, the mock sending ``ratelimit`` (a preset name or a
    JSON object of headers), then ``steps``."""
    entry = dict(settings["statusLine"])  # type: ignore[call-overload]
    command = entry.pop("command")
    entry.pop("type")
    argv = [sys.executable, str(HARNESS), "--claude", claude, "--out", str(out),
            "--auth", "oauth-env", "--ratelimit", ratelimit,
            # The harness expands {out} {home} ... in the command: keep ours literal.
            "--statusline-cmd", command.replace("{", "{{").replace("}", "}}"),
            "--statusline-json", json.dumps(entry),
            "--settings-json", json.dumps({"hooks": settings["hooks"]}),
            *isolation(), *(extra or [])]
    for step in steps:
        argv += ["--step", step]
    return argv


def start(argv: list[str], home: Path) -> subprocess.Popen[str]:
    """Start one harness run. The client gets the harness's throwaway HOME (and so, unless
    told otherwise, our store under it); nothing of the test process's environment but a
    PATH and a locale."""
    env = {"PATH": SYSTEM_PATH, "LANG": "C.UTF-8", "HOME": str(home)}
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env, stdin=subprocess.DEVNULL)


def finish(run: subprocess.Popen[str], out: Path) -> dict[str, object]:
    """Wait for a harness run (the client is gone when it returns); its summary."""
    try:
        log, _ = run.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        run.kill()
        log, _ = run.communicate()
        raise AssertionError(f"the harness ran over {RUN_TIMEOUT_S} s: {log[-3000:]}") from None
    assert run.returncode == 0, log[-3000:]
    summary: dict[str, object] = json.loads((out / "summary.json").read_text())
    for capture in summary["captures"]:  # type: ignore[attr-defined]
        print(f"{out.name} {capture['name']}: {capture['bottom_rows']}")
    return summary


def drive(tmp_path: Path, settings: dict[str, object], ratelimit: str, steps: list[str],
          extra: list[str] | None = None, name: str = "run") -> tuple[Path, dict[str, object]]:
    """One harness run to its end; (its output dir, its summary)."""
    claude = client_and_tmux_or_skip()
    out = tmp_path / name
    summary = finish(start(harness_argv(claude, out, settings, ratelimit, steps, extra),
                           tmp_path), out)
    return out, summary


def captures(summary: dict[str, object]) -> list[tuple[str, float, list[str]]]:
    """(name, epoch seconds, rendered rows under the prompt box) of each capture, in order."""
    listed: list[dict[str, object]] = summary["captures"]  # type: ignore[assignment]
    return [(str(c["name"]), float(c["t"]), list(c["bottom_rows"]))  # type: ignore[arg-type,call-overload]
            for c in listed]


def rows(summary: dict[str, object], name: str) -> list[str]:
    """The rows rendered under the prompt box in the capture called ``name``."""
    return next(found for label, _, found in captures(summary) if label == name)


def processes_with(token: str) -> list[str]:
    """``pid: command line`` of every process whose command line or environment holds
    ``token`` (this test's own process excepted)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if token.encode() in cmdline or token.encode() in environ:
            shown = cmdline.replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{entry.name}: {shown}")
    return found


def left_running(token: str, within_s: float) -> list[str]:
    """The processes still holding ``token`` after waiting up to ``within_s`` for them to go."""
    deadline = time.monotonic() + within_s
    while True:
        found = processes_with(token)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)
