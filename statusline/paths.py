"""Where everything lives: the store, its lock, the log, the config, Claude Code's settings.

Every location honours the overrides documented in the README (``STATUSLINE_STATE_DIR``,
``STATUSLINE_CONFIG``, ``CLAUDE_CONFIG_DIR``). On Linux and macOS the per-user directories
are worked out here with platformdirs' own rules, because importing platformdirs costs more
than the rest of a status-line call; a test holds the two to the same answers, and any
other platform asks platformdirs itself.
"""

from __future__ import annotations

import os
import sys

APP = "statusline"

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


def _home(env: Mapping[str, str]) -> str | None:
    """HOME when absolute, else the passwd entry's home (platformdirs' rule), else None."""
    home = env.get("HOME", "")
    if not os.path.isabs(home):
        try:
            import pwd

            home = pwd.getpwuid(os.getuid()).pw_dir
        except (ImportError, KeyError):
            return None
    return (home.rstrip("/") or "/") if os.path.isabs(home) else None


def user_home(env: Mapping[str, str]) -> str | None:
    """The user's home directory as platformdirs would find it, or None."""
    return _home(env)


def _xdg(env: Mapping[str, str], variable: str, fallback: str) -> str | None:
    value = env.get(variable, "")
    # The XDG spec says a relative path is invalid and must be ignored: honouring it would
    # put our files in whatever directory Claude Code happens to run us from.
    if os.path.isabs(value):
        return value
    home = _home(env)
    return None if home is None else os.path.join(home, fallback)


def state_dir(env: Mapping[str, str]) -> str | None:
    """The per-user state directory (the store's home), or None when none can be found."""
    override = env.get("STATUSLINE_STATE_DIR")
    if override:
        return os.path.abspath(override)
    if sys.platform.startswith("linux"):
        base = _xdg(env, "XDG_STATE_HOME", ".local/state")
        return None if base is None else os.path.join(base, APP)
    if sys.platform == "darwin":
        home = _home(env)
        return None if home is None else os.path.join(home, "Library/Application Support", APP)
    import platformdirs  # other platforms: let the library decide

    return str(platformdirs.user_state_dir(APP, appauthor=False))


def config_file(env: Mapping[str, str]) -> str | None:
    """The optional TOML config file (it may not exist)."""
    override = env.get("STATUSLINE_CONFIG")
    if override:
        return os.path.abspath(override)
    if sys.platform.startswith("linux"):
        base = _xdg(env, "XDG_CONFIG_HOME", ".config")
        return None if base is None else os.path.join(base, APP, "config.toml")
    if sys.platform == "darwin":
        home = _home(env)
        if home is None:
            return None
        return os.path.join(home, "Library/Application Support", APP, "config.toml")
    import platformdirs

    return os.path.join(platformdirs.user_config_dir(APP, appauthor=False), "config.toml")


def claude_config_dir(env: Mapping[str, str]) -> str | None:
    """Claude Code's configuration directory: ``CLAUDE_CONFIG_DIR`` or ``~/.claude``."""
    override = env.get("CLAUDE_CONFIG_DIR")
    if override:
        return os.path.abspath(os.path.expanduser(override))
    home = _home(env)
    return None if home is None else os.path.join(home, ".claude")


def profile_name(env: Mapping[str, str]) -> str:
    """A short name for the Claude Code profile: ``default`` or ``<dir>-<hash>``.

    Two ``CLAUDE_CONFIG_DIR``s are two accounts, so they get two stores.
    """
    configured = env.get("CLAUDE_CONFIG_DIR")
    if not configured:
        return "default"
    resolved = os.path.realpath(os.path.expanduser(configured))
    home = _home(env)
    if home is not None and resolved == os.path.realpath(os.path.join(home, ".claude")):
        return "default"
    slug = "".join(c if c.isalnum() else "-" for c in os.path.basename(resolved))[:24] or "root"
    import zlib  # only for a non-default profile: not every status-line call pays for it

    return f"{slug}-{zlib.crc32(resolved.encode('utf-8', 'surrogateescape')):08x}"


def store_name(profile: str, account: str | None) -> str:
    """The name of the store of one profile and account: ``default``, ``work-1a2b3c4d``,
    ``default.<account uuid>``; the same name keys the store in every backend.

    ``account`` is a validated account UUID (``claude.client_config.valid_account``), or
    None when the client names no account (API keys, a bare ``CLAUDE_CODE_OAUTH_TOKEN``):
    then the profile's own store is used, and the merge rules tell accounts apart.
    """
    return profile if account is None else f"{profile}.{account}"


def store_file(directory: str, name: str) -> str:
    """The store called ``name`` (see ``store_name``) inside the state directory."""
    file_name = "store.json" if name == "default" else f"store-{name}.json"
    return os.path.join(directory, file_name)


def client_facts_file(directory: str, profile: str) -> str:
    """Where the facts read from the client's config file are kept between calls."""
    return os.path.join(directory, f"client-{profile}.json")


def lock_file(store: str) -> str:
    """The sidecar lock of a store (never the store itself; never deleted)."""
    return store + ".lock"


def host_name(env: Mapping[str, str]) -> str:
    """This machine's name, kept with its sessions: ``STATUSLINE_HOST``, else the node name.

    Several machines can share one store (a Redis backend); the line names the machine a
    reading came from, and ``inspect`` lists each session's.
    """
    name = env.get("STATUSLINE_HOST", "").strip()
    if not name:
        uname = getattr(os, "uname", None)  # missing on Windows
        name = uname().nodename if uname is not None else env.get("COMPUTERNAME", "")
    return name[:64] or "unknown"


def log_file(directory: str) -> str:
    """The diagnostic log, beside the store."""
    return os.path.join(directory, "statusline.log")
