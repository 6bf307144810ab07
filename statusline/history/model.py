"""The store's model: sessions, windows, archived windows and the whole ``State`` (pure).

The limits that keep the store small (samples, sessions, cost points) live here too, with
the thinning helpers that enforce them.
"""

from __future__ import annotations

from statusline.history import rhythm as rhythm_module
from statusline.history.liveness import live_sessions
from statusline.payload import SPEND_LIMIT, WINDOW_NAMES

SCHEMA_VERSION = 1
# spend_limit: a month at most (its period, when the payload names it, refines this).
WINDOW_SECONDS = {"five_hour": 5 * 3600.0, "seven_day": 7 * 86400.0, SPEND_LIMIT: 31 * 86400.0}
PERIOD_SECONDS = {"daily": 86400.0, "weekly": 7 * 86400.0, "monthly": 31 * 86400.0}
PCT_ACCEPTED_MAX = 101.0
# A spend limit is not capped at 100 % (107 % seen after a 429); the epoch the client once
# put into a percentage is still far beyond this.
SPEND_PCT_ACCEPTED_MAX = 10_000.0
# Per-model weeks from the client's usage cache: "seven_day_<model>".
MODEL_WEEK_PREFIX = "seven_day_"
MAX_MODEL_WEEKS = 6
# Windows of another account (told apart by their resets) kept aside, per window kind.
MAX_SHELVED = 3
FROZEN_AFTER_S = 600.0
REBASELINE_GRACE_S = 120.0
# A lower reading waits for a later reply at least this much later to confirm it (replies
# in flight together come back in any order) or for the grace period to pass uncontradicted.
REBASELINE_CONFIRM_S = 10.0
# Two readings whose resets_at differ by less than this describe the same window
# (the client rounds the reset header to whole seconds).
SAME_WINDOW_S = 60.0
CADENCE_SAMPLES = 3
SESSION_TTL_S = 2 * 86400.0
MAX_SESSIONS = 64
MAX_SAMPLES = 500
MAX_COST_POINTS = 120
COST_HISTORY_S = 2 * 3600.0
ARCHIVED_WINDOWS = {"five_hour": 12, "seven_day": 4, SPEND_LIMIT: 3}
ARCHIVED_OTHER = 2  # per-model weeks
ARCHIVE_SAMPLES = 120


class Session:
    """One Claude Code session as last seen by any call."""

    __slots__ = (
        "agent_name",
        "context_pct",
        "costs",
        "first_seen",
        "host",
        "idle_gaps",
        "last_seen",
        "model",
        "pid",
        "project_dir",
        "reading",
        "reading_changed_at",
        "session_id",
        "session_name",
    )

    def __init__(self, session_id: str, now: float) -> None:
        self.session_id = session_id
        self.first_seen = now
        self.last_seen = now
        self.model: str | None = None
        self.project_dir: str | None = None
        self.session_name: str | None = None
        self.agent_name: str | None = None
        # The machine the session runs on (machines share one store on a shared backend).
        self.host: str | None = None
        self.context_pct: float | None = None
        # (time, cumulative cost in USD), appended when the cost changes.
        self.costs: list[tuple[float, float]] = []
        # The raw rate_limits as last reported ([window, pct, resets_at] rows), None if absent.
        self.reading: list[list[object]] | None = None
        self.reading_changed_at = now
        # The Claude Code process (CLAUDE_PID) behind the calls, when the caller knew it.
        self.pid: int | None = None
        # Seconds between this session's saved stamps on its last calls that brought nothing
        # new (refreshInterval ticks): its own cadence, newest last, at most CADENCE_SAMPLES.
        self.idle_gaps: list[float] = []

    @property
    def cost_usd(self) -> float | None:
        """The session's latest cumulative cost, if it ever reported one."""
        return self.costs[-1][1] if self.costs else None

    def is_frozen(self, now: float) -> bool:
        """True when the session's reading has not changed for ``FROZEN_AFTER_S``."""
        return now - self.reading_changed_at > FROZEN_AFTER_S

    def cadence(self) -> float | None:
        """The longest of this session's last idle gaps, once ``CADENCE_SAMPLES`` are known."""
        if len(self.idle_gaps) < CADENCE_SAMPLES:
            return None
        return max(self.idle_gaps)

    def note_idle_gap(self, gap: float) -> None:
        """Remember one gap between saved stamps of calls that brought nothing new."""
        if gap > 0:
            self.idle_gaps = [*self.idle_gaps, round(gap, 1)][-CADENCE_SAMPLES:]


class Window:
    """The merged reading of one running rate-limit window (one ``resets_at``)."""

    __slots__ = (
        "confirmed_at",
        "full_at",
        "label",
        "limit_usd",
        "observed_at",
        "observed_by",
        "pending",
        "period",
        "rebased_at",
        "replayed",
        "resets_at",
        "samples",
        "source",
        "used_pct",
        "used_usd",
        "warned",
    )

    def __init__(self, resets_at: float, used_pct: float, now: float, by: str) -> None:
        self.resets_at = resets_at
        self.used_pct = used_pct
        # When a fresh reply last produced or confirmed the value, and from which session.
        self.observed_at = now
        self.observed_by = by
        # True while the value comes from a reading of unknown age (a session's first call
        # may replay an old reply) and no fresh reply has confirmed it: its age is unknown.
        self.replayed = False
        # When a reply last reported the same value (it guards re-baselines).
        self.confirmed_at = now
        self.rebased_at: float | None = None
        self.full_at: float | None = now if used_pct >= 100 else None
        # A lower fresh reading waiting to be confirmed as a re-baseline: (pct, since, by).
        self.pending: tuple[float, float, str] | None = None
        # (time, value) each time the merged value changed.
        self.samples: list[tuple[float, float]] = [(now, used_pct)]
        # Whether the last forecast warned of the limit (the forecast's hysteresis memory).
        self.warned = False
        # Where the figure comes from: "statusline" (stdin) or "usage cache" (the client's).
        self.source = "statusline"
        # spend_limit: the money behind the percentage and its period, when the payload said.
        self.used_usd: float | None = None
        self.limit_usd: float | None = None
        self.period: str | None = None
        # Per-model weeks: the model's name as the client shows it ("Opus").
        self.label: str | None = None

    def samples_since_rebase(self) -> list[tuple[float, float]]:
        """The samples that belong to the current baseline (all of them if never re-based)."""
        if self.rebased_at is None:
            return self.samples
        return [s for s in self.samples if s[0] >= self.rebased_at]


class ArchivedWindow:
    """A window that has ended: kept, thinned, for the chart and for learning the pace, and
    whether the hook announced its limit (the account's record of limit notices)."""

    __slots__ = ("limit_noticed", "peak_pct", "resets_at", "samples")

    def __init__(self, resets_at: float, peak_pct: float, samples: list[tuple[float, float]],
                 limit_noticed: bool = False):
        self.resets_at = resets_at
        self.peak_pct = peak_pct
        self.samples = samples
        self.limit_noticed = limit_noticed


def window_seconds(name: str, period: str | None = None) -> float:
    """How long window ``name`` runs from its start to its reset."""
    if name == SPEND_LIMIT and period in PERIOD_SECONDS:
        return PERIOD_SECONDS[period]
    return WINDOW_SECONDS.get(name, WINDOW_SECONDS["seven_day"])


def is_model_week(name: str) -> bool:
    """True for a per-model weekly window (``seven_day_opus``), known from the usage cache."""
    return name.startswith(MODEL_WEEK_PREFIX) and len(name) > len(MODEL_WEEK_PREFIX)


class ExtraUsage:
    """The account's extra usage (pay-as-you-go beyond the plan), from the usage cache."""

    __slots__ = ("currency", "enabled", "fetched_at", "limit", "used", "used_pct")

    def __init__(self, enabled: bool, used: float | None, limit: float | None,
                 used_pct: float | None, currency: str | None, fetched_at: float) -> None:
        self.enabled = enabled
        # Amounts in the currency's units (the cache counts cents).
        self.used = used
        self.limit = limit
        self.used_pct = used_pct
        self.currency = currency
        self.fetched_at = fetched_at


class State:
    """Everything the store holds for one Claude Code profile and account."""

    __slots__ = ("account", "account_label", "archive", "extra_usage", "notices",
                 "project_spend", "rejected", "rhythm", "running", "schema_version", "sessions",
                 "shelved", "usage_fetched_at", "windows")

    def __init__(self) -> None:
        self.schema_version = SCHEMA_VERSION
        self.sessions: dict[str, Session] = {}
        # five_hour and seven_day always; spend_limit and per-model weeks once seen.
        self.windows: dict[str, Window | None] = {name: None for name in WINDOW_NAMES}
        self.archive: dict[str, list[ArchivedWindow]] = {name: [] for name in WINDOW_NAMES}
        # The account this store belongs to (None: the client names none) and its short form.
        self.account: str | None = None
        self.account_label: str | None = None
        # Running windows of another account, set aside when a reading showed the switch.
        self.shelved: dict[str, list[Window]] = {}
        # The latest reading left out, and why: (time, reason), for doctor.
        self.rejected: tuple[float, str] | None = None
        self.extra_usage: ExtraUsage | None = None
        # fetchedAt of the client's usage cache last folded in (it is folded once).
        self.usage_fetched_at: float | None = None
        # This account's 5h usage by hour of week, learned from every window that ends.
        self.rhythm = rhythm_module.Rhythm()
        # What the hook announced, per window (read and written by ``notice`` only; kept
        # here verbatim so every save carries it).
        self.notices: dict[str, dict[str, object]] = {}
        # Tracked spend by project and hour (history.week): project -> [(hour, USD)].
        self.project_spend: dict[str, list[tuple[float, float]]] = {}
        # Whether each session's Claude Code process runs, by session key, for the sessions
        # whose process the caller could look up (this machine's); never saved.
        self.running: dict[str, bool] = {}

    def live_sessions(self, now: float) -> list[Session]:
        """Sessions still calling, most recently seen first (``liveness.live_sessions``)."""
        return live_sessions(self.sessions.values(), self.running, now)

    def is_live(self, session: Session, now: float) -> bool:
        """Whether ``session`` counts as live at ``now`` (the rule of ``live_sessions``)."""
        return any(s is session for s in self.live_sessions(now))

    def current_window(self, name: str, now: float) -> Window | None:
        """The merged window ``name`` if it is still running at ``now``."""
        window = self.windows.get(name)
        if window is None or window.resets_at <= now:
            return None
        return window


def trim_costs(costs: list[tuple[float, float]], horizon: float) -> list[tuple[float, float]]:
    """Cost points after ``horizon`` (plus the one before it), at most ``MAX_COST_POINTS``.

    Returns ``costs`` itself when nothing changes. Past the cap the newest half stays exact
    and the older half is thinned, so spend over the last hour stays within a few percent.
    """
    first_kept = 0
    while first_kept + 1 < len(costs) and costs[first_kept + 1][0] <= horizon:
        first_kept += 1
    if not first_kept and len(costs) <= MAX_COST_POINTS:
        return costs
    kept = costs[first_kept:]
    if len(kept) > MAX_COST_POINTS:
        exact = MAX_COST_POINTS // 2
        kept = thin_by_time(kept[:-exact], MAX_COST_POINTS - exact) + kept[-exact:]
    return kept


def thin_by_time(points: list[tuple[float, float]], limit: int) -> list[tuple[float, float]]:
    """At most ``limit`` points spread evenly in time, keeping the first and last.

    For each of ``limit`` evenly spaced times the first point at or after it is kept. By
    time, not by index, so thinning an already thinned list again (every call does) keeps
    the old end of the span covered.
    """
    if len(points) <= limit or limit < 2:
        return points
    first = points[0][0]
    gap = (points[-1][0] - first) / (limit - 1)
    kept: list[tuple[float, float]] = []
    index = 0
    for k in range(limit):
        target = first + k * gap
        while index < len(points) - 1 and points[index][0] < target:
            index += 1
        if not kept or points[index] is not kept[-1]:
            kept.append(points[index])
    return kept


def thin(samples: list[tuple[float, float]], limit: int) -> list[tuple[float, float]]:
    """Return at most ``limit`` samples spread evenly, always keeping the first and last."""
    if len(samples) <= limit or limit < 2:
        return samples[-limit:] if limit > 0 else []
    step = (len(samples) - 1) / (limit - 1)
    return [samples[round(i * step)] for i in range(limit)]
