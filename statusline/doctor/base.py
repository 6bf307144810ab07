"""What a doctor check returns, and the summary that counts them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

OK, WARN, FAIL = "ok", "warn", "fail"


class Check:
    """One finding: ``status`` is ok, warn or fail; ``hint`` says how to fix a problem;
    ``notes`` are extra lines shown under the detail (e.g. the example line)."""

    __slots__ = ("detail", "hint", "name", "notes", "status")

    def __init__(self, name: str, status: str, detail: str, hint: str | None = None,
                 notes: Sequence[str] = ()) -> None:
        self.name = name
        self.status = status
        self.detail = detail
        self.hint = hint
        self.notes = tuple(notes)

    @property
    def ok(self) -> bool:
        """False only for a failed check."""
        return self.status != FAIL

    def to_json(self) -> dict[str, object]:
        """The check as a JSON object (``doctor --json``)."""
        document: dict[str, object] = {
            "name": self.name,
            "ok": self.ok,
            "status": self.status,
            "detail": self.detail,
            "hint": self.hint,
        }
        if self.notes:
            document["notes"] = list(self.notes)
        return document


def counts(checks: Sequence[Check]) -> Mapping[str, int]:
    """How many checks ended in each status."""
    return {status: sum(1 for c in checks if c.status == status) for status in (OK, WARN, FAIL)}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(checks: Sequence[Check]) -> str:
    """One closing sentence: how many checks failed and how many warned."""
    found = counts(checks)
    if not found[FAIL] and not found[WARN]:
        return f"All {len(checks)} checks passed."
    warnings = _plural(found[WARN], "warning")
    if not found[FAIL]:
        which = "warning" if found[WARN] == 1 else "warnings"
        return f"No failures, {warnings}: the line works; see the {which} above."
    return (f"{_plural(found[FAIL], 'check')} failed, {warnings}: fix the failures above "
            "(each has a fix).")
