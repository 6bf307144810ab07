"""``statusline doctor``: check the setup end to end and say how to fix what is wrong.

Each check returns a ``Check`` (name, status, detail, fix hint); nothing here prints. A
``fail`` makes the command exit 1; a ``warn`` is worth knowing but does not break the line.
The checks live by area: ``setup_checks`` (what Claude Code runs), ``store_checks`` (the
state directory, lock, store, readings and log), ``call_checks`` (config, render,
imports) and ``shared_checks`` (a store on Redis, dev containers). To add one, write a
function returning a ``Check`` in its area's module and list it in ``run_checks``.
"""

from __future__ import annotations

from collections.abc import Mapping

from statusline.claude import settings as claude_settings
from statusline.doctor import shared_checks
from statusline.doctor.base import FAIL, OK, WARN, Check, counts, summary
from statusline.doctor.call_checks import (
    EXAMPLE,
    check_config,
    check_hot_path_imports,
    check_render,
)
from statusline.doctor.setup_checks import (
    check_chain,
    check_hooks,
    check_package,
    check_settings,
    command_interpreter,
    configured_command,
)
from statusline.doctor.store_checks import (
    check_lock,
    check_log,
    check_rate_limits,
    check_state_dir,
    check_store,
)

__all__ = [
    "EXAMPLE", "FAIL", "OK", "WARN", "Check", "check_chain", "check_config", "check_hooks",
    "check_hot_path_imports",
    "check_lock", "check_log", "check_package", "check_rate_limits", "check_render",
    "check_settings", "check_state_dir", "check_store", "command_interpreter", "counts",
    "run_checks", "summary",
]


def run_checks(env: Mapping[str, str], cwd: str, command: str | None = None,
               verbose: bool = False) -> list[Check]:
    """Run every check; ``command`` is this installation's command (found when None).

    ``verbose`` adds figures for the curious (lock wait, module counts, schema)."""
    from statusline import paths
    from statusline.account import open_account

    command = command or claude_settings.installed_command()
    # The checks that run the command run the one Claude Code runs, when it is ours.
    runs = configured_command(env, cwd) or command
    state_dir = paths.state_dir(env)
    choice = open_account(env, logging=False)
    store_path = choice.path
    return [
        check_settings(env, cwd, command),
        check_hooks(env, cwd, command),
        check_package(runs, env),
        check_state_dir(state_dir),
        check_lock(store_path, verbose=verbose),
        check_store(store_path, verbose=verbose),
        check_config(env),
        check_render(runs, env),
        check_chain(env, cwd, EXAMPLE.read_bytes()),
        check_hot_path_imports(env, runs, verbose=verbose),
        check_rate_limits(store_path),
        check_log(state_dir),
        *shared_checks.checks(env, store_path, choice.name),
    ]
