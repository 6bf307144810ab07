"""The commands for people, run through the real entry point in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import orjson
import pytest

from statusline import forecast
from statusline.inspect import report
from statusline.store import local as store
from tests.conftest import EXAMPLES, OAUTH_NOW
from tests.helpers_cli import NOW, day_of_readings, write_store

REPO = Path(__file__).resolve().parent.parent
FOREIGN = {"type": "command", "command": "bash ~/.claude/statusline.sh"}


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
        stdin: bytes | str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m statusline ARGS`` (optionally in ``cwd``)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    data = stdin.encode() if isinstance(stdin, str) else stdin
    done = subprocess.run(
        [sys.executable, "-m", "statusline", *args], input=data or b"", capture_output=True,
        env=full_env, cwd=cwd, timeout=60, check=False,
    )
    return subprocess.CompletedProcess(done.args, done.returncode,
                                       done.stdout.decode("utf-8", "replace"),
                                       done.stderr.decode("utf-8", "replace"))


# ---------------------------------------------------------------------------------------
# help and errors


@pytest.mark.parametrize(
    "command",
    [[], ["inspect"], ["render"], ["explain"], ["install"], ["uninstall"], ["doctor"],
     ["config"], ["config", "path"], ["config", "show"]],
)
def test_every_command_has_help(command: list[str]) -> None:
    """--help works for the group and every command, and says something."""
    done = cli(*command, "--help")
    assert done.returncode == 0, done.stderr
    assert "Usage: statusline" in done.stdout
    assert len(done.stdout.splitlines()) > 4


def test_domain_errors_are_one_message_and_a_hint() -> None:
    """A StatuslineError prints Error: and Hint: on stderr, exit 1, no traceback."""
    done = cli("render", "--example", "no-such-example")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("Error: no example named 'no-such-example'")
    assert "Hint: choose one of:" in done.stderr
    assert "Traceback" not in done.stderr


def test_usage_errors_exit_2() -> None:
    """A bad option is click's usage error (exit 2)."""
    done = cli("install", "--refresh-interval", "0")
    assert done.returncode == 2
    assert "0 is not in the range x>=1" in done.stderr


# ---------------------------------------------------------------------------------------
# render / explain


def test_render_example_prints_one_line_and_writes_nothing(isolated_env: Path) -> None:
    """render --example shows the line; without --save the store is not created."""
    done = cli("render", "--example", "oauth-003", "--no-color",
               env={"STATUSLINE_NOW": str(OAUTH_NOW), "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1
    assert "ctx 1%" in done.stdout
    assert "5h 24%" in done.stdout
    assert "\x1b[" not in done.stdout
    assert not (isolated_env / "state" / "store.json").exists()


def test_render_save_records_the_payload(isolated_env: Path) -> None:
    """render --save folds the payload into the store, as a real call would."""
    done = cli("render", str(EXAMPLES / "oauth-003.json"), "--save",
               env={"STATUSLINE_NOW": str(OAUTH_NOW)})
    assert done.returncode == 0, done.stderr
    saved = store.read(str(isolated_env / "state" / "store.json"))
    assert saved.status == "ok"
    assert "730ff5bb-2ea5-47b0-9596-f547b19e635f" in saved.state.sessions


def test_render_reads_stdin_with_dash() -> None:
    """render - reads the payload from stdin."""
    done = cli("render", "-", "--no-color", stdin=(EXAMPLES / "apikey-001.json").read_bytes())
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_render_missing_file_is_an_error() -> None:
    """A payload file that cannot be read is a clear error (exit 1)."""
    done = cli("render", "/nonexistent/payload.json")
    assert done.returncode in (1, 2)
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", ["render", "explain"])
@pytest.mark.parametrize(("stdin", "problem"), [
    (b"not json", "it is not JSON"),
    (b"", "it is empty"),
    (b"[1, 2]", "it is a JSON list, not an object"),
    (b'"text"', "it is a JSON str, not an object"),
    (b"\xff\xfe{}", "it is not UTF-8 text"),
    (b"[" * 100_000, "nested too deeply"),
])
def test_input_that_is_not_a_payload_is_an_error(command: str, stdin: bytes,
                                                 problem: str) -> None:
    """render and explain refuse what is not a JSON object: exit 1, one message, a hint."""
    done = cli(command, "-", stdin=stdin)
    assert done.returncode == 1, done.stdout
    assert done.stdout == ""
    assert done.stderr.startswith("Error: stdin is not a status-line payload: ")
    assert problem in done.stderr
    assert "Hint: " in done.stderr and "Traceback" not in done.stderr


def test_a_payload_file_that_is_not_json_names_the_file(tmp_path: Path) -> None:
    """A file argument is named in the error."""
    bad = tmp_path / "payload.txt"
    bad.write_text("hello")
    done = cli("explain", str(bad))
    assert done.returncode == 1
    assert f"Error: {bad} is not a status-line payload" in done.stderr


@pytest.mark.parametrize("command", ["render", "explain"])
def test_save_with_example_is_refused_and_writes_nothing(command: str,
                                                         isolated_env: Path) -> None:
    """A bundled example never enters the real store."""
    done = cli(command, "--example", "oauth-003", "--save")
    assert done.returncode == 1
    assert "--save cannot be used with --example" in done.stderr
    assert not (isolated_env / "state").exists()


def test_explain_lists_every_segment_with_time_and_meaning(isolated_env: Path) -> None:
    """explain shows the line, then each segment's name, time, text and docstring."""
    from statusline.line.segments import SEGMENTS

    done = cli("explain", "--example", "oauth-003", "--no-color",
               env={"STATUSLINE_NOW": str(OAUTH_NOW), "COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "5h 24%" in lines[0]
    for name, fn in SEGMENTS.items():
        doc = (fn.__doc__ or "").strip().splitlines()[0]
        assert any(line.startswith(name) and "ms" in line for line in lines), name
        assert doc in done.stdout
    assert "(nothing to show)" in done.stdout  # cost: the window readings are known
    assert "not written" in lines[-1]
    assert not (isolated_env / "state" / "store.json").exists()


def test_explain_marks_segments_dropped_for_width() -> None:
    """At a narrow width explain says which segments the line had no room for."""
    done = cli("explain", "--example", "oauth-003", "--no-color",
               env={"STATUSLINE_NOW": str(OAUTH_NOW), "COLUMNS": "40"})
    assert "(dropped: the line is too wide)" in done.stdout


# ---------------------------------------------------------------------------------------
# inspect


def test_inspect_json_is_exactly_the_report_snapshot(isolated_env: Path) -> None:
    """inspect --json prints report.snapshot's dict unchanged (the contract)."""
    path = write_store(isolated_env / "state", day_of_readings())
    done = cli("inspect", "--json", env={"STATUSLINE_NOW": str(NOW), "TZ": "UTC"})
    assert done.returncode == 0, done.stderr
    result = store.read(str(path))
    expected = report.snapshot(result.state, forecast.project(result.state, NOW, 0.0), NOW,
                               "default", str(path), result.status)
    assert done.stdout == orjson.dumps(expected, option=orjson.OPT_INDENT_2).decode() + "\n"
    assert json.loads(done.stdout)["live_sessions"] == 2


def test_inspect_cleans_every_string_it_prints_from_the_store(isolated_env: Path) -> None:
    """A hand-edited store with escape sequences in every string field: inspect prints
    none of them (the terminal's title, clipboard and cursor stay untouched)."""
    from tests.helpers_reliability import assert_terminal_safe

    path = write_store(isolated_env / "state", day_of_readings())
    document = json.loads(path.read_text())
    evil = "\x1b]52;c;SGVsbG8=\x07\x1b[2J\u202eevil\x9b31m"
    for window in document["windows"].values():
        window["observed_by"] = evil
    for session in document["sessions"].values():
        session.update(model=evil, project_dir="/home/" + evil, session_name=evil,
                       agent_name=evil)
    path.write_text(json.dumps(document))
    for args in (["inspect"], ["inspect", "--ascii"]):
        done = cli(*args, env={"STATUSLINE_NOW": str(NOW), "COLUMNS": "200", "TZ": "UTC"})
        assert done.returncode == 0, done.stderr
        assert "evil" in done.stdout  # the text is shown, only its controls are gone
        for line in done.stdout.splitlines():
            assert_terminal_safe(line)


def test_inspect_on_an_empty_store_says_so() -> None:
    """No store yet: the report names the path and says there is no reading."""
    done = cli("inspect", env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    assert "missing" in done.stdout
    assert "5-hour window: no reading yet" in done.stdout
    assert "Sessions: 0 live, 0 known" in done.stdout


# ---------------------------------------------------------------------------------------
# install / uninstall


def test_install_then_uninstall_restores_bytes(claude_dir: Path, isolated_env: Path) -> None:
    """install shows the diff, backs up and writes; uninstall gives back the exact bytes."""
    settings = claude_dir / "settings.json"
    original = b'{\n  "model": "opus",\n  "permissions": {"allow": ["Bash(ls)"]}\n}\n'
    settings.write_bytes(original)
    done = cli("install")
    assert done.returncode == 0, done.stderr
    assert f"Settings: {settings} (user scope)" in done.stdout
    assert '+  "statusLine": {' in done.stdout
    assert "Backup: " in done.stdout
    entry = json.loads(settings.read_text())["statusLine"]
    assert entry["type"] == "command"
    program = entry["command"]
    assert os.path.isabs(program) and os.access(program, os.X_OK)
    backup = done.stdout.split("Backup: ")[1].split("\n")[0]
    assert Path(backup).read_bytes() == original

    again = cli("install")
    assert again.returncode == 0
    assert "Already installed" in again.stdout
    assert "Backup" not in again.stdout

    removed = cli("uninstall")
    assert removed.returncode == 0, removed.stderr
    assert "Restored" in removed.stdout
    assert settings.read_bytes() == original


def test_installed_command_renders_a_payload(claude_dir: Path) -> None:
    """The command install writes is the one Claude Code can run: it prints the line."""
    assert cli("install").returncode == 0
    command = json.loads((claude_dir / "settings.json").read_text())["statusLine"]["command"]
    done = subprocess.run(command, shell=True, input=(EXAMPLES / "oauth-003.json").read_bytes(),
                          capture_output=True, check=False,
                          env={**os.environ, "STATUSLINE_NOW": str(OAUTH_NOW), "NO_COLOR": "1"})
    assert done.returncode == 0
    assert b"5h 24%" in done.stdout


def test_dry_run_writes_nothing(claude_dir: Path, isolated_env: Path) -> None:
    """--dry-run shows the change and leaves the file and the state directory alone."""
    done = cli("install", "--dry-run", "--refresh-interval", "15")
    assert done.returncode == 0, done.stderr
    assert '"refreshInterval": 15' in done.stdout
    assert "Dry run: nothing was written." in done.stdout
    assert not (claude_dir / "settings.json").exists()
    assert not (isolated_env / "state").exists()


def test_install_writes_the_default_refresh_interval_and_the_option_overrides_it(
    claude_dir: Path,
) -> None:
    """In step by default: the entry re-runs idle sessions every 10 s; the option wins."""
    settings = claude_dir / "settings.json"
    assert cli("install").returncode == 0
    assert json.loads(settings.read_text())["statusLine"]["refreshInterval"] == 10
    assert cli("install", "--refresh-interval", "3").returncode == 0
    assert json.loads(settings.read_text())["statusLine"]["refreshInterval"] == 3
    again = cli("install")  # a later plain install keeps the chosen interval
    assert "nothing to do" in again.stdout.lower()
    assert json.loads(settings.read_text())["statusLine"]["refreshInterval"] == 3


def test_install_off_path_names_doctor_by_its_full_path(claude_dir: Path) -> None:
    """When PATH does not find the installed command, the closing hint gives its full path
    (the entry itself is absolute, so the line works anyway)."""
    done = cli("install", env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    command = json.loads((claude_dir / "settings.json").read_text())["statusLine"]["command"]
    assert os.path.isabs(command)
    assert f"`{command} doctor` checks the setup." in done.stdout
    on_path = cli("uninstall") and cli(
        "install", env={"PATH": f"{os.path.dirname(command)}:/usr/bin:/bin"})
    assert "`statusline doctor` checks the setup." in on_path.stdout


def test_foreign_statusline_kept_or_forced_and_restored(claude_dir: Path) -> None:
    """Another tool's statusLine: install keeps it (chained, and says so); --force replaces
    it instead; each time uninstall puts the file back byte for byte."""
    settings = claude_dir / "settings.json"
    original = json.dumps({"statusLine": FOREIGN}, indent=2).encode()
    settings.write_bytes(original)
    kept = cli("install")
    assert kept.returncode == 0, kept.stderr
    assert "Keeping your status line (`bash ~/.claude/statusline.sh`)" in kept.stdout
    command = json.loads(settings.read_text())["statusLine"]["command"]
    assert command.startswith("STATUSLINE_CHAIN='bash ~/.claude/statusline.sh' ")
    assert cli("uninstall").returncode == 0
    assert settings.read_bytes() == original

    forced = cli("install", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "uninstall` puts it back" in forced.stdout
    assert "STATUSLINE_CHAIN" not in settings.read_text()
    assert cli("uninstall").returncode == 0
    assert settings.read_bytes() == original


def test_uninstall_refuses_foreign_statusline(claude_dir: Path) -> None:
    """uninstall never removes a statusLine that is not ours."""
    settings = claude_dir / "settings.json"
    settings.write_text(json.dumps({"statusLine": FOREIGN}))
    done = cli("uninstall")
    assert done.returncode == 1
    assert "not statusline's" in done.stderr
    assert json.loads(settings.read_text()) == {"statusLine": FOREIGN}


def test_jsonc_settings_are_never_rewritten(claude_dir: Path) -> None:
    """Comments in settings.json: a clear error with the entry to paste; file untouched."""
    settings = claude_dir / "settings.json"
    original = b'{\n  // keep me\n  "model": "opus",\n}\n'
    settings.write_bytes(original)
    done = cli("install")
    assert done.returncode == 1
    assert "comments or trailing commas" in done.stderr
    assert '"statusLine": {' in done.stderr
    assert settings.read_bytes() == original


@pytest.mark.parametrize(("scope", "name"), [("project", "settings.json"),
                                             ("local", "settings.local.json")])
def test_project_and_local_scopes(tmp_path: Path, scope: str, name: str) -> None:
    """--scope project/local edit .claude/ under the working directory."""
    project = tmp_path / "project"
    project.mkdir()
    done = cli("install", "--scope", scope, "--refresh-interval", "20", cwd=project)
    assert done.returncode == 0, done.stderr
    entry = json.loads((project / ".claude" / name).read_text())["statusLine"]
    assert entry["refreshInterval"] == 20
    assert cli("uninstall", "--scope", scope, cwd=project).returncode == 0
    assert not (project / ".claude").exists()  # the directory install made goes too


def test_uninstall_keeps_a_settings_directory_that_was_there(tmp_path: Path) -> None:
    """A .claude/ that existed before install stays after uninstall."""
    project = tmp_path / "project"
    (project / ".claude").mkdir(parents=True)
    (project / ".claude" / "agents.md").write_text("x")
    assert cli("install", "--scope", "project", cwd=project).returncode == 0
    assert cli("uninstall", "--scope", "project", cwd=project).returncode == 0
    assert sorted(p.name for p in (project / ".claude").iterdir()) == ["agents.md"]


def test_uninstall_when_not_installed(claude_dir: Path) -> None:
    """Nothing installed: uninstall says so and exits 0."""
    done = cli("uninstall")
    assert done.returncode == 0
    assert "nothing to do" in done.stdout


def test_example_claude_settings_round_trip(claude_dir: Path) -> None:
    """examples/claude-settings.json: install adds only statusLine and the hooks; uninstall
    restores it."""
    example = (REPO / "examples" / "claude-settings.json").read_bytes()
    settings = claude_dir / "settings.json"
    settings.write_bytes(example)
    assert cli("install", "--refresh-interval", "30").returncode == 0
    doc = json.loads(settings.read_text())
    before = json.loads(example)
    assert {k: v for k, v in doc.items() if k not in ("statusLine", "hooks")} == before
    assert cli("uninstall").returncode == 0
    assert settings.read_bytes() == example


# ---------------------------------------------------------------------------------------
# config


def test_config_path_honours_statusline_config(tmp_path: Path) -> None:
    """config path prints STATUSLINE_CONFIG when set, else the user config file."""
    custom = tmp_path / "custom.toml"
    assert cli("config", "path", env={"STATUSLINE_CONFIG": str(custom)}).stdout.strip() == str(
        custom)
    default = cli("config", "path").stdout.strip()
    assert default.endswith("statusline/config.toml")


def test_config_show_prints_a_loadable_file(tmp_path: Path) -> None:
    """config show prints TOML that loads back to the same settings; warnings on stderr."""
    config_file = tmp_path / "config.toml"
    config_file.write_text('theme = "vivid"\nsegments = ["context", "five_hour"]\nbogus = 1\n')
    done = cli("config", "show", env={"STATUSLINE_CONFIG": str(config_file)})
    assert done.returncode == 0, done.stderr
    assert "unknown key 'bogus'" in done.stderr
    shown = tomllib.loads(done.stdout)
    assert shown["theme"] == "vivid"
    assert shown["segments"] == ["context", "five_hour"]
    assert "bogus" not in shown


def test_install_command_option_must_run_statusline(claude_dir: Path) -> None:
    """--command writes the given command, but only one that runs statusline."""
    done = cli("install", "--command", "/usr/bin/env echo hi")
    assert done.returncode == 2
    assert "--command" in done.stderr
    assert not (claude_dir / "settings.json").exists()
    done = cli("install", "--command", "/opt/my tools/statusline".replace(" ", "\\ "))
    assert done.returncode == 0, done.stderr
    entry = json.loads((claude_dir / "settings.json").read_text())["statusLine"]
    assert entry["command"] == "/opt/my\\ tools/statusline"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_output_to_a_full_disk_is_a_clear_error_not_a_traceback() -> None:
    """`inspect --json > /dev/full`: one error line and a hint, exit 1."""
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "statusline", "inspect", "--json"],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=60,
                              check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "Error: cannot write the output: No space left on device" in done.stderr
