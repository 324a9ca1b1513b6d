"""The check catalogue: every check ID a probe can emit, kept as data (catalogue.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from scanner.model import Finding, Severity, Status

PITFALLS = ("transport", "email", "exposure", "hygiene", "dns", "communication")

# How a buyer who is not a specialist reads each pitfall (report headings, charts).
PITFALL_TITLES = {
    "transport": "Encryption in transit",
    "email": "Email impersonation",
    "exposure": "Exposed services",
    "hygiene": "Maintenance hygiene",
    "dns": "DNS resilience",
    "communication": "Security contacts and reporting",
}


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    description: str
    pitfall: str
    severity: Severity
    remediation: str
    references: tuple[str, ...]
    grade_cap: str | None = None  # the best grade a provider can get while this check fails


class CatalogueError(ValueError):
    pass


@cache
def catalogue() -> dict[str, Check]:
    text = resources.files("scanner.checks").joinpath("catalogue.toml").read_text("utf-8")
    return parse_catalogue(text)


def parse_catalogue(text: str) -> dict[str, Check]:
    data = tomllib.loads(text)
    checks: dict[str, Check] = {}
    for check_id, entry in data.get("check", {}).items():
        missing = {"title", "description", "pitfall", "severity", "remediation"} - set(entry)
        if missing:
            raise CatalogueError(f"check {check_id}: missing {', '.join(sorted(missing))}")
        if entry["pitfall"] not in PITFALLS:
            raise CatalogueError(f"check {check_id}: unknown pitfall {entry['pitfall']!r}")
        checks[check_id] = Check(
            id=check_id,
            title=entry["title"],
            description=entry["description"],
            pitfall=entry["pitfall"],
            severity=Severity(entry["severity"]),
            remediation=entry["remediation"],
            references=tuple(entry.get("references", ())),
            grade_cap=entry.get("grade_cap"),
        )
        if checks[check_id].grade_cap not in (None, "A", "B", "C", "D", "F"):
            raise CatalogueError(f"check {check_id}: grade_cap must be one of A, B, C, D, F")
    return checks


def lookup(check_id: str) -> Check:
    try:
        return catalogue()[check_id]
    except KeyError:
        raise CatalogueError(f"check {check_id!r} is not in the catalogue") from None


def finding(check_id: str, status: Status, asset: str, detail: str, **evidence: Any) -> Finding:
    """A finding with the catalogue's severity for ``check_id`` (evaluate may adjust it)."""
    return Finding(check_id, status, lookup(check_id).severity, asset, detail, evidence)
