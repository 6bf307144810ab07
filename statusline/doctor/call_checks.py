"""Doctor checks of the status-line call itself: the config it reads, a render of a bundled
example within the budget, and the modules it imports."""

from __future__ import annotations

import os
import shlex
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from statusline import config as config_module
from statusline import paths
from statusline.doctor.base import FAIL, OK, WARN, Check
from statusline.doctor.scratch import scratch_env
from statusline.doctor.setup_checks import command_interpreter
from statusline.payload import parse, preview_clock

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "oauth-003.json"
RENDER_RUNS = 3


def check_config(env: Mapping[str, str]) -> Check:
    """The config file, if any, parses without warnings (a warning never breaks the line)."""
    from statusline.line.segments import SEGMENTS

    name = "config"
    path = paths.config_file(env)
    if not config_module.exists(path):
        return Check(name, OK, f"no config file ({path}): the defaults apply")
    _, warnings = config_module.load(path, tuple(SEGMENTS))
    if warnings:
        return Check(name, WARN, f"{path}: " + "; ".join(warnings),
                     "fix the file (`statusline config show` shows what applies; the rest are "
                     "defaults)")
    return Check(name, OK, f"{path} parses")


def _command_words(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:
        return [sys.executable, "-m", "statusline"]


def check_render(command: str, env: Mapping[str, str], runs: int = RENDER_RUNS) -> Check:
    """A bundled example payload renders one line, exit 0, within the call's budget."""
    import subprocess

    from statusline.call import BUDGET_S

    name = "render"
    payload = EXAMPLE.read_bytes()
    times = []
    # A scratch state directory, no config file, no store URL: the example must never
    # reach the user's store, local or shared.
    with scratch_env(env) as (scratch, run_env):
        run_env["COLUMNS"] = "200"
        run_env["NO_COLOR"] = "1"
        # The example's own moment, so its windows are running whatever today's date.
        moment = preview_clock(parse(payload))
        if moment is not None:
            run_env["STATUSLINE_NOW"] = repr(moment)
        for _ in range(runs):
            started = time.perf_counter()
            try:
                done = subprocess.run(_command_words(command), input=payload, capture_output=True,
                                      env=run_env, cwd=scratch, timeout=10, check=False)
            except (OSError, subprocess.TimeoutExpired) as error:
                return Check(name, FAIL, f"cannot run {command}: {error}",
                             "reinstall: ./install.sh")
            times.append(time.perf_counter() - started)
            lines = done.stdout.decode("utf-8", "replace").splitlines()
            if done.returncode != 0 or len(lines) != 1 or done.stderr:
                return Check(
                    name, FAIL,
                    f"{command} gave exit {done.returncode}, {len(lines)} lines, "
                    f"stderr {done.stderr[:200]!r}",
                    "see the log (statusline doctor shows its path) and report a bug",
                )
    median = sorted(times)[len(times) // 2]
    from statusline.sanitize import clean

    detail = (f"the command draws a line for a bundled example in {median * 1000:.0f} ms "
              f"(it must take under {BUDGET_S * 1000:.0f} ms)")
    notes = [f"example line, not your data: {clean(lines[0], 300)}"]
    if median > BUDGET_S:
        return Check(name, FAIL, detail,
                     "the machine is slow or overloaded; make sure the package is installed "
                     "with compiled .pyc files (./install.sh does this)", notes)
    return Check(name, OK, detail, None, notes)


def check_hot_path_imports(env: Mapping[str, str], command: str | None = None,
                           verbose: bool = False) -> Check:
    """The status-line call does not import click (it is for the commands only); run as
    ``command`` runs it (its own interpreter and script) when that can be told."""
    import subprocess

    name = "imports"
    interpreter = None if command is None else command_interpreter(command)
    words = _command_words(command) if command is not None else []
    if interpreter is not None and words and os.path.realpath(words[0]) != interpreter:
        argv = [interpreter, "-X", "importtime", words[0]]
    else:
        argv = [sys.executable, "-X", "importtime", "-m", "statusline"]
    with scratch_env(env) as (scratch, run_env):
        run_env.pop("PYTHONPROFILEIMPORTTIME", None)
        try:
            # A neutral working directory: from a checkout, `-m statusline` would otherwise
            # import the checkout's package instead of the installed one.
            done = subprocess.run(argv, input=EXAMPLE.read_bytes(), capture_output=True,
                                  env=run_env, cwd=scratch, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            return Check(name, FAIL, f"cannot run {argv[0]}: {error}", None)
    imported = []
    for row in done.stderr.decode("utf-8", "replace").splitlines():
        if row.startswith("import time:") and "|" in row:
            imported.append(row.rsplit("|", 1)[1].strip())
    if not imported:
        return Check(name, WARN, "could not read the import trace", None)
    heavy = sorted({m for m in imported if m.split(".")[0] == "click"})
    if heavy:
        return Check(name, FAIL, f"the status-line call imports {', '.join(heavy[:3])}",
                     "report a bug: only `statusline <command>` may import click")
    detail = "the status-line call stays lean (it does not load the commands' libraries)"
    if verbose:
        detail += f": {len(imported)} modules imported, no click"
    return Check(name, OK, detail)
