"""statusline: a pooled rate-limit status line for Claude Code.

This package imports nothing at module level: every status-line call pays for what
``statusline/__init__.py`` imports, so it stays empty (see ``__main__.py``).
"""
