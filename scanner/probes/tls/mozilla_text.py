"""What an endpoint must change to meet a Mozilla TLS configuration, in plain words,
from sslyze's checker messages (pure). sslyze says, e.g., "ciphers: Cipher suites
{'TLS_RSA_WITH_AES_128_CBC_SHA', ...} are supported, but should be rejected."; the
reader needs "stop offering the cipher suites TLS_RSA_WITH_AES_128_CBC_SHA, ..."."""

from __future__ import annotations

import re

_SET = re.compile(r"\{([^{}]*)\}")
_OFFERED = re.compile(
    r"^(?:\w+: )?(?P<what>[A-Za-z0-9 .-]+?) \{(?P<items>[^{}]*)\} (?:is|are) supported, "
    r"but should be rejected\.?$"
)
_DEPLOYED = re.compile(
    r"^(?:\w+: )?Deployed (?P<what>[A-Za-z0-9 .-]+?) (?:is|are) \{(?P<now>[^{}]*)\}, "
    r"should have at least one of \{(?P<want>[^{}]*)\}\.?$"
)
_PREFIX = re.compile(r"^\w+: ")


def _items(text: str) -> str:
    quoted = re.findall(r"'([^']*)'", text)
    values = quoted if quoted else [v.strip() for v in text.split(",") if v.strip()]
    return ", ".join(sorted(values)) or "none"


def change_for(issue: str) -> str:
    """One departure from a Mozilla configuration as the change that removes it."""
    text = issue.strip()
    offered = _OFFERED.match(text)
    if offered:
        return f"stop offering the {offered['what'].lower()} {_items(offered['items'])}"
    deployed = _DEPLOYED.match(text)
    if deployed:
        what = deployed["what"].lower()
        return f"deploy {what} including one of {_items(deployed['want'])} (now {_items(deployed['now'])})"
    text = _PREFIX.sub("", text)
    text = _SET.sub(lambda m: _items(m[1]), text)
    return text[:1].lower() + text[1:].rstrip(".")
