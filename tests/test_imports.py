"""The import budget of the status-line call (no arguments, payload on stdin).

Start-up and imports are nearly the whole cost of a call (docs/performance.md), so which
modules a call loads is part of its contract. Each test runs the real entry point in a fresh
interpreter, as Claude Code does, and lists what the call imported beyond the interpreter's
own start-up (``sys.modules`` after the call minus ``sys.modules`` of ``python -c pass`` in
the same environment). Nothing here is timed: the benchmark (``bench/run.py``) measures.

Measured with ``-X importtime`` on the installed package (CPython 3.11, 2 cores), what each
avoided module would cost every call: click ~26 ms, filelock ~37 ms (it brings typing,
inspect, logging, secrets), orjson ~18 ms (dataclasses, uuid), platformdirs ~15 ms, tomllib
~13 ms, logging ~12 ms, subprocess ~10 ms, typing ~8 ms, importlib.metadata ~20 ms; ``re``
~6 ms (with enum and functools) and the ``json`` package ~1.5 ms more on top of it. A call
needs none of them: the payload and store are decoded by ``statusline.jsonread`` (the same C
scanner as ``json.loads``) and encoded by ``statusline.jsonwrite`` (the same C encoder as
``json.dumps``), paths follow platformdirs' rules without importing it, and the lock is taken
with ``fcntl.flock``
as filelock takes it, without filelock's ~37 ms import (logging, typing, dataclasses; the
benchmark's lock rows give the cost). filelock is only the lock where ``fcntl`` is missing.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLES, OAUTH_NOW, example
from tests.helpers_redis import RedisServer

# Never imported by a status-line call, whether it writes or not.
NEVER = frozenset({
    "click",
    "tomllib",  # only when a config file exists (none in these tests)
    "importlib.metadata",
    "subprocess",
    "platformdirs",  # its rules are re-implemented in statusline.paths (tested there)
    "orjson",
    # On POSIX the lock is fcntl.flock (statusline.store.lock): filelock and what it brings.
    "filelock",
    "logging",
    "typing",
    "dataclasses",
    "inspect",
    # The store is read and written through _json's C scanner and encoder directly.
    "json",
    "re",
    "enum",
})
# Not imported by a call that has nothing to write: only a call that writes takes the lock.
ONLY_WHEN_WRITING = frozenset({"fcntl", "statusline.store.lock"})

# Runs the console script's code path: main() with no arguments. ``main([])`` rather than
# ``main()`` so it returns (a real call leaves with os._exit) and the module list can be saved.
# The interpreter runs with -S and gets the package and site-packages on sys.path by hand: a
# development install's .pth files import modules (``re`` among them) at start-up, which
# would hide the call's own imports.
PROBE = """
import sys
sys.path[1:1] = sys.argv[2:]
from statusline.__main__ import main
status = main([])
with open(sys.argv[1], "w") as out:
    out.write("\\n".join(sorted(sys.modules)))
sys.exit(status)
"""
BASELINE = """
import sys
sys.path[1:1] = sys.argv[2:]
with open(sys.argv[1], "w") as out:
    out.write("\\n".join(sorted(sys.modules)))
"""
REPO = str(Path(__file__).resolve().parent.parent)
SEARCH_PATH = [REPO, *site.getsitepackages()]


def _modules(code: str, tmp_path: Path, stdin: bytes, env: dict[str, str]) -> tuple[set[str], str]:
    """Run ``code`` in a fresh ``-S`` interpreter; the modules it listed, and its stdout."""
    listing = tmp_path / "modules.txt"
    completed = subprocess.run(
        [sys.executable, "-S", "-c", code, str(listing), *SEARCH_PATH],
        input=stdin,
        capture_output=True,
        env={**os.environ, **env},
        timeout=30,
        check=False,
    )
    assert completed.returncode == 0, completed
    assert completed.stderr == b"", completed.stderr
    return set(listing.read_text().split("\n")), completed.stdout.decode()


def imported_by_call(tmp_path: Path, payload: bytes, env: dict[str, str]) -> tuple[set[str], str]:
    """Modules the call imported beyond start-up, and the line it printed."""
    baseline, _ = _modules(BASELINE, tmp_path, b"", env)
    loaded, line = _modules(PROBE, tmp_path, payload, env)
    return loaded - baseline, line


def top_level(modules: set[str]) -> set[str]:
    """The names as imported, plus each package's own name (``filelock._api`` -> ``filelock``)."""
    return modules | {name.split(".")[0] for name in modules}


CLOCK = {"STATUSLINE_NOW": str(OAUTH_NOW), "COLUMNS": "200"}


def oauth_payload() -> bytes:
    return (EXAMPLES / "oauth-003.json").read_bytes()


def store_file(tmp_path: Path) -> Path:
    return Path(os.environ["STATUSLINE_STATE_DIR"]) / "store.json"


def test_a_call_that_writes_takes_the_flock_without_filelock(tmp_path: Path) -> None:
    store = store_file(tmp_path)
    assert not store.exists()

    imported, line = imported_by_call(tmp_path, oauth_payload(), CLOCK)

    assert store.exists(), "a new session must be saved"
    assert Path(str(store) + ".lock").exists(), "the sidecar lock was taken"
    assert "Sonnet" in line
    assert {"statusline.store.lock", "fcntl"} <= imported
    assert "filelock" not in top_level(imported)
    assert "statusline.store.local" in imported
    assert top_level(imported) & NEVER == set()


def test_a_call_with_a_current_snapshot_never_imports_the_lock(tmp_path: Path) -> None:
    store = store_file(tmp_path)
    imported_by_call(tmp_path, oauth_payload(), CLOCK)  # first call: saves the session
    before = store.stat()

    imported, line = imported_by_call(tmp_path, oauth_payload(), CLOCK)

    after = store.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns), "wrote"
    assert "Sonnet" in line and "5h" in line
    assert "statusline.call" in imported
    assert top_level(imported) & (NEVER | ONLY_WHEN_WRITING) == set()
    assert "statusline.claude.chain" not in imported, "only a chained call loads the chain"
    # An ASCII payload's line holds only the line's own symbols: if a segment starts using
    # a new one, add it to render._ONE_CELL when it is one cell wide.
    assert "unicodedata" not in imported


def test_the_same_reading_within_the_refresh_interval_does_not_import_the_lock(
    tmp_path: Path,
) -> None:
    """Claude Code's refresh ticks repeat the reading: a few seconds later, still no write."""
    imported_by_call(tmp_path, oauth_payload(), CLOCK)

    later = {**CLOCK, "STATUSLINE_NOW": str(OAUTH_NOW + 5)}
    imported, _ = imported_by_call(tmp_path, oauth_payload(), later)

    assert top_level(imported) & (NEVER | ONLY_WHEN_WRITING) == set()


def test_a_changed_reading_imports_the_lock(tmp_path: Path) -> None:
    imported_by_call(tmp_path, oauth_payload(), CLOCK)
    document = example("oauth-003")
    limits = document["rate_limits"]
    assert isinstance(limits, dict)
    limits["five_hour"]["used_percentage"] = 30.0

    imported, _ = imported_by_call(tmp_path, json.dumps(document).encode(), CLOCK)

    assert "statusline.store.lock" in imported
    assert top_level(imported) & NEVER == set()


def test_a_call_without_rate_limits_or_a_store_directory_stays_lean(tmp_path: Path) -> None:
    """An API-key payload, and no usable state directory (nothing can be saved at all)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = {**CLOCK, "STATUSLINE_STATE_DIR": str(blocker / "state")}
    payload = (EXAMPLES / "apikey-001.json").read_bytes()

    imported, line = imported_by_call(tmp_path, payload, env)

    assert line.strip()
    assert top_level(imported) & NEVER == set()


def test_a_chained_call_runs_their_command_without_subprocess(tmp_path: Path) -> None:
    """Keeping the user's status line (STATUSLINE_CHAIN) costs the chain module, not the
    ``subprocess`` package (~10-50 ms of imports): their command is started with os.posix_spawn."""
    imported_by_call(tmp_path, oauth_payload(), CLOCK)  # first call: saves the session
    env = {**CLOCK, "STATUSLINE_CHAIN": "echo their-row"}

    imported, line = imported_by_call(tmp_path, oauth_payload(), env)

    assert line.startswith("their-row\n")
    assert "statusline.claude.chain" in imported
    assert top_level(imported) & (NEVER | ONLY_WHEN_WRITING) == set()


def test_the_probe_sees_what_a_call_imports(tmp_path: Path) -> None:
    """The method can fail: a call that reads a config file does import tomllib."""
    config = tmp_path / "config.toml"
    config.write_text('theme = "mono"\n')

    imported, _ = imported_by_call(tmp_path, oauth_payload(),
                                   {**CLOCK, "STATUSLINE_CONFIG": str(config)})

    assert "tomllib" in imported


def test_symbols_measured_without_unicodedata_are_one_cell_each() -> None:
    """render._ONE_CELL spares the unicodedata import; it must agree with unicodedata."""
    import unicodedata

    from statusline.line import render

    for ch in render._ONE_CELL:
        assert unicodedata.combining(ch) == 0, ch
        assert unicodedata.east_asian_width(ch) not in ("W", "F"), ch


# A shared store on Redis: spoken over the C ``_socket`` module by statusline.store.resp.
# redis-py (~240 ms of imports: asyncio, ssl, logging), the ``socket`` module (enums) and
# ``ssl`` (only for rediss://) stay out, and so does the idna codec (a host name given as
# str to getaddrinfo would import stringprep, unicodedata and re).
NEVER_WITH_REDIS = frozenset({"redis", "socket", "ssl", "asyncio", "encodings.idna"})


def test_a_call_on_a_shared_store_speaks_redis_without_redis_py(
        tmp_path: Path, redis_server: RedisServer) -> None:
    env = {**CLOCK, "STATUSLINE_STORE_URL": f"redis://localhost:{redis_server.port}/0"}

    written, line = imported_by_call(tmp_path, oauth_payload(), env)
    imported, again = imported_by_call(tmp_path, oauth_payload(), env)

    assert redis_server.client().exists("statusline:v1:default"), "the first call saved there"
    assert "Sonnet" in line and "5h" in again
    assert {"statusline.store.resp", "statusline.jsonwrite"} <= written
    assert "statusline.store.resp" in imported
    assert top_level(written) & (NEVER | NEVER_WITH_REDIS) == set()
    forbidden = NEVER | NEVER_WITH_REDIS | ONLY_WHEN_WRITING
    assert (imported | top_level(imported)) & forbidden == set()


# The caps: what a plain call and a hook call may import beyond the interpreter's start-up
# (measured with this probe at 0.2.0: the call 62 modules, 49 of them ours; the hook 51, 38 of
# them ours; since then the hook's notice writes its percentage with the line's own
# rounding, ``statusline.line.formatting``, and who is live has a module of its own,
# ``statusline.history.liveness``: 56, 43; the call gained the idle tick's two,
# ``statusline.steady`` and ``statusline.steady_entry``, and ``statusline.pool_clock``, out of
# ``call`` for its size, and lost ``select``: 68, 55. The idle tick itself, a reprint, loads
# six of ours: tests/test_steady.py caps it). Each module costs every call ~40 us
# through the import system, a few served from the bundle (docs/performance.md): a new one
# on these paths must be worth it, and the cap says so.
CALL_MAX_MODULES, CALL_MAX_OURS = 68, 55
HOOK_MAX_MODULES, HOOK_MAX_OURS = 56, 43
HOOK_PROBE = PROBE.replace("status = main([])", "status = main(['hook'])")


def test_the_plain_call_imports_no_more_than_its_cap(tmp_path: Path) -> None:
    imported_by_call(tmp_path, oauth_payload(), CLOCK)  # first call: saves the session
    imported, line = imported_by_call(tmp_path, oauth_payload(), CLOCK)
    ours = {name for name in imported if name.split(".")[0] == "statusline"}
    assert "5h" in line
    assert len(imported) <= CALL_MAX_MODULES, " ".join(sorted(imported))
    assert len(ours) <= CALL_MAX_OURS, " ".join(sorted(ours))


def test_the_hook_call_imports_no_more_than_its_cap(tmp_path: Path) -> None:
    imported_by_call(tmp_path, oauth_payload(), CLOCK)  # a store for the hook to read
    baseline, _ = _modules(BASELINE, tmp_path, b"", CLOCK)
    loaded, answer = _modules(HOOK_PROBE, tmp_path, b'{"hook_event_name": "Stop"}', CLOCK)
    imported = loaded - baseline
    ours = {name for name in imported if name.split(".")[0] == "statusline"}
    assert "statusline.hook" in imported and answer == ""
    assert top_level(imported) & (NEVER | ONLY_WHEN_WRITING) == set()
    assert len(imported) <= HOOK_MAX_MODULES, " ".join(sorted(imported))
    assert len(ours) <= HOOK_MAX_OURS, " ".join(sorted(ours))
