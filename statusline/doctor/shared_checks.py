"""Doctor checks of sharing: the store on Redis, and dev containers on one host.

Every message names the server by its redacted URL (``resp.Url.redacted``): a password
never reaches the terminal, ``--json`` or a bug report pasted from either.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping

from statusline import config as config_module
from statusline import paths
from statusline.account import store_url
from statusline.doctor.base import FAIL, OK, WARN, Check
from statusline.store import outbox

PROBE_BUDGET_S = 2.0
# Files container runtimes leave at the root (Docker, Podman): a dev container.
CONTAINER_MARKERS = ("/.dockerenv", "/run/.containerenv")
_FIXES = {
    "unreachable": "start the server, or check the host and port in the URL (and any firewall); "
                   "meanwhile the line uses this machine's copy and keeps its readings",
    "timeout": "the server or the network is too slow for the status line (it allows "
               "{budget} ms for all its Redis work); use a nearer server",
    "auth": "check the password in store_url / STATUSLINE_STORE_URL "
            "(redis://:PASSWORD@host, or redis://USER:PASSWORD@host for an ACL user)",
    "tls": "check the server's certificate; for a private CA add ?ssl_ca_certs=/path/to/ca.pem",
    "protocol": "the URL points at something that is not Redis: check the port",
    "busy": "many machines saved at once; the readings were kept and go with the next call",
    "server": "see the server's message; the user needs GET, SET, WATCH, MULTI and EXEC on "
              "the statusline:* keys",
}


def checks(env: Mapping[str, str], store_path: str | None,
           name: str | None = None) -> list[Check]:
    """The shared-store checks (nothing when none is configured) and the container hint."""
    from statusline.line.segments import SEGMENTS

    cfg, _ = config_module.load(paths.config_file(env), tuple(SEGMENTS))
    url = store_url(env, cfg)
    found = []
    if url and store_path:
        found += check_shared_store(url, store_path, name)
    hint = check_container(env, url)
    if hint is not None:
        found.append(hint)
    return found


def check_shared_store(url_text: str, store_path: str,
                       store_name: str | None = None) -> list[Check]:
    """Can the call reach the shared store, how fast, is it safe, and is anything waiting."""
    from statusline.store import redis_store
    from statusline.store.resp import Connection, RedisError, parse_url

    name = "shared store"
    try:
        url = parse_url(url_text)
    except ValueError as error:
        return [Check(name, FAIL, f"store_url is not used: {error}",
                      "write it as redis://[:password@]host[:port][/db] or rediss://…")]
    found = []
    where = url.redacted()
    key = redis_store.key_for(store_path, store_name)
    started = time.monotonic()
    try:
        connection = Connection(url, started + PROBE_BUDGET_S, redis_store.CONNECT_TIMEOUT_S * 4)
        try:
            connection.call("PING")
            took = time.monotonic() - started
            ttl = connection.call("TTL", key)
            value = connection.call("GET", key)
        finally:
            connection.close()
    except RedisError as error:
        budget = round(redis_store.CALL_BUDGET_S * 1000)
        found.append(Check(name, FAIL, f"{error} ({error.kind})",
                           _FIXES.get(error.kind, "").format(budget=budget) or None))
    else:
        held = (f"key {key} expires in {int(ttl) // 3600} h" if isinstance(ttl, int) and ttl > 0
                else f"key {key} not written yet")
        detail = f"{where}: connected and answered in {took * 1000:.0f} ms; {held}"
        if took > redis_store.CALL_BUDGET_S / 2:
            found.append(Check(name, WARN, detail + " (slow: calls may fall back to the copy)",
                               _FIXES["timeout"].format(
                                   budget=round(redis_store.CALL_BUDGET_S * 1000))))
        else:
            found.append(Check(name, OK, detail))
        document = _check_document(key, value)
        if document is not None:
            found.append(document)
    found.append(_check_security(url))
    kept = len(outbox.read(store_path)) if outbox.pending(store_path) else 0
    if kept:
        found.append(Check("kept readings", WARN,
                           f"{kept} reading(s) kept on this machine for {where}",
                           "they are sent by the next status-line call that reaches it"))
    return found


def _check_document(key: str, value: object) -> Check | None:
    """What the shared value holds that this version cannot read (None: all of it)."""
    from statusline.doctor.store_checks import dropped_text
    from statusline.store import local

    if not isinstance(value, bytes):
        return None
    result = local.parse(value)
    if result.status == local.CORRUPT:
        return Check("shared value", WARN, f"{key}: {result.detail}",
                     "the next save copies it aside (key …:corrupt:<time>, kept a week) "
                     "and writes a fresh one")
    if result.dropped:
        return Check("shared value", WARN, f"{key}: {dropped_text(result.dropped)}",
                     "the next save copies it aside and rewrites it without them")
    return None


def _check_security(url: object) -> Check:
    from statusline.store.resp import Url

    assert isinstance(url, Url)
    name = "shared store security"
    if url.loopback:
        return Check(name, OK, "the server is on this machine (loopback)")
    problems, fixes = [], []
    if not url.tls:
        problems.append("no TLS: readings and the password cross the network in clear")
        fixes.append("use rediss:// (TLS) or a tunnel (ssh -L, WireGuard)")
    if url.password is None:
        problems.append("no password: anyone who reaches the server can read and change it")
        fixes.append("set requirepass or an ACL user on the server and put it in the URL")
    if problems:
        return Check(name, WARN, "; ".join(problems), "; ".join(fixes))
    return Check(name, OK, "TLS and a password")


def in_container() -> bool:
    """True inside a Docker or Podman container (the runtimes' marker files)."""
    return any(os.path.exists(marker) for marker in CONTAINER_MARKERS)


def check_container(env: Mapping[str, str], url: str | None) -> Check | None:
    """In a dev container, how to share the host's store; None outside containers."""
    if not in_container():
        return None
    name = "dev container"
    state_dir = paths.state_dir(env)
    if url:
        return Check(name, OK, "in a container, sharing through the configured store_url")
    if state_dir is not None and _is_mount(state_dir):
        return Check(name, OK, f"{state_dir} is mounted from outside the container: its "
                     "sessions share the host's store (the lock works across bind mounts)")
    # Not a warning: a container of its own is a fine setup; sharing is the user's choice.
    return Check(
        name, OK,
        f"in a container with its own state directory ({state_dir}): its sessions pool "
        "only with this container's",
        notes=["to pool with the host's sessions, bind-mount the host's state directory "
               "there (same user id), e.g. --mount type=bind,source=$HOME/.local/state/"
               f"statusline,target={state_dir} (README, Sharing across machines)"],
    )


def _is_mount(path: str) -> bool:
    """True when ``path`` or a parent up to the home is a mount point (a bind mount)."""
    current = os.path.abspath(path)
    while current not in ("/", ""):
        if os.path.ismount(current):
            return True
        current = os.path.dirname(current)
    return False
