"""Claude Code integration, split by when it runs.

Beside this file: what a status-line call may need (``chain``: the user's own status line,
``padding``: the row's padding, ``client_config``: the signed-in account). In ``settings/``:
what only ``install``/``uninstall``/``doctor`` need (editing settings.json, the hooks).
Nothing is imported here: the status-line call loads only the module it needs.
"""
