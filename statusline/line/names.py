"""Names for sessions that a person can tell apart (pure): the line's ``via …`` and ``inspect``.

A session is called by what its terminal shows: its name (``/rename``), else its project's
folder. Sessions that would share a name are numbered in the order they started
(``api-server #1``, ``api-server #2``), over every session the store knows, so the line and
``inspect`` give one session the same name. A session with neither gets its id's first 8
characters. Every name is cleaned of control and escape sequences.
"""

from __future__ import annotations

from statusline.sanitize import clean

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from statusline.history import Session

MAX_NAME = 20


def base_name(session: Session) -> str:
    """The session's own name, its project's folder, or its id's first 8 characters."""
    for text in (session.session_name, _basename(session.project_dir)):
        cleaned = clean(text, MAX_NAME) if text else ""
        if cleaned.strip():
            return cleaned
    return clean(session.session_id[:8], 8)


def session_names(sessions: Iterable[Session]) -> dict[str, str]:
    """Each session's name by its key, numbered where two or more share one."""
    groups: dict[str, list[Session]] = {}
    for session in sessions:
        groups.setdefault(base_name(session), []).append(session)
    names = {}
    for base, members in groups.items():
        if len(members) == 1:
            names[members[0].session_id] = base
            continue
        members.sort(key=lambda s: (s.first_seen, s.session_id))
        for number, session in enumerate(members, start=1):
            names[session.session_id] = f"{base} #{number}"
    return names


def _basename(path: str | None) -> str | None:
    if not path:
        return None
    return path.rstrip("/").rsplit("/", 1)[-1] or None
