"""What the DANE probe saw of one MX: its zone's DNSSEC status, its TLSA records and
the certificate chains it presented over STARTTLS."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.model import Observation
from scanner.observations.tls import CertInfo


@dataclass(frozen=True)
class DaneObservation(Observation):
    kind = "mail.dane"
    mx: str
    zone_status: str  # DNSSEC status of the MX host's zone
    zone_reason: str
    outcome: str  # of the TLSA lookup
    records: tuple[str, ...]
    chains: tuple[tuple[str, tuple[CertInfo, ...]], ...]  # (address, presented chain)
