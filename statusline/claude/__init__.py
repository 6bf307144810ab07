"""Claude Code integration: its settings files, its global config, hooks, plugin, chaining.

Nothing is imported here: the status-line call loads only the module it needs.
"""
