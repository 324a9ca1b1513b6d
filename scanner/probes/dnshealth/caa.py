"""CAA records (RFC 8659), parsed from their presentation form without DNS."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DOMAIN = re.compile(r"^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z0-9-]+$")
_PARAM = re.compile(r"^[A-Za-z0-9]+=[\x21-\x3a\x3c-\x7e]*$")
_KNOWN_TAGS = {
    "issue",
    "issuewild",
    "iodef",
    "issuemail",
    "issuevmc",
    "contactemail",
    "contactphone",
}


@dataclass(frozen=True)
class CaaRecord:
    text: str
    flags: int
    tag: str
    value: str
    errors: tuple[str, ...] = ()

    @property
    def critical(self) -> bool:
        return bool(self.flags & 128)


def parse(text: str) -> CaaRecord:
    """``text`` is one rdata in presentation form: 0 issue "ca.example; account=1"."""
    parts = text.split(None, 2)
    if len(parts) < 3 or not parts[0].isdigit():
        return CaaRecord(text, 0, "", "", ("not 'flags tag value'",))
    flags, tag, value = int(parts[0]), parts[1].lower(), parts[2]
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    errors: list[str] = []
    if flags > 255:
        errors.append(f"flags {flags} out of range")
    if tag in ("issue", "issuewild"):
        errors += _issuer_errors(tag, value)
    elif tag == "iodef":
        if not re.match(r"^(mailto:[^@\s]+@\S+|https?://\S+)$", value, re.IGNORECASE):
            errors.append(f"iodef {value!r} must be a mailto:, http: or https: URL")
    elif tag not in _KNOWN_TAGS and flags & 128:
        # Section 4.1: a CA must refuse to issue on an unknown critical property.
        errors.append(f"unknown tag {tag!r} marked critical blocks all issuance")
    return CaaRecord(text, flags, tag, value, tuple(errors))


def _issuer_errors(tag: str, value: str) -> list[str]:
    domain, _, params = value.partition(";")
    domain = domain.strip()
    errors = []
    if domain and not _DOMAIN.match(domain):
        errors.append(f"{tag} value {domain!r} is not a CA domain name")
    for param in (p.strip() for p in params.split(";")):
        if param and not _PARAM.match(param):
            errors.append(f"{tag} parameter {param!r} is not tag=value")
    return errors
