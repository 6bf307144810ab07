"""Make this interpreter look like Windows to statusline: no ``fcntl``, no ``os.posix_spawn``.

Loaded by Python at start-up when this directory is on PYTHONPATH and
``STATUSLINE_TEST_NO_FCNTL=1`` (``.ci/run`` runs the store, lock and chain tests a second time
so; conftest.py keeps the variable for the subprocesses the tests start). The store's lock
then falls back to filelock and install refuses to chain, as they do on Windows; everything
else is the real code.

filelock itself still gets ``fcntl``: on Windows its ``FileLock`` is a native OS lock
(msvcrt), and its Unix lock stands in for that here. Without it filelock would pick its soft
marker-file lock (with a warning), which is what no real platform gives statusline.
"""

import os

if os.environ.get("STATUSLINE_TEST_NO_FCNTL") == "1":
    import builtins

    _real_import = builtins.__import__

    def _import(name, globals=None, locals=None, fromlist=(), level=0):
        """``import fcntl`` fails as on Windows, except inside filelock (see above); an
        import hook on the import statement, so a copy filelock loaded does not leak out."""
        if name == "fcntl" and level == 0:
            importer = (globals or {}).get("__name__") or ""
            if not importer.startswith("filelock"):
                raise ModuleNotFoundError(
                    "No module named 'fcntl' (STATUSLINE_TEST_NO_FCNTL=1)", name="fcntl")
        return _real_import(name, globals, locals, fromlist, level)

    builtins.__import__ = _import
    for _name in ("posix_spawn", "posix_spawnp"):
        if hasattr(os, _name):
            delattr(os, _name)
