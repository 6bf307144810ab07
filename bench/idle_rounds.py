"""Idle sessions round by round: what each tick of each session cost, on the real clock.

    python3 bench/idle_rounds.py WORK_DIR [ROUNDS]

WORK_DIR is a work directory ``bench/run.py --keep`` left (its install and its HOME). Sixteen
sessions, each with a ``sleep`` standing in for its Claude Code process (``CLAUDE_PID``),
tick every 10 s, staggered, with the same payload each time (resets two hours and 17 s
ahead), into a fresh store; each round prints the mean CPU of a tick and every tick's CPU,
so that the reprinted ticks (``statusline.steady``) and the whole calls can be told apart.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

SESSIONS = 16
INTERVAL_S = 10.0
EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "examples",
                       "payloads", "oauth-003.json")


def main(work: str, rounds: int) -> None:
    command = os.path.join(work, "home", ".local", "bin", "statusline")
    state = os.path.join(work, "state", "idle_rounds")
    shutil.rmtree(state, ignore_errors=True)
    os.makedirs(state, mode=0o700)
    with open(EXAMPLE, "rb") as handle:
        document = json.load(handle)
    now = time.time()
    document["rate_limits"]["five_hour"]["resets_at"] = int(now + 2 * 3600 + 17)
    document["rate_limits"]["seven_day"]["resets_at"] = int(now + 3 * 86400 + 17)
    payloads = []
    for index in range(SESSIONS):
        document["session_id"] = f"idle-rounds-{index:02d}-4000-8000-000000000000"
        path = os.path.join(work, f"idle-rounds-{index:02d}.json")
        with open(path, "w") as handle:
            json.dump(document, handle)
        payloads.append(path)
    stand_ins = [subprocess.Popen(["sleep", "3600"], start_new_session=True)
                 for _ in range(SESSIONS)]
    base = {"PATH": "/usr/bin:/bin", "HOME": os.path.join(work, "home"), "COLUMNS": "160",
            "STATUSLINE_STATE_DIR": state}
    try:
        started = time.perf_counter()
        for round_index in range(rounds):
            costs = []
            for index in range(SESSIONS):
                due = started + (round_index + index / SESSIONS) * INTERVAL_S
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                stdin = os.open(payloads[index], os.O_RDONLY)
                stdout = os.open(os.devnull, os.O_WRONLY)
                env = {**base, "CLAUDE_PID": str(stand_ins[index].pid)}
                pid = os.posix_spawn(command, [command], env, file_actions=[
                    (os.POSIX_SPAWN_DUP2, stdin, 0), (os.POSIX_SPAWN_DUP2, stdout, 1)])
                os.close(stdin)
                os.close(stdout)
                _, _, usage = os.wait4(pid, 0)
                costs.append((usage.ru_utime + usage.ru_stime) * 1000)
            print(f"round {round_index}: {sum(costs) / SESSIONS:.1f} ms a tick; "
                  + " ".join(f"{cost:.0f}" for cost in costs), flush=True)
    finally:
        for stand_in in stand_ins:
            stand_in.kill()
            stand_in.wait(timeout=10)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 12)
