"""The TLS probe: which endpoints to assess, a cheap reachability check, then sslyze."""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from scanner.concurrency import DaemonPool
from scanner.model import Finding, Observation, Target
from scanner.net.reachability import Reachability, check_smtp_starttls, check_tls
from scanner.probes.base import Probe, ProbeContext
from scanner.probes.discovery import HostAddresses
from scanner.probes.tls.evaluate import ALL_IDS, evaluate_endpoint
from scanner.probes.tls.inventory import certificate_rows, grid_rows
from scanner.probes.tls.observations import TlsEndpoint, TlsEndpointResult
from scanner.scoring.profile import Profile

ROLE_PORTS = {
    "web": (443, False),
    "mta-sts": (443, False),
    "mail": (25, True),
    # A host discovery found (word list, CT, SAN, SRV): HTTPS if it serves it.
    "discovered": (443, False),
}
MAX_ENDPOINTS = 256


class TlsProbe(Probe):
    name = "tls"
    description = (
        "TLS on web (443), MX (25, STARTTLS), MTA-STS and extra endpoints: protocols, "
        "ciphers, certificates, known vulnerabilities, HSTS, Mozilla compliance (sslyze)."
    )
    version = "1"
    consumes = ("dns-discovery",)
    checks = ALL_IDS

    # The days left on a certificate count down daily; crossing a threshold changes
    # the status, which history does see.
    volatile_evidence = frozenset({"days_left"})

    def inventory(
        self, observations: Sequence[Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        return {
            "certificates": certificate_rows(observations),
            "tls_grid": grid_rows(observations),
        }

    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
        if context.tls is None:
            raise RuntimeError("no TLS scanner in the probe context")
        hosts = context.upstream["dns-discovery"].observations_of(HostAddresses)
        planned, unreachable = plan(target, hosts, context)
        with DaemonPool(16, name="tls-check") as pool:
            checks = list(pool.map(lambda e: _reachable(e, context.timeout), planned))
        ready = [e for e, r in zip(planned, checks, strict=True) if r.ok]
        scanned = dict(zip(ready, context.tls.scan(ready), strict=True)) if ready else {}
        now = datetime.now(UTC)
        results: list[Observation] = list(unreachable)
        for endpoint, reach in zip(planned, checks, strict=True):
            if endpoint.role == "discovered" and not reach.ok:
                continue  # a found host without HTTPS: no TLS endpoint to judge there
            result = scanned.get(endpoint) or endpoint.unscanned(reach.outcome, reach.reason, now)
            results.append(_named(result, hosts))
        return results

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        findings: list[Finding] = []
        for ep in observations:
            if isinstance(ep, TlsEndpointResult):
                findings.extend(evaluate_endpoint(ep, profile.thresholds))
        return findings


def plan(
    target: Target, hosts: Sequence[HostAddresses], context: ProbeContext
) -> tuple[list[TlsEndpoint], list[TlsEndpointResult]]:
    """The endpoints to scan, and those that cannot be (no address, refused address)."""
    now = datetime.now(UTC)
    endpoints: list[TlsEndpoint] = []
    unreachable: list[TlsEndpointResult] = []

    def add(host: str, port: int, starttls: bool, role: str, h: HostAddresses | None) -> None:
        if h is not None and not h.addresses and not h.refused and role in ("web", "mta-sts"):
            return  # a web name that does not exist is no endpoint (discovery reports it)
        if h is not None and not h.addresses and role == "discovered":
            return  # discovery lists it with the reason (no address, or refused)
        if h is not None and not h.addresses:
            why = "; ".join(r for _, r in h.refused) or f"{host} has no address ({h.outcome})"
            outcome = "refused_by_policy" if h.refused else "unresolved"
            unreachable.append(
                TlsEndpoint(host, port, "", role, starttls).unscanned(outcome, why, now)
            )
            return
        addresses = h.addresses if h is not None else (host,)
        for address in addresses:
            endpoint = TlsEndpoint(host, port, address, role, starttls)
            if not any((e.host, e.port, e.address) == (host, port, address) for e in endpoints):
                endpoints.append(endpoint)

    by_host = {h.host: h for h in hosts}
    for h in hosts:
        # A role's own port first: "discovered" only adds what no other role covers.
        for role in sorted(h.roles, key=lambda r: r == "discovered"):
            if role in ROLE_PORTS:
                port, starttls = ROLE_PORTS[role]
                add(h.host, port, starttls, role, h)
    for extra in target.extra_hosts:
        try:
            ipaddress.ip_address(extra.host)
        except ValueError:
            add(extra.host, extra.port, extra.port == 25, "extra", by_host.get(extra.host))
            continue
        refusal = context.policy.refusal(extra.host)
        if refusal:
            unreachable.append(
                TlsEndpoint(extra.host, extra.port, extra.host, "extra").unscanned(
                    "refused_by_policy", refusal, now
                )
            )
        else:
            add(extra.host, extra.port, extra.port == 25, "extra", None)
    return endpoints[:MAX_ENDPOINTS], unreachable


def _reachable(endpoint: TlsEndpoint, timeout: float) -> Reachability:
    if endpoint.starttls:
        return check_smtp_starttls(endpoint.address, endpoint.port, timeout)
    return check_tls(endpoint.address, endpoint.port, endpoint.host, timeout)


def _named(result: TlsEndpointResult, hosts: Sequence[HostAddresses]) -> TlsEndpointResult:
    count = next((len(h.addresses) for h in hosts if h.host == result.host), 1)
    label = f"{result.host}:{result.port}"
    if count > 1:
        label += f" [{result.address}]"
    return dataclasses.replace(result, asset=label)
