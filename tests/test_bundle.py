"""bundle.py: the call's modules served from one file, never stale, never required.

The tests work on a copy of the package in a temporary directory, so that the bundle they
write is theirs (the checkout's own ``__pycache__`` is left alone).
"""

from __future__ import annotations

import json
import marshal
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from statusline import bundle, bundle_build
from tests.conftest import EXAMPLES, OAUTH_NOW

PACKAGE = Path(bundle.__file__).resolve().parent


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of the package (sources only) on a path of its own; returns its directory."""
    root = tmp_path / "site"
    shutil.copytree(PACKAGE, root / "statusline",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return root / "statusline"


def call(package_dir: Path, *args: str, stdin: bytes | None = None) -> tuple[str, set[str]]:
    """One real process of the console script's code path from the copy; its stdout and
    which of its modules came from the bundle."""
    probe = (
        "import sys, os\n"
        f"sys.path.insert(0, {str(package_dir.parent)!r})\n"
        "from statusline.__main__ import main\n"
        "import statusline.__main__ as entry\n"
        "real_exit = os._exit\n"
        "def leave(status):\n"
        "    served = sorted(n for n, m in sys.modules.items() if n.startswith('statusline')\n"
        "                    and type(getattr(m.__spec__, 'loader', None)).__name__"
        " == 'BundleFinder')\n"
        "    sys.stderr.write(' '.join(served))\n"
        "    real_exit(status)\n"
        "os._exit = leave\n"
        "sys.argv = ['statusline', *sys.argv[1:]]\n"
        "main()\n"
    )
    env = {**os.environ, "STATUSLINE_NOW": str(OAUTH_NOW)}
    done = subprocess.run([sys.executable, "-S", "-c", probe, *args], capture_output=True,
                          input=stdin if stdin is not None else b"", env=env, timeout=30,
                          check=False)
    assert done.returncode == 0
    return done.stdout.decode(), set(done.stderr.decode().split())


def payload() -> bytes:
    return (EXAMPLES / "oauth-003.json").read_bytes()


def test_first_call_writes_the_bundle_and_the_next_is_served_from_it(
        package_copy: Path) -> None:
    first, served = call(package_copy, stdin=payload())
    assert "5h 24%" in first and not served
    assert Path(bundle.path("call", str(package_copy))).is_file()
    second, served = call(package_copy, stdin=payload())
    assert second == first
    assert {"statusline.call", "statusline.line.segments", "statusline.history"} <= served


def test_an_edited_module_is_never_served_stale(package_copy: Path) -> None:
    call(package_copy, stdin=payload())
    formatting = package_copy / "line" / "formatting.py"
    edited = formatting.read_text().replace('return f"{rounded}%"', 'return f"{rounded} percent"')
    assert edited != formatting.read_text()
    formatting.write_text(edited)
    text, served = call(package_copy, stdin=payload())
    assert "5h 24 percent" in text
    assert "statusline.line.formatting" not in served
    # That call wrote the bundle anew: the next one serves the edited module from it.
    again, served = call(package_copy, stdin=payload())
    assert again == text and "statusline.line.formatting" in served


@pytest.mark.parametrize("content", [
    b"",
    b"not marshal data at all",
    marshal.dumps((bundle.FORMAT + 1, sys.implementation.cache_tag, {})),
    marshal.dumps((bundle.FORMAT, "cpython-27", {})),
    marshal.dumps(["a", "list"]),
])
def test_an_unusable_bundle_is_no_bundle(package_copy: Path, content: bytes) -> None:
    reference, _ = call(package_copy, stdin=payload())
    target = Path(bundle.path("call", str(package_copy)))
    target.write_bytes(content)
    text, served = call(package_copy, stdin=payload())
    assert text == reference and not served
    assert bundle.load(str(target)) is not None  # the call wrote a usable one again


def test_a_symlink_at_the_bundle_path_is_not_followed(package_copy: Path,
                                                     tmp_path: Path) -> None:
    call(package_copy, stdin=payload())
    target = Path(bundle.path("call", str(package_copy)))
    elsewhere = tmp_path / "elsewhere.bundle"
    target.rename(elsewhere)
    target.symlink_to(elsewhere)
    assert bundle.load(str(target)) is None


def test_the_hook_has_its_own_bundle(package_copy: Path, tmp_path: Path) -> None:
    call(package_copy, "hook", stdin=b"{}")
    table = bundle.load(bundle.path("hook", str(package_copy)))
    assert table is not None and "statusline.hook" in table
    assert "statusline.line.segments" not in table  # the hook never draws a line


def test_nothing_a_person_runs_is_bundled() -> None:
    assert not bundle.bundled("statusline.cli.view")
    assert not bundle.bundled("statusline.claude.settings.file")
    assert not bundle.bundled("statusline.__main__")
    assert not bundle.bundled("statusline.bundle")
    assert not bundle.bundled("json")
    assert bundle.bundled("statusline.claude.chain")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_package_we_may_not_write_is_left_alone(package_copy: Path) -> None:
    package_copy.chmod(0o555)
    try:
        assert not bundle_build.refresh("call", ["statusline.call"], str(package_copy))
    finally:
        package_copy.chmod(0o755)


def test_refresh_keeps_what_the_bundle_held_and_adds_what_was_loaded(
        package_copy: Path) -> None:
    assert bundle_build.refresh("call", ["statusline.call", "json"], str(package_copy))
    assert bundle_build.refresh("call", ["statusline.store.lock"], str(package_copy))
    table = bundle.load(bundle.path("call", str(package_copy)))
    assert table is not None
    assert set(table) == {"statusline.call", "statusline.store.lock"}
    is_package, origin, size, _, _ = table["statusline.call"]
    assert not is_package and origin == str(package_copy / "call.py")
    assert size == (package_copy / "call.py").stat().st_size


def test_served_modules_are_the_same_modules(package_copy: Path) -> None:
    """``__file__``, the package's ``__path__`` and submodules not in the bundle work."""
    call(package_copy, stdin=payload())
    probe = (
        "import sys, json\n"
        f"sys.path.insert(0, {str(package_copy.parent)!r})\n"
        "from statusline import bundle\n"
        "bundle.install('call')\n"
        "import statusline.line, statusline.call\n"
        "import statusline.inspect.report\n"  # never bundled: found through __path__
        "print(json.dumps([statusline.call.__file__, statusline.line.__path__,\n"
        "                  type(statusline.inspect.report.__spec__.loader).__name__]))\n"
    )
    done = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True,
                          check=True, timeout=30)
    file_name, line_path, report_loader = json.loads(done.stdout)
    assert file_name == str(package_copy / "call.py")
    assert line_path == [str(package_copy / "line")]
    assert report_loader == "SourceFileLoader"


def test_prepare_writes_what_importing_the_entry_loads(package_copy: Path) -> None:
    """install.sh's step: the bundle is there before the first call."""
    done = subprocess.run(
        [sys.executable, "-S", "-c",
         f"import sys; sys.path.insert(0, {str(package_copy.parent)!r}); "
         "from statusline import bundle_build; print(bundle_build.prepare('call'))"],
        capture_output=True, text=True, timeout=30, check=False)
    assert done.stdout.strip() == "True", done.stderr
    table = bundle.load(bundle.path("call", str(package_copy)))
    assert table is not None and {"statusline.call", "statusline.account"} <= set(table)
    _, served = call(package_copy, stdin=payload())
    assert "statusline.call" in served


def test_the_start_up_modules_run_straight_from_the_bundle(package_copy: Path) -> None:
    """After the first served call has learnt the order, the next runs the entry's start-up
    modules without the import system; the line is the same."""
    reference, _ = call(package_copy, stdin=payload())  # writes the bundle
    call(package_copy, stdin=payload())  # served; learns the start-up order
    document = bundle.read(bundle.path("call", str(package_copy)))
    assert document is not None
    startup = document[1]
    assert startup[-1] == "statusline.call" and "statusline.history" in startup
    assert startup.index("statusline.history.model") < startup.index("statusline.call")
    text, served = call(package_copy, stdin=payload())
    assert text == reference and "statusline.call" in served


def test_a_start_up_order_out_of_step_still_gives_the_same_line(package_copy: Path) -> None:
    """An order that runs a submodule before what it imports: the import system fills in
    whatever is not there yet, and the line is the same."""
    reference, _ = call(package_copy, stdin=payload())
    call(package_copy, stdin=payload())
    table, startup = bundle.read(bundle.path("call", str(package_copy))) or ({}, ())
    # Run a history submodule first, before what it imports: it fails inside start().
    broken = ("statusline.history.week", *startup)
    data = marshal.dumps((bundle.FORMAT, sys.implementation.cache_tag, table, broken))
    Path(bundle.path("call", str(package_copy))).write_bytes(data)
    text, _ = call(package_copy, stdin=payload())
    assert text == reference


def test_a_failing_start_up_module_leaves_no_half_made_modules(tmp_path: Path) -> None:
    """A module that raises while run from the bundle is undone with the package made for
    it, so the import system later makes and runs both afresh."""
    source = tmp_path / "fakepkg" / "child.py"
    source.parent.mkdir()
    source.write_text("raise RuntimeError('broken')\n")
    init = source.parent / "__init__.py"
    init.write_text("")
    info, init_info = source.stat(), init.stat()
    table = {
        "fakepkg.child": (False, str(source), info.st_size, info.st_mtime_ns,
                          compile(source.read_text(), str(source), "exec")),
        "fakepkg": (True, str(init), init_info.st_size, init_info.st_mtime_ns,
                    compile("", str(init), "exec")),
    }
    finder = bundle.BundleFinder("call", table, ("fakepkg.child", "fakepkg"))
    finder.start()
    assert "fakepkg.child" not in sys.modules and "fakepkg" not in sys.modules
    assert finder.stale


def test_a_package_left_unrun_is_not_its_parents_attribute(tmp_path: Path) -> None:
    """A package made for a submodule, then left unrun because a later module is out of
    date, leaves no trace: ``from pkg import sub`` must import the real one, not find an
    empty placeholder as ``pkg.sub`` (which broke a first call after an edit)."""
    root = tmp_path / "fakeroot"
    (root / "sub").mkdir(parents=True)
    files = {"fakeroot": root / "__init__.py", "fakeroot.sub": root / "sub" / "__init__.py",
             "fakeroot.sub.child": root / "sub" / "child.py", "fakeroot.later": root / "later.py"}
    for path in files.values():
        path.write_text("")
    table = {}
    for name, path in files.items():
        info = path.stat()
        table[name] = (path.name == "__init__.py", str(path), info.st_size, info.st_mtime_ns,
                       compile("VALUE = 1\n", str(path), "exec"))
    files["fakeroot.later"].write_text("# edited since the bundle was written\n")
    order = ("fakeroot", "fakeroot.sub.child", "fakeroot.later", "fakeroot.sub")
    try:
        finder = bundle.BundleFinder("call", table, order)
        finder.start()
        assert finder.stale
        assert "fakeroot" in sys.modules and "fakeroot.sub.child" in sys.modules
        assert "fakeroot.sub" not in sys.modules
        assert not hasattr(sys.modules["fakeroot"], "sub")
    finally:
        for name in list(sys.modules):
            if name.split(".")[0] == "fakeroot":
                del sys.modules[name]


def test_a_call_served_whole_from_the_bundle_does_not_rewrite_it(package_copy: Path) -> None:
    """Once the order is learnt, calls run everything from the bundle and never write it:
    a bundle rewritten on every call would cost each call a compile of the package."""
    call(package_copy, stdin=payload())  # writes the bundle
    call(package_copy, stdin=payload())  # learns the start-up order
    target = Path(bundle.path("call", str(package_copy)))
    before = target.stat()
    for _ in range(3):
        call(package_copy, stdin=payload())
    after = target.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_modules_outside_the_start_up_order_stay_marshalled_until_imported(
        package_copy: Path) -> None:
    """A call that does not need the lock does not pay to unmarshal it; one that saves gets
    it from the bundle all the same."""
    call(package_copy, stdin=payload())  # writes the bundle (the lock joins on the save)
    call(package_copy, stdin=payload())  # served; learns the start-up order
    table, startup = bundle.read(bundle.path("call", str(package_copy))) or ({}, ())
    assert "statusline.store.lock" in table and "statusline.store.lock" not in startup
    assert isinstance(table["statusline.store.lock"][4], bytes)
    assert not any(isinstance(table[name][4], bytes) for name in startup)
    finder = bundle.BundleFinder("call", table, startup)
    module = type(sys)("statusline.store.lock")
    finder.exec_module(module)
    assert callable(module.StoreLock)


def test_the_interpreters_extension_modules_load_from_their_recorded_path(
        package_copy: Path) -> None:
    """``_json`` (every call parses JSON) is recorded with its path and loaded from there; a
    library that no longer matches what was recorded is left to the normal import."""
    call(package_copy, stdin=payload())
    call(package_copy, stdin=payload())
    table = bundle.load(bundle.path("call", str(package_copy)))
    assert table is not None
    import _json

    entry = table["_json"]
    assert entry[4] is None and entry[1] == _json.__file__
    finder = bundle.BundleFinder("call", table)
    spec = finder.find_spec("_json")
    assert spec is not None and spec.origin == _json.__file__
    assert type(spec.loader).__name__ == "ExtensionFileLoader"
    table["_json"] = (False, entry[1], entry[2] + 1, entry[3], None)
    assert finder.find_spec("_json") is None and finder.stale
    # Served: the import system never searched the extensions' directory.
    probe = (
        "import sys\n"
        f"sys.path.insert(0, {str(package_copy.parent)!r})\n"
        "from statusline import bundle\n"
        "bundle.install('call')\n"
        "import statusline.call, _json\n"
        "import os\n"
        "searched = os.path.dirname(_json.__file__) in sys.path_importer_cache\n"
        "print(type(_json.__spec__.loader).__name__, _json.__spec__.origin, searched)\n"
    )
    done = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True,
                          check=True, timeout=30)
    assert done.stdout.split() == ["ExtensionFileLoader", _json.__file__, "False"]


def test_the_calls_claude_code_makes_run_without_the_cyclic_collector(
        package_copy: Path) -> None:
    """The status-line and hook calls turn the collector off (a process of some 10 ms makes
    no cycles worth a walk of its young objects every 700 allocations); a person's command
    keeps it."""
    probe = (
        "import sys, os, gc\n"
        f"sys.path.insert(0, {str(package_copy.parent)!r})\n"
        "from statusline.__main__ import main\n"
        "real_exit = os._exit\n"
        "def leave(status):\n"
        "    sys.stderr.write(f'collector={gc.isenabled()}')\n"
        "    real_exit(status)\n"
        "os._exit = leave\n"
        "sys.argv = ['statusline', *sys.argv[1:]]\n"
        "status = main()\n"
        "sys.stderr.write(f'collector={gc.isenabled()}')\n"
        "sys.exit(status)\n"
    )
    env = {**os.environ, "STATUSLINE_NOW": str(OAUTH_NOW)}
    said = []
    for args, stdin in (((), payload()), (("hook",), b"{}"), (("--version",), b"")):
        done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True,
                              input=stdin, env=env, timeout=30, check=False)
        said.append(done.stderr.decode().rsplit("collector=", 1)[-1])
    assert said == ["False", "False", "True"]


def test_the_bundle_compiles_future_annotations_as_a_flag(package_copy: Path) -> None:
    """``from __future__ import annotations`` would import ``__future__`` on every call; in
    the bundle it is the compiler flag it stands for, and line numbers are the source's."""
    import __future__

    import dis

    assert bundle_build.refresh("call", ["statusline.call"], str(package_copy))
    table = bundle.load(bundle.path("call", str(package_copy)))
    assert table is not None
    code = table["statusline.call"][4]
    if isinstance(code, bytes):
        code = marshal.loads(code)
    assert code is not None and not isinstance(code, bytes)
    assert code.co_flags & __future__.annotations.compiler_flag
    assert "__future__" not in {i.argval for i in dis.get_instructions(code)
                                if i.opname == "IMPORT_NAME"}
    source = (package_copy / "call.py").read_text().splitlines()
    first_def = next(n for n, text in enumerate(source, 1) if text.startswith("def run("))
    run = next(c for c in code.co_consts if getattr(c, "co_name", "") == "run")
    assert run.co_firstlineno == first_def
