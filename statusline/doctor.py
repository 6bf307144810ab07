"""``statusline doctor``: check the setup end to end and say how to fix what is wrong.

Each check returns a ``Check`` (name, status, detail, fix hint); nothing here prints. A
``fail`` makes the command exit 1; a ``warn`` is worth knowing but does not break the line.
"""

from __future__ import annotations

import os
import shlex
import stat
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from statusline import config as config_module
from statusline import paths
from statusline.claude import settings as claude_settings
from statusline.errors import StatuslineError
from statusline.payload import parse, preview_clock
from statusline.store import backend as store_backend
from statusline.store import local as store

OK, WARN, FAIL = "ok", "warn", "fail"
EXAMPLE = Path(__file__).parent / "examples" / "oauth-003.json"
RENDER_RUNS = 3


class Check:
    """One finding: ``status`` is ok, warn or fail; ``hint`` says how to fix a problem."""

    __slots__ = ("detail", "hint", "name", "status")

    def __init__(self, name: str, status: str, detail: str, hint: str | None = None) -> None:
        self.name = name
        self.status = status
        self.detail = detail
        self.hint = hint

    @property
    def ok(self) -> bool:
        """False only for a failed check."""
        return self.status != FAIL

    def to_json(self) -> dict[str, object]:
        """The check as a JSON object (``doctor --json``)."""
        return {
            "name": self.name,
            "ok": self.ok,
            "status": self.status,
            "detail": self.detail,
            "hint": self.hint,
        }


def run_checks(env: Mapping[str, str], cwd: str, command: str | None = None) -> list[Check]:
    """Run every check; ``command`` is this installation's command (found when None)."""
    command = command or claude_settings.installed_command()
    state_dir = paths.state_dir(env)
    store_path = store_backend.choose(env).path
    checks = [
        check_settings(env, cwd, command),
        check_state_dir(state_dir),
        check_lock(store_path),
        check_store(store_path),
        check_config(env),
        check_render(command, env),
        check_hot_path_imports(env),
        check_rate_limits(store_path),
        check_log(state_dir),
    ]
    return checks


def check_settings(env: Mapping[str, str], cwd: str, command: str) -> Check:
    """The statusLine Claude Code will use runs this installation, and it is executable."""
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
    return Check(name, OK, f"{path} ({scope}) runs {configured}")


def check_state_dir(state_dir: str | None) -> Check:
    """The state directory is ours, private (0700) and writable."""
    name = "state directory"
    if state_dir is None:
        return Check(name, FAIL, "no state directory (HOME is not set)",
                     "set HOME, or STATUSLINE_STATE_DIR to a private directory")
    try:
        info = os.lstat(state_dir)
    except FileNotFoundError:
        return Check(name, OK, f"{state_dir} does not exist yet (the first call creates it)")
    except OSError as error:
        return Check(name, FAIL, f"{state_dir}: {error.strerror}", "check its permissions")
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        return Check(name, FAIL, f"{state_dir} is not a directory (or is a symlink)",
                     f"move it aside: mv {shlex.quote(state_dir)} {shlex.quote(state_dir)}.old")
    if info.st_uid != os.geteuid():
        return Check(name, FAIL, f"{state_dir} belongs to another user",
                     "set STATUSLINE_STATE_DIR to a directory of your own")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        return Check(name, FAIL, f"{state_dir} is mode {mode:04o}, readable by others",
                     f"chmod 700 {shlex.quote(state_dir)}")
    try:
        with tempfile.NamedTemporaryFile(dir=state_dir, prefix=".doctor-"):
            pass
    except OSError as error:
        return Check(name, FAIL, f"cannot write in {state_dir}: {error.strerror}",
                     f"chmod 700 {shlex.quote(state_dir)}")
    return Check(name, OK, f"{state_dir} (0700, writable)")


def check_lock(store_path: str | None, timeout: float = 1.0) -> Check:
    """The store's sidecar lock can be taken."""
    name = "lock"
    if store_path is None or not os.path.isdir(os.path.dirname(store_path)):
        return Check(name, OK, "no store yet, so nothing to lock")
    lock_path = paths.lock_file(store_path)
    from filelock import FileLock, Timeout

    started = time.monotonic()
    try:
        with FileLock(lock_path, timeout=timeout, mode=0o600):
            waited = time.monotonic() - started
    except Timeout:
        return Check(name, FAIL, f"{lock_path} is held by another process for over {timeout:g}s",
                     "a stuck process holds it: find it with `fuser " + lock_path + "`")
    except OSError as error:
        return Check(name, FAIL, f"cannot take {lock_path}: {error.strerror}",
                     "check the state directory's permissions")
    return Check(name, OK, f"{lock_path} taken in {waited * 1000:.0f} ms")


def check_store(store_path: str | None) -> Check:
    """The store file parses (or does not exist yet)."""
    name = "store"
    if store_path is None:
        return Check(name, FAIL, "no store path (HOME is not set)", "set HOME")
    result = store.read(store_path)
    if result.status == store.MISSING:
        return Check(name, OK, f"{store_path} does not exist yet (the first call creates it)")
    if result.status == store.OK:
        state = result.state
        return Check(name, OK, f"{store_path}: {len(state.sessions)} sessions, "
                     f"schema {state.schema_version}")
    hints = {
        store.CORRUPT: "nothing to do: the next call moves it aside and starts afresh",
        store.NEWER: "a newer statusline wrote it: upgrade this one",
        store.FOREIGN: "set STATUSLINE_STATE_DIR to a directory of your own",
    }
    return Check(name, FAIL, f"{store_path}: {result.status}: {result.detail}",
                 hints.get(result.status, "check the file's permissions"))


def check_config(env: Mapping[str, str]) -> Check:
    """The config file, if any, parses without warnings."""
    from statusline.segments import SEGMENTS

    name = "config"
    path = paths.config_file(env)
    if not config_module.exists(path):
        return Check(name, OK, f"no config file ({path}): the defaults apply")
    _, warnings = config_module.load(path, tuple(SEGMENTS))
    if warnings:
        return Check(name, FAIL, f"{path}: " + "; ".join(warnings),
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

    from statusline.hotpath import BUDGET_S

    name = "render"
    payload = EXAMPLE.read_bytes()
    times = []
    with tempfile.TemporaryDirectory(prefix="statusline-doctor-") as scratch:
        run_env = dict(env)
        run_env["STATUSLINE_STATE_DIR"] = os.path.join(scratch, "state")
        run_env.pop("STATUSLINE_CONFIG", None)
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
                                      env=run_env, timeout=10, check=False)
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
    detail = f"{lines[0]!r} in {median * 1000:.0f} ms (budget {BUDGET_S * 1000:.0f} ms)"
    if median > BUDGET_S:
        return Check(name, FAIL, detail,
                     "the machine is slow or overloaded; make sure the package is installed "
                     "with compiled .pyc files (./install.sh does this)")
    return Check(name, OK, detail)


def check_hot_path_imports(env: Mapping[str, str]) -> Check:
    """The status-line call does not import click (it is for the commands only)."""
    import subprocess

    name = "hot path imports"
    with tempfile.TemporaryDirectory(prefix="statusline-doctor-") as scratch:
        run_env = dict(env)
        run_env["STATUSLINE_STATE_DIR"] = os.path.join(scratch, "state")
        run_env.pop("PYTHONPROFILEIMPORTTIME", None)
        try:
            done = subprocess.run(
                [sys.executable, "-X", "importtime", "-m", "statusline"],
                input=EXAMPLE.read_bytes(), capture_output=True, env=run_env, timeout=10,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return Check(name, FAIL, f"cannot run {sys.executable}: {error}", None)
    imported = []
    for row in done.stderr.decode("utf-8", "replace").splitlines():
        if row.startswith("import time:") and "|" in row:
            imported.append(row.rsplit("|", 1)[1].strip())
    if not imported:
        return Check(name, WARN, "could not read the import trace", None)
    # filelock brings logging along on the calls that write; click is for people only.
    heavy = sorted({m for m in imported if m.split(".")[0] == "click"})
    if heavy:
        return Check(name, FAIL, f"the status-line call imports {', '.join(heavy[:3])}",
                     "report a bug: only `statusline <command>` may import click")
    return Check(name, OK, f"{len(imported)} modules, no click")


def check_rate_limits(store_path: str | None) -> Check:
    """Whether any session has ever reported rate_limits (and what it means when not)."""
    name = "rate limits"
    if store_path is None:
        return Check(name, WARN, "no store", None)
    result = store.read(store_path)
    state = result.state
    seen = any(w is not None for w in state.windows.values()) or any(
        state.archive.values()
    ) or any(s.reading is not None for s in state.sessions.values())
    if seen:
        return Check(name, OK, "seen: the line shows the pooled 5h and 7d usage")
    if not state.sessions:
        return Check(name, WARN, "no status-line call recorded yet",
                     "open Claude Code: the first reply brings the first reading")
    return Check(
        name, WARN,
        f"never seen in {len(state.sessions)} sessions: an API-key account has no rate limits "
        "(the line shows $ and $/h instead), an old Claude Code does not send them, and a "
        "new session has none until its first reply",
        "to see them, log in with a Claude subscription (/login) and update Claude Code",
    )


def check_log(state_dir: str | None) -> Check:
    """Where the diagnostic log is, and its latest warning."""
    name = "log"
    if state_dir is None:
        return Check(name, OK, "no state directory, so no log")
    log_path = paths.log_file(state_dir)
    try:
        with open(log_path, "rb") as handle:
            handle.seek(max(os.fstat(handle.fileno()).st_size - 16384, 0))
            tail = handle.read().decode("utf-8", "replace").splitlines()
    except FileNotFoundError:
        return Check(name, OK, f"{log_path} (empty: nothing logged)")
    except OSError as error:
        return Check(name, WARN, f"cannot read {log_path}: {error.strerror}", None)
    problems = [row for row in tail if " WARNING " in row or " ERROR " in row]
    if not problems:
        return Check(name, OK, f"{log_path} (no warnings)")
    return Check(name, OK, f"{log_path}; latest: {problems[-1][:160]}")
