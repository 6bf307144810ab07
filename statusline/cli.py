"""The commands for people: ``statusline <command>`` (the only module that imports click).

Claude Code itself runs ``statusline`` with no arguments, which never comes here (see
``__main__``). Each command gathers data from the library and prints it; domain errors
become one message and a hint with exit status 1, bugs keep their traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
import orjson

from statusline import forecast, paths, report, store
from statusline.errors import StatuslineError

EXAMPLES_DIR = Path(__file__).parent / "examples"


def _now() -> float:
    from statusline.hotpath import clock

    return clock(os.environ)


def _open_store() -> tuple[str, str, store.ReadResult]:
    directory = paths.state_dir(os.environ)
    if directory is None:
        raise StatuslineError(
            "cannot find a state directory (HOME is not set)",
            "set HOME, or STATUSLINE_STATE_DIR to a private directory",
        )
    profile = paths.profile_name(os.environ)
    path = paths.store_file(directory, profile)
    return profile, path, store.read(path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="statusline", prog_name="statusline")
def cli() -> None:
    """A Claude Code status line that pools the 5h and 7d rate limits of every session.

    Claude Code runs `statusline` with no arguments and a JSON payload on stdin; the
    commands below are for people.
    """


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the stable JSON contract.")
def inspect(as_json: bool) -> None:
    """Show the shared store: sessions, windows, burn rate and forecast."""
    profile, path, result = _open_store()
    now = _now()
    projection = forecast.project(result.state, now)
    data = report.snapshot(result.state, projection, now, profile, path, result.status)
    if as_json:
        click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
        return
    from statusline.inspect_text import format_report

    click.echo(format_report(data, result.state, now, color=_use_color()))


def _use_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@cli.command()
@click.argument("payload_file", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--example", "example", help="Render a bundled example payload by name.")
@click.option("--save/--no-save", default=False, help="Also record the payload in the store.")
def render(payload_file: str | None, example: str | None, save: bool) -> None:
    """Preview the line for a payload file (or - for stdin, or --example NAME)."""
    from statusline.hotpath import render_call

    data = _payload_bytes(payload_file, example)
    click.echo(render_call(data, os.environ, save=save).line)


def _payload_bytes(payload_file: str | None, example: str | None) -> bytes:
    if example:
        matches = sorted(EXAMPLES_DIR.glob(f"{example}*.json"))
        if not matches:
            names = ", ".join(sorted(p.stem for p in EXAMPLES_DIR.glob("*.json")))
            raise StatuslineError(f"no example named {example!r}", f"choose one of: {names}")
        return matches[0].read_bytes()
    if payload_file is None or payload_file == "-":
        return click.get_binary_stream("stdin").read()
    try:
        return Path(payload_file).read_bytes()
    except OSError as error:
        raise StatuslineError(f"cannot read {payload_file}: {error.strerror}") from error


def main(args: list[str]) -> int:
    """Run the CLI on ``args``; return the exit status."""
    try:
        cli.main(args=args, prog_name="statusline", standalone_mode=False)
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
    return 0


