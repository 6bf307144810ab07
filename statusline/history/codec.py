"""The store document: ``State`` to and from JSON (tolerant on the way in: a bad entry is
skipped, never fatal).

Each field is read by its type: one of another type (written by another version, another
machine, or by hand) costs that field, never the document; ``from_json`` names such fields
when asked (``dropped``), so doctor can say which. Times and amounts beyond sense are
left out like a wrong type (a figure that does not fit is never drawn), and every string
is cleaned of terminal controls as it is read.
"""

from __future__ import annotations

from math import isfinite

from statusline.history import rhythm as rhythm_module
from statusline.history import week
from statusline.history.fields import MAX_FIGURE, amount, audit, number
from statusline.history.model import (
    ARCHIVE_SAMPLES,
    ARCHIVED_OTHER,
    ARCHIVED_WINDOWS,
    CADENCE_SAMPLES,
    MAX_COST_POINTS,
    MAX_MODEL_WEEKS,
    MAX_SAMPLES,
    MAX_SHELVED,
    PERIOD_SECONDS,
    SPEND_PCT_ACCEPTED_MAX,
    ArchivedWindow,
    ExtraUsage,
    Session,
    State,
    Window,
    is_model_week,
)
from statusline.payload import SPEND_LIMIT, STDIN_WINDOWS, valid_session_id
from statusline.sanitize import clean

# Notices are kept for at most this many windows (a hostile store cannot grow them).
MAX_NOTICES = 16
MAX_SCHEMA = 1 << 20
MAX_DROPPED = 20


def _text(value: object, limit: int) -> str | None:
    return clean(value, limit) if isinstance(value, str) else None


def to_json(state: State) -> dict[str, object]:
    """Return the store document for ``state`` (JSON-ready: dicts, lists, str, float)."""
    return {
        "schema_version": state.schema_version,
        "sessions": {sid: _session_json(s) for sid, s in state.sessions.items()},
        "windows": {
            name: None if w is None else _window_json(w) for name, w in state.windows.items()
        },
        "archive": {
            name: [
                {
                    "resets_at": a.resets_at,
                    "peak_pct": a.peak_pct,
                    "samples": _pairs_json(a.samples),
                    # Only when set: older versions read the entry as before.
                    **({"limit_noticed": True} if a.limit_noticed else {}),
                }
                for a in windows
            ]
            for name, windows in state.archive.items()
        },
        "account": state.account,
        "account_label": state.account_label,
        "rhythm": rhythm_module.to_json(state.rhythm),
        "shelved": {
            name: [_window_json(w) for w in shelf] for name, shelf in state.shelved.items() if shelf
        },
        "rejected": None if state.rejected is None else list(state.rejected),
        "extra_usage": None if state.extra_usage is None else _extra_json(state.extra_usage),
        "usage_fetched_at": state.usage_fetched_at,
        "notices": state.notices,
        "project_spend": {key: _pairs_json(b) for key, b in state.project_spend.items()},
    }


def _extra_json(e: ExtraUsage) -> dict[str, object]:
    return {"enabled": e.enabled, "used": e.used, "limit": e.limit, "used_pct": e.used_pct,
            "currency": e.currency, "fetched_at": e.fetched_at}


def _extra_from(raw: object) -> ExtraUsage | None:
    if not isinstance(raw, dict):
        return None
    fetched = number(raw.get("fetched_at"))
    if fetched is None:
        return None
    currency = raw.get("currency")
    return ExtraUsage(raw.get("enabled") is True, amount(raw.get("used")),
                      amount(raw.get("limit")), amount(raw.get("used_pct")),
                      clean(currency, 8) if isinstance(currency, str) else None, fetched)


def _top(name: str) -> float:
    return SPEND_PCT_ACCEPTED_MAX if name == SPEND_LIMIT else 100.0


def _known_name(name: object) -> bool:
    return isinstance(name, str) and (name in STDIN_WINDOWS or (
        is_model_week(name) and len(name) <= 40 and name.replace("_", "").isalnum()))


def from_json(document: object, dropped: list[str] | None = None) -> State:
    """Rebuild a ``State`` from a store document; anything malformed is left out.

    Raises ``ValueError`` only when the document is not a store at all (not an object, or
    no usable ``schema_version``), so the caller can quarantine it. ``dropped``, when given,
    receives the names of the fields left out for their type (``windows.five_hour.samples``).
    """
    if not isinstance(document, dict):
        raise ValueError("store document is not a JSON object")
    version = document.get("schema_version")
    if (isinstance(version, bool) or not isinstance(version, int)
            or not 1 <= version <= MAX_SCHEMA):
        raise ValueError("store document has no valid schema_version")
    if dropped is not None:
        dropped += audit(document)[:MAX_DROPPED]
    state = State()
    state.schema_version = version
    sessions = document.get("sessions")
    if isinstance(sessions, dict):
        for sid, raw in sessions.items():
            session = _session_from(sid, raw)
            if session is not None:
                state.sessions[sid] = session
    notices = document.get("notices")
    if isinstance(notices, dict):
        state.notices = {name: entry for name, entry in list(notices.items())[:MAX_NOTICES]
                         if _known_name(name) and isinstance(entry, dict)}
    windows = document.get("windows")
    archive = document.get("archive")
    names = [n for n in windows if _known_name(n)] if isinstance(windows, dict) else []
    if isinstance(archive, dict):
        names += [n for n in archive if _known_name(n) and n not in names]
    model_weeks = 0
    for name in names:
        if is_model_week(name):
            model_weeks += 1
            if model_weeks > MAX_MODEL_WEEKS:
                continue
        if isinstance(windows, dict) and name in windows:
            window = _window_from(windows.get(name), _top(name))
            if window is not None or name in state.windows:
                state.windows[name] = window
        if isinstance(archive, dict) and isinstance(archive.get(name), list):
            state.archive[name] = [
                a for a in map(_archived_from, archive[name]) if a is not None
            ][-ARCHIVED_WINDOWS.get(name, ARCHIVED_OTHER):]
    account = document.get("account")
    if isinstance(account, str) and 0 < len(account) <= 64:
        state.account = clean(account, 64)
        state.account_label = _text(document.get("account_label"), 80)
    shelved = document.get("shelved")
    if isinstance(shelved, dict):
        for name, shelf in shelved.items():
            if _known_name(name) and isinstance(shelf, list):
                kept = [w for w in (_window_from(raw, _top(name)) for raw in shelf[-MAX_SHELVED:])
                        if w is not None]
                if kept:
                    state.shelved[name] = kept
    rejected = document.get("rejected")
    if isinstance(rejected, list) and len(rejected) == 2 and isinstance(rejected[1], str):
        at = number(rejected[0])
        if at is not None:
            state.rejected = (at, clean(rejected[1], 200))
    state.extra_usage = _extra_from(document.get("extra_usage"))
    state.usage_fetched_at = number(document.get("usage_fetched_at"))
    # Stores written before the rhythm existed have none: an empty record, learned from here.
    state.rhythm = rhythm_module.from_json(document.get("rhythm"))
    # Stores written before #21 have no spend by project: the week is tracked from here.
    state.project_spend = _project_spend_from(document.get("project_spend"))
    return state


def _project_spend_from(raw: object) -> dict[str, list[tuple[float, float]]]:
    """The spend buckets (history.week), bounded as the week keeps them."""
    if not isinstance(raw, dict):
        return {}
    kept: dict[str, list[tuple[float, float]]] = {}
    for key, pairs in list(raw.items())[:week.MAX_PROJECTS + 1]:
        if isinstance(key, str) and 0 < len(key) <= week.MAX_KEY:
            buckets = [b for b in _pairs_from(pairs, week.MAX_BUCKETS) if b[1] > 0]
            if buckets:
                kept[key] = buckets
    return kept


def _pairs_json(pairs: list[tuple[float, float]]) -> list[list[float]]:
    return [[round(t, 3), p] for t, p in pairs]


def _pairs_from(value: object, limit: int) -> list[tuple[float, float]]:
    if not isinstance(value, list):
        return []
    pairs = []
    for item in value[-limit:]:
        if type(item) is list and len(item) == 2:
            t, v = item
            # The common case (two floats) without a function call per number: this loop
            # runs for every point in the store on every call.
            if type(t) is not float or type(v) is not float:
                t, v = number(t), number(v)
                if t is None or v is None:
                    continue
            elif not (isfinite(t) and -MAX_FIGURE <= v <= MAX_FIGURE):
                continue  # also NaN and the infinities
            if not -MAX_FIGURE <= v <= MAX_FIGURE:
                continue
            pairs.append((t, v))
    return pairs


def _session_json(s: Session) -> dict[str, object]:
    return {
        "first_seen": s.first_seen,
        "last_seen": s.last_seen,
        "model": s.model,
        "project_dir": s.project_dir,
        "session_name": s.session_name,
        "agent_name": s.agent_name,
        "host": s.host,
        "context_pct": s.context_pct,
        "costs": _pairs_json(s.costs),
        "reading": s.reading,
        "reading_changed_at": s.reading_changed_at,
        "pid": s.pid,
        "idle_gaps": s.idle_gaps,
    }


def _str_or_none(value: object) -> str | None:
    # Cleaned where drawn (line, inspect): a non-ASCII folder name must not cost every call
    # the regular expressions' import.
    return value[:512] if isinstance(value, str) else None


def _session_from(sid: object, raw: object) -> Session | None:
    if not isinstance(raw, dict) or not isinstance(sid, str) or valid_session_id(sid) != sid:
        return None
    last_seen = number(raw.get("last_seen"))
    if last_seen is None:
        return None
    session = Session(sid, last_seen)
    session.first_seen = number(raw.get("first_seen")) or last_seen
    session.model = _str_or_none(raw.get("model"))
    session.project_dir = _str_or_none(raw.get("project_dir"))
    session.session_name = _str_or_none(raw.get("session_name"))
    session.agent_name = _str_or_none(raw.get("agent_name"))
    host = raw.get("host")
    session.host = host[:64] if isinstance(host, str) else None
    context = number(raw.get("context_pct"))
    session.context_pct = context if context is not None and 0 <= context <= 100 else None
    session.costs = _pairs_from(raw.get("costs"), MAX_COST_POINTS)
    reading = raw.get("reading")
    if isinstance(reading, list) and all(
        isinstance(row, list) and len(row) in (3, 6) and isinstance(row[0], str)
        for row in reading
    ):
        session.reading = reading
    session.reading_changed_at = number(raw.get("reading_changed_at")) or last_seen
    pid = raw.get("pid")
    session.pid = pid if type(pid) is int and pid > 0 else None
    gaps = raw.get("idle_gaps")
    if isinstance(gaps, list):
        for gap in gaps[-CADENCE_SAMPLES:]:
            value = number(gap)
            if value is not None:
                session.note_idle_gap(value)
    return session


def _window_json(w: Window) -> dict[str, object]:
    return {
        "resets_at": w.resets_at,
        "used_pct": w.used_pct,
        "observed_at": w.observed_at,
        "observed_by": w.observed_by,
        "confirmed_at": w.confirmed_at,
        "rebased_at": w.rebased_at,
        "full_at": w.full_at,
        "pending": None if w.pending is None else list(w.pending),
        "warned": w.warned,
        "replayed": w.replayed,
        "samples": _pairs_json(w.samples),
        **_window_extras(w),
    }


def _window_extras(w: Window) -> dict[str, object]:
    """The fields only some windows have (kept out of the document when unset)."""
    extras: dict[str, object] = {}
    if w.source != "statusline":
        extras["source"] = w.source
    for key in ("used_usd", "limit_usd", "period", "label"):
        value = getattr(w, key)
        if value is not None:
            extras[key] = value
    return extras


def _window_from(raw: object, top: float = 100.0) -> Window | None:
    if not isinstance(raw, dict):
        return None
    resets_at = amount(raw.get("resets_at"))
    used = number(raw.get("used_pct"))
    observed_at = number(raw.get("observed_at"))
    by = raw.get("observed_by")
    if resets_at is None or used is None or observed_at is None or not 0 <= used <= top:
        return None
    window = Window(resets_at, used, observed_at, by if isinstance(by, str) else "")
    window.confirmed_at = number(raw.get("confirmed_at")) or observed_at
    window.rebased_at = number(raw.get("rebased_at"))
    window.full_at = number(raw.get("full_at"))
    pending = raw.get("pending")
    if isinstance(pending, list) and len(pending) == 3:
        pct, since, pby = number(pending[0]), number(pending[1]), pending[2]
        if pct is not None and since is not None and isinstance(pby, str):
            window.pending = (pct, since, pby)
    samples = _pairs_from(raw.get("samples"), MAX_SAMPLES)
    window.samples = samples or [(observed_at, used)]
    window.warned = raw.get("warned") is True
    source = raw.get("source")
    if source == "usage cache":
        window.source = source
    window.used_usd, window.limit_usd = amount(raw.get("used_usd")), amount(raw.get("limit_usd"))
    period = raw.get("period")
    window.period = period if period in PERIOD_SECONDS else None
    window.label = _text(raw.get("label"), 24) or None
    window.replayed = raw.get("replayed") is True
    return window


def _archived_from(raw: object) -> ArchivedWindow | None:
    if not isinstance(raw, dict):
        return None
    resets_at, peak = amount(raw.get("resets_at")), amount(raw.get("peak_pct"))
    if resets_at is None or peak is None:
        return None
    return ArchivedWindow(resets_at, peak, _pairs_from(raw.get("samples"), ARCHIVE_SAMPLES),
                          raw.get("limit_noticed") is True)
