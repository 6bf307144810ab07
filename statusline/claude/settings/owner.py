"""Edit another user's settings as that user: ``sudo statusline install`` keeps files theirs.

``sudo`` that keeps ``HOME`` runs us as root on someone else's ``~/.claude``. Everything an
install creates or replaces there (settings.json, its directory, the backup and the install
record in their state directory) must stay theirs, or Claude Code, running as them, can no
longer read its own settings. Rather than chown each file after the fact, the edit runs with
the owner's effective user and groups: what we create is theirs from the start, their
permissions are the ones checked, and what they could not do themselves is refused.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


def owner_of(path: str) -> tuple[int, int] | None:
    """``(uid, gid)`` of ``path``, or of its nearest existing ancestor when it does not exist."""
    current = os.path.abspath(path)
    while True:
        try:
            info = os.stat(current)
        except FileNotFoundError:
            parent = os.path.dirname(current)
            if parent == current:
                return None
            current = parent
            continue
        except OSError:
            return None
        return info.st_uid, info.st_gid


@contextmanager
def acting_as_owner(path: str) -> Iterator[int | None]:
    """Run the block with the effective ids of ``path``'s owner when we are root and they
    are not (yields their uid); otherwise change nothing (yields None).

    The real uid stays 0, so the ids are put back when the block ends, whatever happened.
    """
    if os.name != "posix" or os.geteuid() != 0:
        yield None
        return
    owner = owner_of(path)
    if owner is None or owner[0] == 0:
        yield None
        return
    uid, gid = owner
    groups = _groups_of(uid, gid)
    _load_lazy_modules()
    saved_groups, saved_egid = os.getgroups(), os.getegid()
    os.setgroups(groups)
    os.setegid(groups[0])
    os.seteuid(uid)
    try:
        yield uid
    finally:
        os.seteuid(0)
        os.setegid(saved_egid)
        os.setgroups(saved_groups)


def _load_lazy_modules() -> None:
    """Import now what an edit imports on demand: once we act as the owner, root's Python
    (say under a 0700 /root) may be unreadable, and a missing module would be the error."""
    import difflib  # noqa: F401 - the diff
    import encodings.idna  # noqa: F401 - unicode paths
    import hashlib  # noqa: F401 - install records
    import shutil  # noqa: F401 - finding the command
    import unicodedata  # noqa: F401 - widths in messages


def _groups_of(uid: int, gid: int) -> list[int]:
    """The owner's primary group first, then their supplementary groups (from the user
    database; a uid without an entry gets just the file's group)."""
    import pwd

    try:
        entry = pwd.getpwuid(uid)
    except KeyError:
        return [gid]
    groups = [entry.pw_gid]
    groups += [g for g in os.getgrouplist(entry.pw_name, entry.pw_gid) if g != entry.pw_gid]
    return groups
