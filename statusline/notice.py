"""What the hook announces, and to whom it is already said (pure: no files, clock or env).

Two kinds of notice per pooled window, each once for the whole account:

* a **level**: usage reached one of the configured percentages (80 / 90 / 95 by default);
  a jump over several levels is one notice for the highest. A level is a plain fact: its
  sentence gives the figure and the reset, and names the limit only when it is itself the
  window's limit notice (below);
* a **limit**: the forecast says the window fills before it resets, the limit is within
  the lead time (an hour by default), and, for the 5-hour window, ``limit_odds`` puts the
  odds of a hit at ``LIMIT_ODDS`` or more; and it already said so ``CONFIRM_S`` earlier
  (the forecast re-run on the readings of then). The odds, not the line's colour: the line
  warns earlier and more often, while a desktop notice has to be right. The confirmation
  drops bursts that fade; both figures come from replaying the benchmark traces
  (``scripts/bench_notices.py``, docs/hook.md).

What was announced lives in the store (``State.notices``, one entry per window), written by
the hook call that claims it under the store's lock, so five sessions give one notice. An
entry belongs to one window (its ``resets_at``) and one baseline (its ``rebased_at``): a reset
starts afresh, and a re-baseline re-arms the levels above the new figure and the limit.
"""

from __future__ import annotations

from math import isfinite

from statusline.forecast import Projection, WindowForecast, project
from statusline.forecast.what_if import pause_hint
from statusline.history import SAME_WINDOW_S, State, Window
from statusline.line.formatting import format_pct
from statusline.sanitize import clean

TYPE_CHECKING = False
if TYPE_CHECKING:
    from statusline.config import NotifyConfig
    from statusline.history import Session

# The 5h limit notice needs these odds of a hit (limit_odds), now and CONFIRM_S earlier;
# measured in docs/hook.md.
LIMIT_ODDS = 0.7
CONFIRM_S = 15 * 60.0
LABELS = {"five_hour": "5h", "seven_day": "7d"}
NAME_CHARS = 24
# Beyond this a clock time needs its weekday (7d limits are days away).
SAME_DAY_S = 20 * 3600.0
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Claims:
    """What has been announced about one window: its levels and whether its limit."""

    __slots__ = ("baseline", "levels", "limit", "resets_at")

    def __init__(self, resets_at: float, baseline: float | None) -> None:
        self.resets_at = resets_at
        self.baseline = baseline
        self.levels: set[float] = set()
        self.limit = False

    def to_json(self) -> dict[str, object]:
        return {"resets_at": self.resets_at, "baseline": self.baseline,
                "levels": sorted(self.levels), "limit": self.limit}


class Notice:
    """One thing worth a person's attention: a window's level and/or its coming limit."""

    __slots__ = ("level", "limit", "text", "window")

    def __init__(self, window: str, level: float | None, limit: bool, text: str) -> None:
        self.window = window
        self.level = level
        self.limit = limit
        self.text = text


def claims(state: State, name: str, window: Window) -> Claims:
    """The claims standing for the running window ``name`` (re-armed as the window moved on).

    A stored entry for another window (a reset) counts for nothing; after a re-baseline the
    levels above the figure it was re-based to, and the limit, are open again.
    """
    raw = state.notices.get(name)
    resets_at, rebased_at = window.resets_at, window.rebased_at
    fresh = Claims(resets_at, rebased_at)
    if not isinstance(raw, dict):
        return fresh
    stored_reset = _number(raw.get("resets_at"))
    if stored_reset is None or abs(stored_reset - resets_at) >= SAME_WINDOW_S:
        return fresh
    levels = raw.get("levels")
    if isinstance(levels, list):
        fresh.levels = {v for v in map(_number, levels[:32]) if v is not None}
    fresh.limit = raw.get("limit") is True
    if rebased_at is not None and _number(raw.get("baseline")) != rebased_at:
        rebased_to = window.samples_since_rebase()[0][1]
        fresh.levels = {level for level in fresh.levels if level <= rebased_to}
        fresh.limit = False
    return fresh


def due(state: State, projection: Projection, now: float, settings: NotifyConfig,
        utc_offset: float) -> Notice | None:
    """The most urgent notice nobody has given yet, or None when there is nothing to say."""
    found: list[tuple[float, Notice]] = []
    earlier: list[Projection] = []
    for name, forecast in projection.windows.items():
        window = state.windows.get(name)
        if window is None:
            continue
        standing = claims(state, name, window)
        crossed = [level for level in settings.levels
                   if forecast.used_pct >= level and level not in standing.levels]
        limit = limit_coming(forecast, now, settings.lead_minutes * 60.0)
        if limit and not standing.limit:
            if not earlier:  # one re-run for all windows, and only when a limit is coming
                earlier.append(project(state, now - CONFIRM_S, utc_offset))
            limit = confirmed(earlier[0].windows.get(name), forecast)
        # The limit is said once: a level notice after it is a plain fact (the figure and
        # the reset), never the forecast again.
        limit = limit and not standing.limit
        if not crossed and not limit:
            continue
        level = max(crossed) if crossed else None
        text = sentence(state, projection, forecast, level, limit, now, utc_offset)
        urgency = forecast.eta_limit_at if limit and forecast.eta_limit_at else forecast.resets_at
        found.append((urgency, Notice(name, level, limit, text)))
    if not found:
        return None
    return min(found, key=lambda pair: pair[0])[1]


def limit_coming(forecast: WindowForecast, now: float, lead_s: float) -> bool:
    """True when the forecast puts the limit before the reset and within ``lead_s``.

    The 5-hour window also needs ``LIMIT_ODDS``; a full window is a level, not a forecast.
    """
    eta = forecast.eta_limit_at
    if lead_s <= 0 or not forecast.limit_before_reset or eta is None:
        return False
    if forecast.used_pct >= 100 or eta - now > lead_s or eta >= forecast.resets_at:
        return False  # a full window is a level; a held 5h warning (ETA: the reset) no forecast
    return forecast.hit_odds is None or forecast.hit_odds >= LIMIT_ODDS


def confirmed(before: WindowForecast | None, now: WindowForecast) -> bool:
    """True when the forecast of ``CONFIRM_S`` ago already put this window's limit before its
    reset, at ``LIMIT_ODDS`` or more for the 5-hour window."""
    if before is None or before.resets_at != now.resets_at or not before.limit_before_reset:
        return False
    if before.eta_limit_at is None:
        return False
    return before.hit_odds is None or before.hit_odds >= LIMIT_ODDS


def claim(state: State, notice: Notice, settings: NotifyConfig) -> None:
    """Record in ``state`` that ``notice`` was given (levels up to its own, and its limit)."""
    window = state.windows.get(notice.window)
    if window is None:
        return
    standing = claims(state, notice.window, window)
    standing.levels |= {level for level in settings.levels if level <= window.used_pct}
    standing.limit = standing.limit or notice.limit
    state.notices[notice.window] = standing.to_json()


def merge_claims(state: State, kept: dict[str, object]) -> bool:
    """Join claims kept on a machine that could not reach the shared store (the hook's
    outbox entry: ``{window: Claims.to_json()}``) to the account's; True if any was new.

    A claim counts for the window it was made for (its ``resets_at``): one for a window
    that has ended since is dropped. Levels join, and a claimed limit stays claimed.
    """
    changed = False
    for name, raw in list(kept.items())[:8]:
        window = state.windows.get(name) if isinstance(name, str) else None
        if window is None or not isinstance(raw, dict):
            continue
        made_for = _number(raw.get("resets_at"))
        if made_for is None or abs(made_for - window.resets_at) >= SAME_WINDOW_S:
            continue
        standing = claims(state, name, window)
        levels = raw.get("levels")
        joined = standing.levels | {v for v in map(_number, levels[:32] if isinstance(
            levels, list) else []) if v is not None}
        limit = standing.limit or raw.get("limit") is True
        if joined != standing.levels or limit != standing.limit or name not in state.notices:
            standing.levels, standing.limit = joined, limit
            state.notices[name] = standing.to_json()
            changed = True
    return changed


# ---------------------------------------------------------------------------------------
# The sentence


def sentence(state: State, projection: Projection, forecast: WindowForecast,
             level: float | None, limit: bool, now: float, utc_offset: float) -> str:
    """One short sentence: the window, when it runs out, how many share it, who burns most.

    When it runs out is said only with ``limit`` (the limit notice's own test); otherwise
    the sentence gives the reset. It starts with a letter (a terminal refuses an OSC 9
    notification that starts with a digit) and holds no control characters: every store
    string is cleaned.
    """
    label = window_label(forecast.name)
    used = format_pct(forecast.used_pct)  # the line's rounding: both say the same figure
    eta = forecast.eta_limit_at
    if forecast.used_pct >= 100:
        head = f"Claude {label} limit reached, resets {clock(forecast.resets_at, now, utc_offset)}"
    elif limit and eta is not None:
        when = f"~{clock(eta, now, utc_offset)} (in {duration(eta - now)})"
        head = (f"Claude {label} usage at {used}, limit {when}" if level is not None
                else f"Claude {label} limit {when}, {used} used")
    else:
        head = (f"Claude {label} usage at {used} "
                f"(resets {clock(forecast.resets_at, now, utc_offset)})")
    live = state.live_sessions(now)
    if not live:
        return head
    share_text = "1 session uses it" if len(live) == 1 else f"{len(live)} sessions share it"
    top = top_burner(state, projection, {s.session_id for s in live})
    if top is None or len(live) == 1:
        return f"{head} — {share_text}"
    session, share = top
    text = f"{head} — {share_text}, {describe(session)} burns most ({share:.0%})"
    if limit and forecast.name == projection.binding_window:
        hint = pause_hint(state, projection, now)
        if hint is not None and hint.session_id in state.sessions:
            who = describe(state.sessions[hint.session_id], with_model=False)
            text += (f". Pausing {who} would last to the reset at "
                     f"{clock(hint.resets_at, now, utc_offset)}")
    return text


def window_label(name: str) -> str:
    """``5h``, ``7d``, ``7d opus`` (a model's week), ``spend limit``."""
    if name in LABELS:
        return LABELS[name]
    if name.startswith("seven_day_"):
        return "7d " + clean(name[len("seven_day_"):], 16)
    return clean(name.replace("_", " "), 24)


def top_burner(state: State, projection: Projection,
               among: set[str]) -> tuple[Session, float] | None:
    """The live session with the largest share of the last hour's spend, and that share."""
    ranked = sorted(((share, sid) for sid, share in projection.shares.items()
                     if sid in among and share > 0), reverse=True)
    if not ranked:
        return None
    share, sid = ranked[0]
    return state.sessions[sid], share


def describe(session: Session, with_model: bool = True) -> str:
    """A session in a few words: its name or project folder, and its model."""
    name = session.session_name or session.agent_name
    if not name and session.project_dir:
        name = session.project_dir.rstrip("/").rsplit("/", 1)[-1]
    label = clean(name or "", NAME_CHARS) or f"session {clean(session.session_id, 8)}"
    model = clean(session.model or "", NAME_CHARS) if with_model else ""
    return f"{label} ({model})" if model else label


def clock(t: float, now: float, utc_offset: float) -> str:
    """Local clock time of ``t`` (``HH:MM``), with the weekday when it is not within a day."""
    local = int(t + utc_offset)
    text = f"{local // 3600 % 24:02d}:{local // 60 % 60:02d}"
    if abs(t - now) >= SAME_DAY_S:
        text = f"{WEEKDAYS[(local // 86400 + 3) % 7]} {text}"
    return text


def duration(seconds: float) -> str:
    """A short countdown: ``45 min``, ``1 h 05``, ``2 d 4 h``."""
    minutes = max(0, round(seconds / 60.0))
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d}"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        result = float(value)
    except OverflowError:  # an integer beyond any float, from a hostile store
        return None
    return result if isfinite(result) else None


# ---------------------------------------------------------------------------------------
# The hook's answer to Claude Code

# Terminals that show OSC 777 (rxvt's notify) or OSC 99 (kitty) rather than OSC 9.
OSC777_PROGRAMS = ("ghostty", "wezterm")
OSC777_TERMS = ("rxvt", "foot")
MAX_SEQUENCE_BYTES = 4096  # the client drops a longer terminalSequence
APP_TITLE = "Claude Code"


def desktop_mode(setting: str, term_program: str, term: str) -> str:
    """``osc9``, ``osc777``, ``osc99`` or ``off``: ``auto`` picks by the terminal's name."""
    if setting != "auto":
        return setting
    program, kind = term_program.lower(), term.lower()
    if program in OSC777_PROGRAMS or kind.startswith(OSC777_TERMS):
        return "osc777"
    if program == "kitty" or "kitty" in kind:
        return "osc99"
    return "osc9"


def terminal_sequence(text: str, settings: NotifyConfig, term_program: str = "",
                      term: str = "") -> str:
    """The escape sequences the client emits for us: a desktop notification, the window
    title and a bell, as configured (only OSC 2/9/99/777 and BEL, which it allows)."""
    # ';' separates OSC 777's fields; control characters never reach an OSC body.
    body = clean(text, 300).replace(";", ",")
    parts = []
    mode = desktop_mode(settings.desktop, term_program, term)
    if mode == "osc9":
        parts.append(f"\x1b]9;{body}\x07")
    elif mode == "osc777":
        parts.append(f"\x1b]777;notify;{APP_TITLE};{body}\x07")
    elif mode == "osc99":
        parts.append(f"\x1b]99;;{body}\x1b\\")
    if settings.title:
        parts.append(f"\x1b]2;{body}\x07")
    if settings.bell:
        parts.append("\x07")
    sequence = "".join(parts)
    return sequence if len(sequence.encode("utf-8")) <= MAX_SEQUENCE_BYTES else ""


def answer(notice: Notice, settings: NotifyConfig, term_program: str = "",
           term: str = "") -> dict[str, str]:
    """The hook's JSON answer: the sentence under the reply, and the terminal's notice."""
    result = {"systemMessage": clean(notice.text, 300)}
    sequence = terminal_sequence(notice.text, settings, term_program, term)
    if sequence:
        result["terminalSequence"] = sequence
    return result
