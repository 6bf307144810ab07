"""The generated parts of docs/commands.md: each command's --help, the example config and
the inspect sample (the README keeps a short table of the commands and links there).

``tests/test_docs.py`` fails when docs/commands.md and these drift; regenerate with

    .venv/bin/python -m tests.helpers_docs

which rewrites only the text between the ``<!-- name:start -->`` / ``<!-- name:end -->``
markers.
"""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from statusline.cli import cli

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
COMMANDS_DOC = REPO / "docs" / "commands.md"
EXAMPLE_CONFIG = REPO / "examples" / "config.toml"
COMMANDS = (
    (),
    ("install",),
    ("uninstall",),
    ("doctor",),
    ("hook",),
    ("inspect",),
    ("render",),
    ("explain",),
    ("config",),
    ("config", "path"),
    ("config", "show"),
)


def help_text(command: tuple[str, ...]) -> str:
    """``statusline COMMAND --help`` as printed at a fixed width."""
    result = CliRunner().invoke(cli, [*command, "--help"], prog_name="statusline",
                                terminal_width=88, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output.rstrip() + "\n"


def commands_block() -> str:
    """The body of docs/commands.md's generated --help section."""
    parts = []
    for command in COMMANDS:
        title = " ".join(("statusline", *command))
        parts.append(f"### `{title}`\n\n```text\n{help_text(command)}```\n")
    return "\n".join(parts)


def config_example_block() -> str:
    """docs/commands.md's copy of examples/config.toml."""
    return f"```toml\n{EXAMPLE_CONFIG.read_text()}```\n"


def inspect_sample_block() -> str:
    """The 5-hour window of the pinned inspect snapshot (tests/snapshots/inspect-80.txt)."""
    snapshot = (REPO / "tests" / "snapshots" / "inspect-80.txt").read_text()
    paragraph = next(p for p in snapshot.split("\n\n") if p.startswith("5-hour window"))
    return f"```\n{paragraph.rstrip()}\n```\n"


BLOCKS = {
    "commands": commands_block,
    "config-example": config_example_block,
    "inspect-sample": inspect_sample_block,
}


def marked(text: str, name: str) -> str:
    """The text between a pair of markers in ``text``."""
    match = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, re.DOTALL)
    assert match is not None, f"no {name} markers"
    return match.group(1)


def regenerate(text: str) -> str:
    """``text`` with every generated block brought up to date."""
    for name, make in BLOCKS.items():
        body = make()
        text = re.sub(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)",
                      lambda m, body=body: m.group(1) + body + m.group(2), text,
                      flags=re.DOTALL)
    return text


if __name__ == "__main__":
    COMMANDS_DOC.write_text(regenerate(COMMANDS_DOC.read_text()))
