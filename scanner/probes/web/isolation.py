"""Cross-origin isolation headers judged as MDN HTTP Observatory v2 does: COOP, COEP
and CORP are optional hardening (absent is not a weakness), but a value the browser
does not understand protects nothing, whatever its sender believed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# A structured-field token (RFC 8941 3.3.4), parameters after it allowed.
_TOKEN = re.compile(r"[A-Za-z*][A-Za-z0-9:/!#$%&'*+\-.^_`|~]*")


@dataclass(frozen=True)
class Header:
    name: str
    values: tuple[str, ...]  # what the browser accepts
    open_value: str  # the one that allows everything (the browser's default)
    structured: bool  # parsed as a structured-field item (COOP, COEP), not literally
    purpose: str  # what it does, for a buyer


COOP = Header(
    "Cross-Origin-Opener-Policy",
    ("same-origin", "same-origin-allow-popups", "noopener-allow-popups", "unsafe-none"),
    "unsafe-none",
    True,
    "keeps other sites' windows that open its pages from holding a handle on them",
)
COEP = Header(
    "Cross-Origin-Embedder-Policy",
    ("require-corp", "credentialless", "unsafe-none"),
    "unsafe-none",
    True,
    "lets its pages load only resources that agree to it (cross-origin isolation)",
)
CORP = Header(
    "Cross-Origin-Resource-Policy",
    ("same-origin", "same-site", "cross-origin"),
    "cross-origin",
    False,
    "keeps other sites from embedding its responses",
)


def value(header: Header, given: Sequence[str]) -> tuple[str | None, bool]:
    """The policy the browser applies, and whether what was sent is valid. None and
    valid: not sent. Two headers, or an unknown value, are invalid (ignored)."""
    if not given:
        return None, True
    if len(given) > 1:
        return None, False
    text = given[0].strip()
    if header.structured:
        head = text.split(";", 1)[0].strip()
        token = head if _TOKEN.fullmatch(head) else None
    else:
        token = text
    return (token, True) if token in header.values else (None, False)
