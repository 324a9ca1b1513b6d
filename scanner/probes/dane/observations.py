"""What the DANE probe saw of one MX: its zone's DNSSEC status, its TLSA records and
the certificate chains it presented over STARTTLS."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scanner.model import Observation
from scanner.observations.dns import DnsOutcome, upgrade_outcomes
from scanner.observations.tls import CertInfo


@dataclass(frozen=True)
class DaneObservation(Observation):
    kind = "mail.dane"
    mx: str
    zone_status: str  # DNSSEC status of the MX host's zone
    zone_reason: str
    outcome: DnsOutcome  # of the TLSA lookup
    records: tuple[str, ...]
    chains: tuple[tuple[str, tuple[CertInfo, ...]], ...]  # (address, presented chain)
    outcome_reason: str = ""  # why the lookup failed, when it did

    @classmethod
    def upgrade(cls, data: Mapping[str, Any]) -> Mapping[str, Any]:
        return upgrade_outcomes(cls.kind, data)
