"""The README and docs/commands.md cannot drift from the code: --help blocks, config
reference, examples, the commands table, the size a newcomer reads."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import click

from statusline.cli import cli
from statusline.config import Config
from statusline.line.segments import SEGMENTS
from tests import helpers_docs

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()
COMMANDS_DOC = helpers_docs.COMMANDS_DOC.read_text()


def test_help_blocks_match_the_commands() -> None:
    """docs/commands.md's --help blocks are what --help prints (run
    `python -m tests.helpers_docs`)."""
    assert helpers_docs.marked(COMMANDS_DOC, "commands") == helpers_docs.commands_block()


def test_config_example_is_the_example_file() -> None:
    """docs/commands.md quotes examples/config.toml exactly."""
    assert (helpers_docs.marked(COMMANDS_DOC, "config-example")
            == helpers_docs.config_example_block())


def test_inspect_sample_is_the_snapshot() -> None:
    """The inspect sample is the pinned snapshot's 5-hour window."""
    assert (helpers_docs.marked(COMMANDS_DOC, "inspect-sample")
            == helpers_docs.inspect_sample_block())


def test_the_readme_stays_short_enough_for_a_newcomer() -> None:
    """At most ~25 KB; measurements and design notes live in docs/."""
    assert len(README.encode()) <= 25_600
    assert "## Forecast accuracy" in README and "## Platforms" in README


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    found = {prefix}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found |= all_commands(command, (*prefix, name))
        else:
            found.add((*prefix, name))
    return found


def test_every_command_is_documented() -> None:
    """Each command (and subcommand) has a --help block in docs/commands.md and a row in the
    README's table."""
    assert all_commands(cli) == set(helpers_docs.COMMANDS)
    rows = set(re.findall(r"^\| `(statusline[\w -]*)` \|", README, re.MULTILINE))
    for path in helpers_docs.COMMANDS:
        name = " ".join(("statusline", *path))
        assert f"### `{name}`" in COMMANDS_DOC
        assert name in rows or not path, name
    assert "statusline --version" in rows


def config_table() -> dict[str, str]:
    """The Configuration table: key (``table.key`` inside a table) -> default column."""
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `([\w.]+)` \| `(.+?)` \|", section, re.MULTILINE))


def config_keys(config: object, prefix: str = "") -> dict[str, object]:
    """Every setting of ``config`` by its documented name; tables (``notify``) flattened."""
    found: dict[str, object] = {}
    for key in type(config).__slots__:  # type: ignore[attr-defined]
        value = getattr(config, key)
        if hasattr(type(value), "__slots__") and not isinstance(value, (str, tuple)):
            found.update(config_keys(value, f"{prefix}{key}."))
        else:
            found[prefix + key] = value
    return found


def test_config_reference_lists_every_key_with_its_default() -> None:
    """Every Config field is in the README table, with the default the code has."""
    table = config_table()
    defaults = config_keys(Config())
    assert set(table) == set(defaults)
    for key, shown in table.items():
        value = tomllib.loads(f"v = {shown}")["v"]
        if isinstance(value, list):
            value = tuple(float(v) for v in value) if key == "notify.levels" else tuple(value)
        assert value == defaults[key], key


def test_every_segment_has_a_description() -> None:
    """explain prints each segment's docstring first line: none may be missing."""
    for name, fn in SEGMENTS.items():
        assert fn.__doc__ and fn.__doc__.strip().splitlines()[0].endswith("."), name


def test_every_example_file_is_exercised_by_a_test() -> None:
    """Each file in examples/ is named by some test (examples cannot rot)."""
    tests_text = "".join(p.read_text() for p in (REPO / "tests").glob("*.py"))
    for path in sorted((REPO / "examples").rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(REPO / "examples").as_posix()
        if relative.startswith("payloads/"):
            # Payloads are exercised by name, or all at once by a glob over the folder.
            assert path.stem in tests_text or '"payloads"' in tests_text, relative
        else:
            assert path.name in tests_text, relative


def test_shell_completion_works_as_documented() -> None:
    """The README's completion line prints a bash completion script."""
    assert 'eval "$(_STATUSLINE_COMPLETE=bash_source statusline)"' in README
    env = dict(os.environ, _STATUSLINE_COMPLETE="bash_source")
    done = subprocess.run([sys.executable, "-m", "statusline"], env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, check=False, timeout=60)
    assert done.returncode == 0
    assert "_statusline_completion" in done.stdout
    env = dict(os.environ, _STATUSLINE_COMPLETE="bash_complete", COMP_WORDS="statusline ins",
               COMP_CWORD="1")
    done = subprocess.run([sys.executable, "-m", "statusline"], env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, check=False, timeout=60)
    assert "plain,inspect" in done.stdout and "plain,install" in done.stdout


def test_every_docs_link_in_the_readme_exists() -> None:
    """The long memos moved to docs/: each link from the README points at a file."""
    links = re.findall(r"\]\((docs/[^)#]+)", README)
    assert {"docs/performance.md", "docs/reliability.md", "docs/forecast.md", "docs/design.md",
            "docs/commands.md", "docs/hook.md"} <= set(links)
    for link in links:
        assert (REPO / link).is_file(), link
    for doc in (REPO / "docs").glob("*.md"):
        for link in re.findall(r"\]\(([^)#:]+)", doc.read_text()):
            assert (doc.parent / link).exists(), f"{doc.name}: {link}"


def test_readme_shows_the_entry_install_writes() -> None:
    """The settings entry quoted under Install is the one `statusline install` writes."""
    import json

    from statusline.claude import settings as claude_settings

    quoted = re.search(r'^"statusLine": (\{.*\})$', README, re.MULTILINE)
    assert quoted is not None
    shown = json.loads(quoted.group(1))
    written = claude_settings.desired_entry(None, shown["command"], None)
    assert shown == written


def test_readme_test_command_is_what_ci_runs() -> None:
    """The README's test command is the one .ci/run runs on a fresh machine."""
    section = README.split("## Run the tests", 1)[1].split("\n## ", 1)[0]
    command = re.search(r"```sh\n(.+)\n```", section)
    assert command is not None
    assert command.group(1) in (REPO / ".ci" / "run").read_text()


def test_readme_install_section_names_the_non_interactive_flag() -> None:
    """Without a terminal install.sh cannot ask: the README and the script's hint say --yes."""
    section = README.split("## Install and wire into Claude Code", 1)[1].split("\n## ", 1)[0]
    assert "./install.sh --yes" in section
    assert "add --yes" in (REPO / "install.sh").read_text()
