"""The commands that show: ``inspect`` (the store in plain words or JSON), ``render`` and
``explain`` (one call on a payload, by hand)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

import click
import orjson

from statusline import forecast
from statusline.cli.base import (
    EXAMPLE_NAMES,
    EXAMPLES_DIR,
    FIRST_EXAMPLE,
    cli,
    current_time,
    load_user_config,
    open_account_store,
    terminal_width,
    use_color,
)
from statusline.errors import StatuslineError
from statusline.inspect import report


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
    profile, path, result, choice, shared = open_account_store()
    now = current_time()
    from statusline.history.usage import fold_usage
    from statusline.process import utc_offset

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
    from statusline.inspect.text import format_report

    cfg, _ = load_user_config()
    click.echo(
        format_report(
            data, now, width=terminal_width(), color=use_color(),
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
        f"`statusline render --example {FIRST_EXAMPLE}`",
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
    env.setdefault("COLUMNS", str(terminal_width()))
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
    from statusline.call import render_call

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
    from statusline.account import load_config
    from statusline.call import render_call
    from statusline.line import render as render_module
    from statusline.line.kit import SYMBOLS
    from statusline.line.segments import SEGMENTS
    from statusline.log import Log

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
                       if use_color() and not no_color else
                       f"{'':<{name_w}}  {'':>{time_w}}  {meaning}")
    segment_ms = sum(r.elapsed_ms for r in outcome.results)
    click.echo("")
    from statusline.inspect.rhythm_text import forecast_notes

    for note in forecast_notes(outcome.projection.windows):
        click.echo(note)
    from statusline.inspect.pause_text import pause_notes
    from statusline.process import utc_offset

    for note in pause_notes(outcome.state, outcome.projection, current_time(), utc_offset):
        click.echo(note)
    click.echo(f"segments {segment_ms:.3f}ms, whole call {elapsed_ms:.1f}ms in this process "
               f"(store: {outcome.store_status}{', saved' if outcome.wrote else ', not written'})")


# ---------------------------------------------------------------------------------------
# install / uninstall
