"""Doctor checks of the wiring: the statusLine Claude Code runs, and the copy of the package
that command runs."""

from __future__ import annotations

import os
import shlex
import tempfile
from collections.abc import Mapping

from statusline.claude import settings as claude_settings
from statusline.claude.settings import hooks as claude_hooks
from statusline.doctor.base import FAIL, OK, WARN, Check
from statusline.errors import StatuslineError

# Printed by the installed interpreter: where its statusline package is, and its version.
_PROBE = (
    "import os, statusline\n"
    "print(os.path.dirname(os.path.realpath(statusline.__file__)))\n"
    "try:\n"
    "    from importlib.metadata import version\n"
    "    print(version('statusline'))\n"
    "except Exception:\n"
    "    print('?')\n"
)


def check_settings(env: Mapping[str, str], cwd: str, command: str) -> Check:
    """The statusLine Claude Code will use runs this installation, it is executable, and it
    has a refreshInterval (without one an idle session's line falls behind the pool)."""
    name = "settings"
    hint = "run `statusline install`"
    try:
        user_path = claude_settings.settings_path("user", env, cwd)
        claude_settings.read(user_path)
    except StatuslineError as error:
        return Check(name, FAIL, error.message, error.hint)
    entries = claude_settings.effective_entries(env, cwd)
    if not entries:
        return Check(name, FAIL, f"no statusLine in {user_path} (nor in this project)", hint)
    scope, path, entry = entries[0]
    if not claude_settings.is_ours(entry):
        return Check(
            name, FAIL,
            f"{path} ({scope}) has a statusLine that is not statusline: "
            f"{claude_settings.describe(entry)}",
            "run `statusline install --force` to replace it (uninstall puts it back)",
        )
    assert isinstance(entry, dict)
    configured = str(entry["command"])
    program = claude_settings.command_program(configured) or configured
    if not (os.path.isfile(program) and os.access(program, os.X_OK)):
        return Check(name, FAIL, f"{path} runs {configured}, which is not an executable file",
                     hint)
    wanted = claude_settings.command_program(command) or command
    if os.path.realpath(program) != os.path.realpath(wanted):
        return Check(
            name, FAIL,
            f"{path} runs {configured}, another installation than this one ({command})",
            "run `statusline install` from the installation you want Claude Code to use",
        )
    interval = claude_settings.refresh_interval_of(entry)
    if interval is None:
        default = claude_settings.DEFAULT_REFRESH_INTERVAL_S
        return Check(
            name, WARN,
            f"{path} ({scope}) runs {configured}, but has no refreshInterval: an idle "
            "session's line is redrawn only after its own replies, so it can show an old "
            "pooled figure",
            f"run `statusline install` (it adds \"refreshInterval\": {default}), or add "
            f"\"refreshInterval\": {default} to the statusLine entry in {path}",
        )
    return Check(name, OK, f"{path} ({scope}) runs {configured}, every {interval:g} s when idle")


def check_hooks(env: Mapping[str, str], cwd: str, command: str) -> Check:
    """Claude Code runs this installation's ``statusline hook`` at each of our hook events.

    Missing hooks are a warning, not a failure: the line works without them (and
    ``install --no-hooks`` leaves them out on purpose).
    """
    name = "hooks"
    found: dict[str, list[str]] = {}
    for scope in ("local", "project", "user"):
        try:
            document = claude_settings.read(claude_settings.settings_path(scope, env, cwd)).document
        except StatuslineError:
            continue
        if document.get("disableAllHooks") is True:
            return Check(name, WARN, f"disableAllHooks is true in the {scope} settings: "
                         "no hook (nor the status line) runs", "remove disableAllHooks")
        for event, commands in claude_hooks.our_commands(document).items():
            found.setdefault(event, []).extend(commands)
    missing = [event for event in claude_hooks.EVENTS if event not in found]
    if missing:
        return Check(name, WARN, f"no `statusline hook` at {', '.join(missing)}: no warning "
                     "before the pooled limit", "run `statusline install` (it adds them)")
    wanted = claude_settings.command_program(command) or command
    for event, commands in found.items():
        for configured in commands:
            program = claude_settings.command_program(configured) or configured
            if os.path.realpath(program) != os.path.realpath(wanted):
                return Check(name, WARN, f"the {event} hook runs {configured}, another "
                             f"installation than this one ({command})",
                             "run `statusline install` from the installation you use")
    return Check(name, OK, f"{' and '.join(claude_hooks.EVENTS)} run `statusline hook`")


def command_interpreter(command: str) -> str | None:
    """The Python that ``command`` runs: its first word when that is a Python, else the
    interpreter named on the program's ``#!`` line (or in pip's ``exec`` trampoline)."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if not words:
        return None
    program = os.path.realpath(words[0])
    if os.path.basename(program).startswith("python"):
        return program
    try:
        with open(program, "rb") as handle:
            head = handle.read(512).decode("utf-8", "replace").splitlines()
    except OSError:
        return None
    candidates = []
    if head and head[0].startswith("#!"):
        candidates.append(head[0][2:].strip().split(" ")[0])
    for row in head[1:3]:  # pip's trampoline for long paths: '''exec' /path/python "$0" ...
        if row.startswith("'''exec' "):
            candidates.append(row.split(" ")[1].strip("'\""))
    for candidate in candidates:
        if os.path.basename(candidate).startswith("python") and os.access(candidate, os.X_OK):
            return candidate
    return None


def _this_package() -> tuple[str, str]:
    import statusline

    directory = os.path.dirname(os.path.realpath(statusline.__file__))
    try:
        from importlib.metadata import version

        return directory, version("statusline")
    except Exception:  # noqa: BLE001 - a source tree without metadata
        return directory, "?"


def installed_package(command: str, env: Mapping[str, str]) -> tuple[str, str] | None:
    """(package directory, version) of the statusline that ``command`` imports, run from a
    neutral directory as Claude Code would; None when that cannot be told."""
    import subprocess

    interpreter = command_interpreter(command)
    if interpreter is None:
        return None
    with tempfile.TemporaryDirectory(prefix="statusline-doctor-") as neutral:
        try:
            done = subprocess.run([interpreter, "-c", _PROBE], capture_output=True, text=True,
                                  env=dict(env), cwd=neutral, timeout=20, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
    lines = done.stdout.splitlines()
    if done.returncode != 0 or len(lines) != 2:
        return None
    return lines[0], lines[1]


def check_package(command: str, env: Mapping[str, str]) -> Check:
    """The package these checks examine is the one Claude Code's command runs."""
    name = "package"
    here, version = _this_package()
    installed = installed_package(command, env)
    if installed is None:
        return Check(name, WARN,
                     f"cannot tell which copy of statusline {command} runs; this doctor is "
                     f"statusline {version} in {here}",
                     "run the doctor of the installed command: `<its path> doctor`")
    there, their_version = installed
    if os.path.realpath(there) != os.path.realpath(here):
        return Check(
            name, WARN,
            f"Claude Code's command runs statusline {their_version} from {there}, but this "
            f"doctor is statusline {version} from {here}: its checks are of another copy",
            f"run {shlex.quote(claude_settings.command_program(command) or command)} doctor",
        )
    return Check(name, OK, f"statusline {version} from {here}, the copy Claude Code runs")


def configured_command(env: Mapping[str, str], cwd: str) -> str | None:
    """The command of the statusLine Claude Code uses here, when it is ours, without the
    variable assignments it may be wrapped in."""
    entries = claude_settings.effective_entries(env, cwd)
    if not entries or not claude_settings.is_ours(entries[0][2]):
        return None
    entry = entries[0][2]
    assert isinstance(entry, dict)
    # The checks run the program itself: a wrapper (NO_COLOR=1 …, the kept status line in
    # STATUSLINE_CHAIN=…) is shell syntax, and the kept command has its own check.
    return claude_settings.unwrapped(str(entry["command"]))


def check_chain(env: Mapping[str, str], cwd: str, payload: bytes) -> Check:
    """The status line ours keeps (``STATUSLINE_CHAIN``), if any, prints: within our budget
    (shown at once), or within its own deadline (shown from the next call on). Run as the
    call runs it, in a process group stopped afterwards, with a scratch state directory:
    a kept command that runs statusline again writes nothing into the user's store."""
    import time

    from statusline.call import CHAIN_BUDGET_S
    from statusline.claude import chain_runner
    from statusline.doctor.scratch import scratch_env

    name = "kept status line"
    entries = claude_settings.effective_entries(env, cwd)
    theirs = claude_settings.chained_command(entries[0][2]) if entries else None
    if theirs is None:
        return Check(name, OK, "none: statusline's line is the only one")
    with scratch_env({**env, "PWD": cwd}) as (_, run_env):
        started = time.monotonic()
        running = chain_runner.spawn(theirs, payload, run_env)
        output = None
        if running is not None:
            output = running.wait(started + chain_runner.RUN_DEADLINE_S)
            running.stop()
        elapsed = time.monotonic() - started
    if output is None:
        return Check(
            name, WARN,
            f"`{theirs}` did not print within {chain_runner.RUN_DEADLINE_S:g} s, or failed: "
            "Claude Code shows its last good rows of the session instead (none until it "
            "succeeds once)",
            "make it faster, or run `statusline install --force` to show only ours "
            "(`statusline uninstall` puts it back)",
        )
    text = output.decode("utf-8", "replace")
    rows = len([row for row in text.split("\n") if row.strip()])
    detail = f"`{theirs}` printed {rows} row(s) in {elapsed * 1000:.0f} ms; ours follows"
    if elapsed > CHAIN_BUDGET_S:
        detail += (f" (slower than the line's {CHAIN_BUDGET_S:g} s: it runs beside the line, "
                   "and each call shows the rows of its last run)")
    return Check(name, OK, detail)
