"""Gathering for the DANE probe: the TLSA lookup and the zone's DNSSEC status through
the context's resolver and validator; the chains come from the TLS probe."""

from __future__ import annotations

from collections.abc import Sequence

from scanner.observations.tls import TlsEndpointResult
from scanner.probes.base import ProbeContext

from .observations import DaneObservation


def observe(
    host: str, context: ProbeContext, endpoints: Sequence[TlsEndpointResult]
) -> DaneObservation:
    status = context.dnssec.status(host) if context.dnssec else None
    answer = context.resolver.query(f"_25._tcp.{host}", "TLSA")
    chains = tuple(
        (e.address, e.certificate.received_chain)
        for e in endpoints
        if e.host == host and e.port == 25 and e.certificate is not None
    )
    return DaneObservation(
        mx=host,
        zone_status=status.status if status else "indeterminate",
        zone_reason=status.reason if status else "no DNSSEC validator configured",
        outcome=answer.outcome,
        records=answer.records,
        chains=chains,
        outcome_reason="" if answer.outcome.conclusive else answer.reason,
    )
