"""One hook call (``statusline hook``): the hook's JSON on stdin, a notice or nothing out.

Claude Code runs the command at the hook events ``statusline install`` adds (a prompt
submitted, a turn ended). The call reads the store the status-line calls keep (the same
store: ``account.open_account``), asks ``notice`` whether something new is worth saying,
and claims it under the store's lock, so only one session of the account says it. Like the
status-line call it never raises, never writes to stderr, never waits past its budget and
always exits 0: its stdout is one JSON object or nothing at all. It never blocks a turn
(no ``decision``, no ``continue: false``) and never writes the store unless it claims.
"""

from __future__ import annotations

import os

from statusline import forecast, notice
from statusline.account import open_account
from statusline.paths import host_name
from statusline.process import (
    MAX_STDIN,
    STDIN_BUDGET_S,
    arm_watchdog,
    clock,
    clock_skew,
    disarm_watchdog,
    emit,
    mark_running,
    read_stdin,
    utc_offset,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from types import FrameType

    from statusline.config import NotifyConfig
    from statusline.history import State

# Claude Code waits for the hook before the turn goes on; a notice is never worth a pause.
BUDGET_S = 1.0


def run() -> int:
    """The ``statusline hook`` entry point: print the hook's answer (or nothing), return 0."""
    previous = arm_watchdog(BUDGET_S, _on_timeout)
    try:
        data = read_stdin(0, MAX_STDIN, STDIN_BUDGET_S)
        text = hook_call(data, os.environ)
    except BaseException:  # noqa: BLE001 - the contract is JSON or nothing, exit 0
        text = None
    disarm_watchdog(previous)
    if text:
        emit(text)
    return 0


def hook_call(data: bytes, env: Mapping[str, str]) -> str | None:
    """The JSON answer for one hook call, or None when there is nothing new to say.

    ``data`` (the hook's own JSON) carries no rate limits; everything comes from the store.
    """
    del data  # read to let the client finish writing; what matters is in the store
    # The same store as the status-line call (``account``), shared when the environment or
    # the config names one: one notice then covers every machine of the account.
    where = open_account(env)
    backend, log, settings = where.backend, where.log, where.config.notify
    if backend is None or not where.usable_dir:
        return None
    if not settings.levels and settings.lead_minutes <= 0:
        return None
    result = backend.read()
    if result.status != "ok":
        return None  # no store, a corrupt or newer one: nothing to announce, nothing to fix
    mark_running(result.state, host_name(env))  # "N sessions share it" counts live ones
    now = clock(env)
    offset_to_server = getattr(backend, "server_offset", None)
    if isinstance(offset_to_server, float) and abs(offset_to_server - clock_skew(env)) > 2.0:
        now += offset_to_server - clock_skew(env)  # the shared store's clock (call.py)
    offset = utc_offset(now)
    # Claims this machine made while the shared store was out of reach, not sent yet: they
    # count as made (a status-line call sends them; until then every hook call joins them).
    kept = _kept_claims(where.path) if backend.kind != "file" and where.path else []
    for claims in kept:
        notice.merge_claims(result.state, claims)
    if _due(result.state, now, offset, settings) is None:
        return None  # the common case: read, nothing new, no lock taken
    won: list[notice.Notice] = []
    # What travels with the outbox should this save land only in this machine's copy.
    record: dict[str, object] = {"now": now}

    def claim(state: State) -> bool:
        # Decided again on the state read under the lock: another session may have won.
        # Only the last run counts: a run whose save was refused (a stale WATCH) is redone
        # on the fresh document, and its claim must not be announced.
        won.clear()
        record.pop("notices", None)
        for claims in kept:
            notice.merge_claims(state, claims)
        fresh = _due(state, now, offset, settings)
        if fresh is None:
            return bool(kept)
        notice.claim(state, fresh, settings)
        won.append(fresh)
        record["notices"] = {fresh.window: state.notices.get(fresh.window)}
        return True

    if backend.update(claim, record) is None:
        log.warning("hook: store busy or not writable; the notice waits for the next call")
        return None
    if not won:
        return None
    from statusline import jsonwrite

    answer = notice.answer(won[0], settings, env.get("TERM_PROGRAM", ""), env.get("TERM", ""))
    text = jsonwrite.dumps(answer, ensure_ascii=False)
    # With STATUSLINE_LOG=info the log keeps each answer (escapes stay JSON-escaped).
    log.write("info", f"hook: announced {won[0].window} level={won[0].level} "
                      f"limit={won[0].limit}: {jsonwrite.dumps(answer)}")
    return text


def _kept_claims(store_path: str) -> list[dict[str, object]]:
    from statusline.store import outbox

    if not outbox.pending(store_path):
        return []
    return [claims for entry in outbox.read(store_path)
            if isinstance(claims := entry.get("notices"), dict)]


def _due(state: State, now: float, offset: float,
         settings: NotifyConfig) -> notice.Notice | None:
    return notice.due(state, forecast.project(state, now, offset), now, settings, offset)


def _on_timeout(signum: int, frame: FrameType | None) -> None:
    # Out of budget: say nothing and leave (a store write is an atomic replace; the kernel
    # drops our lock on exit).
    os._exit(0)
