"""Secrets never reach the terminal in an install/uninstall diff."""

from __future__ import annotations

import json

import pytest

from statusline.claude import settings as cs
from statusline.claude.settings.redact import looks_secret, mask

SETTINGS = {
    "env": {"ANTHROPIC_API_KEY": "sk-ant-api03-secret", "DEBUG": "1",
            "NESTED": {"deep": "value-under-env"}},
    "apiKeyHelper": "/home/me/bin/key.sh",
    "model": "opus",
    "proxy": "https://bob:hunter2@proxy.example/",
    "note": "AbCdEf0123456789AbCdEf0123",
    "permissions": {"allow": ["Bash(npm run test:*)"]},
    "statusLine": {"type": "command",
                   "command": "STATUSLINE_CHAIN='GH_TOKEN=ghp_abcdefgh1234 x' /a/statusline"},
}


def test_install_diff_masks_env_and_anything_that_looks_like_a_secret() -> None:
    text = json.dumps(SETTINGS, indent=2)
    plan = cs.plan_install(cs.Settings("/x/settings.json", text, cs.parse(text)),
                           "/b/statusline", 5, False)
    shown = mask(text) + plan.diff()
    for secret in ("sk-ant-api03-secret", "value-under-env", "hunter2",
                   "AbCdEf0123456789AbCdEf0123", "ghp_abcdefgh1234", "/home/me/bin/key.sh"):
        assert secret not in shown, secret
    # What is not secret still reads, and the masked text is still the same JSON shape.
    assert '"DEBUG": "•••"' in mask(text)
    assert "Bash(npm run test:*)" in shown and '"model": "opus"' in mask(text)
    assert json.loads(mask(text)).keys() == SETTINGS.keys()
    assert "+" in plan.diff() and "refreshInterval" in plan.diff()


@pytest.mark.parametrize(
    ("value", "secret"),
    [
        ("sk-ant-abc", True), ("ghp_x", True), ("xoxb-1-2", True), ("AKIAABCDEFGH", True),
        ("eyJhbGciOi", True), ("https://u:p@h/", True), ("a1" * 15, True),
        ("opus", False), ("/usr/local/bin/statusline", False), ("https://example.com/x", False),
        ("a-very-long-words-only-setting-name", False),
    ],
)
def test_looks_secret(value: str, secret: bool) -> None:
    assert looks_secret(value) is secret
