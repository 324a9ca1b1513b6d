"""DANE for SMTP (RFC 7672): TLSA records of each MX, checked against the
certificate chain the TLS probe saw on that MX."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scanner.checks import finding
from scanner.concurrency import DaemonPool
from scanner.model import Finding, Observation, Status, Target
from scanner.net.outcome import answered
from scanner.observations.dns import HostAddresses
from scanner.observations.tls import CertInfo, TlsEndpointResult
from scanner.probes.base import Probe, ProbeContext
from scanner.probes.dnshealth import tlsa
from scanner.scoring.profile import Profile

IDS = ("mail.dane.missing", "mail.dane.invalid")


@dataclass(frozen=True)
class DaneObservation(Observation):
    kind = "mail.dane"
    mx: str
    zone_status: str  # DNSSEC status of the MX host's zone
    zone_reason: str
    outcome: str  # of the TLSA lookup
    records: tuple[str, ...]
    chains: tuple[tuple[str, tuple[CertInfo, ...]], ...]  # (address, presented chain)


class DaneProbe(Probe):
    name = "dane"
    description = "DANE TLSA records of each MX, matched against the certificate it presents."
    version = "1"
    rank = 50
    consumes = ("dns-discovery", "tls")
    observation_types = (DaneObservation,)
    checks = IDS

    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
        hosts = context.upstream["dns-discovery"].observations_of(HostAddresses)
        endpoints = context.upstream["tls"].observations_of(TlsEndpointResult)
        mx = sorted(h.host for h in hosts if "mail" in h.roles and (h.addresses or h.refused))
        with DaemonPool(8, name="dane") as pool:
            return list(pool.map(lambda host: _observe(host, context, endpoints), mx))

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        return [f for o in observations if isinstance(o, DaneObservation) for f in _judge(o)]


def _observe(
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
        outcome=str(answer.outcome)
        if answer.outcome.conclusive
        else f"{answer.outcome}: {answer.reason}",
        records=answer.records,
        chains=chains,
    )


def _judge(obs: DaneObservation) -> list[Finding]:
    mx = obs.mx
    if not answered(obs.outcome):
        return [
            finding(
                c,
                Status.NOT_ASSESSED,
                mx,
                f"DANE of {mx} not assessed: TLSA lookup failed ({obs.outcome}).",
            )
            for c in IDS
        ]
    if obs.zone_status == "indeterminate":
        return [
            finding(
                c,
                Status.NOT_ASSESSED,
                mx,
                f"DANE of {mx} not assessed: DNSSEC of its zone could not be established ({obs.zone_reason}).",
            )
            for c in IDS
        ]
    if obs.zone_status != "secure":
        why = f"its zone is {obs.zone_status} ({obs.zone_reason}), and DANE needs DNSSEC"
        return [
            finding(
                "mail.dane.missing",
                Status.FAIL,
                mx,
                f"{mx} cannot use DANE: {why}.",
                zone=obs.zone_status,
            ),
            finding(
                "mail.dane.invalid",
                Status.INFO,
                mx,
                f"Not applicable: {mx} has no usable TLSA records.",
                records=list(obs.records),
            ),
        ]
    if not obs.records:
        return [
            finding(
                "mail.dane.missing",
                Status.FAIL,
                mx,
                f"{mx} publishes no TLSA record (_25._tcp.{mx}) although its zone is signed: senders cannot authenticate it.",
            ),
            finding(
                "mail.dane.invalid", Status.INFO, mx, f"Not applicable: {mx} has no TLSA record."
            ),
        ]
    present = finding(
        "mail.dane.missing",
        Status.PASS,
        mx,
        f"{mx} publishes TLSA records in a signed zone.",
        records=list(obs.records),
    )
    parsed = [tlsa.parse(r) for r in obs.records]
    usable = [p for p in parsed if not p.errors]
    if not obs.chains:
        return [
            present,
            finding(
                "mail.dane.invalid",
                Status.NOT_ASSESSED,
                mx,
                f"DANE of {mx} not matched: no certificate was obtained from it over STARTTLS.",
            ),
        ]
    failing = [
        address for address, chain in obs.chains if not any(tlsa.matches(r, chain) for r in usable)
    ]
    if failing or not usable:
        problems = [e for p in parsed for e in p.errors]
        return [
            present,
            finding(
                "mail.dane.invalid",
                Status.FAIL,
                mx,
                f"No TLSA record of {mx} matches the certificate it presents on {', '.join(failing) or 'any address'}: DANE-validating senders will not deliver mail to it.",
                records=list(obs.records),
                addresses=failing,
                record_errors=problems,
            ),
        ]
    return [
        present,
        finding(
            "mail.dane.invalid",
            Status.PASS,
            mx,
            f"The TLSA records of {mx} match the certificate it presents.",
            records=list(obs.records),
        ),
    ]


PROBE = DaneProbe
