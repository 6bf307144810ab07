"""The release artefacts, built once per test run: the wheel and the sdist of the checkout.

``python -m build --no-isolation`` with the test venv's own setuptools (the dev extra pins
one that writes the licence metadata): no index is needed to build, and the build runs on a
copy of the checkout so nothing lands in the developer's tree (build/, *.egg-info).
"""

from __future__ import annotations

import atexit
import functools
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# What a user's clone has: no venv, caches, build output or the tests' client install.
IGNORED = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", "build", "dist",
                                 ".*_cache", ".hypothesis", "out", ".tools")


def checkout_copy(into: Path) -> Path:
    """The checkout as a user's clone has it, under ``into``."""
    copy = into / "statusline-checkout"
    shutil.copytree(REPO, copy, ignore=IGNORED, symlinks=True)
    return copy


@functools.cache
def built() -> tuple[Path, Path]:
    """(wheel, sdist) of the checkout, built into a directory that lives for the run."""
    work = Path(tempfile.mkdtemp(prefix="statusline-release-"))
    atexit.register(shutil.rmtree, work, True)
    source = checkout_copy(work)
    out = work / "dist"
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out),
                           str(source)], capture_output=True, text=True, timeout=600,
                          check=False, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    wheels, sdists = sorted(out.glob("*.whl")), sorted(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in out.iterdir())
    return wheels[0], sdists[0]
