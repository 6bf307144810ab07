"""``statusline doctor``: each check's verdict, detail and hint, and the command's exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from statusline import doctor, history, paths
from statusline.claude import settings as claude_settings
from statusline.doctor import FAIL, OK, WARN
from statusline.payload import from_mapping
from tests.conftest import OAUTH_NOW, example, run_cli
from tests.helpers_cli import NOW, day_of_readings, write_store

FOREIGN = {"type": "command", "command": "bash ~/.claude/statusline.sh"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "statusline", *args], capture_output=True,
                          text=True, env=dict(os.environ), timeout=120, check=False)


def by_name(checks: list[doctor.Check]) -> dict[str, doctor.Check]:
    return {c.name: c for c in checks}


def settings_check(claude_dir: Path, entry: object, tmp_path: Path) -> doctor.Check:
    (claude_dir / "settings.json").write_text(json.dumps({"statusLine": entry}))
    command = claude_settings.installed_command()
    return doctor.check_settings(os.environ, str(tmp_path), command)


def test_doctor_passes_after_install(claude_dir: Path) -> None:
    """A fresh install: every check is ok or a warning, exit 0, a summary that counts the
    warnings (no reading yet is one), plain words (no figures without --verbose)."""
    assert run("install").returncode == 0
    done = run("doctor")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.rstrip().splitlines()[-1] == (
        "No failures, 1 warning: the line works; see the warning above.")
    for name in ("settings", "package", "state directory", "lock", "store", "config",
                 "render", "imports", "rate limits", "log"):
        assert name in done.stdout
    assert "example line, not your data: " in done.stdout
    assert "modules" not in done.stdout and "taken in" not in done.stdout
    verbose = run("doctor", "--verbose")
    assert "modules imported, no click" in verbose.stdout
    # No call yet: doctor does not create the store's lock file to time it.
    assert "no call has taken it yet: " in verbose.stdout
    run_cli(example("oauth-003"), env={"STATUSLINE_NOW": str(OAUTH_NOW)})  # takes it
    assert "taken in" in run("doctor", "--verbose").stdout


def test_doctor_json_and_exit_status_when_a_check_fails(claude_dir: Path) -> None:
    """doctor --json lists every check; without a statusLine it fails and exits 1."""
    done = run("doctor", "--json")
    assert done.returncode == 1
    document = json.loads(done.stdout)
    assert document["ok"] is False
    checks = {c["name"]: c for c in document["checks"]}
    assert set(checks["settings"]) == {"name", "ok", "status", "detail", "hint"}
    assert checks["settings"]["status"] == FAIL
    assert checks["settings"]["hint"] == "run `statusline install`"
    assert checks["imports"]["ok"] is True
    assert document["failures"] >= 1
    assert document["warnings"] == sum(c["status"] == WARN for c in checks.values())


def test_text_output_shows_fix_hints(claude_dir: Path) -> None:
    """A failed check prints its hint after 'fix:'."""
    done = run("doctor")
    assert done.returncode == 1
    assert "FAIL settings" in done.stdout
    assert "fix: run `statusline install`" in done.stdout
    assert "1 check failed, " in done.stdout.splitlines()[-1]


def test_foreign_statusline_fails(claude_dir: Path, tmp_path: Path) -> None:
    """A statusLine that runs another tool fails, with the --force hint."""
    check = settings_check(claude_dir, FOREIGN, tmp_path)
    assert check.status == FAIL
    assert "not statusline" in check.detail
    assert check.hint is not None and "--force" in check.hint


def test_entry_pointing_nowhere_fails(claude_dir: Path, tmp_path: Path) -> None:
    """Our entry, but the executable is gone: fail."""
    check = settings_check(claude_dir, {"type": "command", "command": "/gone/bin/statusline"},
                           tmp_path)
    assert check.status == FAIL
    assert "not an executable file" in check.detail


def test_entry_pointing_at_another_installation_fails(claude_dir: Path, tmp_path: Path) -> None:
    """Our entry, executable, but another copy of statusline than the one running doctor."""
    other = tmp_path / "other" / "statusline"
    other.parent.mkdir()
    other.write_text("#!/bin/sh\n")
    other.chmod(0o755)
    check = settings_check(claude_dir, {"type": "command", "command": str(other)}, tmp_path)
    assert check.status == FAIL
    assert "another installation" in check.detail


def test_entry_of_this_installation_passes(claude_dir: Path, tmp_path: Path) -> None:
    """The entry install writes passes, naming the file and the scope."""
    command = claude_settings.installed_command()
    entry = {"type": "command", "command": command, "refreshInterval": 10}
    check = settings_check(claude_dir, entry, tmp_path)
    assert check.status == OK
    assert "(user)" in check.detail


def test_state_dir_open_to_others_fails(tmp_path: Path) -> None:
    """A state directory readable by others fails, with the chmod to fix it."""
    directory = tmp_path / "open"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)
    check = doctor.check_state_dir(str(directory))
    assert check.status == FAIL
    assert check.hint == f"chmod 700 {directory}"


def test_state_dir_that_is_a_file_fails(tmp_path: Path) -> None:
    """Something else at the state directory's path fails."""
    blocker = tmp_path / "state-file"
    blocker.write_text("")
    assert doctor.check_state_dir(str(blocker)).status == FAIL


def test_missing_state_dir_is_fine(tmp_path: Path) -> None:
    """No state directory yet is normal before the first call."""
    check = doctor.check_state_dir(str(tmp_path / "later"))
    assert check.status == OK
    assert "does not exist yet" in check.detail


def test_private_state_dir_passes(tmp_path: Path) -> None:
    """A 0700 directory we own and can write in passes."""
    directory = tmp_path / "private"
    directory.mkdir(mode=0o700)
    assert doctor.check_state_dir(str(directory)).status == OK


def test_corrupt_store_fails(tmp_path: Path) -> None:
    """A store that does not parse fails (the next call would move it aside)."""
    directory = tmp_path / "state"
    directory.mkdir(mode=0o700)
    (directory / "store.json").write_text("{not json")
    check = doctor.check_store(str(directory / "store.json"))
    assert check.status == FAIL
    assert "corrupt" in check.detail


def test_store_with_sessions_passes(tmp_path: Path) -> None:
    """A good store passes and says how many sessions it holds."""
    path = write_store(tmp_path / "state", day_of_readings())
    check = doctor.check_store(str(path))
    assert check.status == OK
    assert "3 sessions" in check.detail


def test_lock_held_elsewhere_fails(tmp_path: Path) -> None:
    """A lock another process holds beyond the timeout fails with a hint."""
    directory = tmp_path / "state"
    directory.mkdir(mode=0o700)
    store_path = str(directory / "store.json")
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from filelock import FileLock; "
         "l = FileLock(sys.argv[1]); l.acquire(); print('held', flush=True); time.sleep(60)",
         paths.lock_file(store_path)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        check = doctor.check_lock(store_path, timeout=0.2)
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert check.status == FAIL
    assert "held by another process" in check.detail
    assert doctor.check_lock(store_path, timeout=0.2).status == OK


def test_config_with_unknown_key_warns_with_the_warning(tmp_path: Path) -> None:
    """A config typo is a warning (the line keeps the default) naming the key."""
    config_file = tmp_path / "config.toml"
    config_file.write_text("colour = false\n")
    check = doctor.check_config({"STATUSLINE_CONFIG": str(config_file)})
    assert check.status == WARN
    assert "unknown key 'colour'" in check.detail


def test_no_config_file_passes(tmp_path: Path) -> None:
    """No config file: the defaults apply."""
    check = doctor.check_config({"STATUSLINE_CONFIG": str(tmp_path / "none.toml")})
    assert check.status == OK
    assert "defaults" in check.detail


def test_render_check_fails_on_a_command_that_prints_two_lines(tmp_path: Path) -> None:
    """The render check runs the real command: two lines is a failure."""
    fake = tmp_path / "statusline"
    fake.write_text("#!/bin/sh\ncat >/dev/null\necho one\necho two\n")
    fake.chmod(0o755)
    check = doctor.check_render(str(fake), dict(os.environ), runs=1)
    assert check.status == FAIL
    assert "2 lines" in check.detail


def test_render_check_passes_for_this_installation() -> None:
    """The installed entry point renders the bundled example in one line."""
    check = doctor.check_render(claude_settings.installed_command(), dict(os.environ),
                                runs=1)
    assert check.status == OK, check.detail
    assert check.notes[0].startswith("example line, not your data: ")
    assert "5h 24%" in check.notes[0]


def test_hot_path_does_not_import_click() -> None:
    """The import check passes for the real entry point."""
    check = doctor.check_hot_path_imports(dict(os.environ))
    assert check.status == OK, check.detail


def test_rate_limits_never_seen_explains_why(tmp_path: Path) -> None:
    """API-key sessions only: a warning naming API-key accounts and old clients."""
    state = history.State()
    history.record(state, from_mapping(example("apikey-001")), NOW)
    path = write_store(tmp_path / "state", state)
    check = doctor.check_rate_limits(str(path))
    assert check.status == WARN
    assert check.ok
    assert "API-key account" in check.detail
    assert "old Claude Code" in check.detail


def test_rate_limits_seen(tmp_path: Path) -> None:
    """A store with window readings passes the rate-limit check."""
    path = write_store(tmp_path / "state", day_of_readings())
    assert doctor.check_rate_limits(str(path)).status == OK


def test_log_check_shows_the_latest_warning(tmp_path: Path) -> None:
    """The log check names the log and its latest warning."""
    directory = tmp_path / "state"
    directory.mkdir(mode=0o700)
    (directory / "statusline.log").write_text(
        "2026-11-24T10:00:00 WARNING [1] config: unknown key 'x' (ignored)\n")
    check = doctor.check_log(str(directory))
    assert check.status == OK
    assert "unknown key 'x'" in check.detail


def test_entry_without_refresh_interval_warns_with_the_fix(claude_dir: Path,
                                                           tmp_path: Path) -> None:
    """Our entry without refreshInterval: a warning saying why and how to add it."""
    command = claude_settings.installed_command()
    check = settings_check(claude_dir, {"type": "command", "command": command}, tmp_path)
    assert check.status == WARN
    assert "no refreshInterval" in check.detail
    assert check.hint is not None and '"refreshInterval": 10' in check.hint
    with_tick = {"type": "command", "command": command, "refreshInterval": 10}
    assert settings_check(claude_dir, with_tick, tmp_path).status == OK


def test_doctor_warns_through_the_entry_point_when_the_entry_has_no_interval(
    claude_dir: Path,
) -> None:
    """The entry an older install wrote (no refreshInterval): doctor says so; after
    `statusline install` the warning is gone."""
    command = claude_settings.installed_command()
    settings = claude_dir / "settings.json"
    settings.write_text(json.dumps({"statusLine": {"type": "command", "command": command}}))
    before = run("doctor")
    assert "warn settings" in before.stdout and "no refreshInterval" in before.stdout
    assert run("install").returncode == 0
    assert json.loads(settings.read_text())["statusLine"]["refreshInterval"] == 10
    assert "no refreshInterval" not in run("doctor").stdout


def test_state_dir_under_an_unwritable_parent_is_not_ok(tmp_path: Path) -> None:
    """The first call could not create it: a failure, not 'the first call creates it'."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    check = doctor.check_state_dir(str(blocker / "state"))
    assert check.status == FAIL
    assert "cannot be created" in check.detail


def test_state_dir_under_a_read_only_parent_is_not_ok(nobody_dir: Path) -> None:
    """As an unprivileged user below a directory it cannot write: a failure."""
    parent = nobody_dir / "root-owned"
    parent.mkdir(mode=0o755)
    script = ("import sys; from statusline import doctor; "
              "c = doctor.check_state_dir(sys.argv[1]); print(c.status, c.detail)")
    from tests.helpers_reliability import as_nobody

    done = subprocess.run([*as_nobody(), sys.executable, "-c", script,
                           str(parent / "x" / "state")],
                          capture_output=True, text=True, timeout=30, check=False,
                          cwd=nobody_dir)
    assert done.stdout.startswith("fail "), done.stdout + done.stderr
    assert "not writable by you" in done.stdout


def test_package_check_names_another_copy(tmp_path: Path) -> None:
    """A command whose Python imports another copy of statusline: a warning naming both."""
    other = tmp_path / "other"
    (other / "statusline").mkdir(parents=True)
    (other / "statusline" / "__init__.py").write_text("")
    fake_python = tmp_path / "bin" / "python3"
    fake_python.parent.mkdir()
    fake_python.write_text(f"#!/bin/sh\nPYTHONPATH={other} exec {sys.executable} \"$@\"\n")
    fake_python.chmod(0o755)
    script = tmp_path / "bin" / "statusline"
    script.write_text(f"#!{fake_python}\nimport sys\n")
    script.chmod(0o755)
    check = doctor.check_package(str(script), dict(os.environ))
    assert check.status == WARN, check.detail
    assert str(other / "statusline") in check.detail
    assert check.hint == f"run {script} doctor"


def test_package_check_passes_for_this_installation() -> None:
    """The command install writes runs this very package."""
    check = doctor.check_package(claude_settings.installed_command(), dict(os.environ))
    assert check.status == OK, check.detail
    assert "the copy Claude Code runs" in check.detail


def test_summary_counts_failures_and_warnings() -> None:
    """The closing line counts both."""
    checks = [doctor.Check("a", OK, ""), doctor.Check("b", WARN, ""),
              doctor.Check("c", WARN, ""), doctor.Check("d", FAIL, "")]
    assert doctor.summary(checks) == (
        "1 check failed, 2 warnings: fix the failures above (each has a fix).")
    assert doctor.summary(checks[:1]) == "All 1 checks passed."
    assert doctor.summary(checks[:3]) == (
        "No failures, 2 warnings: the line works; see the warnings above.")
