"""launcher.py: pip's console script swapped for one without ``import re``."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from statusline import launcher
from tests.conftest import EXAMPLES, OAUTH_NOW, REPO

# What pip 23-26 writes for ``statusline = statusline.__main__:main``.
PIP_SCRIPT = """#!{python}
# -*- coding: utf-8 -*-
import re
import sys
from statusline.__main__ import main
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(main())
"""
UV_SCRIPT = """#!{python}
# -*- coding: utf-8 -*-
import sys
from statusline.__main__ import main
if __name__ == "__main__":
    if sys.argv[0].endswith("-script.pyw"):
        sys.argv[0] = sys.argv[0][:-11]
    elif sys.argv[0].endswith(".exe"):
        sys.argv[0] = sys.argv[0][:-4]
    sys.exit(main())
"""


def script(tmp_path: Path, text: str, mode: int = 0o755) -> Path:
    path = tmp_path / "bin" / "statusline"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text.format(python=sys.executable))
    path.chmod(mode)
    return path


def test_pips_script_becomes_lean_and_keeps_its_interpreter_and_mode(tmp_path: Path) -> None:
    path = script(tmp_path, PIP_SCRIPT, 0o751)
    assert launcher.kind(str(path)) == launcher.PIP
    assert launcher.make_lean(str(path))
    text = path.read_text()
    assert launcher.kind(str(path)) == launcher.LEAN
    assert text.startswith(f"#!{sys.executable}\n")
    assert "import re" not in text.replace("imports `re`", "")
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert not launcher.make_lean(str(path))  # once is enough


def test_the_lean_script_runs_the_call_and_imports_no_re(tmp_path: Path) -> None:
    path = script(tmp_path, PIP_SCRIPT)
    launcher.make_lean(str(path))
    probe = tmp_path / "probe.py"
    env = {**os.environ, "PYTHONPATH": str(REPO), "STATUSLINE_NOW": str(OAUTH_NOW)}
    done = subprocess.run([str(path)], input=(EXAMPLES / "oauth-003.json").read_bytes(),
                          capture_output=True, env=env, timeout=30, check=False)
    assert done.returncode == 0 and b"5h 24%" in done.stdout
    # The script up to the call: nothing it runs before main() loads ``re``.
    probe.write_text(path.read_text().split("\n", 1)[1].replace(
        "sys.exit(main())", "print('re' in sys.modules)"))
    shown = subprocess.run([sys.executable, "-S", str(probe)], capture_output=True, text=True,
                           env=env, timeout=30, check=False)
    assert shown.stdout.splitlines()[-1] == "False", shown.stdout + shown.stderr


def test_other_scripts_are_left_alone(tmp_path: Path) -> None:
    uv = script(tmp_path, UV_SCRIPT)
    before = uv.read_text()
    assert launcher.kind(str(uv)) == launcher.OTHER
    assert not launcher.make_lean(str(uv)) and uv.read_text() == before
    wrapper = tmp_path / "wrapper"
    wrapper.write_text("#!/bin/sh\nexec /opt/statusline \"$@\"\n")
    assert not launcher.make_lean(str(wrapper))
    assert not launcher.make_lean(str(tmp_path / "absent"))


def test_a_symlink_is_not_written_through(tmp_path: Path) -> None:
    target = script(tmp_path, PIP_SCRIPT)
    link = tmp_path / "link"
    link.symlink_to(target)
    assert not launcher.make_lean(str(link))
    assert launcher.kind(str(target)) == launcher.PIP


def test_install_makes_the_launcher_lean(tmp_path: Path) -> None:
    """``statusline install --command <pip's script>`` leaves the lean one in its place."""
    path = script(tmp_path, PIP_SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "statusline", "install", "--no-hooks",
                           "--command", str(path)], capture_output=True, text=True, env=env,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "no longer imports `re`" in done.stdout
    assert launcher.kind(str(path)) == launcher.LEAN


def test_an_installed_copy_gets_an_isolated_interpreter(tmp_path: Path) -> None:
    """With the package as files in ``site``, the script runs ``python -IS`` and adds that
    directory itself: the call still works, without the site module's start-up work."""
    import shutil

    site = tmp_path / "site-packages"
    shutil.copytree(REPO / "statusline", site / "statusline",
                    ignore=shutil.ignore_patterns("__pycache__"))
    path = script(tmp_path, PIP_SCRIPT)
    assert launcher.make_lean(str(path), str(site))
    text = path.read_text()
    assert text.startswith(f"#!{sys.executable} -IS\n")
    assert f"sys.path.append({str(site)!r})" in text
    env = {**os.environ, "STATUSLINE_NOW": str(OAUTH_NOW), "PYTHONPATH": "/nonexistent"}
    done = subprocess.run([str(path)], input=(EXAMPLES / "oauth-003.json").read_bytes(),
                          capture_output=True, env=env, timeout=30, check=False)
    assert done.returncode == 0 and b"5h 24%" in done.stdout, done.stderr


def test_an_editable_install_keeps_the_plain_interpreter(tmp_path: Path) -> None:
    """An editable install lives in a .pth that -S would skip: no -IS there."""
    site = tmp_path / "site-packages"
    site.mkdir()
    (site / "__editable__.statusline.pth").write_text(str(REPO) + "\n")
    path = script(tmp_path, PIP_SCRIPT)
    assert launcher.make_lean(str(path), str(site))
    assert path.read_text().startswith(f"#!{sys.executable}\n")
