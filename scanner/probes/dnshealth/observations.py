"""What the DNS-health probe records for each domain: its zone's DNSSEC status, the
CAA records that apply, its hosts by role, its CNAMEs and where they end, what each
listed name server said when asked directly, the parent's delegation and, for a
CNAME to a third-party service, whether the resource behind it is claimed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scanner.model import Observation
from scanner.observations.dns import DnsOutcome, upgrade_outcomes


@dataclass(frozen=True)
class DnssecObservation(Observation):
    kind = "dns.dnssec"
    domain: str
    zone: str
    status: str  # secure, insecure, unsigned, bogus, indeterminate
    reason: str
    anchor: str
    ad_flag: bool


@dataclass(frozen=True)
class CaaObservation(Observation):
    kind = "dns.caa"
    domain: str
    found_at: str | None
    records: tuple[str, ...]
    queried: tuple[str, ...]
    inconclusive: str | None


@dataclass(frozen=True)
class HostSet(Observation):
    """The hosts of one role for a domain, with their addresses (from discovery)."""

    kind = "dns.host_set"
    domain: str
    role: str  # ns, mail, web
    hosts: tuple[tuple[str, tuple[str, ...], str], ...]  # (host, addresses, outcome)


@dataclass(frozen=True)
class CnameObservation(Observation):
    kind = "dns.cname"
    domain: str
    name: str
    target: str  # "" when the CNAME lookup of the name itself went unanswered
    target_outcome: DnsOutcome  # of the address lookup at the end of the chain (or of that one)
    target_reason: str = ""  # why that lookup failed, when it did

    @classmethod
    def upgrade(cls, data: Mapping[str, Any]) -> Mapping[str, Any]:
        return upgrade_outcomes(cls.kind, data)


@dataclass(frozen=True)
class NameServerObservation(Observation):
    """What one listed name server said when asked directly."""

    kind = "dns.name_server"
    domain: str
    host: str
    address: str
    soa_outcome: str  # of "domain SOA", recursion not asked
    authoritative: bool
    serial: int | None
    # "PARENT SOA" with recursion asked: an answer with RA and without AA is recursion.
    recursion_outcome: str
    recursion_available: bool
    recursed: bool
    reason: str = ""


@dataclass(frozen=True)
class DelegationObservation(Observation):
    """The NS set the parent zone's servers hand out for the domain, and the child's."""

    kind = "dns.delegation"
    domain: str
    parent: str
    parent_ns: tuple[str, ...]  # empty when the parent's view could not be told apart
    child_ns: tuple[str, ...]
    reason: str = ""


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
