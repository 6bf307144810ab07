"""Who is logged in, and the client's own usage cache, from Claude Code's global config file.

I/O shell. The file (``$CLAUDE_CONFIG_DIR/.claude.json``, else ``~/.claude.json``) can be
megabytes and the client rewrites it often, so the status-line call never parses it whole
as a rule: the two facts we need (``oauthAccount`` and ``cachedUsageUtilization``) are cut
out of the text where each key stands once, and the result is kept in a small file in the
state directory keyed by the config file's (device, inode, size, mtime). A call whose
config file has not changed pays one ``stat`` and one small read.

``CLAUDE_CODE_ACCOUNT_UUID`` names the account when set (the client itself honours it);
with ``CLAUDE_CODE_OAUTH_TOKEN`` alone the account is unknown, whatever an older login left
in the file. Never reads credentials, never calls an endpoint.
"""

from __future__ import annotations

import os
import stat

from statusline import paths
from statusline.files import read_bounded
from statusline.jsonread import loads, scan_value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

CONFIG_NAME = ".claude.json"
MAX_CONFIG_BYTES = 64 << 20  # bigger than any real config: beyond it, the account is unknown
MAX_VALUE_CHARS = 64 << 10  # oauthAccount and the usage cache are a few KB each
MAX_FACTS_BYTES = 128 << 10
FACTS_VERSION = 1
ACCOUNT_KEY, USAGE_KEY = "oauthAccount", "cachedUsageUtilization"
_ID_CHARS = frozenset("0123456789abcdefABCDEF-")
_ID_MAX = 64


class ClientFacts:
    """What the client's config says about the account in use (every field may be None)."""

    __slots__ = ("account", "label", "source", "usage")

    def __init__(self, account: str | None = None, label: str | None = None,
                 usage: dict[str, object] | None = None, source: str = "none") -> None:
        # The accountUuid (a validated token, safe in a file name), or None when unknown.
        self.account = account
        # A short form for people (never the full e-mail address).
        self.label = label
        # cachedUsageUtilization as the client wrote it (judged later, against the clock).
        self.usage = usage
        # Where the account came from: "env", "config" or "none".
        self.source = source


def config_path(env: Mapping[str, str]) -> str | None:
    """The client's global config: ``$CLAUDE_CONFIG_DIR/.claude.json``, else ``~/.claude.json``."""
    if env.get("CLAUDE_CONFIG_DIR"):
        directory = paths.claude_config_dir(env)
        return None if directory is None else os.path.join(directory, CONFIG_NAME)
    home = paths.user_home(env)
    return None if home is None else os.path.join(home, CONFIG_NAME)


def valid_account(value: object) -> str | None:
    """``value`` when it looks like an account UUID (hex and dashes), else None."""
    if isinstance(value, str) and 0 < len(value) <= _ID_MAX and _ID_CHARS.issuperset(value):
        return value.lower()
    return None


def short_label(email: object, account: str | None) -> str | None:
    """``us…@example.com`` from an address; ``…a001`` from the UUID when there is none."""
    if isinstance(email, str) and "@" in email:
        local, _, domain = email.rpartition("@")
        if local and domain:
            return f"{local[:2]}…@{domain[:60]}"
    return f"…{account[-6:]}" if account else None


def read_facts(env: Mapping[str, str], state_dir: str | None, profile: str) -> ClientFacts:
    """The account and usage cache for this call; never raises, never writes the config.

    ``state_dir`` (when it is ours and private) keeps the facts between calls.
    """
    from_env = valid_account(env.get("CLAUDE_CODE_ACCOUNT_UUID"))
    oauth_token_only = bool(env.get("CLAUDE_CODE_OAUTH_TOKEN")) and from_env is None
    path = config_path(env)
    facts = ClientFacts()
    if path is not None:
        facts = _cached_or_read(path, state_dir, profile)
    if from_env is not None:
        label = short_label(env.get("CLAUDE_CODE_USER_EMAIL"), from_env)
        return ClientFacts(from_env, label, facts.usage, "env")
    if oauth_token_only:
        # The token in the environment is who we are; an account in the file may be an
        # older login's. Unknown, then: the merge rules tell accounts apart by their resets.
        return ClientFacts(None, None, facts.usage, "none")
    return facts


def _cached_or_read(path: str, state_dir: str | None, profile: str) -> ClientFacts:
    try:
        info = os.stat(path)
    except OSError:
        return ClientFacts()
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CONFIG_BYTES:
        return ClientFacts()
    key = [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns]
    facts_path = paths.client_facts_file(state_dir, profile) if state_dir else None
    if facts_path is not None:
        cached = _read_facts_file(facts_path, key)
        if cached is not None:
            return cached
    data = read_bounded(path, MAX_CONFIG_BYTES, follow_symlinks=True)
    if data is None:
        return ClientFacts()
    facts, raw_usage = extract(data)
    if facts_path is not None:
        _write_facts_file(facts_path, key, facts, raw_usage)
    return facts


def extract(data: bytes) -> tuple[ClientFacts, str | None]:
    """The facts from the config file's bytes, and the usage cache's JSON text.

    Each key is cut out where it stands once in the text (a key cannot hide inside a JSON
    string: there its quotes are escaped); only when a key is found more than once, or its
    value does not decode, is the whole document parsed.
    """
    text_values: dict[str, str | None] = {}
    values: dict[str, object] = {}
    whole: dict[str, object] | None = None
    for name in (ACCOUNT_KEY, USAGE_KEY):
        found = _find_value(data, name)
        if found is _AMBIGUOUS:
            if whole is None:
                whole = _parse_whole(data)
            values[name] = whole.get(name)
            text_values[name] = None
        else:
            values[name], text_values[name] = found  # type: ignore[misc]
    account_doc = values.get(ACCOUNT_KEY)
    account = label = None
    if isinstance(account_doc, dict):
        account = valid_account(account_doc.get("accountUuid"))
        label = short_label(account_doc.get("emailAddress"), account)
    usage = values.get(USAGE_KEY)
    facts = ClientFacts(account, label if account else None,
                        usage if isinstance(usage, dict) else None,
                        "config" if account else "none")
    raw_usage = text_values.get(USAGE_KEY) if facts.usage is not None else None
    if facts.usage is not None and raw_usage is None:
        from statusline import jsonwrite  # the rare path (a key twice in the file)

        raw_usage = jsonwrite.dumps(facts.usage)
    return facts, raw_usage


_AMBIGUOUS = object()


def _find_value(data: bytes, name: str) -> object:
    """``(value, its JSON text)`` of the key ``name``; ``(None, None)`` when absent;
    ``_AMBIGUOUS`` when it stands more than once or does not decode."""
    needle = b'"' + name.encode() + b'"'
    hits: list[int] = []
    start = 0
    while len(hits) < 2:
        at = data.find(needle, start)
        if at < 0:
            break
        start = at + len(needle)
        rest = data[start:start + 64].lstrip(b" \t\r\n")
        if rest.startswith(b":"):  # a key, not a string value that happens to match
            hits.append(start)
    if not hits:
        return None, None
    if len(hits) > 1:
        return _AMBIGUOUS
    colon = data.index(b":", hits[0])
    chunk = data[colon + 1:colon + 1 + MAX_VALUE_CHARS].decode("utf-8", "ignore")
    found = scan_value(chunk)
    if found is None:
        return _AMBIGUOUS  # longer than the window, or not JSON: let the whole parse decide
    value, end = found
    return value, chunk[:end].strip()


def _parse_whole(data: bytes) -> dict[str, object]:
    try:
        document = loads(data.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return {}
    return document if isinstance(document, dict) else {}


def _read_facts_file(path: str, key: list[int]) -> ClientFacts | None:
    data = read_bounded(path, MAX_FACTS_BYTES, owned=True)
    if data is None:
        return None
    try:
        document = loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or document.get("version") != FACTS_VERSION:
        return None
    if document.get("key") != key:
        return None
    account = valid_account(document.get("account"))
    label = document.get("label")
    usage = document.get("usage")
    return ClientFacts(
        account,
        label[:80] if isinstance(label, str) and account else None,
        usage if isinstance(usage, dict) else None,
        "config" if account else "none",
    )


def _write_facts_file(path: str, key: list[int], facts: ClientFacts, raw_usage: str | None) -> None:
    """Keep the facts for the next calls; best effort (a failed write costs a re-read)."""
    from _json import encode_basestring_ascii as quote  # no ``json`` import on this path

    def text(value: str | None) -> str:
        return "null" if value is None else str(quote(value))

    document = (
        f'{{"version":{FACTS_VERSION},"key":[{",".join(str(k) for k in key)}],'
        f'"account":{text(facts.account)},"label":{text(facts.label)},'
        f'"usage":{raw_usage if raw_usage is not None else "null"}}}'
    )
    if len(document) > MAX_FACTS_BYTES:
        return
    directory = os.path.dirname(path)
    from statusline import files  # the private-dir and atomic-write rules

    if not files.private_dir(directory, create=False):
        return
    try:
        files.write_atomic(path, document)
    except OSError:
        pass
