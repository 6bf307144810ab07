"""The commands that check and configure: ``doctor`` and ``config``."""

from __future__ import annotations

import os
from collections.abc import Sequence

import click
import orjson

from statusline import config as config_module
from statusline import paths
from statusline.cli.base import (
    cli,
    load_user_config,
    use_color,
)
from statusline.errors import StatuslineError


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
    from statusline.sanitize import clean

    color = use_color()
    marks = {OK: ("ok", "green"), FAIL: ("FAIL", "red")}
    width = max(len(c.name) for c in checks if isinstance(c, Check))
    for check in checks:
        assert isinstance(check, Check)
        word, colour = marks.get(check.status, ("warn", "yellow"))
        mark = click.style(f"{word:<4}", fg=colour) if color else f"{word:<4}"
        # Details quote servers, stores and files: cleaned where drawn.
        click.echo(f"{mark} {check.name:<{width}}  {clean(check.detail, 2000)}")
        for note in check.notes:
            click.echo(f"     {'':<{width}}  {clean(note, 2000)}")
        if check.hint and check.status != OK:
            click.echo(f"     {'':<{width}}  fix: {clean(check.hint, 2000)}")


# ---------------------------------------------------------------------------------------
# config


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
    cfg, warnings = load_user_config()
    path = paths.config_file(os.environ)
    for warning in warnings:
        click.secho(f"Warning: {warning}", fg="yellow", err=True)
    source = path if config_module.exists(path) else f"defaults ({path} does not exist)"
    click.echo(f"# statusline config: {source}")
    click.echo(config_module.to_toml(cfg, _redacted_url(cfg.store_url)))


def _redacted_url(url: str) -> str:
    """The store URL without its password, for people (never the URL as written)."""
    from statusline.store.resp import parse_url

    try:
        return parse_url(url).redacted() if url else "not set"
    except ValueError:
        return "not a valid URL"
