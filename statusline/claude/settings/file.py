"""Reading and writing one settings.json safely: the file stays the user's.

``read`` refuses what a rewrite would lose (comments, duplicate keys, non-UTF-8); ``apply``
backs the file up in the state directory and writes it so that it stays the user's: same
owner, group and mode, hard links kept, a read-only file refused.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import time

from statusline import files
from statusline.claude.settings.json_edit import BOM, STRING
from statusline.errors import StatuslineError

BACKUP_DIR = "backups"

TYPE_CHECKING = False
if TYPE_CHECKING:
    from statusline.claude.settings.plan import Plan


class Settings:
    """One settings.json as read: where it is, its exact text, and its parsed document."""

    __slots__ = ("document", "exists", "path", "text")

    def __init__(self, path: str, text: str | None, document: dict[str, object]) -> None:
        self.path = path
        self.exists = text is not None
        # The file's exact text (None when there is no file): what a byte-exact restore needs.
        self.text = text
        self.document = document


class JsoncError(StatuslineError):
    """The settings file has comments or trailing commas: it must not be rewritten."""


def read(path: str) -> Settings:
    """Read and parse the settings file at ``path`` (a missing file is an empty document).

    Raises ``StatuslineError`` for a file that is not a JSON object, has comments or trailing
    commas, or repeats a key: rewriting any of those would lose something.
    """
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return Settings(path, None, {})
    except IsADirectoryError as error:
        raise StatuslineError(f"{path} is a directory, not a settings file") from error
    except OSError as error:
        raise StatuslineError(f"cannot read {path}: {error.strerror or error}") from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise StatuslineError(
            f"{path} is not UTF-8 text", "Claude Code's settings.json must be UTF-8 JSON"
        ) from error
    return Settings(path, text, parse(text, path))


def parse(text: str, path: str = "settings.json") -> dict[str, object]:
    """Parse settings text into a dict, keeping key order; explain anything we cannot keep."""
    body = text[1:] if text.startswith(BOM) else text
    if not body.strip():
        return {}
    try:
        document = json.loads(body, object_pairs_hook=_no_duplicates)
    except _DuplicateKeyError as error:
        raise StatuslineError(
            f"{path} repeats the key {error.key!r}; rewriting it would drop one of them",
            "remove the duplicate by hand, then run the command again",
        ) from error
    except json.JSONDecodeError as error:
        if looks_like_jsonc(body):
            raise JsoncError(
                f"{path} has comments or trailing commas (JSONC); statusline will not rewrite it, "
                "because that would lose them",
                "edit its statusLine member by hand, or remove the comments and trailing "
                "commas and run the command again",
            ) from error
        raise StatuslineError(
            f"{path} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})",
            "fix the file by hand (Claude Code cannot read it either), then run the command again",
        ) from error
    if not isinstance(document, dict):
        raise StatuslineError(
            f"{path} holds a JSON {type(document).__name__}, not an object",
            "Claude Code's settings.json must be a JSON object: { ... }",
        )
    return document


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


def looks_like_jsonc(text: str) -> bool:
    """True when ``text`` has ``//`` or ``/* */`` comments or trailing commas outside strings."""
    outside = re.sub(STRING, '""', text)
    return bool(re.search(r"//|/\*", outside) or re.search(r",\s*[}\]]", outside))


def digest(text: str) -> str:
    """The SHA-256 of ``text`` (how an install record recognises the text it wrote)."""
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def apply(plan: Plan, state_dir: str | None, now: float | None = None) -> str | None:
    """Carry out ``plan``: back the file up and write it (see ``write``: the file stays the
    user's).

    Returns the backup's path (None when there was nothing to back up). A settings file that
    is a symlink (dotfile managers) is written through to its target. When the file changed
    since it was read (Claude Code writes it too), or it is read-only, nothing is written.
    """
    if not plan.changes:
        return None
    target = os.path.realpath(plan.path)
    if _current_text(target) != plan.old_text:
        raise StatuslineError(
            f"{plan.path} changed while statusline was editing it; nothing was written",
            "run the command again",
        )
    refuse_read_only(target)
    backup = _backup(target, plan.old_text, state_dir, now) if plan.old_text is not None else None
    if plan.action == "remove":
        os.unlink(target)
    else:
        assert plan.new_text is not None
        write(target, plan.new_text)
    return backup


def _current_text(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "surrogateescape")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StatuslineError(f"cannot read {path}: {error.strerror or error}") from error


def refuse_read_only(path: str) -> None:
    """Raise ``StatuslineError`` when the settings file at ``path`` is read-only: someone made
    it so on purpose (a managed or shared setup), and root could write it anyway."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    writable = stat.S_IMODE(info.st_mode) & 0o222 and (
        os.access(path, os.W_OK, effective_ids=True)
        if os.access in os.supports_effective_ids else os.access(path, os.W_OK)
    )
    if not writable:
        raise StatuslineError(
            f"{path} is read-only (mode {stat.S_IMODE(info.st_mode):04o}); statusline will not "
            "override that, so nothing was changed",
            f"make it writable (chmod u+w {path}) and run the command again, or add the "
            "statusLine member by hand",
        )


def write(path: str, text: str) -> None:
    """Write ``text`` to the settings file at ``path`` so that it stays the user's.

    An existing file is replaced atomically (a fsynced temp file, ``os.replace``) with its
    owner, group and mode; it is rewritten in place instead when replacing would lose
    something: a hard link (the other names would keep the old text), a file whose owner or
    group we cannot give to a new file, or a bind-mounted file that cannot be renamed over.
    A new file is 0600 and its missing directories 0700.
    """
    data = text.encode("utf-8")
    try:
        try:
            info: os.stat_result | None = os.stat(path)
        except FileNotFoundError:
            info = None
        if info is None:
            _make_dirs(os.path.dirname(path))
            _replace(path, data, None)
        elif info.st_nlink > 1 or not _replace(path, data, info):
            _write_in_place(path, data)
    except OSError as error:
        raise StatuslineError(
            f"cannot write {path}: {error.strerror or error}",
            "check the file's and its directory's permissions (nothing was changed)",
        ) from error


def _make_dirs(directory: str) -> None:
    if directory and not os.path.isdir(directory):
        _make_dirs(os.path.dirname(directory))
        os.mkdir(directory, 0o700)


def _replace(path: str, data: bytes, info: os.stat_result | None) -> bool:
    """Atomically replace ``path`` with ``data`` keeping ``info``'s owner, group and mode.
    False (and nothing changed) when that cannot keep them; other errors raise."""
    directory, name = os.path.split(path)
    temp = os.path.join(directory, f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(temp, flags, 0o600)
    except PermissionError:
        if info is None:
            raise
        return False  # a directory we may not write in, holding a file we may: edit in place
    try:
        try:
            if info is not None:
                try:
                    os.fchown(fd, info.st_uid, info.st_gid)
                except PermissionError:
                    return False
            os.fchmod(fd, stat.S_IMODE(info.st_mode) if info is not None else 0o600)
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.replace(temp, path)
        except OSError as error:
            if info is not None and error.errno in (errno.EBUSY, errno.EXDEV):
                return False  # a bind-mounted file (containers): rename cannot replace it
            raise
        temp = ""
    finally:
        if temp:
            try:
                os.unlink(temp)
            except OSError:
                pass
    files.fsync_dir(directory)
    return True


def _write_in_place(path: str, data: bytes) -> None:
    """Overwrite the file itself (same inode: links, owner, mode, ACLs all stay). Not atomic,
    which is why the backup is written first."""
    fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        _write_all(fd, data)
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _backup(path: str, text: str, state_dir: str | None, now: float | None) -> str | None:
    if state_dir is None:
        return None
    directory = os.path.join(state_dir, BACKUP_DIR)
    usable = files.private_dir(state_dir, create=True) and files.private_dir(directory, create=True)
    if not usable:
        raise StatuslineError(
            f"cannot create the backup directory {directory}",
            "check that the state directory is yours and writable (nothing was changed)",
        )
    stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime(time.time() if now is None else now))
    name = f"{os.path.basename(path)}.{digest(path)[:8]}.{stamp}"
    backup = os.path.join(directory, name)
    suffix = 1
    while os.path.exists(backup):
        suffix += 1
        backup = os.path.join(directory, f"{name}-{suffix}")
    files.write_atomic(backup, text)
    return backup

