"""The status-line call end to end, through the real entry point in a subprocess."""

from __future__ import annotations

import json
import os
import random
import re

import pytest

from tests.conftest import EXAMPLES, OAUTH_NOW, example, run_cli, with_session

SGR = re.compile(r"\x1b\[[0-9;]*m")
CLOCK = {"STATUSLINE_NOW": str(OAUTH_NOW), "NO_COLOR": "1", "COLUMNS": "200", "TZ": "UTC"}


def plain(stdout: str) -> str:
    return SGR.sub("", stdout)


def assert_one_line(result: object) -> str:
    """Exit 0, exactly one non-empty line, nothing on stderr; return the line."""
    assert result.returncode == 0, result  # type: ignore[attr-defined]
    assert result.stderr == "", result.stderr  # type: ignore[attr-defined]
    out: str = result.stdout  # type: ignore[attr-defined]
    assert out.endswith("\n") and out.count("\n") == 1 and out.strip(), repr(out)
    return out.rstrip("\n")


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_every_captured_payload_gives_one_line(path: os.PathLike[str]) -> None:
    """Each payload captured from the real client renders one line, exit 0, quiet stderr."""
    with open(path, "rb") as handle:
        assert_one_line(run_cli(handle.read(), env=CLOCK))


@pytest.mark.parametrize("data", [b"", b"null", b"[]", b"{}", b'"x"', b"{not json"],
                         ids=["empty", "null", "list", "object", "string", "broken"])
def test_junk_stdin_still_gives_one_line(data: bytes) -> None:
    """Empty, null, [] and broken JSON: a line anyway."""
    assert_one_line(run_cli(data, env=CLOCK))


def test_random_bytes_give_one_line() -> None:
    """Random bytes (seeded) are just bad input."""
    rng = random.Random(1234)
    for _ in range(3):
        assert_one_line(run_cli(bytes(rng.randrange(256) for _ in range(2048)), env=CLOCK))


def test_oauth_payload_shows_context_pool_and_countdowns() -> None:
    """The captured subscriber payload: ctx 1%, 5h 24% (23.7) and 7d 42% with countdowns."""
    line = plain(assert_one_line(run_cli(example("oauth-003"), env=CLOCK)))
    assert line.startswith("Sonnet 5.5 · ctx 1% · 5h 24%")
    assert "resets 1h14" in line  # 1795524279 - 1795519800 = 4479 s
    # One reading, 3.5 days into the week: the week profile's projection, marked as a guess.
    # One reading, 3.5 days into the week: the 7d outlook (the limit, with the rate that ETA
    # implies, or the reset first) depends on the forecast's week model; either reads fully.
    limit = re.search(r"7d 42% \+([0-9.]+)%/h → limit ~\w{3} \d\d:\d\d \(~(\d+)d(\d+)h\)", line)
    if limit:
        eta_h = int(limit[2]) * 24 + int(limit[3])
        assert abs(58 / float(limit[1]) - eta_h) <= 0.1 * eta_h, line
    else:
        assert "7d 42% ✓ resets 3d10h" in line, line
    assert "1 session" in line


def test_startup_payload_without_rate_limits_shows_what_it_knows() -> None:
    """Before the first reply (nulls, no rate_limits): model and an unknown context."""
    line = plain(assert_one_line(run_cli(example("apikey-001"), env=CLOCK)))
    assert line.startswith("Opus 5.5 · ctx –")
    assert "5h" not in line


def test_api_key_user_sees_spend() -> None:
    """No rate limits ever: the session's spend is shown instead of windows."""
    line = plain(assert_one_line(run_cli(example("apikey-002"), env=CLOCK)))
    assert "$0.07" in line and "5h" not in line


def test_two_sessions_agree_on_the_pooled_figure() -> None:
    """Two sessions with different readings of one window both show the highest."""
    low = with_session(example("oauth-003"), "aaaaaaaa-0000-0000-0000-000000000001",
                       five_hour=23.7)
    high = with_session(example("oauth-003"), "bbbbbbbb-0000-0000-0000-000000000002",
                        five_hour=31.2)
    run_cli(low, env=CLOCK)
    run_cli(high, env=CLOCK)
    again_low = plain(assert_one_line(run_cli(low, env=CLOCK)))
    again_high = plain(assert_one_line(run_cli(high, env=CLOCK)))
    assert "5h 31%" in again_low and "5h 31%" in again_high
    assert "2 sessions" in again_low
    inspect = json.loads(run_cli(None, "inspect", "--json", env=CLOCK).stdout)
    ids = {s["session_id"] for s in inspect["sessions"]}
    assert ids == {low["session_id"], high["session_id"]}
    assert inspect["windows"]["five_hour"]["used_percentage"] == 31.2
    assert inspect["windows"]["five_hour"]["observed_by"] == high["session_id"]


def test_reading_from_another_session_is_attributed() -> None:
    """When the pooled reading came from another session, the line says which."""
    other = with_session(example("oauth-003"), "bbbbbbbb-0000-0000-0000-000000000002",
                         five_hour=40.0)
    other["workspace"] = {"project_dir": "/home/u/api-server"}
    startup = {key: value for key, value in other.items() if key != "rate_limits"}
    run_cli(startup, env=dict(CLOCK, STATUSLINE_NOW=str(OAUTH_NOW - 5)))
    run_cli(other, env=CLOCK)  # its first reply
    later = dict(CLOCK, STATUSLINE_NOW=str(OAUTH_NOW + 125))
    line = plain(assert_one_line(run_cli(example("oauth-003"), env=later)))
    assert "5h 40%" in line and "2m ago via api-server" in line


def test_expired_window_shows_as_reset_not_stale() -> None:
    """After resets_at the old percentage is never shown."""
    run_cli(example("oauth-003"), env=CLOCK)
    after = dict(CLOCK, STATUSLINE_NOW=str(1795524279 + 60))
    line = plain(assert_one_line(run_cli(example("oauth-003"), env=after)))
    assert "5h reset" in line and "24%" not in line


def test_inspect_json_has_the_contract_keys() -> None:
    """inspect --json: windows with the forecast keys, binding window, sessions, cost."""
    run_cli(example("oauth-003"), env=CLOCK)
    data = json.loads(run_cli(None, "inspect", "--json", env=CLOCK).stdout)
    window_keys = {"used_percentage", "resets_at", "burn_rate_pct_per_hour", "eta_limit_at",
                   "limit_before_reset", "hit_probability", "projected_pct_at_reset", "observed_at",
                   "observed_by"}
    for name in ("five_hour", "seven_day"):
        assert window_keys <= set(data["windows"][name])
    assert "binding_window" in data
    session_keys = {"session_id", "share", "context_pct", "model", "last_seen", "cost_usd"}
    assert session_keys <= set(data["sessions"][0])
    assert "usd_per_hour" in data["cost"]


def test_inspect_in_words_names_the_sessions() -> None:
    """Plain inspect mentions each session and the pooled window."""
    run_cli(example("oauth-003"), env=CLOCK)
    out = run_cli(None, "inspect", env=CLOCK)
    assert out.returncode == 0, out.stderr
    # named as the line's "via" names it: the project's folder (here a placeholder)
    assert "  $PROJECT_DIR " in out.stdout and "23.7% used" in out.stdout


def test_store_is_private() -> None:
    """The state directory is 0700 and the store 0600."""
    run_cli(example("oauth-003"), env=CLOCK)
    state_dir = os.environ["STATUSLINE_STATE_DIR"]
    assert os.stat(state_dir).st_mode & 0o777 == 0o700
    assert os.stat(os.path.join(state_dir, "store.json")).st_mode & 0o777 == 0o600


def test_each_claude_profile_has_its_own_store(tmp_path: os.PathLike[str]) -> None:
    """Two CLAUDE_CONFIG_DIRs are two accounts: readings do not mix."""
    first = dict(CLOCK, CLAUDE_CONFIG_DIR=os.path.join(str(tmp_path), "work"))
    second = dict(CLOCK, CLAUDE_CONFIG_DIR=os.path.join(str(tmp_path), "personal"))
    run_cli(with_session(example("oauth-003"), "aaaaaaaa-1", five_hour=80.0), env=first)
    line = plain(assert_one_line(run_cli(example("oauth-003"), env=second)))
    assert "5h 24%" in line
    stores = sorted(os.listdir(os.environ["STATUSLINE_STATE_DIR"]))
    assert len([s for s in stores if s.endswith(".json")]) == 2


def test_a_broken_install_still_prints_a_line(tmp_path: os.PathLike[str]) -> None:
    """If the hot path cannot even be imported, the call prints a hint and exits 0."""
    import subprocess
    import sys

    shadow = os.path.join(str(tmp_path), "shadow", "statusline")
    os.makedirs(shadow)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for name in os.listdir(os.path.join(here, "statusline")):
        if name.endswith(".py") and name != "call.py":
            with open(os.path.join(here, "statusline", name)) as src, \
                    open(os.path.join(shadow, name), "w") as dst:
                dst.write(src.read())
    with open(os.path.join(shadow, "call.py"), "w") as broken:
        broken.write("this is not python\n")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(shadow))
    done = subprocess.run([sys.executable, "-m", "statusline"], input=b"{}", capture_output=True,
                          env=env, cwd=str(tmp_path), timeout=30, check=False)
    assert done.returncode == 0 and done.stderr == b""
    assert done.stdout == b"statusline: broken install, see 'statusline doctor'\n"
