"""Claude Code's settings.json: add, check and remove our ``statusLine`` entry.

This module is the one door the commands use; the work lives in small modules beside it:

- ``file``: reading and writing one file safely (refuses what a rewrite would lose;
  backup, atomic write, the file stays the user's);
- ``json_edit``: the pure text surgery that touches only the ``statusLine`` member;
- ``entry``: where settings live, which command to write, what counts as ours;
- ``plan``: the pure install/uninstall plans (new text, or a refusal saying why);
- ``records``: what a file held before an install, so ``uninstall`` can put it back.

Claude Code reads settings.json as JSON, but people sometimes keep comments or trailing
commas in it (JSONC). Rewriting such a file would drop them, so it is never rewritten:
the user gets the entry to paste by hand instead.
"""

from __future__ import annotations

from statusline.claude.settings.entry import (
    DEFAULT_REFRESH_INTERVAL_S,
    SCOPES,
    chained_command,
    command_program,
    describe,
    desired_entry,
    effective_entries,
    installed_command,
    is_ours,
    refresh_interval_of,
    settings_path,
    unwrapped,
)
from statusline.claude.settings.file import (
    BACKUP_DIR,
    JsoncError,
    Settings,
    apply,
    digest,
    looks_like_jsonc,
    parse,
    read,
    write,
)
from statusline.claude.settings.json_edit import BOM, KEY, dump, edit
from statusline.claude.settings.plan import Plan, plan_install, plan_uninstall
from statusline.claude.settings.records import (
    RECORD_NAME,
    install_record,
    load_records,
    record_for,
    remove_created_dir,
    save_record,
)

__all__ = [
    "BACKUP_DIR", "BOM", "DEFAULT_REFRESH_INTERVAL_S", "KEY", "RECORD_NAME", "SCOPES",
    "JsoncError", "Plan", "Settings",
    "apply", "chained_command", "command_program", "describe", "desired_entry", "digest",
    "dump", "edit",
    "effective_entries", "install_record", "installed_command", "is_ours", "load_records",
    "looks_like_jsonc", "parse", "plan_install", "plan_uninstall", "read", "record_for",
    "refresh_interval_of", "remove_created_dir", "save_record", "settings_path", "unwrapped",
    "write",
]
