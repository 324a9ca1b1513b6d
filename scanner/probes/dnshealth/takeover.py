"""Subdomain takeover: a name that is a CNAME to a third-party service whose
resource behind it is unclaimed, so whoever claims it serves content under the
provider's name. The fingerprints are data (``takeover.toml``), dated and cited.

This module holds the table and the pure verdict on what a service answered;
``gather.py`` asks the service as a browser would (HTTP to the name, at the address
the target resolves to) and ``evaluate/names.py`` judges.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from scanner.observations.dns import DnsOutcome


@dataclass(frozen=True)
class Fingerprint:
    key: str
    name: str
    suffixes: tuple[str, ...]
    marker: str  # in the HTTP answer for an unclaimed name ("" when nxdomain decides)
    nxdomain: bool  # an NXDOMAIN target under the suffix is claimable
    status: str  # vulnerable, edge_case, not_vulnerable
    reference: str


@cache
def fingerprints() -> tuple[str, tuple[Fingerprint, ...]]:
    """(the date the table was reviewed, its entries)."""
    text = resources.files("scanner.probes.dnshealth").joinpath("takeover.toml").read_text("utf-8")
    data = tomllib.loads(text)
    entries = tuple(
        Fingerprint(
            key,
            entry["name"],
            tuple(s.lower() for s in entry["suffixes"]),
            entry.get("marker", ""),
            bool(entry.get("nxdomain", False)),
            entry["status"],
            entry["reference"],
        )
        for key, entry in data["service"].items()
    )
    return str(data["reviewed"]), entries


def service_for(target: str) -> Fingerprint | None:
    target = target.lower().rstrip(".")
    for entry in fingerprints()[1]:
        if any(target.endswith(s) for s in entry.suffixes):
            return entry
    return None


def verdict(
    fingerprint: Fingerprint, target_outcome: DnsOutcome, body: str | None, error: str
) -> tuple[str, str]:
    """(verdict, evidence) for a CNAME to ``fingerprint``'s service (pure)."""
    if fingerprint.nxdomain:
        if target_outcome == "nxdomain":
            return "unclaimed", "the target does not exist (NXDOMAIN)"
        if target_outcome == "ok":
            return "claimed", "the target exists"
        return "unknown", f"the target lookup failed ({target_outcome})"
    if target_outcome.no_record:
        return "unknown", f"the target does not resolve ({target_outcome})"
    if body is None:
        return "unknown", f"no HTTP answer ({error})"
    if fingerprint.marker and fingerprint.marker.lower() in body.lower():
        return "unclaimed", f"the service answers {fingerprint.marker!r}"
    return "claimed", "the service serves the name"
