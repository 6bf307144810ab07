"""One account's figures, never another's: /login switches through the real entry point.

Fixtures in tests/data/client come from the real client 2.1.328 (shared/payloads/client-2.1.328).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from tests.conftest import run_cli

DATA = Path(__file__).parent / "data" / "client"
NOW = 1796048300.0
A_5H, A_7D = NOW + 3 * 3600, NOW + 3 * 86400  # account A's windows
B_5H, B_7D = NOW + 1 * 3600, NOW + 2 * 86400  # account B's: earlier resets
S1 = "5e550000-0000-4000-8000-000000000001"
S2 = "5e550000-0000-4000-8000-000000000002"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def login_sequence() -> list[dict[str, object]]:
    loaded: list[dict[str, object]] = json.loads(
        (DATA / "config-q2-login-switch-claude-json-sequence.json").read_text())
    return loaded


def write_config(home: Path, account: dict[str, object] | None) -> None:
    """Write ~/.claude.json as the client does (a new file renamed over the old)."""
    doc: dict[str, object] = {"numStartups": 3, "projects": {"/p": {"lastCost": 0.1}}}
    if account is not None:
        doc["oauthAccount"] = account
    temp = home / ".claude.json.tmp"
    temp.write_text(json.dumps(doc, indent=2))
    os.replace(temp, home / ".claude.json")


def payload(sid: str, five: float, five_reset: float, seven: float, seven_reset: float
            ) -> dict[str, object]:
    return {
        "session_id": sid,
        "model": {"id": "claude-opus-4-7", "display_name": "Opus 4.7"},
        "rate_limits": {
            "five_hour": {"used_percentage": five, "resets_at": five_reset},
            "seven_day": {"used_percentage": seven, "resets_at": seven_reset},
        },
    }


def line(doc: dict[str, object], at: float) -> str:
    result = run_cli(doc, env={"STATUSLINE_NOW": str(at), "NO_COLOR": "1", "COLUMNS": "200"})
    assert result.returncode == 0 and not result.stderr
    return ANSI.sub("", result.stdout.strip())


def a_then_b_then_a(home: Path, accounts: list[dict[str, object] | None]) -> None:
    """A at 5h 70 % / 7d 80 %; /login to B (8 % / 13 %, earlier resets); back to A."""
    account_a, account_b = accounts
    write_config(home, account_a)
    shown = line(payload(S1, 70, A_5H, 80, A_7D), NOW)
    assert "5h 70%" in shown and "7d 80%" in shown

    write_config(home, account_b)
    shown = line(payload(S1, 8, B_5H, 13, B_7D), NOW + 60)  # the session that ran /login
    assert "5h 8%" in shown and "7d 13%" in shown, shown
    shown = line(payload(S2, 8, B_5H, 13, B_7D), NOW + 90)  # any other B session
    assert "5h 8%" in shown and "7d 13%" in shown, shown
    assert "70%" not in shown and "80%" not in shown

    write_config(home, account_a)
    shown = line(payload(S1, 70, A_5H, 80, A_7D), NOW + 120)
    assert "5h 70%" in shown and "7d 80%" in shown, shown


def test_login_switch_shows_the_new_accounts_figures_and_back(isolated_env: Path) -> None:
    """With oauthAccount in ~/.claude.json each account keeps its own store."""
    home = isolated_env / "home"
    sequence = login_sequence()
    account_a, account_b = sequence[0]["oauthAccount"], sequence[2]["oauthAccount"]
    assert isinstance(account_a, dict) and isinstance(account_b, dict)
    a_then_b_then_a(home, [account_a, account_b])
    stores = sorted(p.name for p in (isolated_env / "state").glob("store*.json"))
    assert stores == ["store-default.00000000-0000-4000-8000-00000000a001.json",
                      "store-default.00000000-0000-4000-8000-00000000a002.json"]


def test_login_switch_without_any_oauth_account(isolated_env: Path) -> None:
    """No oauthAccount (API key, bare CLAUDE_CODE_OAUTH_TOKEN): the earlier future reset
    tells the accounts apart, and switching back finds the first account's windows."""
    home = isolated_env / "home"
    a_then_b_then_a(home, [None, None])
    assert [p.name for p in (isolated_env / "state").glob("store*.json")] == ["store.json"]


def test_oauth_token_alone_ignores_an_older_login_in_the_file(isolated_env: Path) -> None:
    """CLAUDE_CODE_OAUTH_TOKEN without CLAUDE_CODE_ACCOUNT_UUID: the file's account may be an
    older login's, so the profile's own store is used."""
    home = isolated_env / "home"
    write_config(home, login_sequence()[0]["oauthAccount"])  # type: ignore[arg-type]
    result = run_cli(payload(S1, 70, A_5H, 80, A_7D),
                     env={"STATUSLINE_NOW": str(NOW), "CLAUDE_CODE_OAUTH_TOKEN": "x"})
    assert result.returncode == 0
    assert [p.name for p in (isolated_env / "state").glob("store*.json")] == ["store.json"]


def test_account_uuid_from_the_environment(isolated_env: Path) -> None:
    """CLAUDE_CODE_ACCOUNT_UUID names the account when set (the client honours it too)."""
    env = {"STATUSLINE_NOW": str(NOW), "CLAUDE_CODE_OAUTH_TOKEN": "x",
           "CLAUDE_CODE_ACCOUNT_UUID": "00000000-0000-4000-8000-00000000a002",
           "CLAUDE_CODE_USER_EMAIL": "user-env@example.invalid"}
    assert run_cli(payload(S1, 70, A_5H, 80, A_7D), env=env).returncode == 0
    names = [p.name for p in (isolated_env / "state").glob("store*.json")]
    assert names == ["store-default.00000000-0000-4000-8000-00000000a002.json"]
    shown = run_cli(None, "inspect", env=env).stdout
    assert "us…@example.invalid" in shown and "user-env@" not in shown


def test_inspect_names_the_account_in_short(isolated_env: Path) -> None:
    home = isolated_env / "home"
    write_config(home, login_sequence()[0]["oauthAccount"])  # type: ignore[arg-type]
    line(payload(S1, 70, A_5H, 80, A_7D), NOW)
    env = {"STATUSLINE_NOW": str(NOW + 5)}
    shown = run_cli(None, "inspect", env=env).stdout
    assert "Account us…@example.invalid" in shown
    assert "user-a@example.invalid" not in shown
    data = json.loads(run_cli(None, "inspect", "--json", env=env).stdout)
    assert data["account"] == {"label": "us…@example.invalid", "source": "config"}
