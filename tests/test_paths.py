"""Locations: our fast per-user directories agree with platformdirs; overrides win."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs
import pytest

from statusline import paths

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux rules")


@pytest.mark.parametrize("xdg", [None, "/custom/state", "  /padded/state  "])
def test_state_dir_matches_platformdirs(xdg: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an override, the state dir is platformdirs' user_state_dir."""
    monkeypatch.delenv("STATUSLINE_STATE_DIR", raising=False)
    if xdg is None:
        monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_STATE_HOME", xdg)
    expected = platformdirs.user_state_dir("statusline", appauthor=False)
    assert paths.state_dir(os.environ) == expected


@pytest.mark.parametrize("xdg", [None, "/custom/config"])
def test_config_file_matches_platformdirs(xdg: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an override, the config file sits in platformdirs' user_config_dir."""
    if xdg is None:
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CONFIG_HOME", xdg)
    expected = os.path.join(platformdirs.user_config_dir("statusline", appauthor=False),
                            "config.toml")
    assert paths.config_file(os.environ) == expected


def test_overrides_win(tmp_path: Path) -> None:
    """STATUSLINE_STATE_DIR and STATUSLINE_CONFIG are used as given (made absolute)."""
    env = {"STATUSLINE_STATE_DIR": str(tmp_path / "s"), "STATUSLINE_CONFIG": "rel/c.toml",
           "HOME": str(tmp_path)}
    assert paths.state_dir(env) == str(tmp_path / "s")
    assert paths.config_file(env) == os.path.abspath("rel/c.toml")


def test_no_home_means_no_state_dir() -> None:
    """Without HOME (and no passwd fallback) there is no store rather than a guess."""
    assert paths.state_dir({"HOME": "relative/home"}) is None or os.path.isabs(
        paths.state_dir({"HOME": "relative/home"}) or "")


def test_profiles_get_separate_stores(tmp_path: Path) -> None:
    """The default profile is store.json; another CLAUDE_CONFIG_DIR gets its own file."""
    home = str(tmp_path)
    default = paths.profile_name({"HOME": home})
    explicit_default = paths.profile_name({"HOME": home, "CLAUDE_CONFIG_DIR": f"{home}/.claude"})
    work = paths.profile_name({"HOME": home, "CLAUDE_CONFIG_DIR": f"{home}/claude-work"})
    assert default == explicit_default == "default"
    assert work.startswith("claude-work-") and len(work) == len("claude-work-") + 8
    assert paths.store_file("/s", default) == "/s/store.json"
    assert paths.store_file("/s", work) == f"/s/store-{work}.json"


def test_bundled_examples_are_the_captured_payloads() -> None:
    """The package ships copies of examples/payloads for `render --example`; they stay equal."""
    repo = Path(__file__).resolve().parent.parent
    bundled = sorted((repo / "statusline" / "examples").glob("*.json"))
    assert bundled
    for path in bundled:
        assert path.read_bytes() == (repo / "examples" / "payloads" / path.name).read_bytes()
