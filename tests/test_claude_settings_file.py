"""settings.json stays the user's: owner, mode, links, line ends; read-only files refused.

The ownership tests run the real command as root on the HOME of the unprivileged user 65534
(what ``sudo`` keeping HOME does), and check every file it leaves behind.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from statusline.claude import settings as cs
from statusline.errors import StatuslineError
from tests.conftest import run_cli
from tests.helpers_reliability import NOBODY

CMD = "/opt/tools/bin/statusline"
THEIRS = {"type": "command", "command": "~/.claude/mine.sh"}


def statusline_as_root(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``statusline ARGS`` with HOME=``home`` and no state-directory override (so the
    backups and install records go where they would: under that HOME)."""
    ours = ("STATUSLINE_", "CLAUDE_", "XDG_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env["HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "statusline", *args], capture_output=True,
                          text=True, env=env, cwd="/", timeout=60, check=False)


def nobody_home(base: Path) -> Path:
    home = base / "home"
    home.mkdir(mode=0o755)
    os.chown(home, NOBODY, NOBODY)
    return home


def owned_by_nobody(path: Path) -> None:
    info = path.lstat()
    assert (info.st_uid, info.st_gid) == (NOBODY, NOBODY), f"{path} is {info.st_uid}"


def test_root_on_another_users_home_keeps_owner_and_mode(nobody_dir: Path) -> None:
    home = nobody_home(nobody_dir)
    claude = home / ".claude"
    claude.mkdir(mode=0o750)
    settings = claude / "settings.json"
    original = json.dumps({"model": "opus", "statusLine": THEIRS}, indent=2).encode()
    settings.write_bytes(original)
    settings.chmod(0o640)
    for path in (claude, settings):
        os.chown(path, NOBODY, NOBODY)

    done = statusline_as_root(home, "install", "--command", CMD)

    assert done.returncode == 0, done.stderr
    assert "STATUSLINE_CHAIN" in settings.read_text()
    owned_by_nobody(settings)
    assert stat.S_IMODE(settings.stat().st_mode) == 0o640
    state = home / ".local" / "state" / "statusline"
    written = [p for p in (home / ".local").rglob("*")]
    assert state / "installs.json" in written and any("backups" in str(p) for p in written)
    for path in written:
        owned_by_nobody(path)
    assert stat.S_IMODE(state.stat().st_mode) == 0o700

    done = statusline_as_root(home, "uninstall")
    assert done.returncode == 0, done.stderr
    assert settings.read_bytes() == original
    owned_by_nobody(settings)
    assert stat.S_IMODE(settings.stat().st_mode) == 0o640


def test_root_creates_the_settings_of_another_user_as_theirs(nobody_dir: Path) -> None:
    home = nobody_home(nobody_dir)
    done = statusline_as_root(home, "install", "--command", CMD)
    assert done.returncode == 0, done.stderr
    settings = home / ".claude" / "settings.json"
    owned_by_nobody(settings.parent)
    owned_by_nobody(settings)
    assert stat.S_IMODE(settings.stat().st_mode) == 0o600
    # And the user can read it, as Claude Code (running as them) must.
    assert subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}",
                           "--clear-groups", "cat", str(settings)],
                          capture_output=True, check=False).returncode == 0


def test_read_only_settings_are_refused_with_a_hint(nobody_dir: Path) -> None:
    """Even root, who could write it, leaves a read-only settings.json alone."""
    home = nobody_home(nobody_dir)
    settings = home / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text('{"model": "opus"}\n')
    settings.chmod(0o444)
    for path in (settings.parent, settings):
        os.chown(path, NOBODY, NOBODY)

    done = statusline_as_root(home, "install", "--command", CMD)

    assert done.returncode == 1
    assert "read-only" in done.stderr and "chmod u+w" in done.stderr
    assert settings.read_text() == '{"model": "opus"}\n'


def test_read_only_file_refused_in_process(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{}")
    path.chmod(0o400)
    plan = cs.plan_install(cs.read(str(path)), CMD, None, False)
    with pytest.raises(StatuslineError) as raised:
        cs.apply(plan, str(tmp_path / "state"))
    assert raised.value.hint is not None and "chmod u+w" in raised.value.hint
    assert path.read_text() == "{}"
    assert not (tmp_path / "state").exists(), "no backup for a refused write"


def test_hard_linked_settings_are_edited_in_place(tmp_path: Path) -> None:
    """A dotfiles hard link keeps pointing at the same file, which gets the change."""
    dotfile = tmp_path / "dotfiles" / "settings.json"
    dotfile.parent.mkdir()
    dotfile.write_text('{\n  "model": "opus"\n}\n')
    settings = tmp_path / "claude" / "settings.json"
    settings.parent.mkdir()
    os.link(dotfile, settings)
    inode = settings.stat().st_ino

    plan = cs.plan_install(cs.read(str(settings)), CMD, None, False)
    cs.apply(plan, str(tmp_path / "state"))

    assert settings.stat().st_ino == inode and settings.stat().st_nlink == 2
    assert json.loads(dotfile.read_text())["statusLine"]["command"] == CMD
    shorter = cs.plan_uninstall(cs.read(str(settings)), None)
    cs.apply(shorter, str(tmp_path / "state"))
    assert dotfile.read_text() == '{\n  "model": "opus"\n}\n', "in-place writes truncate"


@pytest.mark.parametrize("existing", [None, THEIRS])
def test_crlf_file_keeps_crlf(tmp_path: Path, existing: object) -> None:
    body: dict[str, object] = {"model": "opus", "permissions": {"allow": []}}
    if existing is not None:
        body["statusLine"] = existing
    text = json.dumps(body, indent=2).replace("\n", "\r\n") + "\r\n"
    plan = cs.plan_install(cs.Settings("/x/settings.json", text, cs.parse(text)), CMD, None,
                           False)
    assert plan.new_text is not None
    assert plan.new_text.count("\n") == plan.new_text.count("\r\n") > text.count("\n") - 1
    assert json.loads(plan.new_text)["statusLine"]["type"] == "command"
    whole = cs.dump(json.loads(text), text)
    assert whole.count("\n") == whole.count("\r\n")


def test_crlf_round_trip_through_the_command(tmp_path: Path, claude_dir: Path) -> None:
    settings = claude_dir / "settings.json"
    original = (b'{\r\n  "statusLine": {\r\n    "type": "command",\r\n'
                b'    "command": "x.sh"\r\n  }\r\n}\r\n')
    settings.write_bytes(original)

    assert run_cli(None, "install", "--command", CMD).returncode == 0
    installed = settings.read_bytes()
    assert installed.count(b"\n") == installed.count(b"\r\n")
    assert run_cli(None, "uninstall").returncode == 0
    assert settings.read_bytes() == original
