"""Living inside another status line: only the chosen segments, sized by terminal_width."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from statusline import call
from tests.conftest import EXAMPLES, OAUTH_NOW, example, run_cli

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


@pytest.mark.parametrize(
    "args",
    [
        ("--segments", "five_hour", "--segments", "seven_day"),  # repeated flags add up
        ("--segments=five_hour", "--segments=seven_day,five_hour"),  # each name once
        ("--segments", " five_hour   seven_day "),  # spaces separate too
        ("--segments", "FIVE-HOUR,Seven_Day"),  # any case, - for _
        ("--segments", "five_hour,,nope,seven_day,"),  # unknown and empty names skipped
        ("--segments", "--segments", "five_hour,seven_day"),  # a flag without a value
    ],
)
def test_odd_but_clear_segment_lists(args: tuple[str, ...]) -> None:
    done = run_cli(example("oauth-003"), *args, env=CLOCK)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("5h 24%")
    assert "7d 42%" in done.stdout
    assert "Sonnet" not in done.stdout and "ctx" not in done.stdout


def test_with_nothing_to_show_yet_a_widget_prints_nothing(tmp_path: Path) -> None:
    """No reading of the pool yet (an API-key session, a fresh store): an empty widget,
    which ccstatusline hides, not an error text inside someone else's line."""
    env = {**CLOCK, "STATUSLINE_STATE_DIR": str(tmp_path / "fresh")}
    payload = (EXAMPLES / "apikey-001.json").read_bytes()
    for args in (("--segments", "five_hour,seven_day"), ()):
        done = run_cli(payload, *args, env={**env, "STATUSLINE_SEGMENTS": "five_hour"}
                       if not args else env)
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (("--segments", "fivehour"), {}, "no segment named 'fivehour'"),
        (("--segments", "módel,\x1b]52;c;eA==\x07x"), {}, "no segment named 'módel"),
        ((), {"STATUSLINE_SEGMENTS": "nope"}, "no segment named 'nope'"),
        (("--segments=",), {}, "--segments names no segment"),
        (("--segments", "  ,  "), {}, "--segments names no segment"),
        (("--segments",), {}, "--segments names no segment"),
    ],
)
def test_names_that_choose_no_segment_say_so_in_one_line(args: tuple[str, ...],
                                                         env: dict[str, str],
                                                         named: str) -> None:
    """A typo must not look like "no data yet" (nothing) nor fill the widget with the whole
    line: one short line names it and the known names, exit 0, cleaned of escapes."""
    done = run_cli(example("oauth-003"), *args, env={**CLOCK, **env})
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.count("\n") == 1
    assert done.stdout.startswith(f"statusline: {named}")
    assert "five_hour" in done.stdout and "\x1b" not in done.stdout and "\x07" not in done.stdout


def test_a_blank_segments_variable_is_the_configured_line() -> None:
    done = run_cli(example("oauth-003"), env={**CLOCK, "STATUSLINE_SEGMENTS": "  "})
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


def test_other_arguments_beside_segments_go_to_the_commands() -> None:
    done = run_cli(example("oauth-003"), "--segments", "five_hour", "doctor", env=CLOCK)
    assert done.returncode == 2
    assert "No such option" in done.stderr


@pytest.mark.parametrize("width", [0, -3, "wide", None, True, 10**9])
def test_a_nonsense_terminal_width_is_ignored(width: object) -> None:
    from statusline.payload import from_mapping

    assert from_mapping({"terminal_width": width}).terminal_width is None
    assert call.width({"COLUMNS": "80"}) == 76
