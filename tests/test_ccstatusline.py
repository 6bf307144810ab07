"""Living inside another status line: the real ccstatusline runs ours as a Custom Command.

ccstatusline (npm) is installed once per machine into a cache under the system temp
directory (its own npm cache too: nothing touches the user's ~/.npm), pinned to a version
whose Custom Command widget we read. Skipped, with the reason, when node/npm are missing or
the npm registry cannot be reached.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, OAUTH_NOW

VERSION = "2.2.30"
CACHE = Path(tempfile.gettempdir()) / f"statusline-tests-ccstatusline-{VERSION}"


@pytest.fixture(scope="module")
def ccstatusline() -> Path:
    """The ccstatusline entry script, installed from npm into CACHE on first use."""
    script = CACHE / "node_modules" / "ccstatusline" / "dist" / "ccstatusline.js"
    if script.is_file():
        return script
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        pytest.skip("node and npm are needed to run ccstatusline (not on PATH)")
    staging = Path(tempfile.mkdtemp(prefix="ccstatusline-install-"))
    try:
        done = subprocess.run(
            [npm, "install", "--prefix", str(staging), "--no-audit", "--no-fund",
             "--cache", str(staging / ".npm-cache"), f"ccstatusline@{VERSION}"],
            capture_output=True, text=True, timeout=300, check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"npm could not install ccstatusline@{VERSION} (registry unreachable?): "
                        f"{done.stderr.strip().splitlines()[-1:]}")
        shutil.rmtree(staging / ".npm-cache", ignore_errors=True)
        try:
            staging.rename(CACHE)
        except OSError:  # another run got there first
            pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    assert script.is_file()
    return script


def run_ccstatusline(script: Path, tmp_path: Path, command: str,
                     preserve_colors: bool) -> str:
    """Pipe a captured payload through ccstatusline configured with one Custom Command
    widget running ``command``; its output."""
    config = tmp_path / "ccstatusline.json"
    widget = {"id": "pool", "type": "custom-command", "commandPath": command,
              "timeout": 5000, "preserveColors": preserve_colors}
    config.write_text(json.dumps({"version": 4, "lines": [[widget]]}))
    env = {**os.environ, "STATUSLINE_NOW": str(OAUTH_NOW), "CCSTATUSLINE_WIDTH": "120"}
    env.pop("NO_COLOR", None)
    done = subprocess.run(
        ["node", str(script), "--config", str(config)],
        input=(EXAMPLES / "oauth-003.json").read_bytes(), capture_output=True,
        env=env, cwd=tmp_path, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    # ccstatusline draws spaces as no-break spaces.
    return done.stdout.decode().replace("\xa0", " ")


def our_command(*words: str) -> str:
    return " ".join([sys.executable, "-m", "statusline", *words])


def test_custom_command_widget_shows_our_pooled_figures(ccstatusline: Path,
                                                        tmp_path: Path) -> None:
    shown = run_ccstatusline(ccstatusline, tmp_path,
                             our_command("--segments", "five_hour,seven_day"), False)
    assert "5h 24%" in shown
    assert "7d 42%" in shown
    assert "Sonnet" not in shown, "only the chosen segments"


@pytest.mark.parametrize("preserve", [True, False])
def test_custom_command_widget_keeps_our_colours_when_asked(ccstatusline: Path, tmp_path: Path,
                                                            preserve: bool) -> None:
    """The env-variable form works too; our model name is cyan unless ccstatusline strips it."""
    command = "STATUSLINE_SEGMENTS=model,five_hour " + our_command()
    shown = run_ccstatusline(ccstatusline, tmp_path, command, preserve)
    assert "Sonnet 5.5" in shown and "5h 24%" in shown
    assert ("\x1b[36mSonnet 5.5" in shown) is preserve


def plain_call_time() -> float:
    """Wall time of a status-line call without a kept line, on this machine now."""
    import time

    from tests.conftest import run_cli

    started = time.monotonic()
    run_cli((EXAMPLES / "oauth-003.json").read_bytes(), env={"STATUSLINE_NOW": str(OAUTH_NOW)})
    return time.monotonic() - started


def within_budget(elapsed: float) -> bool:
    """Under a second, or (on a machine too loaded for that) no more than our budget beyond
    a plain call's time here: their command never holds the call."""
    from statusline.call import BUDGET_S

    return elapsed < 1.0 or elapsed < plain_call_time() + BUDGET_S


def chained_ticks(command: str, ticks: int, spacing: float) -> list[tuple[list[str], float]]:
    """``ticks`` status-line calls chaining ``command``, ``spacing`` seconds apart (Claude
    Code's refresh interval): each call's rows and wall time."""
    import time

    from tests.conftest import run_cli

    env = {"STATUSLINE_NOW": str(OAUTH_NOW), "COLUMNS": "200", "STATUSLINE_CHAIN": command}
    payload = (EXAMPLES / "oauth-003.json").read_bytes()
    first = time.monotonic()
    seen = []
    for tick in range(ticks):
        time.sleep(max(first + tick * spacing - time.monotonic(), 0))
        started = time.monotonic()
        done = run_cli(payload, env=env)
        assert done.returncode == 0 and done.stderr == ""
        rows = done.stdout.replace("\xa0", " ").rstrip("\n").split("\n")  # ccstatusline: nbsp
        seen.append((rows, time.monotonic() - started))
    return seen


def test_ccstatusline_kept_as_their_line_is_on_screen_with_ours(ccstatusline: Path,
                                                                tmp_path: Path) -> None:
    """ccstatusline itself as the kept status line (node takes about our whole budget):
    on screen with ours by the second tick, every call within a second."""
    config = tmp_path / "ccstatusline.json"
    config.write_text(json.dumps({"version": 4, "lines": [[{"id": "m", "type": "model"}]]}))
    ticks = chained_ticks(f"node {ccstatusline} --config {config}", 3, 3.0)
    for rows, elapsed in ticks:
        assert within_budget(elapsed), ticks
        assert "5h 24%" in rows[-1]
    for rows, _ in ticks[1:]:
        assert len(rows) == 2 and "Sonnet 5.5" in rows[0], ticks


def test_npx_ccstatusline_latest_is_on_screen_within_two_ticks(ccstatusline: Path) -> None:
    """The entry most ccstatusline users have, `npx -y ccstatusline@latest`, takes 1-3 s a
    run (npm resolves the version each time; the first run downloads into the test's own
    HOME): it runs beside our calls and is on screen with ours from the second tick on."""
    if shutil.which("npx") is None:
        pytest.skip("npx is not on PATH")
    ticks = chained_ticks("npx -y ccstatusline@latest", 3, 4.0)
    for rows, elapsed in ticks:
        assert within_budget(elapsed), ticks
        assert "5h 24%" in rows[-1]
    for rows, _ in ticks[1:]:
        assert len(rows) == 2 and "Sonnet 5.5" in rows[0], ticks
