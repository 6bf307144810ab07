"""The store seam: one ``read`` and one ``update(change)`` whatever holds the document.

Every backend applies the same pure merge (``history.record`` via the caller's ``change``)
to a freshly read state under its own kind of mutual exclusion, so the merge rules live in
one place. The file store (``local``) is the default; the Redis backend (``redis_store``) is
chosen by a ``redis://`` or ``rediss://`` URL (which one a call uses is ``account``'s
question) and imported only when one is configured.
"""

from __future__ import annotations

from statusline.store import local

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Protocol

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
