"""What the email probe saw for one domain, as raw record texts and lookup outcomes.

Parsing and judging happen in ``evaluate.py``; only the SPF include walk is
summarised here, because following includes needs DNS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scanner.model import Observation
from scanner.observations.dns import DnsOutcome, upgrade_outcomes


@dataclass(frozen=True)
class SpfObservation(Observation):
    kind = "email.spf"
    domain: str
    outcome: DnsOutcome  # of the TXT lookup at the domain
    records: tuple[str, ...]  # every v=spf1 record at the domain
    lookups: int  # DNS-querying terms over the whole include/redirect tree
    void_lookups: int
    errors: tuple[str, ...]  # permerror conditions anywhere in the tree
    inconclusive: tuple[str, ...]  # lookups that failed
    effective_all: str | None  # the qualifier of the 'all' that ends evaluation
    uses_ptr: bool
    missing_includes: tuple[str, ...] = ()  # include:/redirect= domains that do not exist
    outcome_reason: str = ""  # why the TXT lookup failed, when it did

    @classmethod
    def upgrade(cls, data: Mapping[str, Any]) -> Mapping[str, Any]:
        return upgrade_outcomes(cls.kind, data)


@dataclass(frozen=True)
class DmarcObservation(Observation):
    kind = "email.dmarc"
    domain: str
    found_at: str | None  # where the RFC 9989 tree walk found the policy
    records: tuple[str, ...]
    queried: tuple[str, ...]
    inconclusive: str | None
    org_domain_psl: str  # RFC 7489's organizational domain (Public Suffix List)
    rfc7489_location: str | None  # where RFC 7489 would have found a record
    rua_authorizations: tuple[tuple[str, str], ...]  # (destination domain, outcome)


@dataclass(frozen=True)
class DkimObservation(Observation):
    kind = "email.dkim"
    domain: str
    selectors: tuple[str, ...]
    found: tuple[tuple[str, str], ...]  # (selector, key record)
    failed: tuple[str, ...]  # selectors whose lookup failed
    # How the name _domainkey.DOMAIN itself answered: NXDOMAIN means no name exists
    # below it (RFC 8020), so no selector at all; NOERROR means names exist there,
    # under selectors we may not know (internet.nl #839). None: not asked (a scan
    # made before vetscan asked it).
    domainkey: DnsOutcome | None = None


@dataclass(frozen=True)
class MtaStsObservation(Observation):
    kind = "email.mta_sts"
    domain: str
    outcome: DnsOutcome  # of the TXT lookup at _mta-sts
    records: tuple[str, ...]  # v=STSv1 records at _mta-sts
    mx_hosts: tuple[str, ...] = ()
    policy_url: str = ""
    policy_text: str | None = None
    policy_content_type: str = ""
    policy_error: str = ""
    outcome_reason: str = ""  # why the TXT lookup failed, when it did

    @classmethod
    def upgrade(cls, data: Mapping[str, Any]) -> Mapping[str, Any]:
        return upgrade_outcomes(cls.kind, data)


@dataclass(frozen=True)
class RecordObservation(Observation):
    """A single TXT name looked up as is: TLS-RPT, BIMI."""

    kind = "email.record"
    domain: str
    record_kind: str  # tlsrpt, bimi
    name: str
    outcome: DnsOutcome
    texts: tuple[str, ...]
    outcome_reason: str = ""  # why the lookup failed, when it did

    @classmethod
    def upgrade(cls, data: Mapping[str, Any]) -> Mapping[str, Any]:
        return upgrade_outcomes(cls.kind, data)
