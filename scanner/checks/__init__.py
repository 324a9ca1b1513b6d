"""The check catalogue: every check ID a probe can emit, kept as data.

Each probe owns its checks: a ``checks.toml`` in its package (built-in probes under
scanner/probes/<name>/, a plugin's in its own package beside the class its
``vetscan.probes`` entry point names). The catalogue is assembled from those
fragments and validated here: an ID defined twice, a missing field or an unknown
pitfall is an error naming the file. Plugin checks are then scored and reported
like built-in ones.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

from scanner.errors import VetscanError
from scanner.model import Finding, Severity, Status
from scanner.probe_data import probe_files

PITFALLS = ("transport", "web", "email", "exposure", "hygiene", "dns", "communication")

# How a buyer who is not a specialist reads each pitfall (report headings, charts).
PITFALL_TITLES = {
    "transport": "Encryption in transit",
    "web": "Web application hardening",
    "email": "Email security",
    "exposure": "Exposed services",
    "hygiene": "Maintenance hygiene",
    "dns": "DNS resilience",
    "communication": "Security contacts and reporting",
}


# What belongs in each area, as the report explains it and as the catalogue is held
# to (tests/checks/test_taxonomy.py): a check sits in the area that names its pitfall.
PITFALL_SCOPE = {
    "transport": "TLS on every service: protocol versions, cipher suites, key exchange, "
    "certificate trust, host names and keys, known TLS flaws, and forcing HTTPS (HSTS "
    "and its preloading, redirects, pages that load content or take passwords over "
    "plain HTTP).",
    "web": "What a web site tells browsers to protect its visitors: content security "
    "policy, framing, content-type sniffing, referrers, cookies, cross-origin reads and "
    "isolation, script integrity, and the software versions it announces.",
    "email": "Mail in the provider's name and to it: who may send it (SPF, DKIM, DMARC) "
    "and whether it travels encrypted (STARTTLS, MTA-STS, DANE).",
    "exposure": "Services reachable from the internet that should not be: remote "
    "access, databases, container APIs, clear-text protocols, and the hosts found.",
    "hygiene": "Upkeep: certificates renewed in time and with complete chains, software "
    "versions still supported and free of known (and known-exploited) vulnerabilities, "
    "leftovers (dangling names, old keys, deprecated records).",
    "dns": "The domain's name service: DNSSEC, name-server redundancy and authority, "
    "zone transfers, CAA, takeover of names, and look-alike domains others registered.",
    "communication": "How the provider can be told of a problem and learns of one: "
    "security.txt, DMARC and TLS reports, brand indicators.",
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
    # What a failure means for the buyer's business, in plain words (no protocol
    # names, RFCs or attack names): page 1 of the report says it. Every critical and
    # high check has one (tests/checks); others fall back to the description.
    impact: str = ""


class CatalogueError(VetscanError, ValueError):
    pass


FRAGMENT = "checks.toml"


@cache
def catalogue() -> dict[str, Check]:
    checks: dict[str, Check] = {}
    origin: dict[str, str] = {}
    for source, text in probe_files(FRAGMENT):
        for check_id, check in parse_catalogue(text, source).items():
            if check_id in checks:
                raise CatalogueError(
                    f"{source}: check {check_id} is already defined in {origin[check_id]}"
                )
            checks[check_id], origin[check_id] = check, source
    return checks


def parse_catalogue(text: str, source: str = "catalogue") -> dict[str, Check]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{source}: {exc}") from None
    checks: dict[str, Check] = {}
    for check_id, entry in data.get("check", {}).items():
        missing = {"title", "description", "pitfall", "severity", "remediation"} - set(entry)
        if missing:
            raise CatalogueError(
                f"{source}: check {check_id}: missing {', '.join(sorted(missing))}"
            )
        if entry["pitfall"] not in PITFALLS:
            raise CatalogueError(
                f"{source}: check {check_id}: unknown pitfall {entry['pitfall']!r}"
            )
        checks[check_id] = Check(
            id=check_id,
            title=entry["title"],
            description=entry["description"],
            pitfall=entry["pitfall"],
            severity=Severity(entry["severity"]),
            remediation=entry["remediation"],
            references=tuple(entry.get("references", ())),
            grade_cap=entry.get("grade_cap"),
            impact=entry.get("impact", ""),
        )
        if checks[check_id].grade_cap not in (None, "A", "B", "C", "D", "F"):
            raise CatalogueError(
                f"{source}: check {check_id}: grade_cap must be one of A, B, C, D, F"
            )
    return checks


def lookup(check_id: str) -> Check:
    try:
        return catalogue()[check_id]
    except KeyError:
        raise CatalogueError(f"check {check_id!r} is not in the catalogue") from None


def finding(check_id: str, status: Status, asset: str, detail: str, **evidence: Any) -> Finding:
    """A finding with the catalogue's severity for ``check_id`` (evaluate may adjust it)."""
    return Finding(check_id, status, lookup(check_id).severity, asset, detail, evidence)


def not_assessed(check_id: str, asset: str, reason: str, subject: str | None = None) -> Finding:
    """The one way to say a check could not be judged: the reason, in the detail and
    the evidence. ``subject`` names what was looked at when it is not the asset."""
    return finding(
        check_id,
        Status.NOT_ASSESSED,
        asset,
        f"Not assessed for {subject or asset}: {reason}.",
        reason=reason,
    )
