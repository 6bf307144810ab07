#!/usr/bin/env python3
"""The statusline benchmark: one command, one run, every number as a ratio to the bare interpreter.

    python3 bench/run.py            # full run, ~5 minutes on 2 cores
    python3 bench/run.py --quick    # fewer runs and 10 s scale tests, ~1-2 minutes with --no-idle

What it does, in order (standard library only; Linux, for os.posix_spawn/os.wait4/prctl):

1. Installs the package as a user without uv gets it: the tree's own ``install.sh --yes
   --method venv --prefix WORK/venv``, run with a throwaway HOME and a PATH that holds
   neither uv nor pipx. install.sh installs non-editable with pip, compiles the ``.pyc``s,
   writes the call's and the hook's bundles (``statusline.bundle_build.prepare``) and runs
   ``statusline install``, which points the throwaway ``settings.json`` at the command and
   swaps pip's console script for the lean launcher (``statusline.launcher``). setuptools is
   then removed from the venv (its ``.pth`` would run at every start-up; ``--keep-setuptools``
   keeps it). The measured commands are the ones ``settings.json`` names (the statusLine
   command, the UserPromptSubmit hook); the floor is that venv's ``python -c pass``.
   ``PYTHON*`` variables are dropped from the environment of every measured process.
2. Times whole processes (spawn to reaped; wall from the clock, CPU = user + system from
   ``os.wait4``), interleaved round by round so that machine noise hits every case alike:
   the floor, the status-line call in its situations (snapshot current / must write; small
   store / a full 7-day history), the hook call with nothing new to announce, ``statusline
   inspect --json``, the common call through pip's own console script (for comparison), and
   two lock options. Medians after warm-up rounds; ratios to the floor of the same run.
   Stdin is a file, as Claude Code gives it.
3. When hyperfine is on PATH, times the headline cases again with it (independent
   cross-check, ``-N``; stdin through ``--input`` or ``sh -c 'exec ... < file'``).
4. With ``--instructions`` (valgrind on PATH), counts the instructions of one run of each
   headline case under callgrind: a load-independent cross-check of the ratios.
5. Runs 16 simulated sessions (distinct session ids), each calling once a second, staggered,
   on the real clock: once with the bare interpreter fed the same payloads, once with the
   installed command; the ratio of their CPU is the scale figure. Then 4 and 16 idle
   sessions, each ticking once per refreshInterval (default 10 s, what ``statusline
   install`` writes; ``--idle-interval``) for six intervals: the standing cost of the default.
6. Writes ``bench/out/results.md`` (tables, each target met or not) and
   ``bench/out/results.json`` (everything).

With a ``redis-server`` on PATH (issue 13) the common call and the call that writes are also
timed on the shared store (a redis-server of the benchmark's own on loopback, one database per
case; the call that writes finds the stale document put back before every run), and 16
sessions at 1 Hz run once more on it.

Options: --quick, --runs N, --warmup N, --scale-seconds S, --no-hyperfine, --no-scale,
--idle-interval S, --idle-seconds S, --no-idle, --no-redis, --instructions,
--keep-setuptools, --python PATH (the interpreter install.sh builds the venv from),
--source DIR (another tree of the package, e.g. an older commit from `git archive`, to
compare: its own install.sh is run; default: this checkout), --out DIR (default bench/out),
--keep (keep the work directory).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable

import callgrind
import redis_cases

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKOUT = os.path.dirname(HERE)
OUT_DIR = os.path.join(HERE, "out")
EXAMPLE = os.path.join(CHECKOUT, "statusline", "examples", "oauth-003.json")
# A fixed clock for the single-call cases (STATUSLINE_NOW): every run sees the same store.
NOW = 1_800_000_000.0
SESSION_ID = "bench-0000-4000-8000-000000000000"
BENCH_ACCOUNT = "00000000-0000-4000-8000-0000000000a1"
CLIENT_CONFIG_BYTES = 5 << 20
PR_SET_CHILD_SUBREAPER = 36

LOCK_FILELOCK = (
    "import filelock, sys\n"
    "with filelock.FileLock(sys.argv[1], timeout=0.1):\n"
    "    pass\n"
)
LOCK_FCNTL = (
    "import fcntl, os, sys\n"
    "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)\n"
    "fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
    "fcntl.flock(fd, fcntl.LOCK_UN)\n"
    "os.close(fd)\n"
)

TARGETS = {  # case -> max ratio of wall medians to the floor (issue 19; inspect: issue 11)
    "common": 1.5,
    "write": 2.0,
    "hook": 1.5,
    "common_redis": 1.8,
    "write_redis": 2.4,
    "inspect_json": 6.0,
}
# 16 sessions at 1 Hz: their CPU at most this times the bare interpreter's on the same schedule.
SCALE_TARGET_RATIO = 1.6
# 16 idle sessions at the default refreshInterval: at most this % of one core.
IDLE_TARGET_PCT = 2.0
IDLE_TARGET_SESSIONS = 16
# Idle sessions: Claude Code re-runs each one every refreshInterval seconds. The default is
# what `statusline install` writes (statusline.claude.settings.entry.DEFAULT_REFRESH_INTERVAL_S).
IDLE_INTERVAL_S = 10.0
IDLE_SESSIONS = (4, 16)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# The environment under test


def bundle_bytes(package: str, entry: str, tag: str) -> int | None:
    """Size of ``entry``'s bundle (``statusline.bundle.path``), None when there is none."""
    try:
        return os.path.getsize(os.path.join(package, "__pycache__", f"{entry}.{tag}.bundle"))
    except OSError:
        return None


class Bench:
    """The throwaway venv, its fixtures and the environment every measured process gets."""

    def __init__(self, work: str, base_python: str, source: str = CHECKOUT,
                 keep_setuptools: bool = False) -> None:
        self.work = work
        self.source_tree = source
        self.base_python = base_python
        self.keep_setuptools = keep_setuptools
        self.venv = os.path.join(work, "venv")
        self.python = os.path.join(self.venv, "bin", "python")
        self.home = os.path.join(work, "home")
        self.payload = os.path.join(work, "payload.json")
        self.hook_payload = os.path.join(work, "hook-payload.json")
        # What settings.json names once install.sh has run (argv, split as a shell would).
        self.command: list[str] = []
        self.hook_command: list[str] | None = None
        # pip's own console script for the same entry point, beside the lean one.
        self.pip_script: str | None = None
        self.install: dict[str, object] = {}
        self.site = self.cache_tag = ""  # the venv's site-packages and .pyc tag, once built
        self.versions: dict[str, str] = {}
        self.store_sizes: dict[str, int] = {}

    @property
    def script(self) -> str:
        return self.command[0]

    # -- building ------------------------------------------------------------------------

    def build(self) -> None:
        """Install as a user without uv: the tree's install.sh into WORK/venv, HOME=WORK/home."""
        log(f"installing {self.source_tree} with its install.sh (venv, no uv/pipx on PATH, "
            f"{self.base_python}) ...")
        source = os.path.join(self.work, "src")
        shutil.copytree(
            self.source_tree,
            source,
            ignore=shutil.ignore_patterns(
                ".git", ".venv", "bench", "tests", "build", "dist", "*.egg-info", "__pycache__",
                ".*_cache", ".hypothesis",
            ),
        )
        os.makedirs(self.home)
        env = self.installer_env()
        started = time.perf_counter()
        done = subprocess.run(
            ["sh", os.path.join(source, "install.sh"), "--yes", "--method", "venv",
             "--prefix", self.venv],
            env=env, cwd=self.work, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            check=False, timeout=900,
        )
        if done.returncode != 0:
            raise SystemExit(f"install.sh failed ({done.returncode}):\n{done.stdout[-2000:]}\n"
                             f"{done.stderr[-2000:]}")
        self.install["seconds"] = round(time.perf_counter() - started, 1)
        self.install["path"] = env["PATH"]
        self.install["uv_or_pipx_on_path"] = False  # checked in installer_env
        clean = clean_env()
        site, tag = subprocess.run(
            [self.python, "-c", "import statusline, os, sys; print(os.path.dirname(os.path."
             "dirname(statusline.__file__))); print(sys.implementation.cache_tag)"],
            capture_output=True, text=True, check=True, env=clean, cwd=self.work,
        ).stdout.split("\n")[:2]
        self.site, self.cache_tag = site, tag
        setuptools = os.path.isdir(os.path.join(site, "setuptools"))
        self.install["setuptools_in_venv"] = setuptools
        self.install["setuptools_removed"] = False
        if setuptools and not self.keep_setuptools:
            # Like a uv environment (and Python 3.12+ venvs): no setuptools .pth run at every
            # start-up, by the floor and the call alike.
            subprocess.run([self.python, "-m", "pip", "uninstall", "--quiet", "--yes",
                            "setuptools"], env=clean, check=False, capture_output=True)
            self.install["setuptools_removed"] = not os.path.isdir(
                os.path.join(site, "setuptools"))
        package = os.path.join(site, "statusline")
        missing = [
            name for name in os.listdir(package)
            if name.endswith(".py")
            and not os.path.exists(os.path.join(package, "__pycache__", f"{name[:-3]}.{tag}.pyc"))
        ]
        if missing:
            raise SystemExit(f"no .pyc for {missing} after install.sh")
        self.read_settings()
        self.install["launcher"] = self.launcher_kind(os.path.realpath(self.script))
        self.install["bundles"] = {
            entry: bundle_bytes(package, entry, tag) for entry in ("call", "hook")
        }
        self.write_pip_script()
        self.versions = json.loads(subprocess.run(
            [self.python, "-c",
             "import json, sys, importlib.metadata as m; print(json.dumps({**{d: m.version(d) "
             "for d in ('statusline', 'click', 'orjson', 'platformdirs', 'filelock')}, "
             "'python': sys.version.split()[0]}))"],
            capture_output=True, text=True, check=True, env=clean, cwd=self.work,
        ).stdout)

    def installer_env(self) -> dict[str, str]:
        """A new user's environment for install.sh: the throwaway HOME, and a PATH of a bin
        directory holding only ``python3`` (the base interpreter) and the system directories
        that hold neither uv nor pipx (checked with ``command -v``, as install.sh looks)."""
        bin_dir = os.path.join(self.work, "bin")
        os.makedirs(bin_dir)
        os.symlink(self.base_python, os.path.join(bin_dir, "python3"))
        system = [d for d in ("/usr/local/bin", "/usr/bin", "/bin") if os.path.isdir(d)
                  and not any(os.path.exists(os.path.join(d, t)) for t in ("uv", "pipx"))]
        env = clean_env()
        env.update({"HOME": self.home, "PATH": ":".join([bin_dir, *system]),
                    "PYTHON": os.path.join(bin_dir, "python3")})
        found = subprocess.run(["sh", "-c", "command -v uv pipx || true"], env=env,
                               capture_output=True, text=True, check=True).stdout.strip()
        if found:
            raise SystemExit(f"uv or pipx still on the installer's PATH: {found}")
        return env

    def read_settings(self) -> None:
        """The statusLine command and the UserPromptSubmit hook that ``statusline install``
        wrote into the throwaway settings.json."""
        import shlex

        path = os.path.join(self.home, ".claude", "settings.json")
        with open(path) as handle:
            settings = json.load(handle)
        self.command = shlex.split(settings["statusLine"]["command"])
        self.install["statusline_command"] = settings["statusLine"]["command"]
        for group in (settings.get("hooks") or {}).get("UserPromptSubmit") or []:
            for hook in group.get("hooks") or []:
                argv = shlex.split(hook.get("command", ""))
                if argv[-1:] == ["hook"] and os.path.basename(argv[0]) == "statusline":
                    self.hook_command = argv
                    self.install["hook_command"] = hook["command"]
        if not os.path.isabs(self.script) or not os.access(self.script, os.X_OK):
            raise SystemExit(f"settings.json's statusLine command is not an executable path: "
                             f"{self.command}")

    def launcher_kind(self, path: str) -> str:
        """``statusline.launcher.kind`` of the console script (lean, pip, other); for a tree
        without that module, ``pip`` when the script imports ``re``."""
        done = subprocess.run(
            [self.python, "-c", "import sys; from statusline.launcher import kind; "
             "print(kind(sys.argv[1]))", path],
            capture_output=True, text=True, check=False, env=clean_env(), cwd=self.work)
        if done.returncode == 0:
            return done.stdout.strip()
        with open(path, errors="replace") as handle:
            return "pip" if "\nimport re\n" in handle.read() else "other"

    def write_pip_script(self) -> None:
        """pip's console script for the same entry point (pip's own script maker, so what a
        ``pip install`` leaves), beside the installed one, when that one is not pip's."""
        if self.install["launcher"] == "pip":
            return
        directory = os.path.join(self.work, "pip-script")
        os.makedirs(directory)
        done = subprocess.run(
            [self.python, "-c",
             "import sys\n"
             "from pip._vendor.distlib.scripts import ScriptMaker\n"
             "maker = ScriptMaker(None, sys.argv[1])\n"
             "maker.executable = sys.argv[2]\n"
             "maker.variants = {''}\n"
             "maker.make('statusline = statusline.__main__:main')\n",
             directory, self.python],
            capture_output=True, text=True, check=False, env=clean_env(), cwd=self.work)
        script = os.path.join(directory, "statusline")
        if done.returncode == 0 and self.launcher_kind(script) == "pip":
            self.pip_script = script
        else:
            log(f"no pip console script for comparison: {done.stderr.strip()[-300:]}")

    def write_payload(self, path: str, session_id: str, now: float, context_pct: float,
                      five_hour_pct: float | None = None) -> None:
        """The bundled oauth example with our session id and resets relative to ``now``."""
        with open(EXAMPLE, "rb") as handle:
            document = json.load(handle)
        document["session_id"] = session_id
        document["cwd"] = document["workspace"]["current_dir"] = "/home/user/src/statusline"
        document["workspace"]["project_dir"] = "/home/user/src/statusline"
        document["context_window"]["used_percentage"] = context_pct
        document["rate_limits"]["five_hour"]["resets_at"] = int(now + 3 * 3600)
        document["rate_limits"]["seven_day"]["resets_at"] = int(now + 4 * 86400)
        if five_hour_pct is not None:
            document["rate_limits"]["five_hour"]["used_percentage"] = five_hour_pct
        with open(path, "w") as handle:
            json.dump(document, handle, indent=2)

    def make_stores(self) -> None:
        """One base store per situation, checked by the package's own model; the hook's
        payload (a prompt submitted), and a store past a notice level ("hot") that proves
        the hook command reads the store it is given."""
        self.write_payload(self.payload, SESSION_ID, NOW, 37.0)
        hot_payload = os.path.join(self.work, "payload-hot.json")
        self.write_payload(hot_payload, SESSION_ID, NOW, 37.0, five_hour_pct=85.0)
        with open(self.hook_payload, "w") as handle:
            json.dump({"session_id": SESSION_ID,
                       "transcript_path": f"/home/user/.claude/projects/x/{SESSION_ID}.jsonl",
                       "cwd": "/home/user/src/statusline", "permission_mode": "default",
                       "hook_event_name": "UserPromptSubmit",
                       "prompt": "run the tests and fix what fails"}, handle)
        builder = os.path.join(HERE, "build_store.py")
        for kind, payload_path in (("empty", self.payload), ("full", self.payload),
                                   ("empty-stale", self.payload),
                                   ("full-stale", self.payload), ("hot", hot_payload)):
            out = os.path.join(self.work, f"base-{kind}.json")
            size = subprocess.run(
                [self.python, builder, payload_path, repr(NOW),
                 "empty" if kind == "hot" else kind, out],
                capture_output=True, text=True, check=True, env=self.env(),
            ).stdout.strip()
            self.store_sizes[kind] = int(size)

    def check_hook(self) -> str | None:
        """A problem when the hook command does not announce on a store past a level (it
        would then not be reading the store the timed hook case is given)."""
        if self.hook_command is None:
            return None
        directory, _, _ = self.state_dir("hook_hot", "hot")
        with open(self.hook_payload, "rb") as stdin:
            done = subprocess.run(self.hook_command, stdin=stdin, capture_output=True,
                                  env=self.env(directory), check=False, timeout=30)
        try:
            answer = json.loads(done.stdout)
        except ValueError:
            answer = None
        if done.returncode != 0 or not isinstance(answer, dict):
            return (f"hook: no notice on a store at 85 % (exit {done.returncode}, "
                    f"{done.stdout[:200]!r})")
        return None

    # -- running ---------------------------------------------------------------------------

    def env(self, state_dir: str | None = None, now: float | None = NOW) -> dict[str, str]:
        env = clean_env()
        env.update({
            "HOME": self.home,
            "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
            "XDG_STATE_HOME": os.path.join(self.home, ".local", "state"),
            "COLUMNS": "160",
        })
        if state_dir is not None:
            env["STATUSLINE_STATE_DIR"] = state_dir
        if now is not None:
            env["STATUSLINE_NOW"] = repr(now)
        return env

    def client_config_home(self, size: int) -> str:
        """A HOME whose ``.claude.json`` is ``size`` bytes: a logged-in account, the keys
        Claude Code keeps, and many projects (what makes real ones megabytes)."""
        home = os.path.join(self.work, "config-home")
        os.makedirs(home)
        document: dict[str, object] = {
            "numStartups": 412, "hasCompletedOnboarding": True,
            "oauthAccount": {"accountUuid": BENCH_ACCOUNT, "emailAddress": "bench@example.invalid",
                             "organizationUuid": "00000000-0000-4000-8000-0000000000b1"},
        }
        projects: dict[str, object] = {}
        document["projects"] = projects
        index = 0
        while len(json.dumps(document)) < size:
            for _ in range(200):
                projects[f"/home/user/src/project-{index:05d}"] = {
                    "hasTrustDialogAccepted": True, "lastCost": 1.25 + index,
                    "lastSessionId": f"{index:08d}-0000-4000-8000-000000000000",
                    "lastModelUsage": {"claude-opus-4-7": {"inputTokens": index,
                                                           "outputTokens": 2 * index}},
                    "history": [{"display": f"prompt {index} " + "x" * 120}],
                }
                index += 1
        with open(os.path.join(home, ".claude.json"), "w") as handle:
            json.dump(document, handle, indent=2)
        return home

    def state_dir(self, name: str, base: str | None) -> tuple[str, str, str | None]:
        """A private state directory holding a copy of ``base-<base>.json`` as its store."""
        directory = os.path.join(self.work, "state", name)
        os.makedirs(directory, mode=0o700)
        os.chmod(directory, 0o700)
        store = os.path.join(directory, "store.json")
        source = None if base is None else os.path.join(self.work, f"base-{base}.json")
        if source is not None:
            shutil.copyfile(source, store)
            os.chmod(store, 0o600)
        return directory, store, source


def clean_env() -> dict[str, str]:
    """The caller's environment without anything that changes how Python or we behave."""
    return {
        k: v for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "STATUSLINE_", "CLAUDE_", "XDG_", "VIRTUAL_ENV"))
        and k not in ("NO_COLOR", "COLUMNS", "HOME")
    }


# ---------------------------------------------------------------------------------------
# Whole-process timing


class Case:
    """One command to time: argv, stdin file, environment, and what to restore before each run."""

    def __init__(self, key: str, label: str, argv: list[str], env: dict[str, str],
                 stdin: str = os.devnull, restore: tuple[str, str] | None = None,
                 headline: bool = False, before: Callable[[], None] | None = None) -> None:
        self.key, self.label, self.argv, self.env, self.stdin = key, label, argv, env, stdin
        self.restore = restore  # (source, destination): copied before every run, untimed
        self.before = before  # anything else to put back before every run, untimed
        self.headline = headline
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.exit_codes: set[int] = set()
        self.last_output = b""

    def run_once(self, out_path: str) -> tuple[float, float, int]:
        if self.restore is not None:
            shutil.copyfile(*self.restore)
        if self.before is not None:
            self.before()
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, self.stdin, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
            (os.POSIX_SPAWN_OPEN, 2, out_path + ".err", os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
             0o600),
        ]
        start = time.perf_counter()
        pid = os.posix_spawn(self.argv[0], self.argv, self.env, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        cpu = usage.ru_utime + usage.ru_stime
        return wall * 1000, cpu * 1000, os.waitstatus_to_exitcode(status)


def time_cases(cases: list[Case], runs: int, warmup: int, work: str,
               after_warmup: Callable[[], None] | None = None) -> None:
    """Run every case once per round, ``warmup`` + ``runs`` rounds; keep the timed rounds."""
    out_path = os.path.join(work, "out.txt")
    for round_no in range(warmup + runs):
        # Rotate the order so no case always follows the same neighbour.
        shift = round_no % len(cases)
        for case in cases[shift:] + cases[:shift]:
            wall, cpu, code = case.run_once(out_path)
            case.exit_codes.add(code)
            if round_no >= warmup:
                case.wall.append(wall)
                case.cpu.append(cpu)
            with open(out_path, "rb") as handle:
                case.last_output = handle.read()
        if round_no == warmup - 1 and after_warmup is not None:
            after_warmup()
        if round_no == warmup - 1 or (round_no + 1 - warmup) % 20 == 0:
            log(f"  round {round_no + 1}/{warmup + runs}")


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def hyperfine_cases(cases: list[Case], runs: int, warmup: int, work: str) -> dict[str, object]:
    """Time the headline cases with hyperfine (wall median, mean user+system CPU)."""
    exe = shutil.which("hyperfine")
    if exe is None:
        return {"available": False, "why": "hyperfine is not on PATH"}
    helptext = subprocess.run([exe, "--help"], capture_output=True, text=True, check=False).stdout
    has_input = "--input" in helptext
    version = subprocess.run([exe, "--version"], capture_output=True, text=True,
                             check=False).stdout.strip()
    results: dict[str, object] = {"available": True, "version": version,
                                  "stdin": "--input" if has_input else "sh -c 'exec CMD < FILE'"}
    rows = {}
    for case in cases:
        export = os.path.join(work, f"hyperfine-{case.key}.json")
        quoted = " ".join(shell_quote(a) for a in case.argv)
        args = [exe, "-N", "--warmup", str(warmup), "--runs", str(runs), "--style", "none",
                "--export-json", export, "--output", "pipe"]
        if has_input:
            args += ["--input", case.stdin, quoted]
        else:
            args += [f"sh -c {shell_quote('exec ' + quoted + ' < ' + shell_quote(case.stdin))}"]
        if case.restore is not None:
            args[1:1] = ["--prepare", f"cp {shell_quote(case.restore[0])} "
                                      f"{shell_quote(case.restore[1])}"]
        subprocess.run(args, check=True, env=case.env, stdout=subprocess.DEVNULL)
        with open(export) as handle:
            result = json.load(handle)["results"][0]
        rows[case.key] = {
            "wall_ms_median": 1000 * result["median"],
            "cpu_ms_mean": 1000 * (result["user"] + result["system"]),
            "runs": len(result["times"]),
        }
    results["rows"] = rows
    return results


def shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


# ---------------------------------------------------------------------------------------
# 16 sessions at 1 Hz


def children_cpu_s() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def scale(bench: Bench, argv: list[str], name: str, label: str, sessions: int, seconds: float,
          warmup_s: float, interval_s: float = 1.0,
          store_url: str | None = None) -> dict[str, object]:
    """``sessions`` sessions each calling once every ``interval_s`` seconds, staggered, on
    the real clock (1 s: busy sessions; Claude Code's refreshInterval: idle ones, whose
    ticks repeat the same payload).

    CPU is charged for every call and anything it leaves behind: this process becomes a
    child subreaper, so orphans are reaped here and counted in RUSAGE_CHILDREN.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    subreaper = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    state_dir, store, _ = bench.state_dir(name, None)
    start_clock = time.time()
    payloads = []
    for i in range(sessions):
        path = os.path.join(bench.work, f"scale-payload-{i:02d}.json")
        bench.write_payload(path, f"bench-scale-{i:02d}-4000-8000-000000000000", start_clock,
                            10.0 + i)
        payloads.append(path)
    env = bench.env(state_dir, now=None)
    if store_url:
        env["STATUSLINE_STORE_URL"] = store_url
    # Claude Code gives its status-line command its own pid (CLAUDE_PID, contract section
    # 5), one Claude Code process per session: a sleeping process stands in for each, a
    # running process as an open session's is (ended, and reaped, when the row is done).
    stand_ins = [subprocess.Popen(["sleep", "3600"], start_new_session=True)
                 for _ in range(sessions)]
    envs = [{**env, "CLAUDE_PID": str(stand_in.pid)} for stand_in in stand_ins]
    lock = threading.Lock()
    pending: dict[int, tuple[float, str, bool]] = {}
    results: list[tuple[float, int, bytes, bool]] = []
    done = threading.Event()

    def reaper() -> None:
        while True:
            try:
                pid, status, _ = os.wait4(-1, 0)
            except ChildProcessError:
                if done.is_set():
                    return
                time.sleep(0.005)
                continue
            end = time.perf_counter()
            with lock:
                info = pending.pop(pid, None)
            if info is None:
                if done.is_set():
                    return  # the sentinel below (other children, e.g. redis-server, live on)
                continue  # an orphan re-parented to us: its CPU is in RUSAGE_CHILDREN
            began, out_path, counted = info
            with open(out_path, "rb") as handle:
                output = handle.read()
            os.unlink(out_path)
            results.append(((end - began) * 1000, os.waitstatus_to_exitcode(status), output,
                            counted))

    thread = threading.Thread(target=reaper, daemon=True)
    thread.start()
    sequence = [0]

    def fire(i: int, counted: bool) -> None:
        sequence[0] += 1
        out_path = os.path.join(bench.work, f"scale-out-{sequence[0]}.txt")
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, payloads[i], os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
        ]
        with lock:
            began = time.perf_counter()
            pid = os.posix_spawn(argv[0], argv, envs[i], file_actions=actions)
            pending[pid] = (began, out_path, counted)

    def phase(duration: float, counted: bool) -> None:
        begin = time.perf_counter()
        ticks = max(round(duration / interval_s), 1)
        events = sorted(((k + i / sessions) * interval_s, i) for k in range(ticks)
                        for i in range(sessions))
        for offset, i in events:
            delay = begin + offset - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            fire(i, counted)
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline:
            with lock:
                if not any(v[2] == counted for v in pending.values()):
                    return
            time.sleep(0.01)

    try:
        if warmup_s > 0:
            phase(warmup_s, False)
        cpu0 = children_cpu_s()
        t0 = time.perf_counter()
        phase(seconds, True)
        window = time.perf_counter() - t0
        span = max(round(seconds / interval_s), 1) * interval_s
        time.sleep(1.0)  # anything a call left running gets a moment to finish and be reaped
        cpu = children_cpu_s() - cpu0
        done.set()
        # Wake the reaper's wait with a child of no interest, so it ends here and does not
        # outlive this test (it would reap the next test's calls).
        sentinel = os.posix_spawn("/bin/true", ["true"], {})
        thread.join(timeout=5)
        if thread.is_alive():
            raise SystemExit(f"{name}: the reaper thread did not end")
        try:
            os.waitpid(sentinel, 0)  # when the reaper had already ended without it
        except ChildProcessError:
            pass
    finally:
        for stand_in in stand_ins:  # never outliving the row, whatever happened
            stand_in.kill()
            stand_in.wait(timeout=10)
    counted = [r for r in results if r[3]]
    latencies = [r[0] for r in counted]
    fallback = [r for r in counted if r[2].startswith(b"statusline:")]
    try:
        with open(store, "rb") as handle:
            sessions_in_store = len(json.load(handle).get("sessions", {}))
    except OSError:
        sessions_in_store = 0  # the bare interpreter's schedule, or the store is on Redis
    return {
        "key": name,
        "label": label,
        "store": "redis" if store_url else "file",
        "sessions": sessions,
        "hz": 1.0 / interval_s,
        "interval_s": interval_s,
        "seconds": seconds,
        "warmup_s": warmup_s,
        "calls": len(counted),
        "window_s": window,
        "cpu_s": cpu,
        # Over the schedule's span (ticks × interval), the steady state it stands for: the
        # measured window ends one stagger step early and waits for the last calls.
        "span_s": span,
        "cpu_pct_of_one_core": 100.0 * cpu / span,
        "cpu_ms_per_call": 1000.0 * cpu / max(len(counted), 1),
        "latency_ms_p50": quantile(latencies, 0.5),
        "latency_ms_p90": quantile(latencies, 0.9),
        "latency_ms_max": max(latencies) if latencies else float("nan"),
        "exit_nonzero": sum(1 for r in counted if r[1] != 0),
        "empty_output": sum(1 for r in counted if not r[2].strip()),
        "fallback_lines": len(fallback),
        "sessions_in_store": sessions_in_store,
        "subreaper": subreaper,
    }


# ---------------------------------------------------------------------------------------
# Report


def machine() -> dict[str, object]:
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "os": f"{platform.system()} {platform.release()}",
        "loadavg_at_start": os.getloadavg(),
    }


def summarise(cases: list[Case], floor: Case) -> dict[str, dict[str, float]]:
    floor_wall, floor_cpu = median(floor.wall), median(floor.cpu)
    rows = {}
    for case in cases:
        wall, cpu = median(case.wall), median(case.cpu)
        rows[case.key] = {
            "label": case.label,
            "wall_ms_median": wall,
            "wall_ms_p90": quantile(case.wall, 0.9),
            "cpu_ms_median": cpu,
            "ratio_wall": wall / floor_wall,
            "ratio_cpu": cpu / floor_cpu,
            "runs": len(case.wall),
            "exit_codes": sorted(case.exit_codes),
        }
    return rows


TARGET_LABELS = {
    "common": "common call",
    "write": "call that writes",
    "hook": "hook call",
    "common_redis": "common call on Redis",
    "write_redis": "call that writes on Redis",
    "inspect_json": "`statusline inspect --json`",
    "scale": "16 sessions × 1 Hz, CPU",
    "idle": f"{IDLE_TARGET_SESSIONS} idle sessions at {IDLE_INTERVAL_S:g} s ticks, CPU",
}


def markdown(result: dict[str, object]) -> str:
    rows = result["rows"]
    assert isinstance(rows, dict)
    m = result["machine"]
    v = result["versions"]
    install = result["install"]
    targets = result["targets"]
    assert isinstance(m, dict) and isinstance(v, dict) and isinstance(install, dict)
    assert isinstance(targets, dict)
    end_load = result["loadavg_at_end"]
    assert isinstance(end_load, tuple | list)
    lines = [
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['os']}, Python {v['python']}, "
        f"load average {m['loadavg_at_start'][0]:.2f} at the start, {end_load[0]:.2f} at the "
        f"end; statusline {v['statusline']} "
        f"(click {v['click']}, orjson {v['orjson']}, platformdirs {v['platformdirs']}, "
        f"filelock {v['filelock']}); {result['runs']} runs after {result['warmup']} warm-up "
        f"rounds, interleaved; {result['when']}; `{result['command']}`.",
        "",
        f"Installed as a user without uv: `install.sh --yes --method venv --prefix …` "
        f"({install['seconds']} s; PATH without uv or pipx), throwaway HOME. Measured command: "
        f"settings.json's statusLine `{install['statusline_command']}`, hook "
        f"`{install.get('hook_command', '(none)')}`. Console script: "
        f"**{install['launcher']}** (`statusline.launcher.kind`). Bundles after install.sh: "
        + ", ".join(f"{entry} {f'{size:,} bytes' if size else '**none**'}"
                    for entry, size in install["bundles"].items())
        + ". setuptools "
        + ("removed from the venv (its .pth ran at every start-up)"
           if install["setuptools_removed"]
           else "kept in the venv" if install["setuptools_in_venv"] else "not in the venv")
        + ".",
        "",
        "| target (issue 19) | limit | this run | |",
        "|---|---|---:|---|",
    ]
    for key, label in TARGET_LABELS.items():
        target = targets.get(key)
        if target is None:
            lines.append(f"| {label} | | not run | |")
            continue
        unit = target["unit"]
        percent = unit.startswith("%")
        limit = f"≤ {target['max']:g} {unit}" if percent else f"≤ {target['max']:.1f}{unit}"
        value = f"{target['value']:.2f} %" if percent else f"{target['value']:.2f}×"
        lines.append(f"| {label} | {limit} | {value} | "
                     f"{'met' if target['met'] else '**not met**'} |")
    lines += [
        "",
        "| call | wall ms (median) | CPU ms (median) | × floor (wall) | × floor (CPU) | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for key, row in rows.items():
        target = targets.get(key)
        verdict = ""
        if target is not None:
            verdict = f"≤ {target['max']:.1f}× {'met' if target['met'] else '**not met**'}"
        lines.append(
            f"| {row['label']} | {row['wall_ms_median']:.1f} | {row['cpu_ms_median']:.1f} | "
            f"{row['ratio_wall']:.2f} | {row['ratio_cpu']:.2f} | {verdict} |"
        )
    sizes = result["store_bytes"]
    assert isinstance(sizes, dict)
    lines += [
        "",
        f"Store sizes: small {sizes['empty']:,} bytes (this session only), full 7-day history "
        f"{sizes['full']:,} bytes (every cap of statusline.history reached).",
    ]
    growth = result["history_growth"]
    assert isinstance(growth, dict)
    lines.append(
        f"History growth (full ÷ small store, wall medians): common call "
        f"{growth['common']:.2f}×, call that writes {growth['write']:.2f}×, inspect --json "
        f"{growth['inspect_json']:.2f}×."
    )
    if install["launcher"] == "pip":
        lines.append("The installed console script is pip's, which runs `import re` before "
                     "our code.")
    hf = result["hyperfine"]
    assert isinstance(hf, dict)
    if hf.get("available"):
        lines += ["", f"Cross-check with {hf['version']} (`-N`, stdin via {hf['stdin']}; "
                      "CPU is hyperfine's mean user+system):", "",
                  "| call | wall ms (median) | CPU ms (mean) | × floor (wall) |",
                  "|---|---:|---:|---:|"]
        hrows = hf["rows"]
        base = hrows["floor"]["wall_ms_median"]
        for key, row in hrows.items():
            lines.append(f"| {rows[key]['label']} | {row['wall_ms_median']:.1f} | "
                         f"{row['cpu_ms_mean']:.1f} | {row['wall_ms_median'] / base:.2f} |")
    else:
        lines += ["", f"No hyperfine cross-check ({hf.get('why', 'not run')})."]
    ins = result["instructions"]
    assert isinstance(ins, dict)
    if ins.get("available"):
        lines += ["", f"Instructions under callgrind ({ins['version']}; one run each, hash "
                      "seed 0; user space only, so a cross-check of the ratios, not the same "
                      "figure):", "",
                  "| call | instructions (M) | × floor |", "|---|---:|---:|"]
        for key, n in ins["counts"].items():
            ratio = ins["ratios"][key]
            lines.append(f"| {rows[key]['label']} | "
                         f"{'—' if n is None else f'{n / 1e6:.1f}'} | "
                         f"{'—' if ratio is None else f'{ratio:.2f}'} |")
    scale_rows = result.get("scale") or []
    assert isinstance(scale_rows, list)
    if scale_rows:
        lines += [
            "",
            "| 16 sessions × 1 call/s, staggered, real clock | calls | window s | CPU s "
            "| CPU % of one core | CPU × bare interpreter | CPU ms/call "
            "| latency p50 / p90 / max ms | exit≠0 | empty | fallback | target |",
            "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|",
        ]
    for s in scale_rows:
        verdict = ""
        if s["key"] == "scale":
            met = s["cpu_ratio_to_floor"] <= SCALE_TARGET_RATIO
            verdict = f"≤ {SCALE_TARGET_RATIO:.1f}× {'met' if met else '**not met**'}"
        lines += [
            f"| {s['label']} | {s['calls']} | "
            f"{s['window_s']:.1f} | {s['cpu_s']:.2f} | {s['cpu_pct_of_one_core']:.1f} | "
            f"{s['cpu_ratio_to_floor']:.2f} | "
            f"{s['cpu_ms_per_call']:.1f} | {s['latency_ms_p50']:.1f} / {s['latency_ms_p90']:.1f}"
            f" / {s['latency_ms_max']:.1f} | {s['exit_nonzero']} | {s['empty_output']} | "
            f"{s['fallback_lines']} | {verdict} |",
        ]
    idle_rows = result.get("idle") or []
    assert isinstance(idle_rows, list)
    if idle_rows:
        lines += [
            "",
            "| idle sessions (one tick each per refreshInterval, real clock) | calls | window s "
            "| CPU % of one core | CPU ms/call | CPU/call × floor | latency p50 / p90 ms "
            "| exit≠0 | target |",
            "|---|---:|---:|---:|---:|---:|---|---:|---|",
        ]
    floor_cpu = rows["floor"]["cpu_ms_median"]
    idle_target = targets.get("idle")
    for s in idle_rows:
        verdict = ""
        if idle_target is not None and s["sessions"] == IDLE_TARGET_SESSIONS:
            verdict = (f"≤ {IDLE_TARGET_PCT:g} % "
                       f"{'met' if idle_target['met'] else '**not met**'}")
        lines.append(
            f"| {s['label']}, installed command | {s['calls']} | {s['window_s']:.1f} | "
            f"{s['cpu_pct_of_one_core']:.2f} | "
            f"{s['cpu_ms_per_call']:.1f} | {s['cpu_ms_per_call'] / floor_cpu:.2f} | "
            f"{s['latency_ms_p50']:.1f} / {s['latency_ms_p90']:.1f} | {s['exit_nonzero']} | "
            f"{verdict} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="15 runs and a 10 s scale test")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--warmup", type=int, default=None)
    parser.add_argument("--scale-seconds", type=float, default=None)
    parser.add_argument("--no-hyperfine", action="store_true")
    parser.add_argument("--no-scale", action="store_true")
    parser.add_argument("--idle-interval", type=float, default=IDLE_INTERVAL_S,
                        help="refreshInterval of the idle-sessions rows (default: what "
                             "`statusline install` writes)")
    parser.add_argument("--idle-seconds", type=float, default=None,
                        help="window of each idle-sessions row (default: 6 intervals)")
    parser.add_argument("--no-idle", action="store_true", help="skip the idle-sessions rows")
    parser.add_argument("--no-redis", action="store_true",
                        help="skip the shared-store rows (they need redis-server on PATH)")
    parser.add_argument("--instructions", action="store_true",
                        help="also count the headline cases' instructions under valgrind's "
                             "callgrind (load-independent ratios; ~1 minute)")
    parser.add_argument("--keep-setuptools", action="store_true",
                        help="leave setuptools (and its start-up .pth) in install.sh's venv")
    parser.add_argument("--python", default=sys.executable,
                        help="base interpreter install.sh builds the venv from (default: the "
                             "one running this)")
    parser.add_argument("--source", default=CHECKOUT,
                        help="the package tree to install with its install.sh (default: this "
                             "checkout)")
    parser.add_argument("--out", default=OUT_DIR, help="where results.md/json go (bench/out)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    runs = args.runs or (15 if args.quick else 60)
    warmup = args.warmup if args.warmup is not None else (3 if args.quick else 5)
    scale_seconds = args.scale_seconds or (10.0 if args.quick else 30.0)
    scale_warmup = 3.0 if args.quick else 5.0

    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    info = machine()
    out_dir = os.path.abspath(args.out)
    source = os.path.abspath(args.source)
    work = tempfile.mkdtemp(prefix="statusline-bench-")
    previous_cwd = os.getcwd()
    # Every process runs in the work directory: none may import the checkout's package
    # (``python -c`` puts its working directory first on sys.path).
    os.chdir(work)
    try:
        # The interpreter itself, not a shim in front of it (pyenv's python3 is a script).
        base_python = subprocess.run(
            [args.python, "-c", "import sys; print(getattr(sys, '_base_executable', '') "
             "or sys.executable)"], capture_output=True, text=True, check=True,
        ).stdout.strip()
        bench = Bench(work, os.path.realpath(base_python), source, args.keep_setuptools)
        bench.build()
        bench.make_stores()
        problems: list[str] = []
        if bench.install["launcher"] != "lean":
            log(f"note: the installed launcher is {bench.install['launcher']!r}, not lean")
        hook_problem = bench.check_hook()
        if hook_problem:
            problems.append(hook_problem)

        floor = Case("floor", "bare interpreter: venv `python -c pass`",
                     [bench.python, "-c", "pass"], bench.env(), bench.payload, headline=True)
        cases = [floor]

        def status_call(key: str, label: str, base: str, argv: list[str] | None = None,
                        headline: bool = False) -> Case:
            directory, store, source = bench.state_dir(key, base)
            restore = (source, store) if base.endswith("-stale") and source else None
            return Case(key, label, argv or bench.command, bench.env(directory),
                        bench.payload, restore, headline)

        common = status_call("common", "common call (snapshot current, nothing to write)",
                             "empty", headline=True)
        # The same call when the client's global config (~/.claude.json) is 5 MB and names
        # the account: the facts read from it are cached, so it costs a stat and a small read.
        config_home = bench.client_config_home(CLIENT_CONFIG_BYTES)
        config_dir, plain_store, _ = bench.state_dir("common_config", "empty")
        account_store = os.path.join(config_dir, f"store-default.{BENCH_ACCOUNT}.json")
        with open(plain_store) as handle:
            document = json.load(handle)
        document["account"] = BENCH_ACCOUNT
        document["account_label"] = "be…@example.invalid"
        with open(account_store, "w") as handle:
            json.dump(document, handle)
        os.chmod(account_store, 0o600)
        os.unlink(plain_store)
        config_env = bench.env(config_dir)
        config_env["HOME"] = config_home
        common_config = Case("common_config",
                             "common call, 5 MB client config naming the account",
                             bench.command, config_env, bench.payload)
        cases += [
            common,
            common_config,
            status_call("write", "call that writes (reading changed)", "empty-stale",
                        headline=True),
        ]
        if bench.hook_command is not None:
            hook_dir, _, _ = bench.state_dir("hook", "empty")
            cases.append(Case("hook", "hook call (prompt submitted, nothing new to announce)",
                              bench.hook_command, bench.env(hook_dir), bench.hook_payload,
                              headline=True))
        else:
            problems.append("hook: settings.json names no `statusline hook` (an older tree?)")
        for key, base, label in (
            ("inspect_json", "empty", "`statusline inspect --json`"),
            ("inspect_json_full", "full", "`statusline inspect --json`, full 7-day history"),
        ):
            inspect_dir, _, _ = bench.state_dir(key, base)
            cases.append(Case(key, label, [*bench.command, "inspect", "--json"],
                              bench.env(inspect_dir), headline=key == "inspect_json"))
        cases += [
            status_call("common_full", "common call, full 7-day history", "full"),
            status_call("write_full", "call that writes, full 7-day history", "full-stale"),
        ]
        if bench.pip_script is not None:
            cases.append(status_call("common_pip", "common call through pip's console script "
                                     "(`import re`), for comparison", "empty",
                                     argv=[bench.pip_script]))
        lock_file = os.path.join(work, "bench.lock")
        cases += [
            Case("lock_filelock", "lock option: `import filelock` + FileLock acquire/release",
                 [bench.python, "-c", LOCK_FILELOCK, lock_file], bench.env()),
            Case("lock_fcntl", "lock option: `import fcntl` + flock acquire/release",
                 [bench.python, "-c", LOCK_FCNTL, lock_file], bench.env()),
        ]
        server = None
        binary = None if args.no_redis else redis_cases.find_server()
        if binary is not None:
            server = redis_cases.Server(binary, work)
            cases += redis_rows(bench, server)
        watched = {key: os.path.join(work, "state", key, "store.json")
                   for key in ("common", "hook") if any(c.key == key for c in cases)}
        before = {key: os.stat(path) for key, path in watched.items()}
        bundles_after_warmup: dict[str, int | None] = {}

        def note_bundles() -> None:
            bundles_after_warmup.update(bundle_state(bench))

        log(f"timing {len(cases)} cases: {warmup} warm-up + {runs} rounds ...")
        time_cases(cases, runs, warmup, work, after_warmup=note_bundles)
        bundles_at_end = bundle_state(bench)
        problems += check_cases(cases, before, {k: os.stat(p) for k, p in watched.items()})
        if bundles_at_end != bundles_after_warmup:
            problems.append("a bundle was rewritten during the timed rounds (some calls paid "
                            "for writing it)")

        hf: dict[str, object] = {"available": False, "why": "--no-hyperfine"}
        if not args.no_hyperfine:
            log("cross-checking with hyperfine ...")
            hf = hyperfine_cases([c for c in cases if c.headline], runs, warmup, work)

        instructions: dict[str, object] = {"available": False, "why": "no --instructions"}
        if args.instructions:
            instructions = count_instructions(bench, [c for c in cases if c.headline])
            problems += [f"instructions: {p}" for p in instructions["problems"]]

        scale_result = []
        if not args.no_scale:
            for name, argv, label in (
                ("scale_floor", [bench.python, "-c", "pass"],
                 "bare interpreter (`python -c pass`, same payloads)"),
                ("scale", bench.command, "installed command"),
            ):
                log(f"16 sessions x 1 Hz for {scale_seconds:.0f} s (+ warm-up), {label} ...")
                row = scale(bench, argv, name, label, 16, scale_seconds, scale_warmup)
                if row["exit_nonzero"] or (name != "scale_floor" and row["empty_output"]):
                    problems.append(f"{name}: failed or empty calls")
                scale_result.append(row)
            if server is not None:
                log(f"16 sessions x 1 Hz for {scale_seconds:.0f} s on Redis ...")
                row = scale(bench, bench.command, "scale_redis",
                            "installed command, shared store on Redis (loopback)", 16,
                            scale_seconds, scale_warmup, store_url=server.url(3))
                if row["exit_nonzero"] or row["empty_output"]:
                    problems.append("scale_redis: failed or empty calls")
                scale_result.append(row)
            floor_cpu_s = scale_result[0]["cpu_s"]
            assert isinstance(floor_cpu_s, float)
            for row in scale_result:
                cpu_s = row["cpu_s"]
                assert isinstance(cpu_s, float)
                row["cpu_ratio_to_floor"] = cpu_s / floor_cpu_s if floor_cpu_s else float("nan")
        if server is not None:
            problems += redis_problems(server, cases)
            server.stop()

        idle_result = []
        if not args.no_idle:
            idle_seconds = args.idle_seconds or 6 * args.idle_interval
            for sessions in IDLE_SESSIONS:
                log(f"{sessions} idle sessions, a tick every {args.idle_interval:g} s, for "
                    f"{idle_seconds:.0f} s (+ one interval of warm-up) ...")
                row = scale(bench, bench.command, f"idle_{sessions}",
                            f"{sessions} idle sessions, refreshInterval "
                            f"{args.idle_interval:g} s", sessions, idle_seconds,
                            args.idle_interval, interval_s=args.idle_interval)
                if row["exit_nonzero"] or row["empty_output"]:
                    problems.append(f"idle_{sessions}: failed or empty calls")
                idle_result.append(row)

        rows = summarise(cases, floor)
        targets = verdicts(rows, scale_result, idle_result, args.idle_interval)
        result: dict[str, object] = {
            "when": started,
            "quick": args.quick,
            "runs": runs,
            "warmup": warmup,
            "machine": info,
            "loadavg_at_end": os.getloadavg(),
            "versions": bench.versions,
            "install": bench.install,
            "bundles_after_warmup": bundles_after_warmup,
            "rows": rows,
            "targets": targets,
            "store_bytes": bench.store_sizes,
            "history_growth": {
                "common": rows["common_full"]["wall_ms_median"] / rows["common"]["wall_ms_median"],
                "write": rows["write_full"]["wall_ms_median"] / rows["write"]["wall_ms_median"],
                "inspect_json": rows["inspect_json_full"]["wall_ms_median"]
                / rows["inspect_json"]["wall_ms_median"],
            },
            "hyperfine": hf,
            "instructions": instructions,
            "scale": scale_result,
            "idle": idle_result,
            "problems": problems,
            "command": " ".join(["python3", "bench/run.py", *sys.argv[1:]]),
        }
        text = markdown(result)
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, "results.md"), "w") as handle:
            handle.write(text)
        with open(os.path.join(out_dir, "results.json"), "w") as handle:
            json.dump(result, handle, indent=2)
        print(text)
        for problem in problems:
            print(f"PROBLEM: {problem}")
        print(f"(written to {os.path.relpath(out_dir, previous_cwd)}/results.md and "
              "results.json)")
        if problems:
            sys.exit(1)
    finally:
        os.chdir(previous_cwd)
        if args.keep:
            log(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def bundle_state(bench: Bench) -> dict[str, int | None]:
    """Each bundle's modification time (ns), None when there is none."""
    state: dict[str, int | None] = {}
    for entry in ("call", "hook"):
        path = os.path.join(bench.site, "statusline", "__pycache__",
                            f"{entry}.{bench.cache_tag}.bundle")
        try:
            state[entry] = os.stat(path).st_mtime_ns
        except OSError:
            state[entry] = None
    return state


def count_instructions(bench: Bench, cases: list[Case]) -> dict[str, object]:
    """One callgrind run of each case (after the timed rounds: bundles and caches warm),
    with the deadlines' clock slowed (``callgrind.SlowClock``), whose own cost, counted on
    the floor, is taken off every figure; each run checked like a timed one."""
    valgrind = callgrind.find()
    if valgrind is None:
        return {"available": False, "why": "valgrind is not on PATH"}
    log(f"counting instructions of {len(cases)} cases under callgrind ...")
    floor = cases[0]
    plain, _ = callgrind.count(valgrind, floor.argv, floor.env, floor.stdin)
    counts: dict[str, int | None] = {}
    problems = []
    with callgrind.SlowClock(bench.site, bench.python):
        for case in cases:

            def before(case: Case = case) -> None:
                if case.restore is not None:
                    shutil.copyfile(*case.restore)
                if case.before is not None:
                    case.before()

            counts[case.key], output = callgrind.count(valgrind, case.argv, case.env,
                                                       case.stdin, before)
            if counts[case.key] is None:
                problems.append(f"{case.key}: no count")
            elif case.key.startswith(("common", "write")) and (
                    not output.strip() or output.startswith(b"statusline:")):
                problems.append(f"{case.key}: printed {output[:120]!r} under callgrind")
            if case.restore is not None:
                with open(case.restore[0], "rb") as base, open(case.restore[1], "rb") as now:
                    if base.read() == now.read():
                        problems.append(f"{case.key}: did not write under callgrind")
    shimmed = counts.get("floor")
    overhead = shimmed - plain if shimmed is not None and plain is not None else None
    if overhead is not None:
        counts = {k: (v - overhead if v is not None else None) for k, v in counts.items()}
    version = subprocess.run([valgrind, "--version"], capture_output=True, text=True,
                             check=False).stdout.strip()
    base = counts.get("floor")
    return {"available": True, "version": version, "counts": counts,
            "slow_clock_overhead": overhead, "problems": problems,
            "ratios": {k: (v / base if v and base else None) for k, v in counts.items()}}


def verdicts(rows: dict[str, dict[str, float]], scale_rows: list[dict[str, object]],
             idle_rows: list[dict[str, object]], idle_interval: float) -> dict[str, object]:
    """Every target of issue 19 (and inspect's): its limit, the figure, met or not."""
    targets: dict[str, object] = {
        key: {"max": limit, "value": rows[key]["ratio_wall"],
              "met": rows[key]["ratio_wall"] <= limit, "unit": "× floor (wall medians)"}
        for key, limit in TARGETS.items() if key in rows
    }
    for row in scale_rows:
        if row["key"] == "scale":
            ratio = row["cpu_ratio_to_floor"]
            assert isinstance(ratio, float)
            targets["scale"] = {"max": SCALE_TARGET_RATIO, "value": ratio,
                                "met": ratio <= SCALE_TARGET_RATIO,
                                "unit": "× the bare interpreter's CPU on the same schedule"}
    for row in idle_rows:
        if row["sessions"] == IDLE_TARGET_SESSIONS and idle_interval == IDLE_INTERVAL_S:
            pct = row["cpu_pct_of_one_core"]
            assert isinstance(pct, float)
            targets["idle"] = {"max": IDLE_TARGET_PCT, "value": pct,
                               "met": pct <= IDLE_TARGET_PCT, "unit": "% of one core"}
    return targets


def redis_rows(bench: Bench, server: redis_cases.Server) -> list[Case]:
    """The common call and the call that writes on the shared store (databases 1 and 2)."""
    rows = []
    for key, label, db, base in (
        ("common_redis", "common call, shared store on Redis (loopback)", 1, "empty"),
        ("write_redis", "call that writes, shared store on Redis (loopback)", 2, "empty-stale"),
    ):
        with open(os.path.join(bench.work, f"base-{base}.json"), "rb") as handle:
            document = handle.read()
        server.put(db, document)
        directory, _, _ = bench.state_dir(key, None)
        env = bench.env(directory)
        env["STATUSLINE_STORE_URL"] = server.url(db)
        before = (lambda db=db, document=document: server.put(db, document)) if (
            base.endswith("-stale")) else None
        rows.append(Case(key, label, bench.command, env, bench.payload, None,
                         headline=True, before=before))
    return rows


def redis_problems(server: redis_cases.Server, cases: list[Case]) -> list[str]:
    """The Redis rows did what they claim: the common call left the document as it was put,
    the call that writes changed it, and neither kept anything for later (an outbox)."""
    problems = []
    with open(os.path.join(os.path.dirname(server.directory), "base-empty.json"), "rb") as f:
        if server.get(1) != f.read():
            problems.append("common_redis: the shared document was rewritten")
    with open(os.path.join(os.path.dirname(server.directory), "base-empty-stale.json"),
              "rb") as f:
        if server.get(2) == f.read():
            problems.append("write_redis: the shared document was not written")
    for case in cases:
        if case.key.endswith("_redis"):
            outbox = os.path.join(case.env["STATUSLINE_STATE_DIR"], "store.json.outbox")
            if os.path.exists(outbox):
                problems.append(f"{case.key}: readings were kept (Redis not reached in time)")
    return problems


def check_cases(cases: list[Case], before: dict[str, os.stat_result],
                after: dict[str, os.stat_result]) -> list[str]:
    """Each case did what it claims: exit 0, a real line (the hook: nothing to say), and
    the common call and the hook call never wrote their store."""
    problems = []
    for case in cases:
        if case.exit_codes != {0}:
            problems.append(f"{case.key}: exit codes {sorted(case.exit_codes)}")
        if case.key.startswith(("common", "write")):
            line = case.last_output.decode("utf-8", "replace")
            if not line.strip() or line.startswith("statusline:"):
                problems.append(f"{case.key}: printed {line!r}")
        if case.key == "hook" and case.last_output.strip():
            problems.append(f"hook: announced {case.last_output[:200]!r} (meant: nothing new)")
        if case.restore is not None:
            with open(case.restore[0], "rb") as base, open(case.restore[1], "rb") as now:
                if base.read() == now.read():
                    problems.append(f"{case.key}: the store was not written")
        if case.key.startswith("inspect_json"):
            try:
                json.loads(case.last_output)
            except ValueError:
                problems.append("inspect_json: output is not JSON")
    for key, was in before.items():
        seen = after[key]
        if (was.st_ino, was.st_mtime_ns) != (seen.st_ino, seen.st_mtime_ns):
            problems.append(f"{key}: the store was rewritten (the call was meant to write "
                            "nothing)")
    return problems


if __name__ == "__main__":
    main()
