"""TLS-RPT (RFC 8460) and BIMI records, parsed without DNS."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.probes.email.tags import parse_tags

_RUA = re.compile(r"^(mailto:[^@\s]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+|https://\S+)$", re.IGNORECASE)


@dataclass(frozen=True)
class TlsRptRecord:
    text: str
    rua: tuple[str, ...]
    errors: tuple[str, ...] = ()


def is_tlsrpt(text: str) -> bool:
    return text.replace(" ", "").startswith("v=TLSRPTv1")


def parse_tlsrpt(text: str) -> TlsRptRecord:
    tags, errors = parse_tags(text)
    if tags.get("v") != "TLSRPTv1":
        errors.append("the record must start with v=TLSRPTv1")
    rua = tuple(u.strip() for u in tags.get("rua", "").split(",") if u.strip())
    if not rua:
        errors.append("no rua= destination")
    for uri in rua:
        if not _RUA.match(uri):
            errors.append(f"rua destination {uri!r} must be mailto: or https:")
    return TlsRptRecord(text, rua, tuple(errors))


@dataclass(frozen=True)
class BimiRecord:
    text: str
    logo: str | None
    authority: str | None
    errors: tuple[str, ...] = ()


def is_bimi(text: str) -> bool:
    return text.replace(" ", "").startswith("v=BIMI1")


def parse_bimi(text: str) -> BimiRecord:
    tags, errors = parse_tags(text)
    if tags.get("v") != "BIMI1":
        errors.append("the record must start with v=BIMI1")
    logo = tags.get("l") or None
    if logo and not logo.lower().startswith("https://"):
        errors.append("l= must be an https: URL")
    return BimiRecord(text, logo, tags.get("a") or None, tuple(errors))
