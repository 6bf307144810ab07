"""The config file: defaults, every key, warnings for mistakes, and the example file."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from statusline import config
from statusline.config import DEFAULT_SEGMENTS, STYLES, SYMBOL_SETS, THEMES, Config
from statusline.line.segments import SEGMENTS
from tests.conftest import EXAMPLES, OAUTH_NOW

REPO = Path(__file__).resolve().parent.parent
KNOWN = tuple(SEGMENTS)


def parse(document: dict[str, object]) -> tuple[Config, list[str]]:
    return config.parse(document, KNOWN)


def test_defaults_show_every_segment_in_order() -> None:
    """With no file every registered segment is shown, in the registry's order."""
    cfg = Config()
    assert cfg.segments == DEFAULT_SEGMENTS
    assert set(DEFAULT_SEGMENTS) == set(SEGMENTS)
    assert (cfg.color, cfg.theme, cfg.style, cfg.symbols) == (True, "default", "full", "unicode")
    assert (cfg.warn_pct, cfg.alert_pct) == (70.0, 90.0)


def test_every_key_is_read() -> None:
    """Each documented key sets its field, with no warning."""
    cfg, warnings = parse({
        "segments": ["five_hour", "context"], "color": False, "theme": "mono",
        "style": "compact", "symbols": "ascii", "warn_pct": 50, "alert_pct": 75.5,
    })
    assert warnings == []
    assert cfg.segments == ("five_hour", "context")
    assert (cfg.color, cfg.theme, cfg.style, cfg.symbols) == (False, "mono", "compact", "ascii")
    assert (cfg.warn_pct, cfg.alert_pct) == (50.0, 75.5)


def test_the_notify_table_is_read() -> None:
    """[notify]: levels (sorted, once each), lead time, desktop mode, bell and title."""
    cfg, warnings = parse({"notify": {"levels": [95, 75, 95], "lead_minutes": 45,
                                      "desktop": "osc777", "bell": True, "title": True}})
    assert warnings == []
    notify = cfg.notify
    assert (notify.levels, notify.lead_minutes) == ((75.0, 95.0), 45.0)
    assert (notify.desktop, notify.bell, notify.title) == ("osc777", True, True)
    assert parse({"notify": {"desktop": False}})[0].notify.desktop == "off"
    assert Config().notify.levels == (80.0, 90.0, 95.0)


@pytest.mark.parametrize(("table", "words"), [
    ({"levels": [0]}, "notify.levels: expected"),
    ({"levels": "80"}, "notify.levels: expected"),
    ({"levels": list(range(1, 20))}, "notify.levels: expected up to 10"),
    ({"lead_minutes": -1}, "notify.lead_minutes: expected"),
    ({"lead_minutes": True}, "notify.lead_minutes: expected"),
    ({"desktop": "osc52"}, "notify.desktop: expected"),
    ({"bell": "yes"}, "notify.bell: expected true or false"),
    ({"sound": True}, "unknown key 'notify.sound'"),
])
def test_notify_mistakes_give_one_warning_and_the_default(table: dict[str, object],
                                                          words: str) -> None:
    cfg, warnings = parse({"notify": table})
    assert len(warnings) == 1 and words in warnings[0], warnings
    defaults = Config().notify
    for key in table:
        if hasattr(defaults, key):
            assert getattr(cfg.notify, key) == getattr(defaults, key)
    assert "notify: expected a table" in parse({"notify": 3})[1][0]


def test_repeated_segments_are_shown_once() -> None:
    """A segment listed twice is shown once, at its first place."""
    cfg, _ = parse({"segments": ["context", "model", "context"]})
    assert cfg.segments == ("context", "model")


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ({"colour": True}, "unknown key 'colour'"),
        ({"segments": ["context", "weather"]}, "segments: expected a list of"),
        ({"segments": "context"}, "segments: expected a list of"),
        ({"color": "yes"}, "color: expected true or false"),
        ({"theme": "neon"}, "theme: expected one of default, mono, vivid"),
        ({"style": "tiny"}, "style: expected one of full, compact"),
        ({"symbols": "emoji"}, "symbols: expected one of unicode, ascii"),
        ({"warn_pct": 120}, "warn_pct: expected a number from 0 to 100"),
        ({"alert_pct": True}, "alert_pct: expected a number from 0 to 100"),
        ({"warn_pct": 95, "alert_pct": 80}, "warn_pct is above alert_pct"),
    ],
)
def test_mistakes_give_one_warning_and_the_default(document: dict[str, object],
                                                   words: str) -> None:
    """Each mistake is one clear warning; the field keeps its default."""
    cfg, warnings = parse(document)
    assert len(warnings) == 1
    assert words in warnings[0]
    defaults = Config()
    for key in document:
        if hasattr(defaults, key):
            assert getattr(cfg, key) == getattr(defaults, key)


def test_load_missing_file_is_the_defaults(tmp_path: Path) -> None:
    """No file (or no path at all): the defaults, no warning."""
    for path in (str(tmp_path / "none.toml"), None):
        cfg, warnings = config.load(path, KNOWN)
        assert warnings == []
        assert cfg.segments == DEFAULT_SEGMENTS


def test_load_invalid_toml_warns(tmp_path: Path) -> None:
    """A file that is not TOML: the defaults and one warning naming the file."""
    path = tmp_path / "config.toml"
    path.write_text("theme = \n")
    cfg, warnings = config.load(str(path), KNOWN)
    assert cfg.theme == "default"
    assert len(warnings) == 1 and "is not valid TOML" in warnings[0]


def test_exists_is_a_stat() -> None:
    """exists() answers for a path, and None is never a file."""
    assert config.exists(str(REPO / "examples" / "config.toml"))
    assert not config.exists(None)
    assert not config.exists("/nonexistent/config.toml")


def test_example_config_loads_without_warnings() -> None:
    """examples/config.toml is valid, uses every key, and differs from the defaults."""
    path = REPO / "examples" / "config.toml"
    cfg, warnings = config.load(str(path), KNOWN)
    assert warnings == []
    document = tomllib.loads(path.read_text())
    assert set(document) == set(Config.__slots__)
    assert cfg.theme == "vivid" and cfg.style == "compact"
    assert cfg.segments[0] == "context"


def test_example_config_changes_the_line() -> None:
    """The hot path applies examples/config.toml: compact style, context first."""
    env = dict(os.environ)
    env.update({"STATUSLINE_CONFIG": str(REPO / "examples" / "config.toml"),
                "STATUSLINE_NOW": str(OAUTH_NOW), "NO_COLOR": "1", "COLUMNS": "200"})
    done = subprocess.run([sys.executable, "-m", "statusline"],
                          input=(EXAMPLES / "oauth-003.json").read_bytes(),
                          capture_output=True, env=env, check=False)
    line = done.stdout.decode()
    assert done.returncode == 0 and done.stderr == b""
    assert line.startswith("ctx 1% · 5h 24%")
    assert line.rstrip().endswith("Sonnet 5.5")


def test_bad_config_is_logged_by_the_hot_path(tmp_path: Path) -> None:
    """A mistake in the config reaches the log, never stdout or stderr."""
    path = tmp_path / "config.toml"
    path.write_text('theme = "neon"\n')
    env = dict(os.environ)
    env["STATUSLINE_CONFIG"] = str(path)
    Path(env["STATUSLINE_STATE_DIR"]).mkdir(mode=0o700)
    done = subprocess.run([sys.executable, "-m", "statusline"],
                          input=(EXAMPLES / "oauth-003.json").read_bytes(),
                          capture_output=True, env=env, check=False)
    assert done.returncode == 0 and done.stderr == b""
    assert len(done.stdout.splitlines()) == 1
    log = Path(env["STATUSLINE_STATE_DIR"]) / "statusline.log"
    assert "config: theme: expected one of default, mono, vivid" in log.read_text()


@pytest.mark.parametrize("nesting", ["a = " + "[" * 1000 + "]" * 1000,
                                     "".join(f"[{'t.' * i}x]\n" for i in range(1, 3))
                                     + "a = " + "{b = " * 1000 + "1" + "}" * 1000])
def test_config_nested_a_thousand_levels_deep_is_a_warning(tmp_path: Path,
                                                           nesting: str) -> None:
    """tomllib recurses: a deep file costs the settings (a warning), never a traceback, and
    the status-line call still saves."""
    path = tmp_path / "config.toml"
    path.write_text(nesting + "\n")
    env = dict(os.environ)
    env.update({"STATUSLINE_CONFIG": str(path), "STATUSLINE_NOW": str(OAUTH_NOW),
                "NO_COLOR": "1"})
    state_dir = Path(env["STATUSLINE_STATE_DIR"])
    call = subprocess.run([sys.executable, "-m", "statusline"],
                          input=(EXAMPLES / "oauth-003.json").read_bytes(),
                          capture_output=True, env=env, check=False)
    assert call.returncode == 0 and call.stderr == b""
    assert b"5h 24%" in call.stdout
    assert (state_dir / "store.json").is_file()  # saving went on
    for args in (["config", "show"], ["doctor"], ["inspect"], ["render", "--example", "oauth"],
                 ["explain", "--example", "oauth"]):
        done = subprocess.run([sys.executable, "-m", "statusline", *args], capture_output=True,
                              text=True, env=env, check=False, timeout=120)
        assert "Traceback" not in done.stderr + done.stdout, args
        assert done.returncode in (0, 1), args
    warned = subprocess.run([sys.executable, "-m", "statusline", "doctor"], capture_output=True,
                            text=True, env=env, check=False, timeout=120)
    assert "warn config" in warned.stdout
    assert "nested too deeply" in warned.stdout


def test_hot_path_without_config_never_imports_tomllib(tmp_path: Path) -> None:
    """No config file: the status-line call does not import tomllib."""
    env = dict(os.environ)
    env["STATUSLINE_CONFIG"] = str(tmp_path / "absent.toml")
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "statusline"],
                          input=(EXAMPLES / "oauth-003.json").read_bytes(),
                          capture_output=True, env=env, check=False)
    modules = [row.rsplit("|", 1)[-1].strip() for row in done.stderr.decode().splitlines()]
    # The call ran (its modules may come from the bundle, which -X importtime does not list).
    assert b"5h 24%" in done.stdout or b"Sonnet" in done.stdout
    assert "tomllib" not in modules


@given(
    st.lists(st.sampled_from(KNOWN), min_size=1, max_size=7),
    st.booleans(),
    st.sampled_from(THEMES),
    st.sampled_from(STYLES),
    st.sampled_from(SYMBOL_SETS),
    st.floats(0, 100, allow_nan=False),
    st.floats(0, 100, allow_nan=False),
)
def test_to_toml_round_trips(segments: list[str], color: bool, theme: str, style: str,
                             symbols: str, warn: float, alert: float) -> None:
    """to_toml prints a file that parses back to the same settings."""
    cfg, _ = parse({"segments": segments, "color": color, "theme": theme, "style": style,
                    "symbols": symbols, "warn_pct": min(warn, alert),
                    "alert_pct": max(warn, alert)})
    again, warnings = parse(tomllib.loads(config.to_toml(cfg)))
    assert warnings == []
    assert [getattr(again, k) for k in Config.__slots__] == [
        getattr(cfg, k) for k in Config.__slots__]
