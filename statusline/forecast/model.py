"""The forecast's data: what it says about one window, and the whole projection."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from statusline.history import Window


class WindowForecast:
    """What the forecast says about one running window."""

    __slots__ = (
        "eta_limit_at",
        "guessed_pct",
        "hit_odds",
        "limit_before_reset",
        "name",
        "observed_at",
        "observed_by",
        "prior_hit_odds",
        "projected_pct_at_reset",
        "rate_pct_per_hour",
        "resets_at",
        "rhythm_days",
        "rhythm_weight",
        "thin",
        "used_pct",
    )

    def __init__(self, name: str, window: Window) -> None:
        self.name = name
        self.used_pct = window.used_pct
        self.resets_at = window.resets_at
        self.observed_at = window.observed_at
        self.observed_by = window.observed_by
        self.rate_pct_per_hour: float | None = None
        self.eta_limit_at: float | None = None
        self.limit_before_reset = False
        # 5h only: limit_odds' probability that the window fills before its reset.
        self.hit_odds: float | None = None
        # The same odds from the fixed working-day prior alone (``explain`` compares them).
        self.prior_hit_odds: float | None = None
        self.projected_pct_at_reset: float | None = None
        # 7d only: the points of the projection that fall on kinds of day the rhythm never
        # watched, when leaving it out kept a warning back (``seven_day.unwatched_hours``).
        self.guessed_pct: float | None = None
        # True when the rate rests on little data: the line marks it with '~'.
        self.thin = True
        # How many days of the account's rhythm the profile rests on, and its weight (0-1)
        # against the fixed prior.
        self.rhythm_days = 0.0
        self.rhythm_weight = 0.0


class Projection:
    """The whole forecast for one moment: windows, binding window, shares and spend."""

    __slots__ = ("binding_window", "ended", "shares", "usd_per_hour", "utc_offset", "windows")

    def __init__(self, utc_offset: float = 0.0) -> None:
        # The local clock the projection was made on (seconds east of UTC).
        self.utc_offset = utc_offset
        self.windows: dict[str, WindowForecast] = {}
        # Windows whose last known reset has passed with no new reading since.
        self.ended: set[str] = set()
        self.binding_window: str | None = None
        self.shares: dict[str, float] = {}
        self.usd_per_hour: float | None = None
