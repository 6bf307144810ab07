"""Console-script entry: ``statusline`` with no arguments is the status-line call.

Claude Code runs the command with no arguments and the payload on stdin, so that path goes
straight to ``call`` and never imports click; ``statusline hook`` (Claude Code's hook
call) likewise goes straight to ``hook``; anything else is a person at a terminal and
goes to the click CLI.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Dispatch: no arguments -> one status line; otherwise the commands for people."""
    args = sys.argv[1:] if argv is None else argv
    import os  # already loaded by the interpreter: a dictionary lookup


    if len(args) in (1, 2) and args[0].split("=", 1)[0] == "--segments":
        # `statusline --segments five_hour,seven_day`: the status-line call showing only those
        # segments (for another status line's widget), read here so it never loads click.
        value = args[0].partition("=")[2] if "=" in args[0] else (args[1:] or [""])[0]
        if value and (len(args) == 1) == ("=" in args[0]):
            os.environ["STATUSLINE_SEGMENTS"] = value
            args = []
    # Shell completion runs the command with no arguments and _STATUSLINE_COMPLETE set.
    if not args and "_STATUSLINE_COMPLETE" not in os.environ:
        if sys.stdin is not None and sys.stdin.isatty():
            sys.stderr.write(
                "statusline renders Claude Code's status line from a JSON payload on stdin.\n"
                "Try: statusline render --example oauth   or   statusline --help\n"
            )
            return 2
        try:
            from statusline.call import run
        except BaseException:  # noqa: BLE001 - a broken install must not blank every session
            os.write(1, b"statusline: broken install, see 'statusline doctor'\n")
            return 0
        status = run()
        if argv is None:
            # A real status-line process: the line went out with os.write and the store
            # with fsync, so nothing is left to flush. Leaving now skips the interpreter's
            # teardown (freeing every module and object), ~2 ms of CPU on every call.
            os._exit(status)
        return status
    if args == ["hook"]:
        # Claude Code's hook call: as fast and as quiet as the status-line call.
        try:
            from statusline.hook import run as run_hook
        except BaseException:  # noqa: BLE001 - a broken install must never block a turn
            return 0
        status = run_hook()
        if argv is None:
            os._exit(status)  # as above: the answer went out with os.write
        return status
    from statusline.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
