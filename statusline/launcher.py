"""The console script Claude Code runs on every call, without what it does not need.

pip (and pipx, which uses pip) writes a console script that imports ``re`` only to strip a
Windows suffix from ``argv[0]``: about 6 ms of CPU, a third of a status-line call, paid on
every tick of every session. ``statusline install`` rewrites that script, when it is pip's
script for this package and ours to write, as the same three lines without ``re`` (what uv
writes, less its Windows branch). A later ``pip install`` puts pip's back; ``statusline
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
LEAN_SCRIPT = """#!{python}
{mark} (written by `statusline install`): pip's imports `re`
# to tidy argv[0] on Windows, ~6 ms of every status-line call. Same entry point.
import sys
from statusline.__main__ import main
if __name__ == "__main__":
    sys.exit(main())
"""


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


def make_lean(path: str) -> bool:
    """Replace pip's console script at ``path`` with the lean one; True when replaced.

    Only a regular file we own and may write, holding pip's script for this package, is
    replaced; its interpreter line and its mode are kept. Anything else is left alone.
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

    try:
        files.write_atomic(path, LEAN_SCRIPT.format(python=python, mark=LEAN_MARK))
        os.chmod(path, stat.S_IMODE(info.st_mode))  # write_atomic made it 0600
    except OSError:
        return False
    return True


def _read(path: str) -> str | None:
    from statusline.files import read_bounded

    data = read_bounded(path, MAX_SCRIPT_BYTES, follow_symlinks=True)
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
