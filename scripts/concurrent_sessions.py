#!/usr/bin/env python3
"""Many sessions calling statusline at once against one store; check nothing is lost.

Each session runs CALLS status-line calls back to back (a fresh process each, as Claude
Code does), reporting a 5h reading that rises with every call; all sessions run at the same
time. Afterwards every session makes one more call repeating its last reading (Claude
Code's next tick would do the same), then ``statusline inspect --json`` must list every
session, the pooled 5h value must be the highest reading any call reported, and the store
must parse.

    python scripts/concurrent_sessions.py --sessions 16 --calls 100

Exit status 0 when every check holds; the figures are printed either way.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

RESETS_AT = 4_102_444_800 + 3 * 3600  # far from any real clock; STATUSLINE_NOW is fixed below
NOW = 4_102_444_800.0


def payload(session: int, call: int) -> bytes:
    """The payload of call ``call`` of session ``session``: a rising 5h reading."""
    five = round(10 + call * 0.5 + session * 0.01, 2)
    doc = {
        "session_id": f"sess-{session:02d}-0000-4000-8000-000000000000",
        "model": {"id": "claude-opus-5-5", "display_name": "Opus 5.5"},
        "workspace": {"project_dir": f"/work/project-{session}"},
        "cost": {"total_cost_usd": round(0.01 * (call + 1), 4)},
        "context_window": {"used_percentage": min(call, 100), "context_window_size": 1_000_000},
        "rate_limits": {
            "five_hour": {"used_percentage": five, "resets_at": RESETS_AT},
            "seven_day": {"used_percentage": 40.0, "resets_at": RESETS_AT + 5 * 86400},
        },
    }
    return json.dumps(doc).encode()


def highest(sessions: int, calls: int) -> float:
    """The highest 5h reading any call of the run reports."""
    return max(round(10 + (calls - 1) * 0.5 + s * 0.01, 2) for s in range(sessions))


def run(sessions: int, calls: int, command: list[str], state_dir: str) -> dict[str, object]:
    """Run the storm and the checks; return the figures (``ok`` says whether all held)."""
    env = dict(os.environ, STATUSLINE_STATE_DIR=state_dir, STATUSLINE_NOW=str(NOW),
               NO_COLOR="1", COLUMNS="160")
    failures: list[str] = []
    lock = threading.Lock()
    counts = {"calls": 0, "exit_nonzero": 0, "bad_output": 0, "stderr": 0}

    def one_call(session: int, call: int) -> None:
        result = subprocess.run(command, input=payload(session, call), capture_output=True,
                                env=env, timeout=60, check=False)
        lines = result.stdout.decode("utf-8", "replace").splitlines()
        with lock:
            counts["calls"] += 1
            if result.returncode != 0:
                counts["exit_nonzero"] += 1
                failures.append(f"session {session} call {call}: exit {result.returncode}")
            if len(lines) != 1 or not lines[0].strip():
                counts["bad_output"] += 1
                failures.append(f"session {session} call {call}: output {result.stdout!r}")
            if result.stderr:
                counts["stderr"] += 1
                failures.append(f"session {session} call {call}: stderr {result.stderr[:200]!r}")

    def worker(session: int) -> None:
        for call in range(calls):
            one_call(session, call)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(s,)) for s in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    storm_s = time.monotonic() - started
    skipped = _count_skipped_saves(state_dir)
    for session in range(sessions):  # the next tick of each session
        one_call(session, calls - 1)

    inspect = subprocess.run([*command, "inspect", "--json"], capture_output=True, env=env,
                             timeout=60, check=False)
    data = json.loads(inspect.stdout) if inspect.returncode == 0 else {}
    store_ok = _store_parses(Path(state_dir) / "store.json")
    listed = len(data.get("sessions", []))
    pooled = (data.get("windows", {}).get("five_hour") or {}).get("used_percentage")
    expected = highest(sessions, calls)
    if listed != sessions:
        failures.append(f"inspect lists {listed} sessions, expected {sessions}")
    if pooled != expected:
        failures.append(f"pooled 5h is {pooled}, expected the highest reading {expected}")
    if not store_ok:
        failures.append("the store does not parse")
    return {
        "ok": not failures,
        "sessions": sessions,
        "calls_per_session": calls,
        **counts,
        "storm_seconds": round(storm_s, 1),
        "saves_skipped_busy_lock": skipped,
        "sessions_listed": listed,
        "pooled_5h": pooled,
        "highest_reported": expected,
        "store_parses": store_ok,
        "failures": failures[:20],
    }


def _count_skipped_saves(state_dir: str) -> int:
    log = Path(state_dir) / "statusline.log"
    try:
        return sum("not saved" in line for line in log.read_text().splitlines())
    except OSError:
        return 0


def _store_parses(path: Path) -> bool:
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and document.get("schema_version") == 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=16)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--command", default=f"{shlex.quote(sys.executable)} -m statusline",
                        help="the statusline command (default: this interpreter's module)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="statusline-concurrency-") as state_dir:
        result = run(args.sessions, args.calls, shlex.split(args.command),
                     os.path.join(state_dir, "state"))
    print(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
