"""statusline: a pooled rate-limit status line for Claude Code.

This package imports nothing at module level: every status-line call pays for what
``statusline/__init__.py`` imports, so it holds only the version (a constant, read by
setuptools at build time and by ``statusline --version``; no importlib.metadata).
"""

__version__ = "0.2.0"
