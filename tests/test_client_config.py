"""claude/client_config: the account and usage cache from Claude Code's global config file."""

from __future__ import annotations

import json
import os
from pathlib import Path

from statusline.claude import client_config as cc

A = "00000000-0000-4000-8000-00000000a001"
B = "00000000-0000-4000-8000-00000000a002"


def config(account: str, email: str = "user-a@example.invalid", **extra: object) -> bytes:
    doc = {"projects": {"/p": {"note": 'he said "oauthAccount": {"accountUuid": "evil"}'}},
           "oauthAccount": {"accountUuid": account, "emailAddress": email}, **extra}
    return json.dumps(doc, indent=2).encode()


def test_extract_cuts_out_the_two_keys() -> None:
    facts, raw_usage = cc.extract(config(A, cachedUsageUtilization={"fetchedAtMs": 5}))
    assert (facts.account, facts.label, facts.source) == (A, "us…@example.invalid", "config")
    assert facts.usage == {"fetchedAtMs": 5} and json.loads(raw_usage or "") == {"fetchedAtMs": 5}


def test_a_key_inside_a_string_is_not_a_key() -> None:
    """The project note above quotes the key (escaped): it must not count as a second one."""
    facts, _ = cc.extract(config(A))
    assert facts.account == A


def test_a_key_twice_falls_back_to_the_whole_document() -> None:
    """A nested object with the same key: the top-level one wins (a whole parse decides)."""
    doc = {"projects": {"/p": {"oauthAccount": {"accountUuid": B}}},
           "oauthAccount": {"accountUuid": A}}
    facts, _ = cc.extract(json.dumps(doc).encode())
    assert facts.account == A


def test_no_account_and_junk() -> None:
    assert cc.extract(b'{"numStartups": 1}')[0].account is None
    assert cc.extract(b"not json")[0].account is None
    assert cc.extract(b'{"oauthAccount": {"accountUuid": "../../etc"}}')[0].account is None


def test_facts_are_cached_by_the_files_identity(tmp_path: Path) -> None:
    home, state = tmp_path / "h", tmp_path / "s"
    home.mkdir()
    state.mkdir(mode=0o700)
    env = {"HOME": str(home)}
    path = home / ".claude.json"
    path.write_bytes(config(A))
    assert cc.read_facts(env, str(state), "default").account == A
    cached = state / "client-default.json"
    assert cached.exists() and oct(cached.stat().st_mode & 0o777) == "0o600"
    assert "user-a@" not in cached.read_text()  # only the short label is kept
    # The client replaces the file on /login: a new identity, a new reading.
    temp = home / "new.json"
    temp.write_bytes(config(B, "user-b@example.invalid"))
    os.replace(temp, path)
    assert cc.read_facts(env, str(state), "default").account == B


def test_environment_overrides(tmp_path: Path) -> None:
    home = tmp_path / "h"
    home.mkdir()
    (home / ".claude.json").write_bytes(config(A))
    env = {"HOME": str(home), "CLAUDE_CODE_OAUTH_TOKEN": "t"}
    assert cc.read_facts(env, None, "default").account is None
    env["CLAUDE_CODE_ACCOUNT_UUID"] = B
    facts = cc.read_facts(env, None, "default")
    assert (facts.account, facts.source) == (B, "env")


def test_config_dir_profile_reads_its_own_file(tmp_path: Path) -> None:
    profile = tmp_path / "work"
    profile.mkdir()
    (profile / ".claude.json").write_bytes(config(B))
    env = {"HOME": str(tmp_path), "CLAUDE_CONFIG_DIR": str(profile)}
    assert cc.config_path(env) == str(profile / ".claude.json")
    assert cc.read_facts(env, None, "work").account == B
