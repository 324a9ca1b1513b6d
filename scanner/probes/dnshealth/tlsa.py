"""TLSA records (RFC 6698, RFC 7671) and matching them against a presented chain."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.observations.tls import CertInfo


@dataclass(frozen=True)
class TlsaRecord:
    text: str
    usage: int  # 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE
    selector: int  # 0 full certificate, 1 SubjectPublicKeyInfo
    matching: int  # 0 exact, 1 SHA-256, 2 SHA-512
    data: str  # lower-case hex
    errors: tuple[str, ...] = ()


def parse(text: str) -> TlsaRecord:
    parts = text.split()
    if len(parts) < 4 or not all(p.isdigit() for p in parts[:3]):
        return TlsaRecord(text, -1, -1, -1, "", ("not 'usage selector matching data'",))
    usage, selector, matching = (int(p) for p in parts[:3])
    data = "".join(parts[3:]).lower()
    errors = []
    if usage > 3:
        errors.append(f"unknown usage {usage}")
    if selector > 1:
        errors.append(f"unknown selector {selector}")
    if matching > 2:
        errors.append(f"unknown matching type {matching}")
    if any(c not in "0123456789abcdef" for c in data):
        errors.append("data is not hexadecimal")
    expected = {1: 64, 2: 128}.get(matching)
    if expected and len(data) != expected:
        errors.append(
            f"a matching-type-{matching} digest has {expected} hex digits, not {len(data)}"
        )
    if usage in (0, 1):
        # RFC 7672 section 3.1.3: SMTP clients treat PKIX usages as unusable.
        errors.append(f"usage {usage} (PKIX) is not usable for SMTP (RFC 7672 3.1.3)")
    return TlsaRecord(text, usage, selector, matching, data, tuple(errors))


def matches(record: TlsaRecord, chain: tuple[CertInfo, ...]) -> bool:
    """Does the presented chain satisfy this DANE-EE / DANE-TA record?"""
    if record.errors or not chain:
        return False
    candidates = chain[:1] if record.usage == 3 else chain[1:]
    for cert in candidates:
        digest = {
            (0, 1): cert.sha256,
            (0, 2): cert.sha512,
            (1, 1): cert.spki_sha256,
            (1, 2): cert.spki_sha512,
        }.get((record.selector, record.matching))
        if digest is not None and digest == record.data:
            return True
    return False
