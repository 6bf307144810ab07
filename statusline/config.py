"""User configuration: what the line shows and how.

``parse`` is pure (a dict in, a ``Config`` and a list of warnings out); ``load`` is the thin
I/O part. The file is optional TOML; when it is absent the hot path pays one ``stat`` and
never imports ``tomllib``.
"""

from __future__ import annotations

import os

DEFAULT_SEGMENTS = (
    "model", "context", "five_hour", "seven_day", "spend_limit", "model_week", "pause",
    "cost", "sessions", "freshness", "pace",
)
THEMES = ("default", "mono", "vivid")
STYLES = ("full", "compact")
SYMBOL_SETS = ("unicode", "ascii")
# How the hook's notification reaches the desktop: auto picks by TERM_PROGRAM / TERM.
DESKTOP_MODES = ("auto", "osc9", "osc777", "osc99", "off")
MAX_LEVELS = 10
MAX_CONFIG_BYTES = 1 << 20


class NotifyConfig:
    """What ``statusline hook`` announces, and how (the ``[notify]`` table)."""

    __slots__ = ("bell", "desktop", "lead_minutes", "levels", "title")

    def __init__(self) -> None:
        # Usage levels (percent) announced once per window, each once for the account.
        self.levels: tuple[float, ...] = (80.0, 90.0, 95.0)
        # Announce a forecast limit once it is this close (0 turns forecast notices off).
        self.lead_minutes = 60.0
        self.desktop = "auto"
        self.bell = False
        self.title = False

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NotifyConfig):
            return NotImplemented
        return all(getattr(self, key) == getattr(other, key) for key in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value


class Config:
    """Settings for the line; every field has a default that works without a file."""

    __slots__ = (
        "alert_pct", "color", "notify", "segments", "store_url", "style", "symbols", "theme",
        "warn_pct",
    )

    def __init__(self) -> None:
        self.segments: tuple[str, ...] = DEFAULT_SEGMENTS
        self.color = True
        self.theme = "default"
        self.style = "full"
        self.symbols = "unicode"
        # Usage at or above these percentages is drawn in the warning / alert colour.
        self.warn_pct = 70.0
        self.alert_pct = 90.0
        # A store shared by several machines (redis:// or rediss://); "": the local file.
        self.store_url = ""
        self.notify = NotifyConfig()


def parse(document: dict[str, object],
          known_segments: tuple[str, ...] | None) -> tuple[Config, list[str]]:
    """Build a ``Config`` from a parsed TOML document.

    Unknown keys and bad values each give one warning and keep the default, so a typo can
    never break the line.
    """
    config = Config()
    warnings: list[str] = []
    for key, value in document.items():
        if key == "segments":
            names = value if isinstance(value, list) else None
            unknown = ([] if known_segments is None
                       else [n for n in names or [] if n not in known_segments])
            if names is None or not all(isinstance(n, str) for n in names) or unknown:
                warnings.append(
                    f"segments: expected a list of {', '.join(known_segments or ('names',))}; "
                    f"got {value!r}"
                )
            else:
                config.segments = tuple(dict.fromkeys(names))
        elif key == "color":
            if isinstance(value, bool):
                config.color = value
            else:
                warnings.append(f"color: expected true or false; got {value!r}")
        elif key in ("theme", "style", "symbols"):
            choices = {"theme": THEMES, "style": STYLES, "symbols": SYMBOL_SETS}[key]
            if value in choices:
                setattr(config, key, value)
            else:
                warnings.append(f"{key}: expected one of {', '.join(choices)}; got {value!r}")
        elif key in ("warn_pct", "alert_pct"):
            if isinstance(value, (int, float)) and not isinstance(value, bool) and (
                0 <= value <= 100
            ):
                setattr(config, key, float(value))
            else:
                warnings.append(f"{key}: expected a number from 0 to 100; got {value!r}")
        elif key == "store_url":
            # Never echo the value: it may hold a password.
            if isinstance(value, str) and value.strip().lower().startswith(
                ("redis://", "rediss://")
            ):
                config.store_url = value.strip()
            elif value != "":
                warnings.append("store_url: expected a redis:// or rediss:// URL (ignored)")
        elif key == "notify":
            if isinstance(value, dict):
                warnings += _parse_notify(value, config.notify)
            else:
                warnings.append(f"notify: expected a table ([notify]); got {value!r}")
        else:
            warnings.append(f"unknown key {key!r} (ignored)")
    if config.warn_pct > config.alert_pct:
        warnings.append("warn_pct is above alert_pct; using the defaults for both")
        config.warn_pct, config.alert_pct = Config().warn_pct, Config().alert_pct
    return config, warnings


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _parse_notify(table: dict[str, object], notify: NotifyConfig) -> list[str]:
    """Fill ``notify`` from the ``[notify]`` table; one warning per bad or unknown key."""
    warnings: list[str] = []
    for key, value in table.items():
        if key == "levels":
            good = (isinstance(value, list) and len(value) <= MAX_LEVELS
                    and all(_is_number(v) and 0 < v <= 100 for v in value))
            if good and isinstance(value, list):
                notify.levels = tuple(sorted({float(v) for v in value}))
            else:
                warnings.append(f"notify.levels: expected up to {MAX_LEVELS} percentages "
                                f"above 0 and at most 100; got {value!r}")
        elif key == "lead_minutes":
            if isinstance(value, (int, float)) and not isinstance(value, bool) and (
                0 <= value <= 24 * 60
            ):
                notify.lead_minutes = float(value)
            else:
                warnings.append(f"notify.lead_minutes: expected minutes from 0 to 1440; "
                                f"got {value!r}")
        elif key == "desktop":
            if isinstance(value, bool):
                notify.desktop = "auto" if value else "off"
            elif value in DESKTOP_MODES:
                notify.desktop = str(value)
            else:
                warnings.append(f"notify.desktop: expected true, false or one of "
                                f"{', '.join(DESKTOP_MODES)}; got {value!r}")
        elif key in ("bell", "title"):
            if isinstance(value, bool):
                setattr(notify, key, value)
            else:
                warnings.append(f"notify.{key}: expected true or false; got {value!r}")
        else:
            warnings.append(f"unknown key 'notify.{key}' (ignored)")
    return warnings


def load(path: str | None,
         known_segments: tuple[str, ...] | None) -> tuple[Config, list[str]]:
    """Read the config file at ``path``; a missing file is the defaults, never an error.

    A file that cannot be read or parsed gives the defaults and a warning.
    """
    if path is None:
        return Config(), []
    from statusline.files import read_bounded

    # Bounded and never blocking: a FIFO, device or huge file planted at the path costs a
    # warning, not the status-line call's whole budget.
    data = read_bounded(path, MAX_CONFIG_BYTES, follow_symlinks=True)
    if data is None:
        if not os.path.lexists(path):
            return Config(), []
        return Config(), [f"cannot read {path}: not a readable regular file under 1 MB"]
    import tomllib  # only when a config file exists

    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        return Config(), [f"{path} is not valid TOML: {error}"]
    except RecursionError:
        # tomllib parses nested arrays and tables recursively: a file nested a thousand
        # levels deep exhausts the stack. It costs the settings, never the line or a save.
        return Config(), [f"{path} is nested too deeply to read; the defaults apply"]
    return parse(document, known_segments)


def exists(path: str | None) -> bool:
    """True when a config file is present at ``path`` (one ``stat``, no parsing)."""
    return path is not None and os.path.exists(path)


def to_toml(config: Config, store_url_shown: str = "set") -> str:
    """``config`` as a TOML document that ``load`` reads back to the same settings.

    ``store_url`` is the exception: it may hold a password, so it is named only as a
    comment, as ``store_url_shown`` (the caller's redacted form of it).
    """
    names = ", ".join(f'"{name}"' for name in config.segments)
    lines = [
        f"segments = [{names}]",
        f"color = {'true' if config.color else 'false'}",
        f'theme = "{config.theme}"',
        f'style = "{config.style}"',
        f'symbols = "{config.symbols}"',
        f"warn_pct = {config.warn_pct!r}",
        f"alert_pct = {config.alert_pct!r}",
        "",
        "[notify]",
        f"levels = [{', '.join(repr(level) for level in config.notify.levels)}]",
        f"lead_minutes = {config.notify.lead_minutes!r}",
        f'desktop = "{config.notify.desktop}"',
        f"bell = {'true' if config.notify.bell else 'false'}",
        f"title = {'true' if config.notify.title else 'false'}",
    ]
    if config.store_url:
        lines.append(f"# store_url is set ({store_url_shown}); not repeated: it may hold a "
                     "password")
    return "\n".join(lines)
