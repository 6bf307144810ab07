"""The commands that wire statusline into Claude Code: ``install``, ``uninstall``, and the
``hook`` entry Claude Code calls."""

from __future__ import annotations

import os

import click
import orjson

from statusline import paths
from statusline.claude import settings as claude_settings
from statusline.claude.settings import hooks as claude_hooks
from statusline.claude.settings.owner import acting_as_owner
from statusline.cli.base import (
    cli,
    use_color,
)
from statusline.errors import StatuslineError

SCOPE_OPTION = click.option(
    "--scope", type=click.Choice(claude_settings.SCOPES), default="user", show_default=True,
    help="user: $CLAUDE_CONFIG_DIR/settings.json or ~/.claude/settings.json; project: "
         ".claude/settings.json here; local: .claude/settings.local.json here.",
)


def _state_dir() -> str | None:
    return paths.state_dir(os.environ)


def _show_plan(plan: claude_settings.Plan, dry_run: bool) -> None:
    diff = plan.diff()
    if diff:
        for row in diff.splitlines():
            colour = "green" if row.startswith("+") else "red" if row.startswith("-") else None
            click.secho(row, fg=colour if use_color() else None)
    if dry_run and plan.changes:
        click.echo("Dry run: nothing was written.")


@cli.command()
@SCOPE_OPTION
@click.option("--refresh-interval", type=click.IntRange(min=1), metavar="SECONDS",
              help="Re-run the line every SECONDS while idle (Claude Code's refreshInterval), "
                   "so idle terminals keep up with the pool. Default: the entry's own, else "
                   f"{claude_settings.DEFAULT_REFRESH_INTERVAL_S}.")
@click.option("--force", is_flag=True,
              help="Replace a statusLine that runs something else instead of keeping it.")
@click.option("--row", type=click.Choice(["own", "shared"]), default=None,
              help="Where our line goes when another status line is kept: its own last row "
                   "(default) or the end of their last row.")
@click.option("--dry-run", is_flag=True, help="Show the change without writing anything.")
@click.option("--command", "command", metavar="CMD",
              help="The command to write (default: this installation's absolute path).")
@click.option("--no-hooks", is_flag=True,
              help="Do not add the hooks that warn every session before the pool runs dry.")
def install(scope: str, refresh_interval: int | None, force: bool, row: str | None,
            dry_run: bool, command: str | None, no_hooks: bool) -> None:
    """Point Claude Code's statusLine at this statusline, and add its hooks.

    Edits settings.json, keeping every other key: it shows the change (secrets masked),
    backs the file up, and writes it keeping its owner and mode. Running it again changes
    nothing. A status line you already have is kept: ours runs it and prints its rows
    first (--force replaces it instead); uninstall puts it back exactly. The hooks
    (`statusline hook` at UserPromptSubmit and Stop) warn once per account when the pooled
    limit comes close; every other hook stays as it is.

    \b
    Examples:
        statusline install
        statusline install --scope project --refresh-interval 30
        statusline install --row shared
        statusline install --dry-run --no-hooks
    """
    if command is not None and not claude_settings.is_ours({"command": command}):
        raise click.BadParameter("it must run a statusline executable (e.g. /path/to/statusline)",
                                 param_hint="--command")
    command = command or claude_settings.installed_command()
    path = claude_settings.settings_path(scope, os.environ, os.getcwd())
    # Run as root on another user's settings (sudo keeping HOME): act as their owner, so
    # that everything written stays theirs.
    with acting_as_owner(path):
        _install(path, scope, command, refresh_interval, force, row, dry_run, not no_hooks)
    if not dry_run:
        _lean_launcher(command)


def _lean_launcher(command: str) -> None:
    """Swap pip's console script for the lean one when it is ours (``statusline.launcher``)."""
    from statusline import launcher

    program = claude_settings.command_program(command)
    # The site-packages directory this very package was imported from, when the script runs
    # this Python (an editable install is imported from its checkout: no -IS for it).
    import site as site_module

    import statusline

    site = os.path.dirname(os.path.dirname(os.path.abspath(statusline.__file__)))
    installed = site in {os.path.abspath(p) for p in site_module.getsitepackages()}
    here = (installed and program is not None
            and _runs_this_python(os.path.realpath(program)))
    if program is not None and launcher.make_lean(os.path.realpath(program),
                                                  site if here else None):
        click.echo(f"Launcher: {os.path.realpath(program)} no longer imports `re` on every "
                   "call (pip's script, rewritten; the same entry point).")


def _runs_this_python(script: str) -> bool:
    """True when ``script``'s interpreter line names a Python of the environment running
    this command (the same ``bin`` directory: symlinks of a venv's Python all resolve to
    the base interpreter, so they are compared unresolved)."""
    import sys

    try:
        with open(script, "rb") as handle:
            first = handle.readline(4096).decode("utf-8", "replace")
    except OSError:
        return False
    named = first[2:].strip().split(" ")[0] if first.startswith("#!") else ""
    return bool(named) and (os.path.dirname(os.path.abspath(named))
                            == os.path.dirname(os.path.abspath(sys.executable)))


def _install(path: str, scope: str, command: str, refresh_interval: int | None, force: bool,
             row: str | None, dry_run: bool, hooks: bool) -> None:
    try:
        settings = claude_settings.read(path)
    except claude_settings.JsoncError as error:
        entry = claude_settings.desired_entry(None, command, refresh_interval)
        members: dict[str, object] = {claude_settings.KEY: entry}
        if hooks:
            members[claude_hooks.KEY] = claude_hooks.snippet(command)
        snippet = orjson.dumps(members, option=orjson.OPT_INDENT_2).decode()
        raise StatuslineError(
            error.message,
            "add this member to it by hand:\n" + "\n".join(snippet.splitlines()[1:-1]),
        ) from error
    state_dir = _state_dir()
    record = claude_settings.record_for(state_dir, path)
    existing = settings.document.get(claude_settings.KEY)
    plan = claude_settings.plan_install(settings, command, refresh_interval, force, row)
    if hooks:
        plan = claude_hooks.add_to_plan(plan, settings, command)
    click.echo(f"Settings: {path} ({scope} scope)")
    _show_plan(plan, dry_run)
    if not plan.changes:
        click.echo(plan.message[0].upper() + plan.message[1:] + ".")
        return
    if plan.previous is not None and plan.chained is not None:
        click.echo(f"Keeping your status line (`{plan.chained}`): statusline runs it and shows "
                   "its rows, then ours. --force would replace it instead; "
                   "`statusline uninstall` puts it back as it was.")
    elif plan.previous is not None:
        click.echo(f"Replacing the statusLine that {claude_settings.describe(plan.previous)[3:]} "
                   "(--force); `statusline uninstall` puts it back.")
    if dry_run:
        return
    created_dir = not os.path.isdir(os.path.dirname(os.path.realpath(path)))
    backup = claude_settings.apply(plan, state_dir)
    claude_settings.save_record(
        state_dir, path,
        claude_settings.install_record(plan, record, claude_settings.is_ours(existing),
                                       created_dir),
    )
    if backup:
        click.echo(f"Backup: {backup}")
    click.echo(plan.message[0].upper() + plan.message[1:] + ".")
    click.echo(f"Claude Code picks the change up by itself; `{_doctor_command(command)}` checks "
               "the setup.")


def _doctor_command(command: str) -> str:
    """How to run doctor from a shell: plain ``statusline doctor`` when PATH finds this
    command, else its full path (the settings entry works either way: it is absolute)."""
    import shutil

    program = claude_settings.command_program(command)
    found = shutil.which("statusline")
    if program is None or (found and os.path.realpath(found) == os.path.realpath(program)):
        return "statusline doctor"
    return f"{command} doctor"


@cli.command()
@SCOPE_OPTION
@click.option("--dry-run", is_flag=True, help="Show the change without writing anything.")
def uninstall(scope: str, dry_run: bool) -> None:
    """Remove statusline's statusLine and hooks from Claude Code's settings.json.

    When the file has not changed since `statusline install`, it is put back exactly as it
    was (byte for byte); otherwise only our entries are removed, and a statusLine that
    install kept or replaced is restored. A statusLine or hook that is not statusline's is
    never removed.
    """
    path = claude_settings.settings_path(scope, os.environ, os.getcwd())
    with acting_as_owner(path):
        _uninstall(path, scope, dry_run)


def _uninstall(path: str, scope: str, dry_run: bool) -> None:
    settings = claude_settings.read(path)
    state_dir = _state_dir()
    record = claude_settings.record_for(state_dir, path)
    plan = claude_hooks.remove_from_plan(claude_settings.plan_uninstall(settings, record),
                                         settings)
    click.echo(f"Settings: {path} ({scope} scope)")
    _show_plan(plan, dry_run)
    if dry_run or not plan.changes:
        if not plan.changes:
            click.echo(plan.message[0].upper() + plan.message[1:] + ".")
        return
    backup = claude_settings.apply(plan, state_dir)
    claude_settings.remove_created_dir(plan, record)
    claude_settings.save_record(state_dir, path, None)
    if backup:
        click.echo(f"Backup: {backup}")
    click.echo(plan.message[0].upper() + plan.message[1:] + ".")


# ---------------------------------------------------------------------------------------
# hook


@cli.command()
def hook() -> None:
    """The hook call Claude Code makes (hook JSON on stdin); prints a notice or nothing.

    Reads the shared store and, when a window newly reaches a configured level or the
    forecast puts its limit within the lead time, answers once for the whole account
    (a message under the reply and a desktop notification). `statusline install` adds
    it; the [notify] table of the config tunes it. Always exits 0.
    """
    from statusline.hook import run

    run()


# ---------------------------------------------------------------------------------------
# doctor
