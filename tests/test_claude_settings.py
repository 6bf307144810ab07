"""Editing Claude Code's settings.json: install, uninstall, refusals, formats and writes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statusline.claude import settings as cs
from statusline.errors import StatuslineError

CMD = "/opt/tools/bin/statusline"
FOREIGN = {"type": "command", "command": "~/.claude/statusline.sh", "padding": 0}


def settings_of(text: str | None, path: str = "/x/settings.json") -> cs.Settings:
    return cs.Settings(path, text, {} if text is None else cs.parse(text, path))


def install_text(text: str | None, command: str = CMD, refresh: int | None = None,
                 force: bool = False) -> str:
    plan = cs.plan_install(settings_of(text), command, refresh, force)
    assert plan.new_text is not None
    return plan.new_text


def installed_round_trip(tmp_path: Path, text: str | None) -> tuple[Path, Path]:
    """Install into a settings file holding ``text`` (None: no file); return (file, state dir)."""
    path = tmp_path / "claude" / "settings.json"
    state = tmp_path / "state"
    if text is not None:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    current = cs.read(str(path))
    record = cs.record_for(str(state), str(path))
    plan = cs.plan_install(current, CMD, None, force=True)
    cs.apply(plan, str(state))
    cs.save_record(str(state), str(path), cs.install_record(plan, record, cs.is_ours(
        current.document.get(cs.KEY))))
    return path, state


def uninstall(path: Path, state: Path) -> cs.Plan:
    plan = cs.plan_uninstall(cs.read(str(path)), cs.record_for(str(state), str(path)))
    cs.apply(plan, str(state))
    cs.save_record(str(state), str(path), None)
    return plan


# ---------------------------------------------------------------------------------------
# Install plans


def test_install_into_missing_file_creates_the_entry() -> None:
    """A missing settings file becomes a document with only our statusLine (in step by
    default: the default refreshInterval)."""
    doc = json.loads(install_text(None))
    assert doc == {"statusLine": {"type": "command", "command": CMD, "refreshInterval": 10}}


def test_install_keeps_every_other_key_and_their_order_and_formatting() -> None:
    """Only the statusLine member is added: other members keep their bytes and order."""
    text = '{\n    "model": "opus",\n    "env": {"A": "1"},\n    "hooks": []\n}\n'
    new = install_text(text)
    assert new.startswith('{\n    "model": "opus",\n    "env": {"A": "1"},\n    "hooks": [],\n')
    assert list(json.loads(new)) == ["model", "env", "hooks", "statusLine"]
    assert new.endswith("}\n")


def test_install_replaces_our_old_entry_in_place_and_keeps_its_padding() -> None:
    """An older entry of ours (another path) is updated where it stands, no --force needed."""
    text = json.dumps({"a": 1, "statusLine": {"type": "command", "command": "/old/statusline",
                                              "padding": 2}, "z": 0}, indent=2)
    doc = json.loads(install_text(text))
    assert list(doc) == ["a", "statusLine", "z"]
    assert doc["statusLine"] == {"type": "command", "command": CMD, "padding": 2,
                                 "refreshInterval": cs.DEFAULT_REFRESH_INTERVAL_S}


def test_install_twice_changes_nothing() -> None:
    """The second install plans no change and says it is already installed."""
    first = install_text('{"a": 1}\n', refresh=10)
    plan = cs.plan_install(settings_of(first), CMD, 10, force=False)
    assert not plan.changes
    assert plan.new_text == first
    assert "already installed" in plan.message


def test_refresh_interval_is_written_and_changed() -> None:
    """--refresh-interval sets statusLine.refreshInterval, and a new value replaces it."""
    first = install_text(None, refresh=30)
    assert json.loads(first)["statusLine"]["refreshInterval"] == 30
    second = install_text(first, refresh=5)
    assert json.loads(second)["statusLine"]["refreshInterval"] == 5


@pytest.mark.parametrize("kept", [3, 30, 2.5])
def test_an_entry_own_refresh_interval_is_kept_without_the_option(kept: float) -> None:
    """Reinstalling without --refresh-interval keeps the user's own interval."""
    text = json.dumps({"statusLine": {"type": "command", "command": CMD,
                                      "refreshInterval": kept}})
    assert json.loads(install_text(text))["statusLine"]["refreshInterval"] == kept


@pytest.mark.parametrize("invalid", [0, -5, "10", None, True])
def test_an_interval_claude_code_would_drop_gets_the_default(invalid: object) -> None:
    """An interval Claude Code ignores (it drops values under 1) is replaced by the default."""
    text = json.dumps({"statusLine": {"type": "command", "command": CMD,
                                      "refreshInterval": invalid}})
    assert json.loads(install_text(text))["statusLine"]["refreshInterval"] == 10


def test_foreign_command_is_kept_and_chained() -> None:
    """Without --force someone else's status line is kept: ours runs it (and its padding
    stays); the plan remembers their entry for uninstall."""
    plan = cs.plan_install(settings_of(json.dumps({"statusLine": FOREIGN})), CMD, None, False)
    assert plan.previous == FOREIGN
    assert plan.chained == FOREIGN["command"]
    assert plan.new_text is not None
    entry = json.loads(plan.new_text)["statusLine"]
    assert entry == {"type": "command", "padding": 0, "refreshInterval": 10,
                     "command": f"STATUSLINE_CHAIN='~/.claude/statusline.sh' {CMD}"}
    assert cs.is_ours(entry)
    again = cs.plan_install(settings_of(plan.new_text), CMD, None, False)
    assert not again.changes


@pytest.mark.parametrize("foreign",
                         [{"type": "other", "url": "x"}, "a string", {"type": "command"}])
def test_foreign_entry_we_cannot_run_is_refused_with_what_is_there_and_why(
        foreign: object) -> None:
    """An entry that is not a command we could run is never replaced without --force."""
    text = json.dumps({"statusLine": foreign})
    with pytest.raises(StatuslineError) as raised:
        cs.plan_install(settings_of(text), CMD, None, force=False)
    assert "cannot run beside its own" in raised.value.message
    assert raised.value.hint is not None and "--force" in raised.value.hint


def test_force_replaces_and_remembers_the_foreign_entry() -> None:
    """With --force the plan replaces the entry and keeps the old one for uninstall."""
    plan = cs.plan_install(settings_of(json.dumps({"statusLine": FOREIGN})), CMD, None, True)
    assert plan.previous == FOREIGN
    assert plan.new_text is not None
    assert json.loads(plan.new_text)["statusLine"]["command"] == CMD


@pytest.mark.parametrize(
    ("entry", "ours"),
    [
        ({"type": "command", "command": "/a/b/statusline"}, True),
        ({"type": "command", "command": "'/a b/statusline'"}, True),
        ({"type": "command", "command": "statusline"}, True),
        ({"type": "command", "command": "/usr/bin/python3 -m statusline"}, True),
        ({"type": "command", "command": "/a/statusline --debug"}, False),
        ({"type": "command", "command": "/a/ccstatusline"}, False),
        ({"type": "command", "command": "npx ccusage statusline"}, False),
        ({"type": "command"}, False),
        ("statusline", False),
    ],
)
def test_is_ours(entry: object, ours: bool) -> None:
    """Only an entry that runs a statusline executable (or python -m statusline) is ours."""
    assert cs.is_ours(entry) is ours


# ---------------------------------------------------------------------------------------
# Files we will not rewrite


@pytest.mark.parametrize(
    "text",
    [
        '{\n  // my settings\n  "model": "opus"\n}\n',
        '{\n  /* block */ "model": "opus"\n}\n',
        '{\n  "model": "opus",\n}\n',
        '{\n  "permissions": {"allow": ["Bash(ls)",]}\n}\n',
    ],
)
def test_jsonc_gets_a_clear_error(text: str) -> None:
    """Comments or trailing commas: a JsoncError that says why nothing is rewritten."""
    with pytest.raises(cs.JsoncError) as raised:
        cs.parse(text)
    assert "comments or trailing commas" in raised.value.message
    assert "lose" in raised.value.message


def test_slashes_inside_strings_are_not_comments() -> None:
    """A URL in a string is plain JSON, not JSONC."""
    assert cs.parse('{"url": "https://example.com/*x*/", "a": "b,}"}') == {
        "url": "https://example.com/*x*/", "a": "b,}"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"model": }', "not valid JSON"),
        ("[1, 2]", "not an object"),
        ('{"a": 1, "a": 2}', "repeats the key 'a'"),
    ],
)
def test_unreadable_documents_explain_themselves(text: str, words: str) -> None:
    """Invalid JSON, a non-object or a repeated key: a StatuslineError with a hint."""
    with pytest.raises(StatuslineError) as raised:
        cs.parse(text)
    assert words in raised.value.message
    assert raised.value.hint


def test_non_utf8_file_is_refused(tmp_path: Path) -> None:
    """A settings file that is not UTF-8 is reported, not rewritten."""
    path = tmp_path / "settings.json"
    path.write_bytes(b'{"a": "\xff"}')
    with pytest.raises(StatuslineError, match="not UTF-8"):
        cs.read(str(path))


# ---------------------------------------------------------------------------------------
# Uninstall


def test_uninstall_restores_the_original_bytes(tmp_path: Path) -> None:
    """Unchanged since install: the file is put back byte for byte."""
    original = '{\n      "model":"opus" ,\n  "env": {"A": "1"}}'  # odd formatting on purpose
    path, state = installed_round_trip(tmp_path, original)
    assert path.read_text() != original
    plan = uninstall(path, state)
    assert plan.restore
    assert path.read_text() == original


def test_uninstall_removes_a_file_that_install_created(tmp_path: Path) -> None:
    """When there was no settings file before, uninstall removes the one install made."""
    path, state = installed_round_trip(tmp_path, None)
    assert path.exists()
    uninstall(path, state)
    assert not path.exists()


def test_uninstall_after_other_edits_removes_only_our_entry(tmp_path: Path) -> None:
    """Claude Code (or the user) changed the file since: only our member goes."""
    path, state = installed_round_trip(tmp_path, '{\n  "model": "opus"\n}\n')
    doc = json.loads(path.read_text())
    doc["theme"] = "dark"
    path.write_text(json.dumps(doc, indent=2) + "\n")
    plan = uninstall(path, state)
    assert not plan.restore
    assert json.loads(path.read_text()) == {"model": "opus", "theme": "dark"}


def test_uninstall_puts_back_the_statusline_that_force_replaced(tmp_path: Path) -> None:
    """After install --force and later edits, uninstall restores the previous statusLine."""
    path, state = installed_round_trip(tmp_path, json.dumps({"statusLine": FOREIGN}))
    doc = json.loads(path.read_text())
    doc["extra"] = True
    path.write_text(json.dumps(doc))
    uninstall(path, state)
    assert json.loads(path.read_text()) == {"statusLine": FOREIGN, "extra": True}


def test_reinstall_keeps_the_first_original(tmp_path: Path) -> None:
    """Install, install again with another interval, uninstall: back to the first original."""
    original = '{"a": 1}'
    path, state = installed_round_trip(tmp_path, original)
    current = cs.read(str(path))
    record = cs.record_for(str(state), str(path))
    plan = cs.plan_install(current, CMD, 7, force=False)
    cs.apply(plan, str(state))
    cs.save_record(str(state), str(path), cs.install_record(plan, record, True))
    uninstall(path, state)
    assert path.read_text() == original


def test_uninstall_refuses_a_foreign_statusline() -> None:
    """A statusLine that is not ours is never removed."""
    with pytest.raises(StatuslineError, match="not statusline's"):
        cs.plan_uninstall(settings_of(json.dumps({"statusLine": FOREIGN})), None)


def test_uninstall_without_entry_does_nothing() -> None:
    """No statusLine: nothing to do, nothing written."""
    plan = cs.plan_uninstall(settings_of('{"a": 1}'), None)
    assert not plan.changes


json_scalars = st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=8)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=8,
)
documents = st.dictionaries(st.text(max_size=8).filter(lambda k: k != "statusLine"),
                            json_values, max_size=5)


@settings(max_examples=60, deadline=None)
@given(documents, st.sampled_from([None, 2, 4, "\t"]), st.booleans())
def test_install_then_uninstall_is_byte_exact_for_any_document(
    document: dict[str, object], indent: int | str | None, newline: bool
) -> None:
    """For any JSON object in any layout: install keeps the other members, uninstall
    without a record still gives back the same document."""
    text = json.dumps(document, indent=indent, ensure_ascii=False) + ("\n" if newline else "")
    installed = install_text(text)
    parsed = json.loads(installed)
    assert list(parsed)[:-1] == list(document)
    assert parsed["statusLine"]["command"] == CMD
    removed = cs.plan_uninstall(settings_of(installed), None).new_text
    assert removed is not None
    assert json.loads(removed) == document
    if document:
        assert removed == text


# ---------------------------------------------------------------------------------------
# Writing


def test_new_settings_file_is_private(tmp_path: Path) -> None:
    """A settings file created by install is 0600."""
    path, _ = installed_round_trip(tmp_path, None)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_existing_mode_is_kept(tmp_path: Path) -> None:
    """An existing file keeps its permissions through the atomic replace."""
    path = tmp_path / "claude" / "settings.json"
    path.parent.mkdir()
    path.write_text("{}")
    path.chmod(0o644)
    installed_round_trip(tmp_path, "{}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_symlinked_settings_are_written_through(tmp_path: Path) -> None:
    """A dotfiles symlink stays a symlink; its target gets the change."""
    target = tmp_path / "dotfiles" / "claude-settings.json"
    target.parent.mkdir()
    target.write_text('{"a": 1}\n')
    link = tmp_path / "claude" / "settings.json"
    link.parent.mkdir()
    link.symlink_to(target)
    plan = cs.plan_install(cs.read(str(link)), CMD, None, False)
    cs.apply(plan, str(tmp_path / "state"))
    assert link.is_symlink()
    assert json.loads(target.read_text())["statusLine"]["command"] == CMD


def test_backup_holds_the_previous_text(tmp_path: Path) -> None:
    """apply() saves the text it replaces in the state directory's backups, privately."""
    path = tmp_path / "settings.json"
    path.write_text('{"a": 1}')
    plan = cs.plan_install(cs.read(str(path)), CMD, None, False)
    backup = cs.apply(plan, str(tmp_path / "state"))
    assert backup is not None
    assert Path(backup).read_text() == '{"a": 1}'
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600


# ---------------------------------------------------------------------------------------
# Locations and the command


def test_scopes_resolve_to_claude_code_files(tmp_path: Path) -> None:
    """user honours CLAUDE_CONFIG_DIR; project and local live under the working directory."""
    env = {"HOME": str(tmp_path), "CLAUDE_CONFIG_DIR": str(tmp_path / "work-profile")}
    assert cs.settings_path("user", env, "/p") == str(tmp_path / "work-profile/settings.json")
    assert cs.settings_path("user", {"HOME": str(tmp_path)}, "/p") == str(
        tmp_path / ".claude/settings.json")
    assert cs.settings_path("project", env, "/p") == "/p/.claude/settings.json"
    assert cs.settings_path("local", env, "/p") == "/p/.claude/settings.local.json"


def test_installed_command_is_the_running_script(tmp_path: Path) -> None:
    """The console script that runs is the command, as an absolute path."""
    script = tmp_path / "bin" / "statusline"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    assert cs.installed_command(str(script), "/nowhere/python") == str(script)


def test_installed_command_is_quoted_for_the_shell(tmp_path: Path) -> None:
    """A path with a space is quoted so /bin/sh runs it as one word."""
    script = tmp_path / "my tools" / "statusline"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    command = cs.installed_command(str(script), "/nowhere/python")
    assert command == f"'{script}'"
    assert cs.command_program(command) == str(script)
    assert cs.is_ours({"type": "command", "command": command})


def test_installed_command_falls_back_to_python_m(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """No statusline script anywhere: python -m statusline with this interpreter."""
    monkeypatch.setenv("PATH", str(tmp_path))
    python = tmp_path / "py" / "python3"
    assert cs.installed_command("/x/__main__.py", str(python)) == f"{python} -m statusline"


def test_effective_entries_follow_claude_code_precedence(tmp_path: Path) -> None:
    """local beats project beats user."""
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    (home / ".claude" / "settings.json").write_text(json.dumps({"statusLine": FOREIGN}))
    project = tmp_path / "project"
    (project / ".claude").mkdir(parents=True)
    (project / ".claude" / "settings.local.json").write_text(
        json.dumps({"statusLine": {"type": "command", "command": CMD}}))
    found = cs.effective_entries({"HOME": str(home)}, str(project))
    assert [scope for scope, _, _ in found] == ["local", "user"]


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    """Claude Code wrote the file between our read and our write: nothing is written."""
    path = tmp_path / "settings.json"
    path.write_text('{"a": 1}')
    plan = cs.plan_install(cs.read(str(path)), CMD, None, False)
    path.write_text('{"a": 2}')
    with pytest.raises(StatuslineError, match="changed while statusline was editing"):
        cs.apply(plan, str(tmp_path / "state"))
    assert path.read_text() == '{"a": 2}'


def test_the_benchmark_measures_the_interval_install_writes() -> None:
    """bench/run.py's idle-sessions rows run at the default refreshInterval."""
    import ast

    source = (Path(__file__).resolve().parent.parent / "bench" / "run.py").read_text()
    values = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id in ("IDLE_INTERVAL_S", "IDLE_SESSIONS")
    }
    assert values == {"IDLE_INTERVAL_S": cs.DEFAULT_REFRESH_INTERVAL_S, "IDLE_SESSIONS": (4, 16)}


def test_without_posix_spawn_a_foreign_command_is_refused_not_chained() -> None:
    """Where their command could not be run (Windows: no posix_spawn), install does not
    chain it (their line would vanish); --force still replaces."""
    text = json.dumps({"statusLine": FOREIGN})
    with pytest.raises(StatuslineError) as raised:
        cs.plan_install(settings_of(text), CMD, None, False, can_chain=False)
    assert "on this platform" in raised.value.message
    assert cs.plan_install(settings_of(text), CMD, None, True, can_chain=False).changes


def test_uninstall_without_a_record_restores_the_chained_command(tmp_path: Path) -> None:
    """A lost state directory: the entry itself says which command it kept."""
    chained = cs.plan_install(settings_of(json.dumps({"statusLine": FOREIGN})), CMD, None,
                              False).new_text
    assert chained is not None
    plan = cs.plan_uninstall(settings_of(chained), None)
    assert plan.new_text is not None
    restored = json.loads(plan.new_text)["statusLine"]
    assert restored["command"] == FOREIGN["command"] and restored["padding"] == 0
