"""account: which store, account and config a call uses (the call and the hook share it)."""

from __future__ import annotations

import os
from pathlib import Path

from statusline.account import open_account


def test_open_account_names_the_profile_store_without_creating_anything(tmp_path: Path) -> None:
    state = tmp_path / "state"
    choice = open_account({"STATUSLINE_STATE_DIR": str(state), "HOME": str(tmp_path)})
    assert choice.directory == str(state)
    assert choice.path == str(state / "store.json")
    assert choice.backend is not None and choice.backend.location == choice.path
    assert not choice.usable_dir  # missing: nothing is read
    assert not state.exists()  # and nothing is made


def test_open_account_reads_only_our_own_directory(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    assert open_account({"STATUSLINE_STATE_DIR": str(state)}).usable_dir
    planted = tmp_path / "planted"
    planted.symlink_to(state)
    assert not open_account({"STATUSLINE_STATE_DIR": str(planted)}).usable_dir


def test_open_account_gives_other_profiles_other_stores(tmp_path: Path) -> None:
    env = {"STATUSLINE_STATE_DIR": str(tmp_path), "HOME": str(tmp_path)}
    default = open_account(env).path
    work = open_account({**env, "CLAUDE_CONFIG_DIR": str(tmp_path / "work")}).path
    assert default != work and work is not None and work.startswith(str(tmp_path))


def test_open_account_without_a_home_has_no_store() -> None:
    choice = open_account({"HOME": "relative/not/usable", "XDG_STATE_HOME": ""})
    # Either the passwd entry gives a home, or there is no store at all; never a relative one.
    assert choice.path is None or os.path.isabs(choice.path)
