"""The real Claude Code client runs what `statusline install` writes and shows our row.

The vendored harness (tests/harness/, from shared/harness) starts the pinned client
(tests/helpers_client.py) in tmux against its loopback mock of the Messages API, inside a
network namespace with only loopback when ``unshare -n`` works. The mock sends the
subscription's rate-limit headers; the statusLine entry and the hooks are exactly the ones
`statusline install` wrote into a throwaway HOME. Skipped only when the client cannot be
installed from the npm registry (saying so) or tmux is missing (.ci/run installs both).
"""

from __future__ import annotations

import re
from pathlib import Path

from tests import helpers_harness
from tests.helpers_harness import installed_settings, rows


def drive(tmp_path: Path, ratelimit: str, steps: list[str]) -> tuple[Path, dict[str, object]]:
    """One harness run with the entry and hooks `statusline install` wrote."""
    return helpers_harness.drive(tmp_path, installed_settings(), ratelimit, steps)


def test_the_client_shows_the_pooled_figures_from_its_rate_limit_headers(tmp_path: Path) -> None:
    """Before a reply: model, an empty context, one session. After one: the pooled 5h and 7d
    figures from the mock's headers (23.7 % and 41.49 %, each taken half a step up), with
    their resets, one session, fresh now; the store lives in the client's HOME."""
    out, summary = drive(tmp_path, "normal", ["sleep:2", "capture:startup", "prompt:hello",
                                              "capture:after-reply"])
    startup = next(r for r in rows(summary, "startup") if "session" in r)
    assert "Sonnet" in startup and "ctx –" in startup and "5h" not in startup
    line = next(r for r in rows(summary, "after-reply") if "5h" in r)
    assert re.search(r"ctx \d+% · 5h 24% ✓ resets 1h(59|58) · 7d 42% ✓ resets 3d1[01]h"
                     r" · 1 session · now", line), line
    store = out / "home" / ".local" / "state" / "statusline" / "store.json"
    assert store.is_file()
    assert (store.stat().st_mode & 0o777) == 0o600


def test_the_hooks_announce_a_level_under_the_reply(tmp_path: Path) -> None:
    """Near the limit: the row shows the 5h window running out, and the hooks install added
    say it once in the session (the Stop hook runs before that turn's reading is stored, so
    the next prompt's hook is the one that speaks)."""
    out, summary = drive(tmp_path, "warning", ["prompt:hello", "prompt:again",
                                               "capture:after-two"])
    line = next(r for r in rows(summary, "after-two") if "5h" in r)
    assert re.search(r"5h 9[67]% \+[\d.]+%/h → limit ~\d\d:\d\d \(~\d+m\)", line), line
    assert "7d 100% limit" in line
    screen = next((out / "screens").glob("*after-two.txt")).read_text()
    said = re.findall(r"(\w+) says: Claude 5h usage at (\d+)%", screen)
    assert len(said) == 1, screen
    assert said[0][0] in ("UserPromptSubmit", "Stop") and int(said[0][1]) >= 95
