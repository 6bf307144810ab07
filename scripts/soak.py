#!/usr/bin/env python3
"""The long reliability loops of issue 4 (reliability.md T1, T4, T6, T9, T10), with figures.

    python scripts/soak.py                      # every loop at its full size
    python scripts/soak.py --writers 16 --calls 100 --kills 200 --hostile 20000 \\
        --hung-calls 20 --stateful-examples 2000 --property-examples 5000
    python scripts/soak.py --only writers,kills # some loops only

Loops:
  writers   W sessions, each making C real ``python -m statusline`` calls, all at once on
            one store. A call is acknowledged when it logged "saved" (STATUSLINE_LOG=debug,
            written after the replace); a lost update is an acknowledged cost point missing
            from the final store. Skipped saves (busy lock) are counted apart.
  kills     R rounds: a writer saves in a loop (printing an ack after each save it made) and
            is SIGKILLed after 20-200 ms; fsync is slowed a little so kills often land
            between fsync and replace. After each kill the store must parse, hold every
            acked reading, and its lock must be free at once; the stray temp files must be
            swept by the next writer.
  hung      N calls while a SIGSTOPped process holds the store's lock, half of them also
            with a writer that never closes stdin: the worst wall time of a call.
  hostile   H random hostile payloads and stores in process: exceptions and escapes leaked.
  stateful  the hypothesis state machine and property tests with more examples.

Exit status 0 when every invariant held; the figures are printed either way.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from statusline import call, history  # noqa: E402
from statusline.store import local as store  # noqa: E402
from tests.helpers_reliability import (  # noqa: E402
    FORBIDDEN,
    NOW,
    OUR_SGR,
    base_payload,
    reading_payload,
)

PYTHON = sys.executable
SKIPPED_SAVE = "this call's reading was not saved"


def _env(state_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STATUSLINE_", "CLAUDE_", "XDG_"))}
    env.update(STATUSLINE_STATE_DIR=str(state_dir), STATUSLINE_NOW=repr(NOW),
               STATUSLINE_LOG="debug", COLUMNS="200")
    env.update(extra)
    return env


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else 0.0


# --- writers -----------------------------------------------------------------------------------


def writers(count: int, calls: int, base: Path) -> dict[str, object]:
    """``count`` sessions x ``calls`` CLI calls at once on one store; count lost updates."""
    state_dir = base / "writers"
    env = _env(state_dir)
    pids: dict[int, tuple[str, int]] = {}
    lines: list[tuple[str, int, int, bytes, bytes, float]] = []
    lock = threading.Lock()

    def writer(index: int) -> None:
        session = f"writer-{index:02d}"
        for seq in range(1, calls + 1):
            doc = reading_payload(session, five_hour=min(10 + seq * 0.5, 100), cost=float(seq))
            started = time.monotonic()
            child = subprocess.Popen([PYTHON, "-m", "statusline"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            out, err = child.communicate(json.dumps(doc).encode())
            elapsed = time.monotonic() - started
            with lock:
                pids[child.pid] = (session, seq)
                lines.append((session, seq, child.returncode, out, err, elapsed))

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(count)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started

    # STATUSLINE_LOG=debug: a call logs "saved" after its replace, or that it skipped its
    # save. A call the watchdog ended before it logged either is not acknowledged.
    skipped: set[tuple[str, int]] = set()
    saved: set[tuple[str, int]] = set()
    for log_path in (state_dir / "statusline.log.1", state_dir / "statusline.log"):
        if not log_path.exists():
            continue
        for entry in log_path.read_text(errors="replace").splitlines():
            if "[" not in entry or "]" not in entry:
                continue
            pid = int(entry.split("[", 1)[1].split("]", 1)[0])
            if pid not in pids:
                continue
            if SKIPPED_SAVE in entry:
                skipped.add(pids[pid])
            elif entry.endswith("] saved"):
                saved.add(pids[pid])
    bad_exit = [x for x in lines if x[2] != 0 or x[4] or x[3].count(b"\n") != 1]
    unreported = {(s, q) for s, q, *_ in lines} - skipped - saved
    result = store.read(str(state_dir / "store.json"))
    lost: list[tuple[str, int]] = []
    for index in range(count):
        session = f"writer-{index:02d}"
        kept = result.state.sessions.get(session)
        points = {int(c) for _, c in kept.costs} if kept else set()
        oldest = min(points) if points and len(points) >= history.MAX_COST_POINTS else 1
        for seq in range(oldest, calls + 1):
            if (session, seq) in saved and seq not in points:
                lost.append((session, seq))
    window = result.state.windows["five_hour"]
    expected_pct = min(10 + calls * 0.5, 100)
    # The pool ends at the highest reading when any writer's last call was saved.
    last_saved = any((f"writer-{i:02d}", calls) in saved for i in range(count))
    pool_ok = window is not None and (
        window.used_pct == expected_pct if last_saved else window.used_pct <= expected_pct)
    # Calls the watchdog ended mid-save leave temp files; the next save sweeps those older
    # than store.ORPHAN_TEMP_AGE_S (aged here rather than waited for).
    leftovers = [n for n in os.listdir(state_dir) if n.endswith(".tmp")]
    past = time.time() - store.ORPHAN_TEMP_AGE_S - 5
    for name in leftovers:
        os.utime(state_dir / name, (past, past))
    sweeper = subprocess.run([PYTHON, "-m", "statusline"], input=json.dumps(
        reading_payload("sweeper", cost=1.0)).encode(), capture_output=True, env=env, check=False)
    unswept = [n for n in os.listdir(state_dir) if n.endswith(".tmp")]
    times = [x[5] for x in lines]
    return {
        "writers": count,
        "calls_per_writer": calls,
        "calls": len(lines),
        "bad_exits_or_output": len(bad_exit),
        "skipped_saves_busy_lock": len(skipped),
        "ended_by_watchdog_before_reporting": len(unreported),
        "acknowledged": len(saved),
        "lost_updates": len(lost),
        "lost_examples": lost[:5],
        "store_status": result.status,
        "sessions_stored": len(result.state.sessions),
        "pool_5h_pct": None if window is None else window.used_pct,
        "pool_5h_expected": expected_pct,
        "temp_files_left_by_watchdog_exits": len(leftovers),
        "temp_files_left_after_next_save": len(unswept),
        "call_p50_s": round(_percentile(times, 0.5), 3),
        "call_p99_s": round(_percentile(times, 0.99), 3),
        "call_max_s": round(max(times, default=0.0), 3),
        "wall_s": round(wall, 1),
        "ok": not bad_exit and not lost and result.status == store.OK and not unswept
        and pool_ok and sweeper.returncode == 0,
    }


# --- kills -------------------------------------------------------------------------------------

_KILL_WRITER = r"""
import json, os, random, sys, time
from statusline import call
session, first = sys.argv[1], int(sys.argv[2])
real_fsync = os.fsync
def slow_fsync(fd):
    real_fsync(fd)
    time.sleep(random.random() * 0.002)  # widen the fsync -> replace window for the kill
os.fsync = slow_fsync
env = {"STATUSLINE_STATE_DIR": sys.argv[3], "STATUSLINE_NOW": sys.argv[4]}
template = json.loads(sys.argv[5])
import statusline.store.lock  # imported before "ready", so the kill window is all saving
call.render_call(json.dumps(template).encode(), env, save=False)
print("ready", flush=True)
seq = first
while True:
    template["cost"]["total_cost_usd"] = float(seq)
    outcome = call.render_call(json.dumps(template).encode(), env, save=True)
    if outcome.wrote:
        print("ack", seq, flush=True)
    seq += 1
"""


def kills(rounds: int, base: Path, seed: int = 4) -> dict[str, object]:
    """SIGKILL a saving writer ``rounds`` times; acked readings must all survive."""
    from filelock import FileLock

    rng = random.Random(seed)
    state_dir = base / "kills"
    template = json.dumps(reading_payload("k", cost=0.0))
    next_seq = 1
    acked_total = kept_total = violations = 0
    orphans_seen: set[str] = set()
    lock_waits: list[float] = []
    problems: list[str] = []
    for round_no in range(rounds):
        session = f"kill-{round_no % 8}"
        child = subprocess.Popen(
            [PYTHON, "-c", _KILL_WRITER, session, str(next_seq), str(state_dir), repr(NOW),
             template.replace('"k"', json.dumps(session), 1)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO,
        )
        assert child.stdout is not None
        ready = child.stdout.readline()
        if ready != b"ready\n":
            reason = child.stderr.read() if child.stderr is not None else b""
            problems.append(f"round {round_no}: writer did not start: {reason!r}")
            child.kill()
            child.wait()
            continue
        time.sleep(rng.uniform(0.02, 0.2))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        # Only whole lines count: a line cut by the kill was never an acknowledgement.
        acks = [int(line.split()[1]) for line in out.decode().split("\n")[:-1]
                if line.startswith("ack ") and line.split()[1].isdigit()]
        next_seq = (max(acks) if acks else next_seq) + 1000
        # The lock must be free at once: the kernel dropped the dead writer's flock.
        started = time.monotonic()
        lock = FileLock(str(state_dir / "store.json.lock"), timeout=0)
        try:
            with lock.acquire(timeout=0):
                lock_waits.append(time.monotonic() - started)
        except Exception as error:  # noqa: BLE001 - reported as a violation below
            problems.append(f"round {round_no}: lock not free after the kill: {error}")
            violations += 1
        result = store.read(str(state_dir / "store.json"))
        if result.status not in (store.OK, store.MISSING) or (acks and result.status != store.OK):
            problems.append(f"round {round_no}: store {result.status}: {result.detail}")
            violations += 1
            continue
        kept_session = result.state.sessions.get(session)
        points = {int(c) for _, c in kept_session.costs} if kept_session else set()
        # The newest half of a session's cost points is kept exactly; the older half is
        # thinned by design (history.trim_costs), so an old ack may be gone from it.
        exact = sorted(points)[-(history.MAX_COST_POINTS // 2):]
        retained_from = exact[0] if len(points) > history.MAX_COST_POINTS // 2 else 0
        for seq in acks:
            acked_total += 1
            if seq in points or seq < retained_from:
                kept_total += 1
            else:
                violations += 1
                problems.append(f"round {round_no}: acked {seq} missing from the store")
        if acks and (kept_session is None or (kept_session.cost_usd or 0) < max(acks)):
            violations += 1
            problems.append(f"round {round_no}: stored cost below the last ack")
        orphans_seen.update(n for n in os.listdir(state_dir) if n.endswith(".tmp"))
    # Orphans older than the sweep age must go with the next save.
    leftover = [state_dir / n for n in os.listdir(state_dir) if n.endswith(".tmp")] \
        if state_dir.exists() else []
    past = time.time() - store.ORPHAN_TEMP_AGE_S - 5
    for temp in leftover:
        os.utime(temp, (past, past))
    final = call.render_call(json.dumps(reading_payload("sweeper", cost=1.0)).encode(),
                                {"STATUSLINE_STATE_DIR": str(state_dir),
                                 "STATUSLINE_NOW": repr(NOW)}, save=True)
    after_sweep = [n for n in os.listdir(state_dir) if n.endswith(".tmp")]
    if after_sweep:
        violations += 1
        problems.append(f"temp files not swept: {after_sweep}")
    lock_files = [n for n in os.listdir(state_dir) if n.endswith(".lock")]
    return {
        "rounds": rounds,
        "acked_writes": acked_total,
        "acked_writes_kept": kept_total,
        "violations": violations,
        "problems": problems[:5],
        "orphan_temp_files_left_by_kills": len(orphans_seen),
        "orphans_left_after_sweep": len(after_sweep),
        "final_call_saved": final.wrote,
        "lock_files": len(lock_files),
        "lock_free_after_kill_max_ms": round(max(lock_waits, default=0.0) * 1000, 2),
        "ok": violations == 0 and final.wrote and len(lock_files) == 1,
    }


# --- hung lock holder --------------------------------------------------------------------------


def hung(calls: int, base: Path) -> dict[str, object]:
    """Calls while a stopped process holds the lock; half with stdin held open too."""
    state_dir = base / "hung"
    env = _env(state_dir)
    seed = subprocess.run([PYTHON, "-m", "statusline"], input=json.dumps(
        reading_payload("hung-seed")).encode(), capture_output=True, env=env, check=False)
    assert seed.returncode == 0
    holder = subprocess.Popen(
        [PYTHON, "-c",
         "import filelock, os, signal, time\n"
         f"lock = filelock.FileLock({str(state_dir / 'store.json.lock')!r}); lock.acquire()\n"
         "print('held', flush=True)\n"
         "os.kill(os.getpid(), signal.SIGSTOP)\n"
         "time.sleep(600)"],
        stdout=subprocess.PIPE,
    )
    assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
    time.sleep(0.2)
    before = (state_dir / "store.json").read_bytes()
    times: list[float] = []
    fallback = 0
    bad = 0
    try:
        for i in range(calls):
            data = json.dumps(reading_payload(f"hung-{i}", cost=float(i))).encode()
            started = time.monotonic()
            child = subprocess.Popen([PYTHON, "-m", "statusline"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            assert child.stdin is not None and child.stdout is not None
            assert child.stderr is not None
            child.stdin.write(data)
            child.stdin.flush()
            keep_open = i % 2 == 1
            if not keep_open:
                child.stdin.close()
            out = child.stdout.read()
            times.append(time.monotonic() - started)
            err = child.stderr.read()
            child.wait()
            if keep_open:
                child.stdin.close()
            child.stdout.close()
            child.stderr.close()
            if child.returncode != 0 or err or out.count(b"\n") != 1:
                bad += 1
            if b"Sonnet" not in out or out.strip() == b"Sonnet 5.5":
                fallback += 1
    finally:
        holder.send_signal(signal.SIGCONT)
        holder.kill()
        holder.wait()
        holder.stdout.close()
    unchanged = (state_dir / "store.json").read_bytes() == before
    return {
        "calls": calls,
        "worst_wall_s": round(max(times, default=0.0), 3),
        "median_wall_s": round(_percentile(times, 0.5), 3),
        "budget_s": call.BUDGET_S,
        "fallback_lines": fallback,
        "bad_exits_or_output": bad,
        "store_unchanged": unchanged,
        "ok": bad == 0 and fallback == 0 and unchanged,
    }


# --- hostile ------------------------------------------------------------------------------------

ATTACKS = ["\x1b[2J", "\x1b]52;c;aGk=\x07", "\x1b]0;t\x1b\\", "\x1b]8;;u\x1b\\x\x1b]8;;\x1b\\",
           "\x9b1m", "\x9d0;t\x9c", "\x1bP$q\x1b\\", "\u202e", "\u2067", "\x00", "\x7f", "\r",
           "\n", "\x08", "\ud800", "日本", "\x1b[31m"]
JUNK_VALUES: list[object] = [None, True, -1, 101, 1e308, 10**30, "50", "", [], {}, [1], {"a": 1}]


def _hostile_payload(rng: random.Random) -> bytes:
    doc = json.loads(json.dumps(base_payload(rng.choice(["h1", "h2", "h3"]))))
    kind = rng.random()
    if kind < 0.4:  # attack strings in text fields
        for path in (("model", "display_name"), ("workspace", "project_dir"), ("cwd",),
                     ("session_name",), ("agent", "name"), ("version",)):
            if rng.random() < 0.5:
                node = doc
                for key in path[:-1]:
                    node = node.setdefault(key, {})
                pieces = [rng.choice(ATTACKS) + "x" for _ in range(rng.randint(1, 6))]
                node[path[-1]] = "".join(pieces)
    elif kind < 0.7:  # junk at random fields
        for _ in range(rng.randint(1, 6)):
            node = doc
            while isinstance(node, dict) and node and rng.random() < 0.7:
                key = rng.choice(list(node))
                if not isinstance(node[key], dict):
                    break
                node = node[key]
            if isinstance(node, dict) and node:
                node[rng.choice(list(node))] = copy.deepcopy(rng.choice(JUNK_VALUES + ATTACKS))
    data = json.dumps(doc).encode("utf-8", "surrogatepass")
    if kind >= 0.7:  # byte-level damage
        raw = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            op = rng.random()
            pos = rng.randrange(len(raw)) if raw else 0
            if op < 0.4 and raw:
                raw[pos] = rng.randrange(256)
            elif op < 0.7:
                raw[pos:pos] = rng.choice([b"\x1b[", b"NaN", b"1e400", b"[" * 50, b"\xff", b'"'])
            elif raw:
                del raw[pos:pos + rng.randint(1, 30)]
        data = bytes(raw)
    return data


def hostile(count: int, base: Path, seed: int = 7) -> dict[str, object]:
    """``count`` hostile payloads (and every 10th a damaged store) through render_call."""
    rng = random.Random(seed)
    state_dir = base / "hostile"
    env = {"STATUSLINE_STATE_DIR": str(state_dir), "STATUSLINE_NOW": repr(NOW)}
    leaked = raised = 0
    examples: list[str] = []
    real_fsync = os.fsync
    os.fsync = lambda fd: None  # the loop is about parsing and output, not durability
    try:
        for i in range(count):
            if i % 10 == 9 and (state_dir / "store.json").is_file():
                raw = bytearray((state_dir / "store.json").read_bytes())
                for _ in range(rng.randint(1, 8)):
                    if raw:
                        raw[rng.randrange(len(raw))] = rng.randrange(256)
                (state_dir / "store.json").write_bytes(bytes(raw))
            env["COLUMNS"] = str(rng.choice([10, 40, 80, 120, 200]))
            data = _hostile_payload(rng)
            try:
                line = call.render_call(data, env, save=True).line
            except Exception as error:  # noqa: BLE001 - counted, that is the point
                raised += 1
                examples.append(f"{type(error).__name__}: {error}"[:200])
                continue
            plain = OUR_SGR.sub("", line)
            if FORBIDDEN.search(plain) or "\n" in line or not line:
                leaked += 1
                examples.append(repr(line)[:200])
    finally:
        os.fsync = real_fsync
    return {
        "hostile_inputs": count,
        "exceptions": raised,
        "escapes_leaked": leaked,
        "examples": examples[:5],
        "ok": raised == 0 and leaked == 0,
    }


# --- stateful ----------------------------------------------------------------------------------


def stateful(examples: int, steps: int, property_examples: int) -> dict[str, object]:
    """The state machine and the property tests with raised counts, through pytest."""
    env = dict(os.environ, STATUSLINE_STATEFUL_EXAMPLES=str(examples),
               STATUSLINE_STATEFUL_STEPS=str(steps),
               STATUSLINE_PROPERTY_EXAMPLES=str(property_examples))
    started = time.monotonic()
    done = subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_stateful.py", "tests/test_properties.py"],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )
    return {
        "state_machine_examples": examples,
        "steps_per_example": steps,
        "property_examples_per_test": property_examples,
        "pytest_summary": done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "",
        "wall_s": round(time.monotonic() - started, 1),
        "ok": done.returncode == 0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--hung-calls", type=int, default=20)
    parser.add_argument("--hostile", type=int, default=20000)
    parser.add_argument("--stateful-examples", type=int, default=1000)
    parser.add_argument("--stateful-steps", type=int, default=50)
    parser.add_argument("--property-examples", type=int, default=3000)
    parser.add_argument("--only", default="writers,kills,hung,hostile,stateful")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    chosen = [x.strip() for x in args.only.split(",") if x.strip()]
    base = Path(tempfile.mkdtemp(prefix="statusline-soak-"))
    figures: dict[str, dict[str, object]] = {}
    try:
        for name in chosen:
            if name == "writers":
                figures[name] = writers(args.writers, args.calls, base)
            elif name == "kills":
                figures[name] = kills(args.kills, base)
            elif name == "hung":
                figures[name] = hung(args.hung_calls, base)
            elif name == "hostile":
                figures[name] = hostile(args.hostile, base)
            elif name == "stateful":
                figures[name] = stateful(args.stateful_examples, args.stateful_steps,
                                         args.property_examples)
            else:
                parser.error(f"unknown loop {name!r}")
            if not args.json:
                print(f"== {name}")
                for key, value in figures[name].items():
                    print(f"  {key}: {value}")
                sys.stdout.flush()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    if args.json:
        print(json.dumps(figures, indent=2))
    return 0 if all(f["ok"] for f in figures.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
