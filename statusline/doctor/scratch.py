"""A scratch place for doctor's own runs of the call, so that they never touch a real store.

Doctor runs the status-line command on a bundled example (to time it, to list its imports)
and runs the kept status line once. Each of those runs gets a private temporary directory
(``tempfile.mkdtemp``: 0700, removed afterwards) as its state directory, a config file that
does not exist (the default config may name a shared store) and no ``STATUSLINE_STORE_URL``:
the example reading can then reach neither this machine's store nor a shared one, nor can
a kept status line that runs ``statusline`` again.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager


@contextmanager
def scratch_env(env: Mapping[str, str]) -> Iterator[tuple[str, dict[str, str]]]:
    """A private temporary directory and a copy of ``env`` pointed at it (state directory
    inside it, no config file, no store URL, no chained command); removed afterwards."""
    directory = tempfile.mkdtemp(prefix="statusline-doctor-")
    try:
        run_env = {k: v for k, v in env.items() if not k.startswith("STATUSLINE_CHAIN")}
        run_env["STATUSLINE_STATE_DIR"] = os.path.join(directory, "state")
        run_env["STATUSLINE_CONFIG"] = os.path.join(directory, "no-config.toml")
        run_env.pop("STATUSLINE_STORE_URL", None)
        yield directory, run_env
    finally:
        shutil.rmtree(directory, ignore_errors=True)
