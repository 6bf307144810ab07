"""Install records: what a settings file held before ``statusline install`` touched it.

Kept in the state directory (``installs.json``, 0600) so that ``uninstall`` can put a file
back byte for byte when nobody changed it since, and otherwise remove only our entry and
restore the statusLine an install replaced.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from statusline import files
from statusline.claude.settings.file import digest
from statusline.claude.settings.plan import Plan

RECORD_NAME = "installs.json"


def cast_text(value: object) -> str | None:
    """``value`` if it is a string, else None (install records are read from JSON)."""
    return value if isinstance(value, str) else None


def _record_path(state_dir: str) -> str:
    return os.path.join(state_dir, RECORD_NAME)


def load_records(state_dir: str | None) -> dict[str, dict[str, object]]:
    """Every install record, keyed by the settings file's real path (empty when none)."""
    if state_dir is None:
        return {}
    try:
        with open(_record_path(state_dir), encoding="utf-8") as handle:
            loaded = json.loads(handle.read())
    except (OSError, ValueError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {k: v for k, v in loaded.items() if isinstance(v, dict)}


def record_for(state_dir: str | None, path: str) -> dict[str, object] | None:
    """The install record of the settings file at ``path``, if there is one."""
    return load_records(state_dir).get(os.path.realpath(path))


def save_record(state_dir: str | None, path: str, record: dict[str, object] | None) -> None:
    """Store (or with None, drop) the install record of the settings file at ``path``."""
    if state_dir is None or not files.private_dir(state_dir, create=True):
        return
    records = load_records(state_dir)
    key = os.path.realpath(path)
    if record is None:
        if key not in records:
            return
        del records[key]
    else:
        records[key] = record
    files.write_atomic(_record_path(state_dir), json.dumps(records, indent=2) + "\n")


def install_record(plan: Plan, previous_record: Mapping[str, object] | None,
                   replaced_ours: bool, created_dir: bool = False) -> dict[str, object]:
    """The record an install leaves: the text before the install, and a digest of what it wrote.

    Re-installing over our own unchanged entry keeps the first install's original, so
    ``uninstall`` still goes all the way back. When the text before this install already
    held our entry but not as we wrote it, no byte-exact original exists (``exact`` false)
    and ``uninstall`` removes just the entry. ``created_dir`` says the install also made the
    settings file's directory (``uninstall`` removes it again when it is left empty).
    """
    assert plan.new_text is not None
    earlier = previous_record or {}
    exact, original = True, cast_text(plan.old_text)
    previous = plan.previous if plan.previous is not None else earlier.get("previous")
    if plan.old_text is not None and digest(plan.old_text) == earlier.get("written_sha256"):
        # A re-install over our own unchanged text: the first install's facts still hold.
        exact, original = bool(earlier.get("exact", True)), cast_text(earlier.get("original"))
        created_dir = bool(earlier.get("created_dir"))
    elif replaced_ours:
        exact, original, created_dir = False, None, False
    return {
        "exact": exact,
        "original": original,
        "written_sha256": digest(plan.new_text),
        "previous": previous,
        "created_dir": created_dir,
    }


def remove_created_dir(plan: Plan, record: Mapping[str, object] | None) -> bool:
    """After an uninstall removed the file an install created, remove the directory the
    install created for it too, if it is empty. Returns True when it was removed."""
    if plan.action != "remove" or record is None or not record.get("created_dir"):
        return False
    try:
        os.rmdir(os.path.dirname(os.path.realpath(plan.path)))
    except OSError:
        return False
    return True
