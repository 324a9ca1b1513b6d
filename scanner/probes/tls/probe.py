"""The TLS probe: which endpoints to assess, a cheap reachability check, then sslyze."""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from scanner.concurrency import DaemonPool
from scanner.model import Finding, Observation, Target
from scanner.net.policy import AddressPolicy
from scanner.net.reachability import Reachability, check_tls
from scanner.net.starttls import talk, talk_gently
from scanner.observations.dns import HostAddresses
from scanner.observations.ports import OpenPorts
from scanner.observations.tls import TlsEndpoint, TlsEndpointResult
from scanner.observations.tls_services import DIALOGUE, STARTTLS_SERVICES, tls_service
from scanner.probes.base import Probe, ProbeContext
from scanner.probes.tls.changes import certificate_changes, certificate_line
from scanner.probes.tls.inventory import certificate_rows, grid_rows
from scanner.probes.tls.own_tests import with_own_tests
from scanner.scoring.profile import Profile

from .evaluate import ALL_IDS, Thresholds, evaluate_endpoint

# The TLS every host of a role has: (port, service).
ROLE_PORTS = {
    "web": (443, "https"),
    "mta-sts": (443, "https"),
    "mail": (25, "smtp"),
    # A host discovery found (word list, CT, SAN, SRV): HTTPS if it serves it.
    "discovered": (443, "https"),
}
MAX_ENDPOINTS = 256
# An MX that limits us is asked again after these pauses, within a quarter of the
# probe's time budget: greylisting lets a patient client in; a rate limit stays.
MX_PAUSES = (2.0, 5.0)
# A port found open whose pre-check failed is no TLS service, unless the server only
# refused us for now (421) or this machine cannot reach it: those are said.
KEPT_OUTCOMES = {"limited", "no_route"}
_MAIL_SERVICES = {"smtp", "submission", "submissions", "imap", "imaps", "pop3", "pop3s"}


class TlsProbe(Probe):
    name = "tls"
    description = (
        "TLS on web (443), MX (25, STARTTLS), MTA-STS and extra endpoints, and on every "
        "TLS service the services scan finds open (submission, IMAP, POP3, LDAP, FTP, "
        "XMPP, PostgreSQL, 8443, ...): protocols, ciphers, certificates, known "
        "vulnerabilities, HSTS on HTTPS, Mozilla compliance (sslyze)."
    )
    version = "1"
    rank = 20
    change_sections = ("certificates",)
    inventory_sections = ("tls_grid", "certificates")
    # Its inventory sections come after the services in the report.
    report_rank = 75
    consumes = ("dns-discovery",)
    # The ports the services scan found open: every TLS service there is assessed too.
    after = ("ports",)
    observation_types = (TlsEndpointResult,)
    checks = ALL_IDS

    # The days left on a certificate count down daily; crossing a threshold changes
    # the status, which history does see.
    volatile_evidence = frozenset({"days_left"})

    def changes(
        self, old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        return certificate_changes(old, new)

    def change_line(self, section: str, row: Mapping[str, Any]) -> str:
        return certificate_line(section, row)

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
        # Ports only the port scan found: kept only where TLS really answers.
        found = service_endpoints(_services(context), hosts, planned)
        planned = (planned + found)[:MAX_ENDPOINTS]
        optional = set(found)
        budget = context.profile.probe_timeout / 4
        with DaemonPool(16, name="tls-check") as pool:
            checks = list(
                pool.map(lambda e: reachable(e, context.timeout, budget, context.policy), planned)
            )
        ready = [e for e, r in zip(planned, checks, strict=True) if r.ok]
        scanned = dict(zip(ready, context.tls.scan(ready), strict=True)) if ready else {}
        scanned = with_own_tests(scanned, context)
        now = datetime.now(UTC)
        results: list[Observation] = list(unreachable)
        for endpoint, reach in zip(planned, checks, strict=True):
            found_only = endpoint.role == "discovered" or endpoint in optional
            if found_only and not reach.ok and reach.outcome not in KEPT_OUTCOMES:
                continue  # no TLS answered there: nothing to judge
            result = scanned.get(endpoint) or endpoint.unscanned(reach.outcome, reach.reason, now)
            if (
                endpoint in optional
                and result.outcome == "error"
                and endpoint.starttls
                and endpoint.kind_of_service not in DIALOGUE
            ):
                continue  # LDAP, XMPP, PostgreSQL without STARTTLS: not a TLS service
            if result.outcome == "error" and endpoint.kind_of_service in ("smtp", "submission"):
                result = _limited_after(result, endpoint, context.timeout, context.policy)
            results.append(_named(result, hosts))
        return results

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        thresholds = Thresholds.of(profile)
        findings: list[Finding] = []
        for ep in observations:
            if isinstance(ep, TlsEndpointResult):
                findings.extend(evaluate_endpoint(ep, thresholds))
        return findings


def plan(
    target: Target, hosts: Sequence[HostAddresses], context: ProbeContext
) -> tuple[list[TlsEndpoint], list[TlsEndpointResult]]:
    """The endpoints to scan, and those that cannot be (no address, refused address)."""
    now = datetime.now(UTC)
    endpoints: list[TlsEndpoint] = []
    unreachable: list[TlsEndpointResult] = []

    def add(host: str, port: int, service: str, role: str, h: HostAddresses | None) -> None:
        # An MX's 25, and a --host on 587, 143, ...: STARTTLS, as its service is reached.
        starttls = service in STARTTLS_SERVICES
        if h is not None and not h.addresses and not h.refused and role in ("web", "mta-sts"):
            return  # a web name that does not exist is no endpoint (discovery reports it)
        if h is not None and not h.addresses and role == "discovered":
            return  # discovery lists it with the reason (no address, or refused)
        if h is not None and not h.addresses:
            why = "; ".join(r for _, r in h.refused) or f"{host} has no address ({h.outcome})"
            outcome = "refused_by_policy" if h.refused else "unresolved"
            unreachable.append(
                TlsEndpoint(host, port, "", role, starttls, service).unscanned(outcome, why, now)
            )
            return
        addresses = h.addresses if h is not None else (host,)
        for address in addresses:
            endpoint = TlsEndpoint(host, port, address, role, starttls, service)
            if not any((e.host, e.port, e.address) == (host, port, address) for e in endpoints):
                endpoints.append(endpoint)

    by_host = {h.host: h for h in hosts}
    for h in hosts:
        # A role's own port first: "discovered" only adds what no other role covers.
        for role in sorted(h.roles, key=lambda r: r == "discovered"):
            if role in ROLE_PORTS:
                port, service = ROLE_PORTS[role]
                add(h.host, port, service, role, h)
    for extra in target.extra_hosts:
        known = tls_service(extra.port)
        service = known.service if known else "https"
        try:
            ipaddress.ip_address(extra.host)
        except ValueError:
            add(extra.host, extra.port, service, "extra", by_host.get(extra.host))
            continue
        refusal = context.policy.refusal(extra.host)
        if refusal:
            unreachable.append(
                TlsEndpoint(extra.host, extra.port, extra.host, "extra").unscanned(
                    "refused_by_policy", refusal, now
                )
            )
        else:
            add(extra.host, extra.port, service, "extra", None)
    return endpoints[:MAX_ENDPOINTS], unreachable


def _services(context: ProbeContext) -> list[OpenPorts]:
    result = context.upstream.get("ports")
    return list(result.observations_of(OpenPorts)) if result else []


def service_endpoints(
    services: Sequence[OpenPorts],
    hosts: Sequence[HostAddresses],
    planned: Sequence[TlsEndpoint],
) -> list[TlsEndpoint]:
    """A TLS endpoint for every open port the services scan found that carries TLS
    (implicit, or STARTTLS the port's own dialogue offered), beyond the role ports."""
    taken = {(e.address, e.port) for e in planned}
    out = []
    for obs in services:
        if obs.outcome != "scanned":
            continue
        said = {d.port: d.dialogue for d in obs.dialogues}
        for port in obs.ports:
            known = tls_service(port.port, port.service, port.tunnel)
            if known is None or (obs.address, port.port) in taken:
                continue
            if known.starttls and known.service in DIALOGUE:
                dialogue = said.get(port.port)
                if dialogue is None or not dialogue.ok or not dialogue.starttls:
                    continue  # no STARTTLS there: the services checks report it
            host, role = _host_for(obs.address, known.service, hosts)
            out.append(
                TlsEndpoint(host, port.port, obs.address, role, known.starttls, known.service)
            )
            taken.add((obs.address, port.port))
    return out


def _host_for(address: str, service: str, hosts: Sequence[HostAddresses]) -> tuple[str, str]:
    """The name to send as SNI for a port of an address: a mail host's name for a mail
    service, else a web host's, else any name the address has."""
    named = [h for h in hosts if address in h.addresses]
    preferred = ("mail", "web", "mta-sts") if service in _MAIL_SERVICES else ("web", "mail")
    for role in (*preferred, *(r for h in named for r in h.roles)):
        for h in sorted(named, key=lambda h: h.host):
            if role in h.roles:
                return h.host, role
    return address, "extra"


def reachable(
    endpoint: TlsEndpoint, timeout: float, budget: float, policy: AddressPolicy
) -> Reachability:
    """The cheap check before sslyze: a TLS handshake, or for SMTP a gentle EHLO."""
    service = endpoint.kind_of_service
    if service in ("smtp", "submission"):
        dialogue, _ = talk_gently(
            endpoint.address, endpoint.port, "smtp", timeout, budget, MX_PAUSES, policy=policy
        )
        if dialogue.ok:
            if dialogue.starttls:
                return Reachability("ok")
            return Reachability("no_starttls", "the server does not offer STARTTLS")
        outcome = "not_smtp" if dialogue.outcome == "not_protocol" else dialogue.outcome
        return Reachability(outcome, dialogue.reason)
    if endpoint.starttls:
        # IMAP, POP3, FTP: their dialogue in the services probe offered STARTTLS; LDAP,
        # XMPP, PostgreSQL: sslyze's own attempt is the test.
        return Reachability("ok")
    return check_tls(endpoint.address, endpoint.port, endpoint.host, timeout, policy=policy)


def _limited_after(
    result: TlsEndpointResult, endpoint: TlsEndpoint, timeout: float, policy: AddressPolicy
) -> TlsEndpointResult:
    """sslyze could not finish on a mail server that offered STARTTLS moments ago: if the
    server now answers 421, it limited our connections; STARTTLS stays offered."""
    again = talk(endpoint.address, endpoint.port, "smtp", timeout, policy=policy)
    if again.outcome != "limited":
        return result
    reason = f"{again.reason}; STARTTLS was offered on the first connection"
    return dataclasses.replace(result, outcome="limited_after", reason=reason)


def _named(result: TlsEndpointResult, hosts: Sequence[HostAddresses]) -> TlsEndpointResult:
    count = next((len(h.addresses) for h in hosts if h.host == result.host), 1)
    label = f"{result.host}:{result.port}"
    if count > 1:
        label += f" [{result.address}]"
    return dataclasses.replace(result, asset=label)


PROBE = TlsProbe
