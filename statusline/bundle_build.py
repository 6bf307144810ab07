"""Writing a bundle (``statusline.bundle``): the sources compiled, the extension modules
recorded, the start-up order kept.

Only a call whose bundle is missing or out of date comes here, after it has answered, and
install.sh once (``prepare``); the calls served from a bundle never import this module.
"""

from __future__ import annotations

import marshal
import os
import sys

from statusline.bundle import (
    EXTENSIONS_DIR,
    FORMAT,
    PACKAGE,
    PACKAGE_DIR,
    Entry,
    bundled,
    path,
    read,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable


def refresh(entry: str, loaded: Iterable[str], package_dir: str = PACKAGE_DIR,
            startup: tuple[str, ...] = ()) -> bool:
    """Write ``entry``'s bundle anew: the modules of ours in ``loaded`` and those the old
    bundle held, compiled from their sources now, and the interpreter's extension modules
    among them (or held before) by path; True when written. ``startup`` (the order an import
    of the entry finished its modules) replaces the old one when given; modules outside it
    are kept as marshalled bytes.

    Does nothing (False) where the package is not ours to write (a system install): the
    normal import then serves every call, as it would without a bundle.
    """
    cache = os.path.join(package_dir, "__pycache__")
    if not os.access(package_dir, os.W_OK) or (os.path.isdir(cache)
                                               and not os.access(cache, os.W_OK)):
        return False
    old_table, old_startup = read(path(entry, package_dir)) or ({}, ())
    loaded = list(loaded)
    names = {n for n in old_table if old_table[n][4] is not None}
    names |= {n for n in loaded if bundled(n)}
    table: dict[str, Entry] = {}
    for name in sorted(names):
        found = _entry(name, package_dir)
        if found is not None:
            table[name] = found
    extensions = {n: old_table[n][1] for n in old_table if old_table[n][4] is None}
    extensions.update(_interpreter_extensions(loaded))
    for name, origin in extensions.items():
        try:
            info = os.stat(origin)
        except OSError:
            continue
        table[name] = (False, origin, info.st_size, info.st_mtime_ns, None)
    order = tuple(n for n in (startup or old_startup) if n in table)
    first = set(order)
    for name, (is_package, origin, size, mtime_ns, code) in table.items():
        if name not in first and code is not None:
            table[name] = (is_package, origin, size, mtime_ns, marshal.dumps(code))
    data = marshal.dumps((FORMAT, sys.implementation.cache_tag, table, order))
    try:
        os.makedirs(cache, exist_ok=True)
        from statusline.files import write_atomic  # only when a bundle is written

        write_atomic(path(entry, package_dir), data, 0o644)
    except OSError:
        return False
    return True


def prepare(entry: str) -> bool:
    """Write ``entry``'s bundle from what importing it loads (install time: the first call
    then starts served; modules a call loads later, such as the lock, join at its end,
    and the start-up order is learnt by the first call served from the bundle)."""
    __import__(f"{PACKAGE}.{entry}")
    # What a call that saves loads besides: the lock (a first save would otherwise rewrite
    # the bundle right after install).
    __import__(f"{PACKAGE}.store.lock")
    __import__(f"{PACKAGE}.jsonwrite")
    return refresh(entry, list(sys.modules))


def _entry(name: str, package_dir: str) -> Entry | None:
    """The bundle entry of module ``name``, compiled from its source; None when it has none."""
    relative = name.split(".")[1:]
    base = os.path.join(package_dir, *relative)
    for source, is_package in ((base + ".py", False), (os.path.join(base, "__init__.py"), True)):
        try:
            with open(source, "rb") as handle:
                info = os.fstat(handle.fileno())
                text = handle.read()
            text, flags = _future_as_flag(text)
            code = compile(text, source, "exec", flags=flags, dont_inherit=True, optimize=2)
        except (OSError, SyntaxError, ValueError):
            continue
        return (is_package, source, info.st_size, info.st_mtime_ns, code)
    return None


FUTURE_ANNOTATIONS = b"from __future__ import annotations\n"


def _future_as_flag(text: bytes) -> tuple[bytes, int]:
    """``text`` without its ``from __future__ import annotations`` line, and the compiler
    flag that has the same effect: the statement would import the ``__future__`` module at
    run time (a search of the standard library's directory, ~0.1 ms of the call), the flag
    costs nothing. The line is left blank, so line numbers stay what the source says."""
    if not text.startswith(FUTURE_ANNOTATIONS) and b"\n" + FUTURE_ANNOTATIONS not in text:
        return text, 0
    import __future__  # only when a bundle is written

    at = 0 if text.startswith(FUTURE_ANNOTATIONS) else text.index(b"\n" + FUTURE_ANNOTATIONS) + 1
    blanked = text[:at] + b"\n" + text[at + len(FUTURE_ANNOTATIONS):]
    return blanked, __future__.annotations.compiler_flag


def _interpreter_extensions(loaded: Iterable[str]) -> dict[str, str]:
    """The interpreter's own extension modules among ``loaded``, by name: their paths."""
    found = {}
    for name in loaded:
        module = sys.modules.get(name)
        spec = getattr(module, "__spec__", None)
        origin = getattr(spec, "origin", None)
        if (type(getattr(spec, "loader", None)).__name__ == "ExtensionFileLoader"
                and isinstance(origin, str)
                and os.path.basename(os.path.dirname(origin)) == EXTENSIONS_DIR):
            found[name] = origin
    return found
