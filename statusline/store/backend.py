"""The store seam: one ``read`` and one ``update(change)`` whatever holds the document.

Every backend applies the same pure merge (``history.record`` via the caller's ``change``)
to a freshly read state under its own kind of mutual exclusion, so the merge rules live in
one place. The file store (``local``) is the default; the Redis backend (``redis_store``) is
chosen by a ``redis://`` or ``rediss://`` URL (``STATUSLINE_STORE_URL``, else ``store_url``
in the config) and imported only when one is configured.
"""

from __future__ import annotations

from statusline import files, paths
from statusline.claude import client_config
from statusline.claude.client_config import ClientFacts
from statusline.store import local

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Protocol

    from statusline.config import Config
    from statusline.history import State

    class Backend(Protocol):
        """What the hot path and the commands need from a store."""

        @property
        def kind(self) -> str:
            """A short name for people: ``file``, ``redis``."""

        @property
        def location(self) -> str:
            """Where the document lives, printable (never with credentials)."""

        @property
        def problem(self) -> str | None:
            """Why this call could not use the backend as configured (printable), or None."""

        @property
        def wants_write(self) -> bool:
            """True when the backend has something to send even if the call brings nothing."""

        def read(self) -> local.ReadResult:
            """The document as it stands; never raises, never waits past the budget."""

        def update(self, change: Callable[[State], bool],
                   record: dict[str, object] | None = None) -> State | None:
            """Apply ``change`` to a fresh read atomically; the new state, or None (not saved).

            ``record`` describes the change for a backend that may have to keep it and
            apply it later (through the ``replay`` given to ``open_backend``).
            """


class FileBackend:
    """The embedded default: one JSON file per profile and account in the state directory."""

    __slots__ = ("path", "problem")

    kind = "file"
    wants_write = False

    def __init__(self, path: str, problem: str | None = None) -> None:
        self.path = path
        self.problem = problem

    @property
    def location(self) -> str:
        return self.path

    def read(self) -> local.ReadResult:
        return local.read(self.path)

    def update(self, change: Callable[[State], bool],
               record: dict[str, object] | None = None) -> State | None:
        return local.update(self.path, change)


def store_url(env: Mapping[str, str], config: Config | None) -> str | None:
    """The shared store's URL: ``STATUSLINE_STORE_URL``, else the config's ``store_url``."""
    url = env.get("STATUSLINE_STORE_URL", "").strip()
    if url:
        return url
    return (config.store_url or None) if config is not None else None


def open_backend(store_path: str, url: str | None = None,
                 replay: Callable[[State, dict[str, object]], bool] | None = None,
                 name: str | None = None) -> Backend:
    """The backend for the store whose local file is ``store_path``.

    With a ``url``, the Redis backend (its key from the store's ``name``, else from
    ``store_path``'s file name), which keeps ``store_path`` as this machine's copy
    (``replay`` applies the changes it kept while Redis was out of reach: without it, it
    only reads). A URL that does not parse gives the file backend with its ``problem`` set
    (never repeating the URL, which may hold a password).
    """
    if url:
        from statusline.store import redis_store

        try:
            return redis_store.open_redis(store_path, url, replay, name)
        except ValueError as error:
            return FileBackend(store_path, f"store_url not used: {error}")
    return FileBackend(store_path)


class StoreChoice:
    """Which store a call uses, and whether its directory can be read from as it stands."""

    __slots__ = ("backend", "directory", "facts", "name", "path", "usable_dir")

    def __init__(self, directory: str | None, usable_dir: bool, path: str | None,
                 backend: Backend | None, facts: ClientFacts | None = None,
                 name: str | None = None) -> None:
        # The state directory (None when no home can be found).
        self.directory = directory
        # True when the directory exists, is ours and private: only then is the store read.
        self.usable_dir = usable_dir
        # The local store file (also the key of the store for other backends).
        self.path = path
        self.backend = backend
        # The account in use and the client's usage cache (an unknown account when None).
        self.facts = facts if facts is not None else ClientFacts()
        # The store's name (paths.store_name): one per profile and account, in any backend.
        self.name = name


def choose(env: Mapping[str, str], config: Config | None = None,
           replay: Callable[[State, dict[str, object]], bool] | None = None) -> StoreChoice:
    """The store of the Claude Code profile that ``env`` describes.

    The status-line call and the hook call both ask this, so they always read and write
    the same store. Never raises; the only thing it may write is the small cache of facts
    read from the client's config file (``claude.client_config``). With a shared store's URL
    (``STATUSLINE_STORE_URL``, else ``config``'s ``store_url``) the backend is that store,
    keyed by the store's name, with the local file as this machine's copy.
    """
    directory = paths.state_dir(env)
    profile = paths.profile_name(env)
    if directory is None:
        facts = client_config.read_facts(env, None, profile)
        return StoreChoice(None, False, None, None, facts)
    usable = files.private_dir(directory, create=False)
    # Each account keeps its own store: after a /login to another account the line must
    # never go on showing the first one's windows, and switching back finds them again.
    facts = client_config.read_facts(env, directory if usable else None, profile)
    name = paths.store_name(profile, facts.account)
    path = paths.store_file(directory, name)
    backend = open_backend(path, store_url(env, config), replay, name)
    return StoreChoice(directory, usable, path, backend, facts, name)
