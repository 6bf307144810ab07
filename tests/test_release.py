"""The release: one version everywhere, the metadata an index shows, artefacts that pass
``twine check --strict``, and the wheel alone working end to end in a fresh venv.

The wheel and sdist are built once per run (tests/helpers_release.py). The fresh venv gets
the wheel's dependencies from the package index; without one that test skips, saying so.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from collections.abc import Iterator
from email.parser import HeaderParser
from pathlib import Path

import pytest

from statusline import __version__
from tests.conftest import EXAMPLES, OAUTH_NOW
from tests.helpers_release import REPO, built

HOOK_INPUT = {"session_id": "a1b2c3d4-0000-4000-8000-000000000001", "cwd": "/home/dev/api",
              "hook_event_name": "Stop", "stop_hook_active": False}


def changelog_release() -> tuple[str, str]:
    """(version, date) of the CHANGELOG's top section, which must be a release (above it
    only an ``## Unreleased`` section, Keep a Changelog's place for what is merged since)."""
    top = re.search(r"^## (?!Unreleased$)(.+)$", (REPO / "CHANGELOG.md").read_text(),
                    re.MULTILINE)
    assert top is not None
    release = re.fullmatch(r"(\d+\.\d+\.\d+) — (\d{4}-\d{2}-\d{2})", top.group(1))
    assert release is not None, f"the top section is not a release: {top.group(0)!r}"
    return release.group(1), release.group(2)


def wheel_metadata(wheel: Path) -> tuple[dict[str, list[str]], str]:
    """The wheel's METADATA headers (each name to its values) and its long description."""
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"statusline-{__version__}.dist-info/METADATA").decode()
    message = HeaderParser().parsestr(text)
    headers: dict[str, list[str]] = {}
    for name, value in message.items():
        headers.setdefault(name, []).append(value)
    return headers, str(message.get_payload())


def test_the_version_is_said_once_and_the_changelog_releases_it() -> None:
    """__version__ is the only place: pyproject reads it, --version prints it, the
    CHANGELOG's top section releases it, the plugin manifest carries it."""
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "statusline.__version__"}
    assert changelog_release()[0] == __version__
    plugin = json.loads((REPO / ".claude-plugin" / "plugin.json").read_text())
    assert plugin["version"] == __version__
    shown = subprocess.run([sys.executable, "-m", "statusline", "--version"],
                           capture_output=True, text=True, check=False, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == f"statusline, version {__version__}\n"


def test_the_licence_is_mit() -> None:
    text = (REPO / "LICENSE").read_text()
    assert text.startswith("MIT License\n\nCopyright (c) 2026 statusline developers\n")
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    plugin = json.loads((REPO / ".claude-plugin" / "plugin.json").read_text())
    assert plugin["license"] == "MIT"
    assert plugin["homepage"] == project["urls"]["Homepage"]
    assert plugin["author"]["name"] == project["authors"][0]["name"]


def test_the_wheel_carries_what_an_index_shows() -> None:
    """Version, licence (SPDX + file), URLs, classifiers, keywords, README as description."""
    wheel, _ = built()
    assert wheel.name == f"statusline-{__version__}-py3-none-any.whl"
    headers, description = wheel_metadata(wheel)
    assert headers["Version"] == [__version__]
    assert headers["License-Expression"] == ["MIT"]
    assert headers["License-File"] == ["LICENSE"]
    assert headers["Description-Content-Type"] == ["text/markdown"]
    assert description.strip() == (REPO / "README.md").read_text().strip()
    urls = dict(u.split(", ", 1) for u in headers["Project-URL"])
    assert urls["Homepage"] == "https://github.com/statusline-dev/statusline"
    assert all(u.startswith("https://github.com/statusline-dev/statusline") for u in urls.values())
    assert "Programming Language :: Python :: 3.11" in headers["Classifier"]
    assert "claude-code" in headers["Keywords"][0].split(",")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert f"statusline-{__version__}.dist-info/licenses/LICENSE" in names
    assert "statusline/py.typed" in names
    assert any(n.startswith("statusline/examples/") and n.endswith(".json") for n in names)
    assert not any(n.startswith(("tests/", "scripts/", "bench/")) for n in names)


def test_the_sdist_is_the_whole_source() -> None:
    """README, licence, changelog, installer, docs, examples and the tests; no caches."""
    _, sdist = built()
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    for needed in ("README.md", "LICENSE", "CHANGELOG.md", "install.sh", "pyproject.toml",
                   "docs/design.md", "examples/config.toml", "tests/conftest.py",
                   "statusline/__main__.py", ".claude-plugin/plugin.json"):
        assert needed in names, needed
    assert not any(p in n for n in names for p in ("__pycache__", ".venv/", ".tools/", ".pyc"))


def test_twine_check_strict_passes() -> None:
    wheel, sdist = built()
    done = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(wheel),
                           str(sdist)], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A venv holding only the wheel and its dependencies (from the package index)."""
    wheel, _ = built()
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True, capture_output=True)
    got = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                          "--disable-pip-version-check", str(wheel)],
                         capture_output=True, text=True, check=False, timeout=600)
    if got.returncode != 0:
        pytest.skip(f"pip could not install the wheel's dependencies (no package index?): "
                    f"{got.stderr.strip()[-300:]}")
    yield venv


def user_env(home: Path, **extra: str) -> dict[str, str]:
    """A user with an empty HOME and only the system PATH: nothing of the checkout."""
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TZ": "UTC0"}
    env.update(extra)
    return env


def test_the_wheel_alone_works_end_to_end(fresh_venv: Path, tmp_path: Path) -> None:
    """From the fresh venv, in an empty HOME outside the checkout: --version, install, the
    entry it writes rendering a payload, the hook announcing a level, doctor passing."""
    command = fresh_venv / "bin" / "statusline"
    home = tmp_path / "user"
    home.mkdir()
    env = user_env(home)

    where = subprocess.run([str(fresh_venv / "bin" / "python"), "-c",
                            "import statusline; print(statusline.__file__)"],
                           capture_output=True, text=True, check=True, cwd=home, env=env)
    assert Path(where.stdout.strip()).is_relative_to(fresh_venv), "imported from the checkout"

    version = subprocess.run([str(command), "--version"], capture_output=True, text=True,
                             check=False, cwd=home, env=env)
    assert version.stdout == f"statusline, version {__version__}\n", version.stderr

    installed = subprocess.run([str(command), "install"], capture_output=True, text=True,
                               check=False, cwd=home, env=env, stdin=subprocess.DEVNULL)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    settings = json.loads((home / ".claude" / "settings.json").read_text())
    entry = settings["statusLine"]["command"]
    assert entry == str(command)
    hooks = [h["command"] for event in ("UserPromptSubmit", "Stop")
             for group in settings["hooks"][event] for h in group["hooks"]]
    assert hooks == [f"{command} hook"] * 2

    payload = json.loads((EXAMPLES / "oauth-003.json").read_text())
    payload["rate_limits"]["five_hour"]["used_percentage"] = 91
    line = subprocess.run(entry, shell=True, input=json.dumps(payload).encode(),
                          capture_output=True, check=False, cwd=home,
                          env=user_env(home, NO_COLOR="1", STATUSLINE_NOW=repr(OAUTH_NOW)))
    assert line.returncode == 0 and line.stderr == b"", line
    assert b"5h 91%" in line.stdout and b"7d 42%" in line.stdout
    assert line.stdout.count(b"\n") == 1

    hook = subprocess.run(hooks[1], shell=True, input=json.dumps(HOOK_INPUT).encode(),
                          capture_output=True, check=False, cwd=home,
                          env=user_env(home, STATUSLINE_NOW=repr(OAUTH_NOW + 1)))
    assert hook.returncode == 0 and hook.stderr == b"", hook
    assert "5h usage at 91%" in json.loads(hook.stdout)["systemMessage"]

    doctor = subprocess.run([str(command), "doctor"], capture_output=True, text=True,
                            check=False, cwd=home, env=env, timeout=120)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert re.search(r"^All \d+ checks passed\.$", doctor.stdout, re.MULTILINE), doctor.stdout
