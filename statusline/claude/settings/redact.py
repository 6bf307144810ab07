"""Mask secrets in settings text before it is shown (the install/uninstall diff).

settings.json often holds API keys and tokens: in ``env`` (``ANTHROPIC_API_KEY``, proxy
passwords) and in other members. A diff printed to the terminal ends up in scrollback,
screen shares and pasted bug reports, so every string value under ``env``, every value of
a key that names a secret, and every value that looks like a key or token is replaced by
``"•••"``. Only values change: the lines, keys and layout stay, so the diff still reads.
"""

from __future__ import annotations

import re

MASK = '"•••"'
_STRING_OR_BRACE = re.compile(r'"(?:[^"\\]|\\.)*"(\s*:)?|[{}\[\]]')
_SECRET_KEY = re.compile(
    r"(?i)(key|token|secret|passw|pwd|auth|credential|cookie|session|bearer|private)"
)
_SECRET_VALUE = re.compile(
    r"(?i)^(sk-|sk_|pk_|rk_|ghp_|gho_|ghs_|ghu_|github_pat_|glpat-|xox[abpr]-|AKIA|ASIA|AIza|"
    r"ya29\.|eyJ|bearer\s|basic\s|npm_|hf_)"
)
# Inside a longer string (a command line): a token by its prefix, or a NAME=value whose
# name says secret.
_SECRET_WORD = re.compile(
    r"(?i)\b(?:sk-|ghp_|gho_|ghs_|github_pat_|glpat-|xox[abpr]-|AKIA|hf_|npm_)[A-Za-z0-9_\-]{8,}"
)
_SECRET_ASSIGNMENT = re.compile(
    r"(?i)(\b[A-Z0-9_]*(?:KEY|TOKEN|SECRET|PASSW\w*|AUTH\w*)=)[^\s'\"]+"
)
_TOKEN_LIKE = re.compile(r"^[A-Za-z0-9_\-+=.~]{24,}$")


def looks_secret(value: str) -> bool:
    """True when a string looks like a credential: a known key/token prefix, a URL with a
    password, or a long unbroken run of letters and digits (both), as keys are."""
    if _SECRET_VALUE.match(value) or re.search(r"://[^/\s:@]+:[^/\s@]+@", value):
        return True
    return bool(_TOKEN_LIKE.match(value) and re.search(r"\d", value)
                and re.search(r"[A-Za-z]", value))


def mask(text: str) -> str:
    """``text`` (JSON) with secret-looking string values replaced by ``"•••"``."""
    out: list[str] = []
    last = 0
    # Each open container: its kind and the key it hangs under.
    stack: list[tuple[str, str | None]] = []
    key: str | None = None
    for match in _STRING_OR_BRACE.finditer(text):
        token = match.group()
        if token in ("{", "["):
            stack.append((token, key))
            key = None
            continue
        if token in ("}", "]"):
            if stack:
                stack.pop()
            key = None
            continue
        if match.group(1) is not None:  # an object's key
            key = token[1 : token.rindex('"')]
            continue
        if stack and stack[-1][0] == "[":
            key = stack[-1][1]  # an array's items belong to the array's key
        under_env = any(name == "env" for _, name in stack)
        secret_key = key is not None and bool(_SECRET_KEY.search(key))
        if under_env or secret_key or looks_secret(token[1:-1]):
            out.append(text[last : match.start()])
            out.append(MASK)
            last = match.end()
        else:
            inner = _SECRET_ASSIGNMENT.sub(r"\1•••", _SECRET_WORD.sub("•••", token))
            if inner != token:
                out.append(text[last : match.start()])
                out.append(inner)
                last = match.end()
        key = None
    out.append(text[last:])
    return "".join(out)
