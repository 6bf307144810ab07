"""One status-line call: payload on stdin in, exactly one line out, exit status 0.

This is the thin shell around the pure core (``payload`` -> ``history`` -> ``forecast`` ->
``segments`` -> ``render``). It never raises, never waits past its budget and never writes
to stderr: a broken store, a busy lock or a hostile payload each cost a feature, not the
line. Only what the call needs is imported: no click, no logging, no tomllib unless a config
file exists, and ``json`` (to write) only when the call writes; the lock is ``fcntl.flock``.
"""

from __future__ import annotations

import os
import time

from statusline import config as config_module
from statusline import forecast, history, paths, steady_entry
from statusline.account import open_account
from statusline.claude import padding as claude_padding
from statusline.kept import kept_summary, replay
from statusline.line import render, segments
from statusline.line.kit import Context, SegmentResult
from statusline.log import Log
from statusline.payload import Payload, parse
from statusline.pool_clock import clock_behind, now_by_server
from statusline.process import (
    MAX_STDIN,
    STDIN_BUDGET_S,
    arm_watchdog,
    clock,
    disarm_watchdog,
    emit,
    mark_running,
    read_stdin,
    utc_offset,
)
from statusline.sanitize import clean

# Claude Code re-runs the command ~300 ms after each update and kills a run still going,
# so a call that takes longer than this has already lost; it prints what it has and exits.
BUDGET_S = 0.8
# A chained status line (the user's own, kept by install) gets what is left of the budget
# minus time to print before the watchdog.
CHAIN_BUDGET_S = BUDGET_S - 0.15
FALLBACK = "statusline: see 'statusline doctor'"
DEFAULT_COLUMNS = 120
# Claude Code draws the row narrower than the terminal (190 columns give 186 cells), and
# the statusLine's ``padding`` takes as many columns again on each side.
ROW_MARGIN = 4

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from types import FrameType

    from statusline.claude.chain import Call


class Outcome:
    """What a call produced, for the status-line call and for ``render``/``explain``."""

    __slots__ = ("clock", "line", "local", "now", "payload", "projection", "results", "state",
                 "store_path", "store_status", "wants_save", "width", "wrote")

    def __init__(self) -> None:
        self.line = FALLBACK
        self.clock = 0.0  # the clock the call ran at (before any correction of it) ...
        self.now = 0.0  # ... and the time it ran at (corrected: the pool's clock)
        self.payload: Payload | None = None
        # True when the store is this machine's file in a private state directory.
        self.local = False
        # True when the call had something to save (whether it did: ``wrote``).
        self.wants_save = False
        self.results: list[SegmentResult] = []
        self.state = history.State()
        self.projection = forecast.Projection()
        self.store_path: str | None = None
        self.store_status = "none"
        self.wrote = False
        self.width = DEFAULT_COLUMNS - ROW_MARGIN  # the cells the line was fitted to


class LastWord:
    """The line a watchdog prints when the call runs out of time: the best one so far.

    ``render_call`` hands each better line back through it (the model's name as soon as the
    payload is read, the whole line before a save that may wait on a lock).
    """

    __slots__ = ("chain", "line")

    def __init__(self) -> None:
        self.line = FALLBACK
        self.chain: Call | None = None

    def __call__(self, line: str) -> None:
        self.line = line

    def on_timeout(self, signum: int, frame: FrameType | None) -> None:
        """Out of budget: print what we have and leave at once. The store is safe (writes
        are atomic replaces; the kernel drops our lock on exit; a stray temp file is swept)."""
        text = self.line if self.chain is None else self.chain.on_timeout(self.line)
        if text:  # empty only in widget mode: print nothing
            emit(text)
        os._exit(0)


def run(data: bytes | None = None, started: float | None = None) -> int:
    """The no-argument entry point: read stdin, print one line, return 0.

    ``data`` is the payload when the entry has read it already (``statusline.steady``
    looked for a line to print again), ``started`` when the call began (``time.monotonic``):
    the budget counts from there. With ``STATUSLINE_CHAIN`` set (install kept the user's own
    status line), their command runs on the same stdin while ours works, and their rows are
    printed above our line. A line that holds while nothing moves is left for the next tick
    (``steady_entry``) after it has gone out.
    """
    started = time.monotonic() if started is None else started
    last_word = LastWord()
    previous = arm_watchdog(max(BUDGET_S - (time.monotonic() - started), 0.01),
                            last_word.on_timeout)
    chained = os.environ.get("STATUSLINE_CHAIN")
    env = os.environ if chained else steady_entry.ConsultedEnv(os.environ)
    outcome = None
    try:
        if data is None:
            data = read_stdin(0, MAX_STDIN, STDIN_BUDGET_S)
        if chained:
            from statusline.claude import chain

            last_word.chain = chain.begin(chained, data, os.environ)
        outcome = render_call(data, env, save=True, early=last_word)
        text = outcome.line
    except BaseException:  # noqa: BLE001 - the contract is one line and exit 0, whatever happened
        text = last_word.line
    if last_word.chain is not None:
        text = last_word.chain.finish(text, started + CHAIN_BUDGET_S,
                                      width(os.environ) + ROW_MARGIN)
    if text:  # empty only in widget mode with nothing to show: print nothing
        emit(text)
    last_word.line, last_word.chain = "", None  # said: a watchdog now only ends the process
    if outcome is not None and isinstance(env, steady_entry.ConsultedEnv) and data is not None:
        steady_entry.leave(outcome, data, env, started, _later_line)
    disarm_watchdog(previous)
    return 0


def _later_line(data: bytes, env: Mapping[str, str], at: float) -> tuple[str, bool]:
    """The line a call on ``data`` at clock ``at`` would print, and whether it would save."""
    later = render_call(data, env, save=False, at=at, logging=False)
    return later.line, later.wants_save


def render_call(data: bytes, env: Mapping[str, str], save: bool, timed: bool = False,
                early: Callable[[str], None] | None = None, at: float | None = None,
                logging: bool = True) -> Outcome:
    """Do one whole call on ``data``: parse, merge into the store (when ``save``), render.

    ``early`` receives each line worth printing should the call be cut short (the
    status-line call's watchdog); ``render`` and ``explain`` need none. ``at`` runs the call
    at that clock instead of now; ``logging`` off keeps it out of the log.
    """
    outcome = Outcome()
    payload = parse(data)
    payload.pid = claude_pid(env)
    clock_now = clock(env) if at is None else at
    outcome.clock, outcome.payload = clock_now, payload
    now = clock_now + clock_behind(payload, clock_now)
    if early is not None and widget_mode(env):
        early("")  # a widget out of time shows nothing, not a segment not chosen
    elif early is not None and payload.model:
        # A name that cleans to nothing must not leave the watchdog an empty line.
        early(render.truncate(clean(payload.model, 24), 40) or FALLBACK)

    # ``replay`` (statusline.kept) applies what a shared store out of reach kept.
    where = open_account(env, known_segments=tuple(segments.SEGMENTS), replay=replay,
                         logging=logging)
    backend, log, cfg = where.backend, where.log, where.config
    outcome.store_path = where.path
    payload.account, payload.account_label = where.facts.account, where.facts.label
    payload.usage_cache = where.facts.usage
    for reason in payload.rejected:
        log.debug(f"rate limits rejected: {reason}")
    host = paths.host_name(env)
    state = history.State()
    reported = ""
    if backend is not None and (where.usable_dir or backend.kind != "file"):
        result = backend.read()
        state, outcome.store_status = result.state, result.status
        mark_running(state, host)
        # One clock for the pool: the shared store's server says what time it is, and a
        # machine whose clock is off by more than CLOCK_TOLERANCE_S runs at the server's.
        # (The server's word replaces the payload's guess at a slow clock, clock_behind.)
        now = now_by_server(backend, clock_now, env) or now
        if result.detail:
            reported = result.detail
            log.warning(f"store {backend.location}: {result.detail}")
        may_write = result.writable
    else:
        may_write = where.directory is not None and not os.path.lexists(where.directory)
    offset = utc_offset(now)
    outcome.now = now
    # Every reader of a local store is on this machine and can look the session's process
    # up: its "still here" stamp is needed seldom (history.PROCESS_BEAT_S).
    beat = (history.PROCESS_BEAT_S if payload.pid is not None and backend is not None
            and backend.kind == "file" else history.SNAPSHOT_REFRESH_S)
    due, projection = _advanced(state, payload, now, offset, host, beat)
    if payload.terminal_width:  # inside another status line: its width, not Claude Code's row
        outcome.width = width(env, 0, payload.terminal_width)
    else:
        outcome.width = width(env, claude_padding.padding(env, payload.project_dir))
    outcome.local = bool(where.usable_dir and backend is not None and backend.kind == "file")
    outcome.wants_save = bool(may_write and payload.session_id and backend is not None
                              and (due or backend.wants_write))
    if save and outcome.wants_save and backend is not None:
        # The save is the one step that can wait (a busy lock, a slow disk): render first,
        # so that a watchdog ending the call mid-save prints this line, not a bare fallback.
        _render(outcome, payload, state, now, offset, cfg, env, log, timed, projection)
        if early is not None:
            early(outcome.line)
        # What a shared store out of reach keeps, to fold in later (see ``replay``).
        kept = {"now": now, "offset": offset, "host": host, "account": payload.account,
                "account_label": payload.account_label,
                "payload": data.decode("utf-8", "replace"), **kept_summary(payload)}
        updated = backend.update(lambda s: advance(s, payload, now, offset, host, beat), kept)
        if updated is None:
            log.warning("store busy or not writable; this call's reading was not saved")
        else:
            state, outcome.wrote = updated, True
            mark_running(state, host)
            projection = None  # the store's state now, with what others saved: project it
            log.debug("saved")  # after the replace: a soak counts these as acknowledged
    if backend is not None and backend.problem and backend.problem not in reported:
        log.warning(f"shared store: {backend.problem}")
    if projection is None or outcome.state is not state:
        _render(outcome, payload, state, now, offset, cfg, env, log, timed, projection)
    return outcome


def _render(outcome: Outcome, payload: Payload, state: history.State, now: float,
            offset: float, cfg: config_module.Config, env: Mapping[str, str], log: Log,
            timed: bool, projection: forecast.Projection | None = None) -> None:
    """Project ``state`` (unless ``projection`` is its projection already), run the
    segments and set ``outcome``'s state, results and line."""
    outcome.state = state
    outcome.projection = projection or forecast.project(state, now, offset)
    ctx = Context(payload, state, outcome.projection, now, cfg, offset,
                           session_key=history.session_key(state, payload, now),
                           offset_at=utc_offset)
    chosen = chosen_segments(env, cfg.segments)
    outcome.results = segments.run_segments(ctx, chosen, timed=timed)
    for failed in outcome.results:
        if failed.error:
            log.error(f"segment {failed.name} failed: {failed.error}")
    shown = [r.segment for r in outcome.results if r.segment is not None]
    color = cfg.color and not env.get("NO_COLOR")
    cells = outcome.width
    outcome.line = (render.line(shown, cells, ctx.symbols["sep"], color, cfg.theme)
                    or nothing_to_show(env, chosen, cells))


def advance(state: history.State, payload: Payload, now: float, offset: float,
            host: str | None = None, beat: float = history.SNAPSHOT_REFRESH_S) -> bool:
    """Fold the payload into ``state`` and remember the forecast's warnings; True if due."""
    return _advanced(state, payload, now, offset, host, beat)[0]


def _advanced(state: history.State, payload: Payload, now: float, offset: float,
              host: str | None = None, beat: float = history.SNAPSHOT_REFRESH_S,
              ) -> tuple[bool, forecast.Projection | None]:
    """``advance``, and the projection of the advanced state when it still holds (None when
    remembering a warning moved the hysteresis, which the projection reads)."""
    due = history.record(state, payload, now, host, beat)
    projection = forecast.project(state, now, offset)
    if forecast.remember(state, projection):
        return True, None
    return due, projection


def claude_pid(env: Mapping[str, str]) -> int | None:
    """The Claude Code process behind this call (``CLAUDE_PID``), None when not a number."""
    text = env.get("CLAUDE_PID", "")
    if not (text.isascii() and text.isdigit() and 0 < len(text) <= 10):
        return None
    return int(text) or None


def chosen_segments(env: Mapping[str, str], configured: tuple[str, ...]) -> tuple[str, ...]:
    """The segments to show: the known ones ``STATUSLINE_SEGMENTS`` names (widget mode, to
    live in another status line's widget: names split at commas or spaces, any case, ``-``
    for ``_``, each once, in the given order; possibly none), else the configured ones."""
    chosen = env.get("STATUSLINE_SEGMENTS", "")
    if not widget_mode(env):
        return configured
    names: list[str] = []
    for word in chosen.replace(",", " ").split():
        name = word.lower().replace("-", "_")
        if name in segments.SEGMENTS and name not in names:
            names.append(name)
    return tuple(names)


def widget_mode(env: Mapping[str, str]) -> bool:
    """True when ``STATUSLINE_SEGMENTS`` chooses the segments (blank: the configured line)."""
    return bool(env.get("STATUSLINE_SEGMENTS", "").strip())


def nothing_to_show(env: Mapping[str, str], chosen: tuple[str, ...], cells: int) -> str:
    """The line when no segment has anything to show: nothing at all in widget mode (the
    host hides an empty widget) unless the names chosen are all unknown, which says so;
    else the pointer to doctor."""
    if not widget_mode(env):
        return render.truncate(FALLBACK, cells)
    if chosen:
        return ""
    unknown = clean(env.get("STATUSLINE_SEGMENTS", "").replace(",", " ").strip(), 40)
    named = f"no segment named {unknown!r}" if unknown else "--segments names no segment"
    return render.truncate(f"statusline: {named}; try {','.join(segments.SEGMENTS)}", cells)


def width(env: Mapping[str, str], padding: int = 0, terminal_width: int | None = None) -> int:
    """Cells Claude Code gives the line: ``COLUMNS`` (it sets it) less its row margins.

    The row is ``ROW_MARGIN`` narrower than the terminal, and ``padding`` columns narrower
    again on each side; never less than one cell, never more than ``COLUMNS``. A host status
    line that embeds ours (ccstatusline) sends ``terminal_width`` in the payload: it wins.
    """
    try:
        columns = terminal_width or int(env.get("COLUMNS", ""))
    except ValueError:
        columns = DEFAULT_COLUMNS
    if columns <= 0:
        columns = DEFAULT_COLUMNS
    return max(min(columns, 1000) - ROW_MARGIN - 2 * max(padding, 0), 1)
