"""Console-script entry: ``statusline`` with no arguments is the status-line call.

Claude Code runs the command with no arguments and the payload on stdin, so that path goes
straight to ``call`` and never imports click; ``statusline hook`` (Claude Code's hook
call) likewise goes straight to ``hook``; anything else is a person at a terminal and
goes to the click CLI. For the two calls Claude Code makes, the modules come from their
bundle (``bundle``) when there is a current one, and the bundle is rewritten after the
call has answered when it was missing or out of date.
"""

# No ``from __future__ import annotations`` here: this module is imported the normal way on
# every call (it is the entry), and that line would import the ``__future__`` module for it;
# the two annotations that need it are strings instead.
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from statusline.bundle import BundleFinder


def main(argv: list[str] | None = None) -> int:
    """Dispatch: no arguments -> one status line; otherwise the commands for people."""
    args = sys.argv[1:] if argv is None else argv

    chosen = widget_segments(args)
    if chosen is not None:
        # `statusline --segments five_hour,seven_day`: the status-line call showing only those
        # segments (for another status line's widget), read here so it never loads click.
        # A blank value is still widget mode (a lone comma names no segment): the call says
        # so instead of drawing the whole line into someone else's widget.
        os.environ["STATUSLINE_SEGMENTS"] = chosen if chosen.strip() else ","
        args = []
    # Shell completion runs the command with no arguments and _STATUSLINE_COMPLETE set.
    if not args and "_STATUSLINE_COMPLETE" not in os.environ:
        if sys.stdin is not None and sys.stdin.isatty():
            sys.stderr.write(
                "statusline renders Claude Code's status line from a JSON payload on stdin.\n"
                "Try: statusline render --example oauth   or   statusline --help\n"
            )
            return 2
        started, data = None, None
        if argv is None:
            _without_collector()
            started, data = _steady_tick()  # an idle tick whose line holds ends in there
        finder = _bundled("call") if argv is None else None
        try:
            from statusline.call import run
        except BaseException:  # noqa: BLE001 - a broken install must not blank every session
            os.write(1, b"statusline: broken install, see 'statusline doctor'\n")
            return 0
        status = run(data, started)
        if argv is None:
            _refresh_bundle("call", finder)
            # A real status-line process: the line went out with os.write and the store
            # with fsync, so nothing is left to flush. Leaving now skips the interpreter's
            # teardown (freeing every module and object), ~2 ms of CPU on every call.
            os._exit(status)
        return status
    if args == ["hook"]:
        # Claude Code's hook call: as fast and as quiet as the status-line call.
        if argv is None:
            _without_collector()
        finder = _bundled("hook") if argv is None else None
        try:
            from statusline.hook import run as run_hook
        except BaseException:  # noqa: BLE001 - a broken install must never block a turn
            return 0
        status = run_hook()
        if argv is None:
            _refresh_bundle("hook", finder)
            os._exit(status)  # as above: the answer went out with os.write
        return status
    from statusline.cli import main as cli_main

    return cli_main(args)


def widget_segments(args: list[str]) -> str | None:
    """The names of ``--segments NAMES`` / ``--segments=NAMES`` when ``args`` are only that
    flag (repeated flags add up; a flag without a value adds nothing), else None."""
    if not args:
        return None
    names = []
    index = 0
    while index < len(args):
        flag, equals, value = args[index].partition("=")
        if flag != "--segments":
            return None
        if not equals:
            following = args[index + 1] if index + 1 < len(args) else "--segments"
            if following.startswith("--segments"):  # no value: nothing chosen by this one
                index += 1
                continue
            value = following
            index += 1
        names.append(value)
        index += 1
    return ",".join(names)


def _without_collector() -> None:
    """Turn off the cyclic garbage collector for a process Claude Code starts.

    Loading fifty modules and reading a store allocate tens of thousands of objects, and
    every 700 of them the collector walks the young ones looking for cycles: ~5 % of a call's
    instructions (callgrind), for a process that lives some 10 ms and makes no garbage that
    reference counting does not free. A cycle made anyway is freed when the process exits.
    """
    import gc  # built into the interpreter: no file to find

    gc.disable()


def _steady_tick() -> tuple[float, bytes | None]:
    """Read the payload (when the call began, and the payload); when the line the last call
    of this Claude Code process left still holds (``statusline.steady``), print it and end
    the process here, before the call's modules are loaded."""
    import time  # built into the interpreter

    started = time.monotonic()
    try:
        from statusline import process, steady

        data = process.read_stdin(0, process.MAX_STDIN, process.STDIN_BUDGET_S)
    except BaseException:  # noqa: BLE001 - the call reads stdin itself then
        return started, None
    line = steady.reprint(data, os.environ)
    if line is not None:
        process.emit(line)
        os._exit(0)
    return started, data


def _bundled(entry: str) -> "BundleFinder | None":
    """Serve ``entry``'s modules from its bundle (``statusline.bundle``); the finder, or None."""
    try:
        from statusline import bundle

        return bundle.install(entry)
    except BaseException:  # noqa: BLE001 - without a bundle the normal import serves the call
        return None


def _refresh_bundle(entry: str, finder: "BundleFinder | None") -> None:
    """After the call has answered: write ``entry``'s bundle anew when it was missing, out
    of date, lacked a module this call loaded (a first save, a shared store), or had not
    yet learnt the order its start-up modules finish in (the first call served from it)."""
    try:
        loaded = list(sys.modules)
        startup = finder.startup_order() if finder is not None else ()
        if (finder is not None and not finder.stale and not finder.missing(loaded)
                and not startup):
            return
        from statusline import bundle_build

        bundle_build.refresh(entry, loaded, startup=startup)
    except BaseException:  # noqa: BLE001 - the answer is out; a failed refresh changes nothing
        pass


if __name__ == "__main__":
    sys.exit(main())
