"""Subdomain takeover: a name that is a CNAME to a third-party service whose
resource behind it is unclaimed, so whoever claims it serves content under the
provider's name. The fingerprints are data (``takeover.toml``), dated and cited.

Gathering asks the service as a browser would (HTTP to the name, at the address
the target resolves to); judging is pure.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from scanner.checks import finding, not_assessed
from scanner.model import Finding, Observation, Status
from scanner.net.outcome import no_record

CHECK = "dns.takeover.possible"


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


@dataclass(frozen=True)
class TakeoverObservation(Observation):
    """A CNAME to a service in the takeover table, and what the service said."""

    kind = "dns.takeover"
    domain: str
    name: str
    target: str
    service: str  # the table's key
    verdict: str  # unclaimed, claimed, unknown
    evidence: str  # what decided it, in plain words


def judge(domain: str, observations: Sequence[Observation]) -> Finding:
    """One verdict per domain over the CNAMEs of its names (pure)."""
    mine = [o for o in observations if isinstance(o, TakeoverObservation) and o.domain == domain]
    table = {f.key: f for f in fingerprints()[1]}
    reviewed = fingerprints()[0]
    claimable = [
        o for o in mine if o.verdict == "unclaimed" and table[o.service].status == "vulnerable"
    ]
    edge = [o for o in mine if o.verdict == "unclaimed" and table[o.service].status == "edge_case"]
    unknown = [
        o for o in mine if o.verdict == "unknown" and table[o.service].status != "not_vulnerable"
    ]

    def listing(items: Sequence[TakeoverObservation]) -> str:
        return "; ".join(
            f"{o.name} -> {o.target} ({table[o.service].name}: {o.evidence})" for o in items
        )

    evidence = {
        "cnames": {o.name: o.target for o in mine},
        "references": sorted({table[o.service].reference for o in mine}),
        "table_reviewed": reviewed,
    }
    if claimable:
        return finding(
            CHECK,
            Status.FAIL,
            domain,
            f"Names of {domain} point at unclaimed third-party resources that anyone can "
            f"claim and then serve content under the provider's name: {listing(claimable)}.",
            **evidence,
        )
    if edge:
        return finding(
            CHECK,
            Status.WARN,
            domain,
            f"Names of {domain} point at unclaimed resources of services where claiming "
            f"them takes extra conditions: {listing(edge)}.",
            **evidence,
        )
    if unknown:
        return not_assessed(
            CHECK, domain, f"the service did not answer clearly: {listing(unknown)}"
        )
    if mine:
        return finding(
            CHECK,
            Status.PASS,
            domain,
            f"Every CNAME of {domain} to a third-party service points at a claimed resource.",
            **evidence,
        )
    return finding(
        CHECK,
        Status.PASS,
        domain,
        f"No name of {domain} is a CNAME to a service in the takeover table (reviewed {reviewed}).",
        table_reviewed=reviewed,
    )


def verdict(
    fingerprint: Fingerprint, target_outcome: str, body: str | None, error: str
) -> tuple[str, str]:
    """(verdict, evidence) for a CNAME to ``fingerprint``'s service (pure)."""
    if fingerprint.nxdomain:
        if target_outcome == "nxdomain":
            return "unclaimed", "the target does not exist (NXDOMAIN)"
        if target_outcome == "ok":
            return "claimed", "the target exists"
        return "unknown", f"the target lookup failed ({target_outcome})"
    if no_record(target_outcome):
        return "unknown", f"the target does not resolve ({target_outcome})"
    if body is None:
        return "unknown", f"no HTTP answer ({error})"
    if fingerprint.marker and fingerprint.marker.lower() in body.lower():
        return "unclaimed", f"the service answers {fingerprint.marker!r}"
    return "claimed", "the service serves the name"


def observe(
    domain: str,
    name: str,
    target: str,
    target_outcome: str,
    addresses: Sequence[str],
    fetch: Callable[[str, str], tuple[str | None, str]],
) -> TakeoverObservation | None:
    """Asks the service about ``name`` when ``target`` is one of the table's; None
    otherwise. ``fetch(name, address)`` is an HTTP GET of http://name/ there."""
    fingerprint = service_for(target)
    if fingerprint is None:
        return None
    body, error = None, "the name has no address to ask"
    if fingerprint.marker and addresses:
        body, error = fetch(name, addresses[0])
    result, evidence = verdict(fingerprint, target_outcome, body, error)
    return TakeoverObservation(domain, name, target, fingerprint.key, result, evidence)
