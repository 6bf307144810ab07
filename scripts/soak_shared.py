#!/usr/bin/env python3
"""The shared store's soak (issue 13): several machines on one Redis, which dies mid-run.

    python scripts/soak_shared.py                          # 3 hosts x 8 sessions x 50 calls
    python scripts/soak_shared.py --hosts 2 --sessions 3 --calls 8 --no-kill

Each host is a state directory of its own (and ``STATUSLINE_HOST``); every session makes
its calls one after another, each a real ``python -m statusline`` with the session's cost
counting up (one cost point per call) and its clock one second later than the last. All
sessions of all hosts run at once against one redis-server (started here, on a free
loopback port, append-only with fsync always, so that what it acknowledged survives a
kill). With the kill on, the server is SIGKILLed when about a third of the calls are done
and restarted about two seconds later.

A call is acknowledged when it logged "saved" (in Redis, or in the host's copy and outbox
while Redis was away). At the end every host makes one more call, which sends whatever it
still kept; then every acknowledged cost point must be in Redis, no outbox may be left,
and every call must have exited 0 with exactly one line.

Exit status 0 when every invariant held; the figures are printed either way.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from statusline import history  # noqa: E402
from tests.helpers_redis import RedisServer, find_server  # noqa: E402
from tests.helpers_reliability import NOW, reading_payload  # noqa: E402

PYTHON = sys.executable
KEY = "statusline:v1:default"  # the default profile, no account named


def _env(base: Path, host: str, url: str, now: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STATUSLINE_", "CLAUDE_", "XDG_"))}
    env.update(STATUSLINE_STATE_DIR=str(base / host), STATUSLINE_HOST=host,
               STATUSLINE_STORE_URL=url, STATUSLINE_NOW=repr(now), STATUSLINE_LOG="debug",
               HOME=str(base / "home"), COLUMNS="200", NO_COLOR="1")
    return env


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else 0.0


def _acknowledged(state_dir: Path, pids: dict[int, tuple[str, int]]) -> set[tuple[str, int]]:
    saved = set()
    for log_path in (state_dir / "statusline.log.1", state_dir / "statusline.log"):
        if not log_path.exists():
            continue
        for entry in log_path.read_text(errors="replace").splitlines():
            if entry.endswith("] saved") and "[" in entry:
                pid = int(entry.split("[", 1)[1].split("]", 1)[0])
                if pid in pids:
                    saved.add(pids[pid])
    return saved


def shared(hosts: int, sessions: int, calls: int, base: Path, kill: bool = True,
           binary: str | None = None) -> dict[str, object]:
    """Run the soak in ``base``; return its figures (``ok`` says whether all held)."""
    binary = binary or find_server()
    if binary is None:
        raise SystemExit("redis-server not found (apt-get install redis-server)")
    server = RedisServer(binary, base / "redis", durable=True)
    server.start()
    names = [f"host-{h}" for h in range(hosts)]
    for name in names:
        (base / name).mkdir(mode=0o700, parents=True)  # so the first call's "saved" is logged
    (base / "home").mkdir(exist_ok=True)
    total = hosts * sessions * calls
    done = [0]
    kill_at = total // 3 if kill else -1
    restarts: list[threading.Timer] = []
    pids: dict[str, dict[int, tuple[str, int]]] = {name: {} for name in names}
    results: list[tuple[str, int, int, bytes, bytes, float]] = []
    guard = threading.Lock()

    def session_calls(host: str, index: int) -> None:
        session = f"{host}-s{index}"
        for seq in range(1, calls + 1):
            doc = reading_payload(session, five_hour=min(5 + seq * 0.5, 100), cost=float(seq))
            env = _env(base, host, server.url, NOW + seq)
            started = time.monotonic()
            child = subprocess.Popen([PYTHON, "-m", "statusline"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            out, err = child.communicate(json.dumps(doc).encode())
            elapsed = time.monotonic() - started
            with guard:
                pids[host][child.pid] = (session, seq)
                results.append((session, seq, child.returncode, out, err, elapsed))
                done[0] += 1
                if done[0] == kill_at:
                    server.kill()
                    restarts.append(threading.Timer(2.0, server.start))
                    restarts[-1].start()

    threads = [threading.Thread(target=session_calls, args=(host, i))
               for host in names for i in range(sessions)]
    started = time.monotonic()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for restart in restarts:  # on a tiny run the restart may still be pending
            restart.join()
        wall = time.monotonic() - started
        kept_before_final = sum(
            1 for name in names if (base / name / "store.json.outbox").exists())
        # One more call per host: it sends whatever the host still keeps. On a loaded
        # machine the watchdog may end it before it sends: then the next one does.
        finals = []
        for name in names:
            for attempt in range(5):
                doc = reading_payload(f"{name}-final", five_hour=1.0, cost=float(attempt))
                env = _env(base, name, server.url, NOW + calls + 10 + attempt)
                finals.append(subprocess.run([PYTHON, "-m", "statusline"],
                                             input=json.dumps(doc).encode(),
                                             capture_output=True, env=env, check=False))
                if not (base / name / "store.json.outbox").exists():
                    break
        data = server.client().get(KEY)
    finally:
        server.stop()
    state = history.from_json(json.loads(data)) if data else history.State()
    acked: set[tuple[str, int]] = set()
    for name in names:
        acked |= _acknowledged(base / name, pids[name])
    lost = []
    for session, seq in sorted(acked):
        stored = state.sessions.get(session)
        if stored is None or all(int(cost) != seq for _, cost in stored.costs):
            lost.append((session, seq))
    bad = [r for r in results if r[2] != 0 or r[4] or r[3].count(b"\n") != 1 or not r[3].strip()]
    left = [name for name in names if (base / name / "store.json.outbox").exists()]
    times = [r[5] for r in results]
    hosts_seen = sorted({s.host or "?" for s in state.sessions.values()})
    return {
        "hosts": hosts,
        "sessions_per_host": sessions,
        "calls_per_session": calls,
        "calls": len(results),
        "server_killed_after_calls": kill_at if kill else None,
        "bad_exits_or_output": len(bad),
        "bad_examples": [(r[0], r[1], r[2], r[3][:80], r[4][:200]) for r in bad[:3]],
        "acknowledged": len(acked),
        "not_acknowledged": len(results) - len(acked),
        "hosts_with_kept_readings_before_final_calls": kept_before_final,
        "outboxes_left": len(left),
        "lost_updates": len(lost),
        "lost_examples": lost[:5],
        "sessions_in_redis": len(state.sessions),
        "final_calls": len(finals),
        "hosts_in_redis": hosts_seen,
        "final_calls_ok": all(f.returncode == 0 and f.stdout.count(b"\n") == 1 for f in finals),
        "call_p50_s": round(_percentile(times, 0.5), 3),
        "call_p99_s": round(_percentile(times, 0.99), 3),
        "call_max_s": round(max(times, default=0.0), 3),
        "wall_s": round(wall, 1),
        # Every acknowledged reading in Redis (so every session that saved is there too),
        # nothing still kept, every call one line and exit 0.
        "ok": not bad and not lost and not left and bool(acked)
        and all(f.returncode == 0 and f.stdout.count(b"\n") == 1 for f in finals),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--no-kill", action="store_true", help="keep the server up")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="statusline-soak-shared-"))
    try:
        figures = shared(args.hosts, args.sessions, args.calls, base, kill=not args.no_kill)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"  {key}: {value}")
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
