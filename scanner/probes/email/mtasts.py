"""MTA-STS (RFC 8461): the _mta-sts TXT record and the policy file, parsed without I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.probes.email.tags import parse_tags

MAX_POLICY_BYTES = 64 * 1024  # section 3.3
MAX_AGE_LIMIT = 31_557_600  # section 3.2
_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")
_MX_PATTERN = re.compile(r"^(\*\.)?([A-Za-z0-9-]+\.)+[A-Za-z0-9-]+\.?$")


@dataclass(frozen=True)
class StsRecord:
    text: str
    id: str | None
    errors: tuple[str, ...] = ()


def is_sts_record(text: str) -> bool:
    return text.replace(" ", "").startswith("v=STSv1")


def parse_record(text: str) -> StsRecord:
    tags, errors = parse_tags(text)
    if tags.get("v") != "STSv1" or not text.strip().startswith("v="):
        errors.append("the record must start with v=STSv1")
    record_id = tags.get("id")
    if record_id is None:
        errors.append("no id= tag")
    elif not _ID.match(record_id):
        errors.append(f"id={record_id!r} must be 1 to 32 letters and digits")
    return StsRecord(text, record_id, tuple(errors))


@dataclass(frozen=True)
class StsPolicy:
    text: str
    version: str | None
    mode: str | None
    mx: tuple[str, ...]
    max_age: int | None
    errors: tuple[str, ...] = ()


def parse_policy(text: str) -> StsPolicy:
    fields: dict[str, list[str]] = {}
    errors: list[str] = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        if not line.strip():
            continue
        if ":" not in line:
            errors.append(f"line {number} is not 'key: value'")
            continue
        key, value = (s.strip() for s in line.split(":", 1))
        fields.setdefault(key, []).append(value)
    version = fields.get("version", [None])[0]
    mode = fields.get("mode", [None])[0]
    raw_age = fields.get("max_age", [None])[0]
    mx = tuple(fields.get("mx", []))
    if version != "STSv1":
        errors.append("version must be STSv1")
    if mode not in ("enforce", "testing", "none"):
        errors.append(f"mode {mode!r} must be enforce, testing or none")
    max_age = int(raw_age) if raw_age is not None and raw_age.isdigit() else None
    if max_age is None or max_age > MAX_AGE_LIMIT:
        errors.append(f"max_age {raw_age!r} must be a number of seconds up to {MAX_AGE_LIMIT}")
    if mode in ("enforce", "testing") and not mx:
        errors.append("no mx: lines")
    for pattern in mx:
        if not _MX_PATTERN.match(pattern):
            errors.append(f"mx pattern {pattern!r} is not a host name or *.wildcard")
    for key in ("version", "mode", "max_age"):
        if len(fields.get(key, [])) > 1:
            errors.append(f"{key} appears more than once")
    return StsPolicy(text, version, mode, mx, max_age, tuple(errors))


def mx_matches(pattern: str, host: str) -> bool:
    """Section 4.1: exact match, or "*." matching exactly one leftmost label."""
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern.startswith("*."):
        label, _, rest = host.partition(".")
        return bool(label) and rest == pattern[2:]
    return pattern == host
