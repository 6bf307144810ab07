"""The ``statusline`` command group and what its commands share (the only package importing click).

Claude Code itself runs ``statusline`` with no arguments, which never comes here (see
``__main__``). Each command gathers data from the library and prints it; domain errors
become one message and a hint with exit status 1, bugs keep their traceback.
"""
from __future__ import annotations

import os
import sys

import click

from statusline import __version__, paths
from statusline import config as config_module
from statusline.account import Account, open_account
from statusline.errors import StatuslineError
from statusline.store import local as store

# os.path, not pathlib: pathlib (with urllib.parse) is ~5 ms of every command's start-up.
EXAMPLES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
EXAMPLE_NAMES = sorted(n[: -len(".json")] for n in os.listdir(EXAMPLES_DIR) if n.endswith(".json"))
FIRST_EXAMPLE = next((n for n in EXAMPLE_NAMES if n.startswith("oauth")), EXAMPLE_NAMES[0])
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 88}


def current_time() -> float:
    from statusline.process import clock

    return clock(os.environ)


def open_account_store() -> tuple[str, str, store.ReadResult, Account,
                                   dict[str, object] | None]:
    """The store of the account in use: the profile, the local store path, what the store
    holds, the store choice, and the shared backend (kind, location, problem) if any."""
    cfg, _ = load_user_config()
    choice = open_account(os.environ, config=cfg, logging=False)
    if choice.path is None or choice.backend is None:
        raise StatuslineError(
            "cannot find a state directory (HOME is not set)",
            "set HOME, or STATUSLINE_STATE_DIR to a private directory",
        )
    backend = choice.backend
    result = backend.read()
    from statusline.process import mark_running

    mark_running(result.state, paths.host_name(os.environ))  # who is live, as the line sees it
    shared: dict[str, object] | None = None
    if backend.kind != "file":
        shared = {"kind": backend.kind, "location": backend.location, "problem": backend.problem}
    return paths.profile_name(os.environ), choice.path, result, choice, shared


def use_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def terminal_width() -> int:
    """``COLUMNS`` when set (tests, scripts), else the terminal's width, else 80."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        import shutil  # only here: shutil (with bz2 and lzma) is ~2 ms of start-up

        return shutil.get_terminal_size((80, 24)).columns


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(version=__version__, prog_name="statusline")
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


def load_user_config() -> tuple[config_module.Config, list[str]]:
    from statusline.line.segments import SEGMENTS

    return config_module.load(paths.config_file(os.environ), tuple(SEGMENTS))
