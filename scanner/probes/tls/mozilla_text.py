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
# sslyze's "X is N, should be superior or equal to M" and its kin, as the change to make.
_AT_LEAST = re.compile(
    r"^(?:\w+: )?(?P<what>ECDH parameter size|DH parameter size|HSTS max-age) is "
    r"(?P<now>\d+), should be superior or equal to (?P<want>\d+)\.?$"
)
_AT_LEAST_WORDS = {
    "ECDH parameter size": ("use elliptic-curve key exchange of at least {want} bits", ""),
    "DH parameter size": ("use Diffie-Hellman parameters of at least {want} bits", ""),
    "HSTS max-age": ("send HSTS with a max-age of at least {want} seconds", ""),
}
_RSA = re.compile(r"^(?:\w+: )?RSA key size is (?P<now>\d+), minimum allowed is (?P<want>\d+)\.?$")
_LIFESPAN = re.compile(
    r"^(?:\w+: )?Certificate life span is (?P<now>\d+) days, should be less than "
    r"(?P<want>\d+)\.?$"
)
_CURVE = re.compile(
    r"^(?:\w+: )?Certificate curve is (?P<now>[\w-]+), should be one of \{(?P<want>[^{}]*)\}\.?$"
)
_PATH = re.compile(r"^(?:\w+: )?Certificate path validation failed for (?P<subject>.+?)\.?$")


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
    at_least = _AT_LEAST.match(text)
    if at_least:
        words = _AT_LEAST_WORDS[at_least["what"]][0].format(want=at_least["want"])
        return f"{words} (now {at_least['now']})"
    rsa = _RSA.match(text)
    if rsa:
        return f"use an RSA certificate key of at least {rsa['want']} bits (now {rsa['now']})"
    lifespan = _LIFESPAN.match(text)
    if lifespan:
        return (
            f"use certificates valid for less than {lifespan['want']} days (now {lifespan['now']})"
        )
    curve = _CURVE.match(text)
    if curve:
        return f"use a certificate key on one of the curves {_items(curve['want'])} (now {curve['now']})"
    path = _PATH.match(text)
    if path:
        return f"serve a certificate that validates (the one for {path['subject']} does not)"
    deployed = _DEPLOYED.match(text)
    if deployed:
        what = deployed["what"].lower()
        return f"deploy {what} including one of {_items(deployed['want'])} (now {_items(deployed['now'])})"
    text = _PREFIX.sub("", text).replace("should be superior or equal to", "should be at least")
    text = _SET.sub(lambda m: _items(m[1]), text)
    return text[:1].lower() + text[1:].rstrip(".")
