"""The call's modules in one file: the layout's rooms without a door to open for each.

A status-line call loads some fifty of the package's modules. Through the import system each
one costs a lookup in its directory, a ``stat`` of its source, an open, read and unmarshal
of its ``.pyc`` and the path loader's bookkeeping: together about a fifth of a call
(docs/performance.md). The bundle is one file per entry (the status-line call, the hook
call) holding the compiled code of exactly the modules that entry loaded on this machine,
each with its source's size and modification time. The start-up modules (what importing the
entry runs) are unmarshalled in one go; the others (the lock, the chain, a shared store's
client: what only some calls need) stay marshalled bytes until a call imports them, so a
call that does not need them does not pay to read them. The interpreter's own extension
modules a call loads (``math``, ``select``, ``_json``) are recorded by path, size and
modification time, and loaded from there without the import system's search of the
standard library's directories (~0.15 ms of every call). ``install`` puts
a finder first on ``sys.meta_path`` that serves those modules from it; the module objects
and ``__file__`` are what the normal import gives. The code is compiled as ``python -OO``
compiles it (no docstrings, no asserts): a call never reads a docstring (``explain``, a
command for people, imports the normal way).

Never wrong, only slower: a module whose source no longer matches what the bundle recorded
(an upgrade, an edit) is left to the normal import, and ``bundle_build.refresh`` (run by the
call after it has answered) writes the bundle anew with whatever the call loaded. A missing,
unreadable or foreign bundle is no bundle. Only builtin modules here (``marshal``, ``os``,
``sys``): this module is on every call's path.
"""

from __future__ import annotations

import marshal
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from importlib.machinery import ModuleSpec
    from types import CodeType, ModuleType

FORMAT = 5
PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
PACKAGE = __name__.rpartition(".")[0]
# Never bundled: the entry itself, this module and the one that writes bundles, and what only
# a person's command loads.
NOT_BUNDLED = (f"{PACKAGE}.__main__", __name__, f"{PACKAGE}.bundle_build", f"{PACKAGE}.cli",
               f"{PACKAGE}.doctor", f"{PACKAGE}.inspect", f"{PACKAGE}.claude.settings")
MAX_BYTES = 8 << 20

# (is_package, source path, source size, source mtime_ns, code) by module name; the code of
# a module outside the start-up order is its marshalled bytes, unmarshalled when imported;
# an extension module of the interpreter has no code (None): its path is the shared library.
Entry = tuple[bool, str, int, int, "CodeType | bytes | None"]
# Where an interpreter keeps its extension modules on POSIX (``lib/python3.X/lib-dynload``).
EXTENSIONS_DIR = "lib-dynload"


def path(entry: str, package_dir: str = PACKAGE_DIR) -> str:
    """Where the bundle of ``entry`` (``call``, ``hook``) lives: beside the ``.pyc``s."""
    return os.path.join(package_dir, "__pycache__",
                        f"{entry}.{sys.implementation.cache_tag}.bundle")


class BundleFinder:
    """Serves the package's modules from the bundle while their sources are unchanged."""

    def __init__(self, entry: str, table: dict[str, Entry],
                 startup: tuple[str, ...] = ()) -> None:
        self.entry = entry
        self.table = table
        # The modules importing the entry runs, in the order they finish: run by ``start``.
        self.startup = startup
        # Set when a module had to be left to the normal import: the bundle is out of date.
        self.stale = False
        # The modules this finder ran (``start`` or the import system), in the order they
        # finished: after a ``start`` cut short, the order to learn for the next call.
        self.finished: list[str] = []
        # Modules ``start`` made that have not run (yet): packages made for a submodule.
        self.unfinished: set[str] = set()
        # The modules the import system had this finder run (not ``start``).
        self.imported: set[str] = set()

    def current(self, name: str) -> Entry | None:
        """The bundle's entry for ``name`` when its source is unchanged, else None."""
        entry = self.table.get(name)
        if entry is None:
            return None
        try:
            info = os.stat(entry[1])
        except OSError:
            info = None
        if info is None or info.st_size != entry[2] or info.st_mtime_ns != entry[3]:
            self.stale = True
            return None
        return entry

    def find_spec(self, name: str, path: object = None,
                  target: object = None) -> ModuleSpec | None:
        """A spec for ``name`` when the bundle holds it and its source is unchanged."""
        entry = self.current(name)
        if entry is None:
            return None
        is_package, origin = entry[0], entry[1]
        if entry[4] is None:
            return _extension_spec(name, origin)
        spec = _module_spec(name, self, origin=origin, is_package=is_package)
        if is_package:
            spec.submodule_search_locations = [os.path.dirname(origin)]
        spec.has_location = True  # __file__ is the source's path, as a normal import sets
        return spec

    def create_module(self, spec: object) -> None:
        """The default module object."""
        return None

    def exec_module(self, module: ModuleType) -> None:
        """Run the module's code from the bundle in its namespace."""
        exec(_code(self.table[module.__name__]), module.__dict__)
        self.finished.append(module.__name__)
        self.imported.add(module.__name__)

    def start(self) -> None:
        """Run the entry's start-up modules straight from the bundle, without the import
        system's per-module work (locks, specs, attributes: ~40 us a module).

        In the order a normal import finishes them, so that each module's imports find
        what they import already done; a package whose submodule finishes first exists,
        still empty, as it would mid-import. The first module that is not current stops
        this, and the import system (this finder, then the normal one) does the rest.
        """
        self.unfinished = set()
        for name in self.startup:
            if name in sys.modules and name not in self.unfinished:
                continue
            entry = self.current(name)
            if entry is None:
                break
            module = self._module(name)
            try:
                exec(_code(entry), module.__dict__)
            except Exception:  # noqa: BLE001 - the import system then does it as usual
                self.stale = True
                break
            self.unfinished.discard(name)
            self.finished.append(name)
        # A package made for a submodule and never run, or a module that failed, must not
        # look imported, in sys.modules or as its parent's attribute (``from pkg import sub``
        # takes the attribute when there is one): the import system makes and runs it afresh
        # when it is needed.
        for name in self.unfinished:
            made = sys.modules.pop(name) if name in sys.modules else None
            parent, _, child = name.rpartition(".")
            if made is not None and parent and getattr(sys.modules.get(parent), child,
                                                        None) is made:
                delattr(sys.modules[parent], child)

    def _module(self, name: str) -> ModuleType:
        """``name``'s module object, made (and its parents') when not there yet."""
        module = sys.modules.get(name)
        if module is not None:
            return module
        parent, _, child = name.rpartition(".")
        if parent:
            self._module(parent)
        is_package, origin = self.table[name][0], self.table[name][1]
        module = type(sys)(name)
        spec = _module_spec(name, self, origin=origin, is_package=is_package)
        spec.has_location = True
        module.__spec__ = spec
        module.__loader__ = self  # type: ignore[assignment]
        module.__file__ = origin
        module.__package__ = name if is_package else parent
        if is_package:
            module.__path__ = spec.submodule_search_locations = [os.path.dirname(origin)]
        sys.modules[name] = module
        self.unfinished.add(name)
        if parent:
            setattr(sys.modules[parent], child, module)
        return module

    def startup_order(self) -> tuple[str, ...]:
        """What this process's import of the entry ran, in the order it finished, when the
        import system had to import the entry (no order yet, or ``start`` cut short); empty
        when ``start`` ran the entry itself, or the entry did not come from this finder."""
        top = f"{PACKAGE}.{self.entry}"
        if top not in self.imported:
            return ()  # ``start`` ran the entry itself: the order it has is the one to keep
        return tuple(self.finished[:self.finished.index(top) + 1])

    def missing(self, loaded: Iterable[str]) -> bool:
        """True when this process loaded a module of ours that the bundle lacks."""
        return any(name not in self.table and bundled(name) for name in loaded)


def _code(entry: Entry) -> CodeType:
    """The code of a bundle entry, unmarshalled now when it was kept as bytes."""
    code = entry[4]
    if code is None:  # an extension module: its loader runs it, never this finder
        raise ImportError(f"{entry[1]} is not code")
    return marshal.loads(code) if isinstance(code, bytes) else code


def bundled(name: str) -> bool:
    """True for a module of this package that a bundle may hold."""
    return (name.startswith(PACKAGE + ".")
            and not any(name == top or name.startswith(top + ".") for top in NOT_BUNDLED))


def install(entry: str, package_dir: str = PACKAGE_DIR) -> BundleFinder | None:
    """Put the finder of ``entry``'s bundle first on ``sys.meta_path``; None when there is
    no usable bundle (missing, unreadable, another format or interpreter). Never raises."""
    document = read(path(entry, package_dir))
    if document is None:
        return None
    finder = BundleFinder(entry, *document)
    sys.meta_path.insert(0, finder)
    finder.start()
    return finder


def load(bundle_path: str) -> dict[str, Entry] | None:
    """The bundle's table, or None when it cannot be used."""
    document = read(bundle_path)
    return document[0] if document is not None else None


def read(bundle_path: str) -> tuple[dict[str, Entry], tuple[str, ...]] | None:
    """The bundle's table and start-up order, or None when it cannot be used."""
    try:
        fd = os.open(bundle_path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        data = os.read(fd, MAX_BYTES + 1)
        # One unmarshal for every module: names shared between modules are read once.
        document = marshal.loads(data) if len(data) <= MAX_BYTES else None
    except (OSError, ValueError, EOFError, TypeError):
        return None
    finally:
        os.close(fd)
    if (not isinstance(document, tuple) or len(document) != 4 or document[0] != FORMAT
            or document[1] != sys.implementation.cache_tag or not isinstance(document[2], dict)
            or not isinstance(document[3], tuple)):
        return None
    return document[2], document[3]


def _extension_spec(name: str, origin: str) -> ModuleSpec:
    """The spec the import system would make for the extension module at ``origin``."""
    import _frozen_importlib  # the import system's own machinery: already loaded
    import _frozen_importlib_external

    loader = _frozen_importlib_external.ExtensionFileLoader(name, origin)
    spec = _frozen_importlib.ModuleSpec(name, loader, origin=origin)
    spec.has_location = True
    return spec


def _module_spec(name: str, loader: object, origin: str, is_package: bool) -> ModuleSpec:
    import _frozen_importlib  # the import system's own ModuleSpec: already loaded

    # A finder-loader like this one is what the import system accepts as a loader; it does
    # not derive from importlib.abc.Loader only to keep that import off the call.
    return _frozen_importlib.ModuleSpec(name, loader,  # type: ignore[arg-type]
                                        origin=origin, is_package=is_package)
