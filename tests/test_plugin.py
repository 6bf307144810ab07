"""The Claude Code plugin: the manifests, validation by the real client, a local marketplace
install, and the set-up command's own command line leaving a working statusLine.

The client tests use the pinned client (tests/helpers_client.py: ``CLAUDE_BIN``, the
project-local install, ``claude`` on PATH, else an npm install into ``.tools/``), each with a
throwaway HOME; they skip only when the npm registry cannot be reached. The marketplace
install runs without network when ``unshare -n`` can.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from tests.helpers_client import client_or_skip
from tests.test_install_sh import new_user, system_path

REPO = Path(__file__).resolve().parent.parent
PLUGIN_DIR = REPO / ".claude-plugin"
IGNORED = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", "build", "dist",
                                 ".*_cache", ".hypothesis", "out", ".tools")


def client(args: list[str], home: Path, offline: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the real client with a throwaway HOME (offline: in a network namespace)."""
    command = [client_or_skip(), *args]
    if offline and os.geteuid() == 0 and shutil.which("unshare"):
        command = ["unshare", "-n", *command]
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"}
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=180,
                          check=False, stdin=subprocess.DEVNULL)


def checkout_copy(tmp_path: Path) -> Path:
    """The checkout as a user's clone has it (no venv, caches or build output)."""
    copy = tmp_path / "statusline-checkout"
    shutil.copytree(REPO, copy, ignore=IGNORED, symlinks=True)
    return copy


def test_manifests_name_the_plugin_at_the_repository_root() -> None:
    """The marketplace lists one plugin whose source is the repo root, so the plugin's copy
    holds install.sh and the package; its commands live under .claude-plugin/."""
    marketplace = json.loads((PLUGIN_DIR / "marketplace.json").read_text())
    plugin = json.loads((PLUGIN_DIR / "plugin.json").read_text())
    assert [p["source"] for p in marketplace["plugins"]] == ["./"]
    assert marketplace["plugins"][0]["name"] == plugin["name"] == "statusline"
    from statusline import __version__

    assert plugin["version"] == __version__
    commands = {Path(c).stem for c in plugin["commands"]}
    assert commands == {"setup", "doctor", "inspect"}
    for path in plugin["commands"]:
        text = (REPO / path).read_text()
        assert text.startswith("---\ndescription: "), path


def test_claude_plugin_validate_passes() -> None:
    home = Path(os.environ["HOME"])
    for args in (["plugin", "validate", str(REPO)], ["plugin", "validate", "--strict", str(REPO)],
                 ["plugin", "validate", str(PLUGIN_DIR / "marketplace.json")]):
        done = client(args, home)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Validation passed" in done.stdout


def test_local_marketplace_install_then_setup_leaves_a_working_entry(tmp_path: Path) -> None:
    """As a new user: add the checkout as a marketplace and install the plugin (offline),
    then run /statusline:setup's command line with the plugin's root: the package comes from
    the plugin's own copy and statusLine points at the stable installed command."""
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    checkout = checkout_copy(tmp_path)

    added = client(["plugin", "marketplace", "add", str(checkout)], home, offline=True)
    assert added.returncode == 0, added.stdout + added.stderr
    installed = client(["plugin", "install", "statusline@statusline"], home, offline=True)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "Successfully installed plugin: statusline@statusline" in installed.stdout
    record = json.loads((home / ".claude" / "plugins" / "installed_plugins.json").read_text())
    plugin_root = Path(record["plugins"]["statusline@statusline"][0]["installPath"])
    assert (plugin_root / "install.sh").is_file()

    setup = (plugin_root / ".claude-plugin" / "commands" / "setup.md").read_text()
    line = re.search(r'^\s*(sh "\$\{CLAUDE_PLUGIN_ROOT\}/install\.sh" .*)$', setup, re.M)
    assert line is not None, "setup.md runs install.sh from the plugin's root"
    command = (line.group(1).replace("${CLAUDE_PLUGIN_ROOT}", str(plugin_root))
               .replace("$ARGUMENTS", ""))
    env = new_user(home, system_path())
    done = subprocess.run(command, shell=True, env=env, cwd=home, capture_output=True,
                          text=True, timeout=600, check=False, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout + done.stderr

    entry = json.loads((home / ".claude" / "settings.json").read_text())["statusLine"]
    assert entry["command"] == str(home / ".local" / "bin" / "statusline")
    target = (home / ".local" / "bin" / "statusline").resolve()
    assert not target.is_relative_to(home / ".claude" / "plugins"), "never into the cache"
    payload = (REPO / "examples" / "payloads" / "oauth-003.json").read_bytes()
    shown = subprocess.run(entry["command"], shell=True, input=payload, capture_output=True,
                           check=False, env={**env, "NO_COLOR": "1",
                                             "STATUSLINE_NOW": "1795519800"})
    assert shown.returncode == 0 and b"5h 24%" in shown.stdout
