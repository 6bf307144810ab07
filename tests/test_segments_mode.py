"""Living inside another status line: only the chosen segments, sized by terminal_width."""

from __future__ import annotations

import json

import pytest

from statusline import call
from tests.conftest import OAUTH_NOW, example, run_cli

CLOCK = {"STATUSLINE_NOW": str(OAUTH_NOW), "COLUMNS": "200", "NO_COLOR": "1"}


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("--segments", "five_hour,seven_day"), {}),
        (("--segments=five_hour,seven_day",), {}),
        ((), {"STATUSLINE_SEGMENTS": "five_hour, seven_day"}),
        ((), {"STATUSLINE_SEGMENTS": "five_hour,nonsense,seven_day"}),
    ],
)
def test_only_the_chosen_segments(args: tuple[str, ...], env: dict[str, str]) -> None:
    done = run_cli(example("oauth-003"), *args, env={**CLOCK, **env})
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("5h 24%")
    assert "7d 42%" in done.stdout
    assert "Sonnet" not in done.stdout and "ctx" not in done.stdout


def test_unknown_names_only_fall_back_to_the_configured_line() -> None:
    done = run_cli(example("oauth-003"), env={**CLOCK, "STATUSLINE_SEGMENTS": "nope"})
    assert done.stdout.startswith("Sonnet 5.5")


def test_terminal_width_from_the_host_bounds_the_line() -> None:
    """ccstatusline adds terminal_width: the line fits it even when COLUMNS is wider."""
    payload = example("oauth-003")
    wide = run_cli(json.dumps(payload), "--segments", "five_hour,seven_day", env=CLOCK)
    payload["terminal_width"] = 30
    done = run_cli(json.dumps(payload), "--segments", "five_hour,seven_day", env=CLOCK)
    line = done.stdout.rstrip("\n")
    assert line.startswith("5h 24%")
    assert len(line) <= 30 - call.ROW_MARGIN < len(wide.stdout.rstrip("\n"))


def test_segments_flag_needs_a_value_and_goes_to_the_commands() -> None:
    done = run_cli(example("oauth-003"), "--segments", env=CLOCK)
    assert done.returncode == 2
    assert "No such option" in done.stderr


@pytest.mark.parametrize("width", [0, -3, "wide", None, True, 10**9])
def test_a_nonsense_terminal_width_is_ignored(width: object) -> None:
    from statusline.payload import from_mapping

    assert from_mapping({"terminal_width": width}).terminal_width is None
    assert call.width({"COLUMNS": "80"}) == 76
