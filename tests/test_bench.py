"""bench/run.py measures what a user without uv gets: its build step through install.sh.

The build is the tree's own ``install.sh --method venv --prefix`` with a throwaway HOME and a
PATH without uv or pipx (~15 s: pip installs the dependencies). Nothing here is timed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
BASE_PYTHON = os.path.realpath(getattr(sys, "_base_executable", sys.executable))


@pytest.fixture(scope="module")
def run_py() -> Iterator[ModuleType]:
    """bench/run.py as a module (it imports its neighbours by plain name)."""
    sys.path.insert(0, str(BENCH))
    try:
        import run

        yield run
    finally:
        sys.path.remove(str(BENCH))
        for name in ("run", "callgrind", "redis_cases"):
            sys.modules.pop(name, None)


def test_the_build_is_install_sh_with_a_lean_launcher_and_bundles(
        run_py: ModuleType, tmp_path: Path) -> None:
    """The measured command is the one settings.json names, pip's script made lean, the
    bundles written, no uv or pipx used; it prints a line and the hook says nothing."""
    work = tmp_path / "bench"
    work.mkdir()
    bench = run_py.Bench(str(work), BASE_PYTHON)
    try:
        bench.build()
    except SystemExit as failed:  # offline: pip could not fetch the dependencies
        if "Could not find a version" in str(failed) or "Network" in str(failed):
            pytest.skip(f"install.sh could not install the dependencies: {failed}")
        raise
    install = bench.install
    assert install["launcher"] == "lean"
    assert all(size for size in install["bundles"].values()), install["bundles"]
    assert not install["uv_or_pipx_on_path"]
    assert "/uv" not in install["path"] and "pipx" not in install["path"]
    assert install["setuptools_removed"] or not install["setuptools_in_venv"]
    settings = json.loads((work / "home" / ".claude" / "settings.json").read_text())
    assert bench.command == [settings["statusLine"]["command"]]
    assert os.path.realpath(bench.script) == str(work / "venv" / "bin" / "statusline")
    assert bench.hook_command == [bench.script, "hook"]
    assert bench.pip_script is not None
    assert "\nimport re\n" in Path(bench.pip_script).read_text()
    assert Path(bench.pip_script).read_text().startswith(f"#!{bench.python}\n")

    bench.make_stores()
    assert bench.check_hook() is None  # the hook announces on a store past a level
    directory, _, _ = bench.state_dir("probe", "empty")
    with open(bench.payload, "rb") as stdin:
        line = subprocess.run(bench.command, stdin=stdin, capture_output=True,
                              env=bench.env(directory), timeout=30, check=True).stdout
    assert line.strip() and not line.startswith(b"statusline:")
    with open(bench.hook_payload, "rb") as stdin:
        said = subprocess.run(bench.hook_command, stdin=stdin, capture_output=True,
                              env=bench.env(directory), timeout=30, check=True).stdout
    assert said == b""


def test_every_target_of_issue_19_gets_a_verdict(run_py: ModuleType) -> None:
    """The ratio targets, the 16 sessions' CPU against the bare interpreter's, and the idle
    sessions' share of a core: each with its limit, its figure and met or not."""
    rows = {key: {"ratio_wall": limit + (0.1 if key == "write" else -0.1)}
            for key, limit in run_py.TARGETS.items()}
    scale = [{"key": "scale_floor", "cpu_ratio_to_floor": 1.0},
             {"key": "scale", "cpu_ratio_to_floor": 1.7}]
    idle = [{"sessions": 4, "cpu_pct_of_one_core": 0.5},
            {"sessions": 16, "cpu_pct_of_one_core": 1.9}]
    targets = run_py.verdicts(rows, scale, idle, run_py.IDLE_INTERVAL_S)
    assert run_py.TARGETS == {"common": 1.5, "write": 2.0, "hook": 1.5, "common_redis": 1.8,
                              "write_redis": 2.4, "inspect_json": 6.0}
    assert {k: t["met"] for k, t in targets.items()} == {
        "common": True, "write": False, "hook": True, "common_redis": True,
        "write_redis": True, "inspect_json": True, "scale": False, "idle": True}
    assert targets["scale"]["max"] == 1.6 and targets["idle"]["max"] == 2.0
    # Idle ticks at another interval than the default are not the issue's figure.
    assert "idle" not in run_py.verdicts(rows, scale, idle, 5.0)
