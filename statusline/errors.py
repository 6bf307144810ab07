"""Errors the commands for people report as a message and a hint (exit 1, no traceback)."""

from __future__ import annotations


class StatuslineError(Exception):
    """A problem the user can fix: ``message`` says what, ``hint`` says how."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
