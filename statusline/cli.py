"""The commands for people: ``statusline <command>`` (the only module that imports click).

Claude Code itself runs ``statusline`` with no arguments, which never comes here (see
``__main__``). Each command gathers data from the library and prints it; domain errors
become one message and a hint with exit status 1, bugs keep their traceback.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence

import click
import orjson

from statusline import config as config_module
from statusline import forecast, paths, report
from statusline.claude import hooks as claude_hooks
from statusline.claude import settings as claude_settings
from statusline.claude.owner import acting_as_owner
from statusline.errors import StatuslineError
from statusline.store import backend as store_backend
from statusline.store import local as store

# os.path, not pathlib: pathlib (with urllib.parse) is ~5 ms of every command's start-up.
EXAMPLES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "examples")
EXAMPLE_NAMES = sorted(n[: -len(".json")] for n in os.listdir(EXAMPLES_DIR) if n.endswith(".json"))
_FIRST_EXAMPLE = next((n for n in EXAMPLE_NAMES if n.startswith("oauth")), EXAMPLE_NAMES[0])
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 88}


def _now() -> float:
    from statusline.hotpath import clock

    return clock(os.environ)


def _open_account_store() -> tuple[str, str, store.ReadResult, store_backend.StoreChoice,
                                   dict[str, object] | None]:
    """The store of the account in use: the profile, the local store path, what the store
    holds, the store choice, and the shared backend (kind, location, problem) if any."""
    cfg, _ = _load_config()
    choice = store_backend.choose(os.environ, cfg)
    if choice.path is None or choice.backend is None:
        raise StatuslineError(
            "cannot find a state directory (HOME is not set)",
            "set HOME, or STATUSLINE_STATE_DIR to a private directory",
        )
    backend = choice.backend
    result = backend.read()
    shared: dict[str, object] | None = None
    if backend.kind != "file":
        shared = {"kind": backend.kind, "location": backend.location, "problem": backend.problem}
    return paths.profile_name(os.environ), choice.path, result, choice, shared


def _use_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _terminal_width() -> int:
    """``COLUMNS`` when set (tests, scripts), else the terminal's width, else 80."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        import shutil  # only here: shutil (with bz2 and lzma) is ~2 ms of start-up

        return shutil.get_terminal_size((80, 24)).columns


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="statusline", prog_name="statusline")
def cli() -> None:
    """A Claude Code status line that pools the 5h and 7d rate limits of every session.

    Claude Code runs `statusline` with no arguments and a JSON payload on stdin; the
    commands below are for people.

    \b
    Get started:
        statusline install          # wire it into Claude Code
        statusline doctor           # check the setup
        statusline inspect          # what the shared store knows
    """


# ---------------------------------------------------------------------------------------
# inspect


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the stable JSON contract.")
@click.option("--ascii", "ascii_only", is_flag=True, help="Draw the charts with ASCII only.")
def inspect(as_json: bool, ascii_only: bool) -> None:
    """Show the shared store: sessions, windows, forecast and a chart of each window.

    Colour is used on a terminal unless NO_COLOR is set; the width follows COLUMNS or the
    terminal.

    \b
    Examples:
        statusline inspect
        statusline inspect --json | jq '.windows.five_hour.used_percentage'
    """
    profile, path, result, choice, shared = _open_account_store()
    now = _now()
    from statusline.history.usage import fold_usage
    from statusline.hotpath import utc_offset

    facts = choice.facts
    if facts.account is not None:
        result.state.account, result.state.account_label = facts.account, facts.label
    # The client's usage cache as it stands now (shown, not saved: the line saves it).
    fold_usage(result.state, facts.usage, facts.account, now)
    projection = forecast.project(result.state, now, utc_offset(now))
    data = report.snapshot(result.state, projection, now, profile, path, result.status,
                           account_source=facts.source if facts.account else None,
                           utc_offset=utc_offset(now), shared=shared)
    if as_json:
        click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
        return
    from statusline.inspect_text import format_report

    cfg, _ = _load_config()
    click.echo(
        format_report(
            data, now, width=_terminal_width(), color=_use_color(),
            ascii_only=ascii_only or cfg.symbols == "ascii", utc_offset=utc_offset,
            warn_pct=cfg.warn_pct, alert_pct=cfg.alert_pct,
        )
    )


# ---------------------------------------------------------------------------------------
# render / explain


def _payload_bytes(payload_file: str | None, example: str | None) -> bytes:
    if example:
        matches = [n for n in EXAMPLE_NAMES if n == example] or [
            n for n in EXAMPLE_NAMES if n.startswith(example)
        ]
        if not matches:
            raise StatuslineError(
                f"no example named {example!r}", f"choose one of: {', '.join(EXAMPLE_NAMES)}"
            )
        with open(os.path.join(EXAMPLES_DIR, f"{matches[0]}.json"), "rb") as handle:
            return handle.read()
    if payload_file is None or payload_file == "-":
        if payload_file is None and sys.stdin is not None and sys.stdin.isatty():
            raise StatuslineError(
                "no payload: give a file, - for stdin, or --example NAME",
                f"try: statusline render --example {EXAMPLE_NAMES[0]}",
            )
        return sys.stdin.buffer.read()
    try:
        with open(payload_file, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise StatuslineError(f"cannot read {payload_file}: {error.strerror}") from error


def _checked_payload(data: bytes, source: str) -> bytes:
    """``data`` when it is a JSON object (what Claude Code sends); else a clear error."""
    from statusline.jsonread import loads
    from statusline.sanitize import clean

    try:
        document = loads(data.decode("utf-8-sig")) if data.strip() else None
    except UnicodeDecodeError:
        problem = "it is not UTF-8 text"
    except RecursionError:
        problem = "it is nested too deeply"
    except ValueError as error:
        problem = f"it is not JSON ({clean(str(error), 120)})"
    else:
        if isinstance(document, dict):
            return data
        problem = ("it is empty" if document is None and not data.strip() else
                   f"it is a JSON {type(document).__name__}, not an object")
    raise StatuslineError(
        f"{source} is not a status-line payload: {problem}",
        "give the JSON object Claude Code sends on stdin, or try "
        f"`statusline render --example {_FIRST_EXAMPLE}`",
    )


def _payload(payload_file: str | None, example: str | None, save: bool) -> bytes:
    """The payload render and explain work on, checked; a bundled example never enters
    the real store."""
    if example and save:
        raise StatuslineError(
            "--save cannot be used with --example: a bundled example is not your data and "
            "would enter the real store",
            "preview it without --save, or save a payload of your own: "
            "statusline render payload.json --save",
        )
    data = _payload_bytes(payload_file, example)
    if example:
        return data
    source = "stdin" if payload_file in (None, "-") else payload_file
    return _checked_payload(data, source)


def _call_env(no_color: bool, example: bytes | None = None) -> dict[str, str]:
    """The environment a by-hand call renders with: the terminal's width unless COLUMNS is
    set, and no colour when asked or when the output is not a terminal. A bundled example
    is shown at a moment its windows are still running (unless STATUSLINE_NOW is set)."""
    env = dict(os.environ)
    env.setdefault("COLUMNS", str(_terminal_width()))
    if example is not None and "STATUSLINE_NOW" not in env:
        from statusline.payload import parse, preview_clock

        moment = preview_clock(parse(example))
        if moment is not None:
            env["STATUSLINE_NOW"] = repr(moment)
    if no_color or not sys.stdout.isatty():
        env["NO_COLOR"] = "1"
    return env


def payload_options(command: Callable[..., None]) -> Callable[..., None]:
    """The payload source and the --save switch that render and explain share."""
    decorators: list[Callable[[Callable[..., None]], Callable[..., None]]] = [
        click.argument("payload_file", required=False,
                       type=click.Path(dir_okay=False, allow_dash=True)),
        click.option("--example", "example", metavar="NAME",
                     help=f"Use a bundled example payload: {', '.join(EXAMPLE_NAMES)}."),
        click.option("--save", is_flag=True,
                     help="Also record the payload in the store (by default nothing is written)."),
        click.option("--no-color", is_flag=True,
                     help="Plain text (as NO_COLOR=1; also when the output is not a terminal)."),
    ]
    for decorate in reversed(decorators):
        command = decorate(command)
    return command


@cli.command()
@payload_options
def render(payload_file: str | None, example: str | None, save: bool, no_color: bool) -> None:
    """Preview the line for a payload: a file, - for stdin, or --example NAME.

    \b
    Examples:
        statusline render --example oauth-003
        statusline render payload.json --no-color
    """
    from statusline.hotpath import render_call

    data = _payload(payload_file, example, save)
    click.echo(render_call(data, _call_env(no_color, data if example else None), save=save).line)


@cli.command()
@payload_options
def explain(payload_file: str | None, example: str | None, save: bool, no_color: bool) -> None:
    """Show each segment of the line: its text, its time and what it means.

    \b
    Example:
        statusline explain --example oauth-003
    """
    from statusline import render as render_module
    from statusline.hotpath import load_config, render_call
    from statusline.log import Log
    from statusline.segments import SEGMENTS, SYMBOLS

    data = _payload(payload_file, example, save)
    env = _call_env(no_color, data if example else None)
    started = time.perf_counter()
    outcome = render_call(data, env, save=save, timed=True)
    elapsed_ms = (time.perf_counter() - started) * 1000
    cfg = load_config(env, Log(None, "off"))
    shown = [r.segment for r in outcome.results if r.segment is not None]
    separator = SYMBOLS.get(cfg.symbols, SYMBOLS["unicode"])["sep"]
    fitted = dict(zip(map(id, shown), render_module.fit(shown, outcome.width, separator),
                      strict=True))
    click.echo(outcome.line)
    click.echo("")
    rows = []
    for result in outcome.results:
        if result.error:
            text = f"(failed: {result.error})"
        elif result.segment is None:
            text = "(nothing to show)"
        elif fitted.get(id(result.segment)) is None:
            text = f"{result.segment.text}  (dropped: the line is too wide)"
        elif fitted[id(result.segment)] != result.segment.text:
            text = f"{fitted[id(result.segment)]}  (short form; in full: {result.segment.text})"
        else:
            text = result.segment.text
        doc = (SEGMENTS[result.name].__doc__ or "").strip().splitlines()
        rows.append((result.name, f"{result.elapsed_ms:.3f}ms", text, doc[0] if doc else ""))
    name_w = max([len("segment")] + [len(r[0]) for r in rows])
    time_w = max([len("time")] + [len(r[1]) for r in rows])
    click.echo(f"{'segment':<{name_w}}  {'time':>{time_w}}  text")
    for name, took, text, meaning in rows:
        click.echo(f"{name:<{name_w}}  {took:>{time_w}}  {text}")
        if meaning:
            click.echo(f"{'':<{name_w}}  {'':>{time_w}}  {click.style(meaning, dim=True)}"
                       if _use_color() and not no_color else
                       f"{'':<{name_w}}  {'':>{time_w}}  {meaning}")
    segment_ms = sum(r.elapsed_ms for r in outcome.results)
    click.echo("")
    from statusline.rhythm_text import forecast_notes

    for note in forecast_notes(outcome.projection.windows):
        click.echo(note)
    click.echo(f"segments {segment_ms:.3f}ms, whole call {elapsed_ms:.1f}ms in this process "
               f"(store: {outcome.store_status}{', saved' if outcome.wrote else ', not written'})")


# ---------------------------------------------------------------------------------------
# install / uninstall


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
            click.secho(row, fg=colour if _use_color() else None)
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
    from statusline.hookpath import run

    run()


# ---------------------------------------------------------------------------------------
# doctor


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.option("-v", "--verbose", is_flag=True,
              help="Add the figures behind the checks (lock wait, modules imported).")
def doctor(as_json: bool, verbose: bool) -> None:
    """Check the setup and say how to fix what is wrong.

    Checks that Claude Code's settings run this installation (with a refreshInterval), that
    this is the copy of the package that command runs, that the state directory is private
    and writable (or can be created), that the lock can be taken, that the store and the
    config parse, that an example payload renders within the call's budget, and that the
    status-line call does not import click; and whether rate limits have been seen. Ends
    with a count of failures and warnings; exit status 1 when a check fails.
    """
    from statusline.doctor import FAIL, WARN, counts, run_checks, summary

    checks = run_checks(os.environ, os.getcwd(), verbose=verbose)
    found = counts(checks)
    if as_json:
        document = {"ok": not found[FAIL], "failures": found[FAIL], "warnings": found[WARN],
                    "checks": [c.to_json() for c in checks]}
        click.echo(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())
    else:
        _print_checks(checks)
        click.echo("")
        click.echo(summary(checks))
    if found[FAIL]:
        raise click.exceptions.Exit(1)


def _print_checks(checks: Sequence[object]) -> None:
    from statusline.doctor import FAIL, OK, Check

    color = _use_color()
    marks = {OK: ("ok", "green"), FAIL: ("FAIL", "red")}
    width = max(len(c.name) for c in checks if isinstance(c, Check))
    for check in checks:
        assert isinstance(check, Check)
        word, colour = marks.get(check.status, ("warn", "yellow"))
        mark = click.style(f"{word:<4}", fg=colour) if color else f"{word:<4}"
        click.echo(f"{mark} {check.name:<{width}}  {check.detail}")
        for note in check.notes:
            click.echo(f"     {'':<{width}}  {note}")
        if check.hint and check.status != OK:
            click.echo(f"     {'':<{width}}  fix: {check.hint}")


# ---------------------------------------------------------------------------------------
# config


def _load_config() -> tuple[config_module.Config, list[str]]:
    from statusline.segments import SEGMENTS

    return config_module.load(paths.config_file(os.environ), tuple(SEGMENTS))


@cli.group()
def config() -> None:
    """Where the config file is, and what applies."""


@config.command("path")
def config_path() -> None:
    """Print the config file's path (STATUSLINE_CONFIG or the user config directory)."""
    path = paths.config_file(os.environ)
    if path is None:
        raise StatuslineError("cannot find a config directory (HOME is not set)",
                              "set HOME, or STATUSLINE_CONFIG")
    click.echo(path)


@config.command("show")
def config_show() -> None:
    """Print the settings that apply, as TOML (warnings go to stderr).

    The output is a valid config file: `statusline config show > "$(statusline config path)"`
    gives a starting point.
    """
    cfg, warnings = _load_config()
    path = paths.config_file(os.environ)
    for warning in warnings:
        click.secho(f"Warning: {warning}", fg="yellow", err=True)
    source = path if config_module.exists(path) else f"defaults ({path} does not exist)"
    click.echo(f"# statusline config: {source}")
    click.echo(config_module.to_toml(cfg))


def main(args: list[str]) -> int:
    """Run the CLI on ``args``; return the exit status."""
    try:
        # Without standalone mode click returns a command's ctx.exit() status instead of exiting.
        status = cli.main(args=args, prog_name="statusline", standalone_mode=False)
    except StatuslineError as error:
        click.secho(f"Error: {error.message}", fg="red", err=True)
        if error.hint:
            click.echo(f"Hint: {error.hint}", err=True)
        return 1
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Exit as done:
        return done.exit_code
    except BrokenPipeError:
        # The reader went away (`statusline inspect | head`): not an error. Point stdout at
        # devnull so the interpreter's final flush does not complain (Python docs, SIGPIPE).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:
        if error.filename is not None:
            raise  # a file we opened ourselves: a bug or a case to handle where it happens
        click.secho(f"Error: cannot write the output: {error.strerror or error}", fg="red",
                    err=True)
        click.echo("Hint: check the disk or the pipe the output goes to", err=True)
        return 1
    return status if isinstance(status, int) else 0
