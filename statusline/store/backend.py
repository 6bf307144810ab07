"""The store seam: one ``read`` and one ``update(change)`` whatever holds the document.

Every backend applies the same pure merge (``history.record`` via the caller's ``change``)
to a freshly read state under its own kind of mutual exclusion, so the merge rules live in
one place. The file store (``local``) is the default; another backend is chosen by a URL
and imported only when one is configured.
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

        def read(self) -> local.ReadResult:
            """The document as it stands; never raises, never waits past the budget."""

        def update(self, change: Callable[[State], bool]) -> State | None:
            """Apply ``change`` to a fresh read atomically; the new state, or None (not saved)."""


class FileBackend:
    """The embedded default: one JSON file per profile and account in the state directory."""

    __slots__ = ("path",)

    kind = "file"

    def __init__(self, path: str) -> None:
        self.path = path

    @property
    def location(self) -> str:
        return self.path

    def read(self) -> local.ReadResult:
        return local.read(self.path)

    def update(self, change: Callable[[State], bool]) -> State | None:
        return local.update(self.path, change)


def open_backend(store_path: str) -> Backend:
    """The backend for the store whose local file is ``store_path``."""
    return FileBackend(store_path)
