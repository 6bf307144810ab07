"""The commands for people: ``statusline <command>``.

``base`` holds the click group; each module beside it adds its commands to it:
``view`` (inspect, render, explain), ``setup`` (install, uninstall, hook) and ``manage``
(doctor, config). ``main`` runs the group and turns domain errors into a message and a hint.
"""

from __future__ import annotations

import os
import sys

import click

from statusline.cli import manage, setup, view  # noqa: F401 - importing registers the commands
from statusline.cli.base import cli
from statusline.errors import StatuslineError

__all__ = ["cli", "main"]


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
