"""Hostile stdin (reliability.md T9): whatever arrives, one safe line, exit 0, nothing else.

The table runs the real entry point in a subprocess (the contract is per process); the
exhaustive "wrong type at every field" sweep runs in process, where it costs milliseconds.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from statusline import call
from statusline.store import local as store

from .helpers_reliability import (
    NOW,
    assert_terminal_safe,
    base_payload,
    call_env,
    call_in_process,
    encode,
    run_call,
    tree,
)

EXAMPLE_BYTES = encode(base_payload("hostile-1"))
ALLOWED_IN_STATE_DIR = ("store.json", "statusline.log")


def _nested(depth: int, inner: bytes = b"1") -> bytes:
    return b"[" * depth + inner + b"]" * depth


def _hostile_inputs() -> dict[str, bytes]:
    doc = base_payload("hostile-1")
    pct_5h, pct_ctx = b'"used_percentage": 23.7', b'"used_percentage": 1,'
    cases: dict[str, bytes] = {
        "empty": b"",
        "whitespace": b"  \n\t ",
        "null": b"null",
        "array": b"[]",
        "string": b'"x"',
        "number": b"42",
        "not-json": b"hello, status line",
        "truncated-1": EXAMPLE_BYTES[:1],
        "truncated-half": EXAMPLE_BYTES[: len(EXAMPLE_BYTES) // 2],
        "truncated-last": EXAMPLE_BYTES[:-1],
        "trailing-garbage": EXAMPLE_BYTES + b"}}",
        "bom": b"\xef\xbb\xbf" + EXAMPLE_BYTES,
        "utf16": json.dumps(doc).encode("utf-16"),
        "invalid-utf8": EXAMPLE_BYTES.replace(b"Sonnet", b"Son\xff\xfenet"),
        "lone-surrogate": EXAMPLE_BYTES.replace(b"Sonnet", b"Son\\ud800net"),
        "nan": EXAMPLE_BYTES.replace(pct_5h, b'"used_percentage": NaN'),
        "infinity": EXAMPLE_BYTES.replace(pct_5h, b'"used_percentage": Infinity'),
        "neg-infinity": EXAMPLE_BYTES.replace(pct_ctx, b'"used_percentage": -Infinity,'),
        "1e400": EXAMPLE_BYTES.replace(pct_5h, b'"used_percentage": 1e400'),
        "1e308": EXAMPLE_BYTES.replace(pct_5h, b'"used_percentage": 1e308'),
        "huge-int": EXAMPLE_BYTES.replace(b": 1795524279", b": " + b"9" * 5000),
        "duplicate-keys": EXAMPLE_BYTES[:-1] + b', "session_id": "dup-2", "session_id": "dup-3"}',
        "depth-1023": _nested(1023),
        "depth-1024": _nested(1024),
        "depth-100000": _nested(100_000),
        # A deep subtree the parser accepts, beside the fields we read.
        "deep-sibling": EXAMPLE_BYTES.replace(b'"model"', b'"x": ' + _nested(500) + b', "model"'),
        "deep-objects": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        "one-mb-string": encode({**doc, "model": {"display_name": "M" * 1_000_000}}),
        "over-cap": encode({**doc, "padding": "x" * (call.MAX_STDIN + 10)}),
        "nul-bytes": b"\x00" * 4096,
    }
    for name, session_id in {
        "sid-slash": "a/b",
        "sid-dotdot": "../../../../tmp/evil",
        "sid-dots": "..",
        "sid-esc": "ab\x1b[2Jcd",
        "sid-long": "s" * 10_000,
        "sid-number": 12345,
        "sid-empty": "",
        "sid-nul": "a\x00b",
    }.items():
        cases[name] = encode({**doc, "session_id": session_id})
    for name, value in {
        "types-string-pct": "50",
        "types-true": True,
        "types-minus-one": -1,
        "types-101": 101,
        "types-huge": 10**30,
        "types-list": [1, 2],
        "types-object": {"a": 1},
    }.items():
        mutated = copy.deepcopy(doc)
        limits = mutated["rate_limits"]
        assert isinstance(limits, dict)
        for window in limits.values():
            window["used_percentage"] = value
            window["resets_at"] = value
        mutated["context_window"] = {"used_percentage": value}
        mutated["cost"] = {"total_cost_usd": value}
        mutated["model"] = value
        mutated["workspace"] = value
        cases[name] = encode(mutated)
    return cases


HOSTILE = _hostile_inputs()


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[tuple[Path, Path, dict[str, str]]]:
    """A working directory and state dir; yields them with the call's environment."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    state_dir = tmp_path / "state"
    yield cwd, state_dir, call_env(state_dir)


def _assert_only_state_files(tmp_path: Path, state_dir: Path, cwd: Path) -> None:
    assert tree(cwd) == set(), "nothing may be created in the working directory"
    home = Path(os.environ["HOME"])
    assert tree(home) == set(), "nothing may be created in HOME when the state dir is set"
    created = tree(tmp_path) - {"cwd", "home", "state"} - {f"state/{n}" for n in tree(state_dir)}
    assert created == set(), created
    for name in tree(state_dir):
        assert name.startswith(ALLOWED_IN_STATE_DIR), name
    status = store.read(str(state_dir / "store.json")).status
    assert status in (store.OK, store.MISSING)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_stdin_gives_one_safe_line(
    tmp_path: Path, sandbox: tuple[Path, Path, dict[str, str]], name: str
) -> None:
    cwd, state_dir, env = sandbox
    result = run_call(HOSTILE[name], env, cwd=cwd)
    result.assert_contract()
    _assert_only_state_files(tmp_path, state_dir, cwd)


def test_hostile_session_ids_never_become_paths(
    tmp_path: Path, sandbox: tuple[Path, Path, dict[str, str]]
) -> None:
    cwd, state_dir, env = sandbox
    for name in [n for n in HOSTILE if n.startswith("sid-")]:
        run_call(HOSTILE[name], env, cwd=cwd).assert_contract()
    # None of them is a valid id, so nothing was saved under any of them.
    if (state_dir / "store.json").exists():
        sessions = json.loads((state_dir / "store.json").read_bytes())["sessions"]
        assert sessions == {}
    _assert_only_state_files(tmp_path, state_dir, cwd)


def test_stdin_closed_at_once_and_fd_missing(sandbox: tuple[Path, Path, dict[str, str]]) -> None:
    cwd, _, env = sandbox
    completed = subprocess.run(
        [sys.executable, "-m", "statusline"], stdin=subprocess.DEVNULL, capture_output=True,
        env=env, cwd=cwd, timeout=20, check=False,
    )
    assert (completed.returncode, completed.stderr, completed.stdout.count(b"\n")) == (0, b"", 1)
    # fd 0 not open at all.
    completed = subprocess.run(
        ["/bin/sh", "-c", f"exec {sys.executable} -m statusline 0<&-"],
        capture_output=True, env=env, cwd=cwd, timeout=20, check=False,
    )
    assert (completed.returncode, completed.stderr, completed.stdout.count(b"\n")) == (0, b"", 1)


def test_stdout_closed_early_is_not_an_error(sandbox: tuple[Path, Path, dict[str, str]]) -> None:
    cwd, _, env = sandbox
    completed = subprocess.run(
        ["/bin/sh", "-c", f"exec {sys.executable} -m statusline 1>&-"],
        input=EXAMPLE_BYTES, capture_output=True, env=env, cwd=cwd, timeout=20, check=False,
    )
    assert (completed.returncode, completed.stderr) == (0, b"")
    reader_gone = subprocess.run(
        ["/bin/sh", "-c", f"{sys.executable} -m statusline | true"],
        input=EXAMPLE_BYTES, capture_output=True, env=env, cwd=cwd, timeout=20, check=False,
    )
    assert reader_gone.stderr == b""


# A parent that starts exactly one child (the call), feeds it ``size`` bytes, and reports
# the child's peak RSS: RUSAGE_CHILDREN of a fresh parent holds that child only.
_RSS_PROBE = textwrap.dedent(
    """
    import resource, subprocess, sys, threading
    size = int(sys.argv[1])
    child = subprocess.Popen([sys.executable, "-m", "statusline"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    def feed():
        chunk = b'{"session_id": "big", "model": {"display_name": "' + b"A" * (1 << 20)
        sent = 0
        try:
            while sent < size:
                child.stdin.write(chunk)
                sent += len(chunk)
                chunk = b"A" * (1 << 20)
            child.stdin.close()
        except (BrokenPipeError, OSError):
            pass
    threading.Thread(target=feed, daemon=True).start()
    out, err = child.stdout.read(), child.stderr.read()
    child.wait()
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(child.returncode, out.count(b"\\n"), len(err), peak_kib)
    """
)


def test_100_mb_stdin_is_bounded(sandbox: tuple[Path, Path, dict[str, str]]) -> None:
    cwd, _, env = sandbox
    probe = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE, str(100 << 20)],
        capture_output=True, env=env, cwd=cwd, timeout=60, check=True,
    )
    returncode, lines, stderr_bytes, peak_kib = map(int, probe.stdout.split())
    assert (returncode, lines, stderr_bytes) == (0, 1, 0)
    assert peak_kib < 60 * 1024, f"peak RSS {peak_kib} KiB on 100 MB of stdin"


# --- in process: a wrong value at every field of the captured payload ------------------------

WRONG_VALUES: list[object] = [
    None, "50", "", True, False, -1, 101, 10**30, -(10**30), 1e308, 0.5, [], {}, [1, 2],
    {"used_percentage": 1}, "\x1b]52;c;aGk=\x07", "\u202eevil",
]


def _leaf_paths(node: object, prefix: tuple[object, ...] = ()) -> Iterator[tuple[object, ...]]:
    if isinstance(node, dict):
        if prefix:
            yield prefix
        for key, value in node.items():
            yield from _leaf_paths(value, (*prefix, key))
    elif isinstance(node, list):
        yield prefix
        for index, value in enumerate(node):
            yield from _leaf_paths(value, (*prefix, index))
    else:
        yield prefix


def _replace(doc: object, path: tuple[object, ...], value: object) -> object:
    copy_doc = copy.deepcopy(doc)
    node = copy_doc
    for key in path[:-1]:
        node = node[key]  # type: ignore[index]
    node[path[-1]] = value  # type: ignore[index]
    return copy_doc


def test_wrong_type_at_every_field_in_process(tmp_path: Path) -> None:
    doc = base_payload("typed-1")
    paths = list(_leaf_paths(doc))
    assert len(paths) > 40
    tried = 0
    for path in paths:
        for value in WRONG_VALUES:
            outcome = call_in_process(_replace(doc, path, value), tmp_path / "state", COLUMNS="80")
            assert outcome.line and "\n" not in outcome.line
            assert_terminal_safe(outcome.line)
            tried += 1
    assert store.read(str(tmp_path / "state" / "store.json")).status == store.OK
    assert tried == len(paths) * len(WRONG_VALUES)


def test_hostile_inputs_in_process_never_raise(tmp_path: Path) -> None:
    for name, data in HOSTILE.items():
        if len(data) > call.MAX_STDIN:
            continue  # read_stdin drops these before parsing
        outcome = call_in_process(data, tmp_path / "state", now=NOW)
        assert_terminal_safe(outcome.line)
        assert outcome.line, name


def test_tiny_context_window_size_does_not_raise(tmp_path: Path) -> None:
    # 1 token in a 5e-324-token window is an infinite ratio: round(inf) used to raise.
    doc = base_payload("tiny-1")
    doc["context_window"] = {"total_input_tokens": 1, "context_window_size": 5e-324}
    outcome = call_in_process(doc, tmp_path / "state")
    assert "ctx 100%" in outcome.line


@pytest.mark.parametrize("columns", ["1", "5", "19", "24"])
def test_a_model_name_of_controls_only_never_blanks_or_widens_the_line(
    tmp_path: Path, columns: str
) -> None:
    doc = base_payload("ctl-1")
    doc["model"] = {"display_name": "\x1f\x1b[2J", "id": "\x07"}
    outcome = call_in_process(doc, tmp_path / "state", COLUMNS=columns, NO_COLOR="1")
    assert outcome.line
    assert len(outcome.line) <= int(columns), outcome.line


@pytest.mark.parametrize("cost", [1e308, 1e300, 2e10, 1.5e19])
def test_a_cost_beyond_sense_is_never_drawn(cost: float) -> None:
    """A payload's dollars past any real figure (ten billion) are no figure: the line never
    draws a number hundreds of digits long; a real one is drawn as it is."""
    import re

    from tests.conftest import OAUTH_NOW, example, run_cli

    doc = example("apikey-001")
    doc["cost"]["total_cost_usd"] = cost  # type: ignore[index]
    done = run_cli(doc, env={"STATUSLINE_NOW": str(OAUTH_NOW), "NO_COLOR": "1"})
    assert done.returncode == 0 and done.stdout.count("\n") == 1
    assert not re.search(r"\d{12,}", done.stdout), done.stdout
    doc["cost"]["total_cost_usd"] = 123.45  # type: ignore[index]
    assert "$123.45" in run_cli(doc, env={"STATUSLINE_NOW": str(OAUTH_NOW)}).stdout
