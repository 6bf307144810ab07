"""The console script Claude Code runs on every call, without what it does not need.

pip (and pipx, which uses pip) writes a console script that imports ``re`` only to strip a
Windows suffix from ``argv[0]``: about 6 ms of CPU, a third of a status-line call, paid on
every tick of every session. ``statusline install`` rewrites that script, when it is pip's
script for this package and ours to write, as the same three lines without ``re`` (what uv
writes, less its Windows branch). When the package is installed as a copy in the
environment's ``site-packages`` (not editable), the script also runs the interpreter with
``-I -S`` and puts that one directory on ``sys.path`` itself: the ``site`` module's start-up
work (``.pth`` files, user site, ``sitecustomize``) is about a fifth of a bare interpreter's
start and nothing a call needs; ``-I`` keeps ``PYTHON*`` variables of the user's shell out of
every call. A later ``pip install`` puts pip's back; ``statusline
install`` again, or ``install.sh``, puts the lean one back; ``statusline doctor`` says
which one is in place. Run only by the commands for people.
"""

from __future__ import annotations

import os
import stat

LEAN, PIP, OTHER = "lean", "pip", "other"
MAX_SCRIPT_BYTES = 64 * 1024
ENTRY_LINE = "from statusline.__main__ import main"
LEAN_MARK = "# statusline's lean console script"
LEAN_SCRIPT = """#!{python}{flags}
{mark} (written by `statusline install`): pip's imports `re`
# to tidy argv[0] on Windows, ~6 ms of every status-line call. Same entry point.
import sys
{path}from statusline.__main__ import main
if __name__ == "__main__":
    sys.exit(main())
"""
# With -I -S: the one directory the package and its dependencies live in.
SITE_LINE = "sys.path.append({site!r})  # -S: site's start-up work skipped, this is all we need\n"


def kind(path: str) -> str:
    """Which console script stands at ``path``: ``lean`` (ours), ``pip`` (pip's, with
    ``import re``), or ``other`` (uv's, a wrapper, a binary, nothing readable)."""
    text = _read(path)
    if text is None or ENTRY_LINE not in text:
        return OTHER
    if LEAN_MARK in text:
        return LEAN
    if text.startswith("#!") and "\nimport re\n" in text and "re.sub(" in text:
        return PIP
    return OTHER


def make_lean(path: str, site: str | None = None) -> bool:
    """Replace pip's console script at ``path`` with the lean one; True when replaced.

    Only a regular file we own and may write, holding pip's script for this package, is
    replaced; its interpreter line and its mode are kept. Anything else is left alone.
    ``site`` is the directory holding the installed package (a copy, not an editable
    install): the script then starts the interpreter with ``-I -S`` and adds it alone.
    """
    if kind(path) != PIP:
        return False
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if (not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid()
            or not os.access(os.path.dirname(path) or ".", os.W_OK)):
        return False
    text = _read(path) or ""
    python = text.splitlines()[0][2:].strip()
    if not python or not os.path.isabs(python.split()[0]):
        return False
    from statusline import files

    isolated = site is not None and _installed_copy(site) and " " not in python
    text = LEAN_SCRIPT.format(python=python, mark=LEAN_MARK,
                              flags=" -IS" if isolated else "",
                              path=SITE_LINE.format(site=site) if isolated else "")
    try:
        files.write_atomic(path, text)
        os.chmod(path, stat.S_IMODE(info.st_mode))  # write_atomic made it 0600
    except OSError:
        return False
    return True


def _installed_copy(site: str) -> bool:
    """True when ``site`` holds this package as files (an editable install keeps only a
    ``.pth`` there, which ``-S`` would not read)."""
    return os.path.isfile(os.path.join(site, "statusline", "__init__.py")) and os.path.isfile(
        os.path.join(site, "statusline", "__main__.py"))


def _read(path: str) -> str | None:
    from statusline.files import read_bounded

    data = read_bounded(path, MAX_SCRIPT_BYTES, follow_symlinks=True)
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
