"""Which store, which account, which config: the environment turned into one answer.

Every caller that reads or writes the pool asks here, so they can never drift apart: the
status-line call, the hook call, ``render``/``explain``, ``inspect`` and ``doctor``. The
sequence is always the same: the state directory, its log, the user's config, the account
the client is signed in to (``claude.client_config``), the store named by profile and
account, and the backend holding it (the shared store the environment or the config names,
else this machine's file). The account's facts are handed to the store; the store never
goes looking for them.
"""

from __future__ import annotations

from statusline import config as config_module
from statusline import files, paths
from statusline.claude import client_config
from statusline.claude.client_config import ClientFacts
from statusline.log import Log
from statusline.store import backend as store_backend

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from statusline.history import State
    from statusline.store.backend import Backend


class Account:
    """Where a call's pool lives and how the user configured it."""

    __slots__ = ("backend", "config", "directory", "facts", "log", "name", "path", "usable_dir")

    def __init__(self, directory: str | None, usable_dir: bool, log: Log,
                 config: config_module.Config, facts: ClientFacts, name: str | None = None,
                 path: str | None = None, backend: Backend | None = None) -> None:
        # The state directory (None when no home can be found).
        self.directory = directory
        # True when the directory exists, is ours and private: only then is the store read.
        self.usable_dir = usable_dir
        self.log = log
        self.config = config
        # The account in use and the client's usage cache (an unknown account when None).
        self.facts = facts
        # The store's name (paths.store_name): one per profile and account, in any backend.
        self.name = name
        # The local store file (this machine's copy when the store is shared).
        self.path = path
        self.backend = backend


def open_account(env: Mapping[str, str], *,
                 known_segments: tuple[str, ...] | None = None,
                 replay: Callable[[State, dict[str, object]], bool] | None = None,
                 config: config_module.Config | None = None,
                 logging: bool = True) -> Account:
    """The pool of the Claude Code profile and account that ``env`` describes.

    Never raises. The only thing it may write is the small cache of facts read from the
    client's config file (in a state directory that is already ours). ``known_segments``
    lets the config's segment names be checked; ``replay`` applies what a shared store out
    of reach kept (without it a shared store only reads); ``config`` is used as given
    instead of reading the file; ``logging`` off keeps a command for people out of the log.
    """
    directory = paths.state_dir(env)
    usable = directory is not None and files.private_dir(directory, create=False)
    log_path = paths.log_file(directory) if usable and directory and logging else None
    log = Log(log_path, env.get("STATUSLINE_LOG") if logging else "off")
    if config is None:
        config = load_config(env, log, known_segments)
    profile = paths.profile_name(env)
    # Each account keeps its own store: after a /login to another account the line must
    # never go on showing the first one's windows, and switching back finds them again.
    facts = client_config.read_facts(env, directory if usable else None, profile)
    if directory is None:
        return Account(None, False, log, config, facts)
    name = paths.store_name(profile, facts.account)
    path = paths.store_file(directory, name)
    backend = store_backend.open_backend(path, store_url(env, config), replay, name)
    return Account(directory, usable, log, config, facts, name, path, backend)


def store_url(env: Mapping[str, str], config: config_module.Config | None) -> str | None:
    """The shared store's URL: ``STATUSLINE_STORE_URL``, else the config's ``store_url``."""
    url = env.get("STATUSLINE_STORE_URL", "").strip()
    if url:
        return url
    return (config.store_url or None) if config is not None else None


def load_config(env: Mapping[str, str], log: Log,
                known_segments: tuple[str, ...] | None = None) -> config_module.Config:
    """The user's config, or the defaults (one ``stat`` when there is no file); warnings
    go to the log."""
    path = paths.config_file(env)
    if not config_module.exists(path):
        return config_module.Config()
    cfg, warnings = config_module.load(path, known_segments)
    for warning in warnings:
        log.warning(f"config: {warning}")
    return cfg
