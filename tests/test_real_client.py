"""The real Claude Code client runs what `statusline install` writes and shows our row.

The vendored harness (tests/harness/, from shared/harness) starts the pinned client
(tests/helpers_client.py) in tmux against its loopback mock of the Messages API, inside a
network namespace with only loopback when ``unshare -n`` works. The mock sends the
subscription's rate-limit headers; the statusLine entry and the hooks are exactly the ones
`statusline install` wrote into a throwaway HOME. Skipped only when the client cannot be
installed from the npm registry (saying so) or tmux is missing (.ci/run installs both).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers_client import client_or_skip

HARNESS = Path(__file__).resolve().parent / "harness" / "run_harness.py"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def installed_entry() -> dict[str, object]:
    """settings.json as `statusline install` writes it into the test's throwaway HOME."""
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


def drive(tmp_path: Path, ratelimit: str, steps: list[str]) -> tuple[Path, dict[str, object]]:
    """One harness run with our installed entry; (its output dir, its summary)."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not on PATH (.ci/run installs it): the harness drives the "
                    "client's TUI in tmux")
    claude = client_or_skip()
    settings = installed_entry()
    entry = dict(settings["statusLine"])  # type: ignore[call-overload]
    command = entry.pop("command")
    entry.pop("type")
    out = tmp_path / "run"
    argv = [sys.executable, str(HARNESS), "--claude", claude, "--out", str(out),
            "--auth", "oauth-env", "--ratelimit", ratelimit,
            "--statusline-cmd", command.replace("{", "{{").replace("}", "}}"),
            "--statusline-json", json.dumps(entry),
            "--settings-json", json.dumps({"hooks": settings["hooks"]}),
            *isolation()]
    for step in steps:
        argv += ["--step", step]
    # The client gets the harness's throwaway HOME (and so our store under it); nothing of
    # the test process's environment but a PATH and a locale.
    env = {"PATH": SYSTEM_PATH, "LANG": "C.UTF-8", "HOME": str(tmp_path)}
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=300,
                          env=env, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summary: dict[str, object] = json.loads((out / "summary.json").read_text())
    for capture in summary["captures"]:  # type: ignore[attr-defined]
        print(f"{capture['name']}: {capture['bottom_rows']}")
    return out, summary


def rows(summary: dict[str, object], name: str) -> list[str]:
    captures = {c["name"]: c for c in summary["captures"]}  # type: ignore[attr-defined]
    found: list[str] = captures[name]["bottom_rows"]
    return found


def test_the_client_shows_the_pooled_figures_from_its_rate_limit_headers(tmp_path: Path) -> None:
    """Before a reply: model, an empty context, one session. After one: the pooled 5h and 7d
    figures from the mock's headers (23.7 % and 41.49 %, each taken half a step up), with
    their resets, one session, fresh now; the store lives in the client's HOME."""
    out, summary = drive(tmp_path, "normal", ["sleep:2", "capture:startup", "prompt:hello",
                                              "capture:after-reply"])
    startup = next(r for r in rows(summary, "startup") if "session" in r)
    assert "Sonnet" in startup and "ctx –" in startup and "5h" not in startup
    line = next(r for r in rows(summary, "after-reply") if "5h" in r)
    assert re.search(r"ctx \d+% · 5h 24% ✓ resets 1h(59|58) · 7d 42% ✓ resets 3d1[01]h"
                     r" · 1 session · now", line), line
    store = out / "home" / ".local" / "state" / "statusline" / "store.json"
    assert store.is_file()
    assert (store.stat().st_mode & 0o777) == 0o600


def test_the_hooks_announce_a_level_under_the_reply(tmp_path: Path) -> None:
    """Near the limit: the row shows the 5h window running out, and the hooks install added
    say it once in the session (the Stop hook runs before that turn's reading is stored, so
    the next prompt's hook is the one that speaks)."""
    out, summary = drive(tmp_path, "warning", ["prompt:hello", "prompt:again",
                                               "capture:after-two"])
    line = next(r for r in rows(summary, "after-two") if "5h" in r)
    assert re.search(r"5h 9[67]% \+[\d.]+%/h → limit ~\d\d:\d\d \(~\d+m\)", line), line
    assert "7d 100% limit" in line
    screen = next((out / "screens").glob("*after-two.txt")).read_text()
    said = re.findall(r"(\w+) says: Claude 5h usage at (\d+)%", screen)
    assert len(said) == 1, screen
    assert said[0][0] in ("UserPromptSubmit", "Stop") and int(said[0][1]) >= 95
