"""What the DNS-health probe asks: per domain, the zone's DNSSEC status (validated),
the CAA records that apply, each listed name server directly (``servers.py``), the
hosts of each role as discovery found them, and the CNAMEs among the domain's names
with where each chain ends."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from scanner.concurrency import DaemonPool
from scanner.discovery.scope import in_scope
from scanner.model import Observation, Target
from scanner.net.resolver import DnsOutcome
from scanner.observations.dns import DnsRecords, HostAddresses
from scanner.probes.base import ProbeContext
from scanner.probes.discovery.observations import DiscoveredName
from scanner.probes.email.gather import org_domain

from . import servers, takeover
from .observations import (
    CaaObservation,
    CnameObservation,
    DnssecObservation,
    HostSet,
    TakeoverObservation,
)

# CNAMEs looked at per domain: the known names and what discovery found.
MAX_CNAMES = 64


def gather(target: Target, context: ProbeContext) -> list[Observation]:
    """Per domain: DNSSEC, CAA, each listed name server and the parent's delegation,
    the hosts of each role, and the CNAMEs among its names."""
    discovery = context.upstream["dns-discovery"]
    hosts = {h.host: h for h in discovery.observations_of(HostAddresses)}
    records = discovery.observations_of(DnsRecords)
    found = discovery.observations_of(DiscoveredName)
    out: list[Observation] = []
    with DaemonPool(8, name="dns-health") as pool:
        dnssec = {d: pool.submit(_dnssec, d, context) for d in target.domains}
        caas = {d: pool.submit(_caa, d, context) for d in target.domains}
        for domain in target.domains:
            out.append(dnssec[domain].result())
            out.append(caas[domain].result())
            out.extend(_name_servers(domain, records, hosts, context, pool))
            out.extend(_host_sets(domain, records, hosts))
            out.extend(_cnames(domain, records, hosts, found, context, pool))
    return out


def _host_sets(
    domain: str, records: Sequence[DnsRecords], hosts: Mapping[str, HostAddresses]
) -> list[HostSet]:
    """The name servers, MX hosts and web hosts of the domain, with every address
    discovery found for each (those the policy refused too: IPv6 reach counts them)."""

    def entry(name: str) -> tuple[str, tuple[str, ...], str]:
        if name not in hosts:
            return name, (), "not looked up"
        host = hosts[name]
        return name, host.addresses + tuple(a for a, _ in host.refused), host.outcome

    out = []
    for rdtype, role in (("NS", "ns"), ("MX", "mail")):
        answer = next((r for r in records if r.name == domain and r.rdtype == rdtype), None)
        names = [r.split()[-1].rstrip(".").lower() for r in answer.records] if answer else []
        out.append(HostSet(domain, role, tuple(entry(n) for n in names if n)))
    web = [h for h in (domain, f"www.{domain}") if h in hosts]
    out.append(HostSet(domain, "web", tuple(entry(h) for h in web)))
    return out


def _name_servers(
    domain: str,
    records: Sequence[DnsRecords],
    hosts: Mapping[str, HostAddresses],
    context: ProbeContext,
    pool: DaemonPool,
) -> list[Observation]:
    """Each listed name server asked directly (one address each), and the parent's view."""
    answer = next((r for r in records if r.name == domain and r.rdtype == "NS"), None)
    names = sorted({r.rstrip(".").lower() for r in answer.records}) if answer else []
    listed = [(n, hosts[n].addresses[0]) for n in names if n in hosts and hosts[n].addresses][
        : servers.MAX_SERVERS
    ]
    out: list[Observation] = list(
        pool.map(lambda s: servers.observe_server(domain, s[0], s[1], context), listed)
    )
    if names:
        out.append(servers.observe_delegation(domain, names, context))
    return out


def _cnames(
    domain: str,
    records: Sequence[DnsRecords],
    hosts: Mapping[str, HostAddresses],
    found: Sequence[DiscoveredName],
    context: ProbeContext,
    pool: DaemonPool,
) -> list[Observation]:
    """The CNAMEs among the domain's names, known and discovered, with where each
    chain ends; for a CNAME to a service in the takeover table, what it answers."""
    known = (domain, f"www.{domain}", f"mta-sts.{domain}")
    chains: list[tuple[str, str, DnsOutcome, str]] = []
    for name in known:
        cname = next(
            (r for r in records if r.name == name and r.rdtype == "CNAME" and r.records), None
        )
        if cname is not None and name in hosts:
            chains.append((name, cname.records[0].rstrip("."), hosts[name].outcome, ""))
    others = [
        n.name
        for n in found
        if n.scope == "provider"
        # A refused name's CNAME is still read (DNS only): a takeover does not care
        # where the name points today.
        and n.status in ("scanned", "no_address", "refused")
        and in_scope(n.name, (domain,))
        and n.name not in known
    ][:MAX_CNAMES]

    def chain(name: str) -> tuple[str, str, DnsOutcome, str] | None:
        answer = context.resolver.query(name, "CNAME")
        if not answer.outcome.conclusive:
            # Whether the name is a CNAME is unknown: kept, with no target, so the
            # check says so instead of passing without it.
            return name, "", answer.outcome, answer.reason
        if answer.outcome is not DnsOutcome.OK or not answer.records:
            return None
        outcome = (
            hosts[name].outcome if name in hosts else context.resolver.query(name, "A").outcome
        )
        return name, answer.records[0].rstrip(".").lower(), outcome, ""

    chains += [c for c in pool.map(chain, others) if c is not None]

    def fetch(name: str, address: str) -> tuple[str | None, str]:
        if context.http is None:
            return None, "not asked (no HTTP client)"
        # An address the policy refuses is refused by the HTTP client's door, with the reason.
        response = context.http.get(name, address, "/", scheme="http", verify=False)
        if response.status is None:
            return None, response.error
        return response.body.decode("utf-8", errors="replace"), ""

    out: list[Observation] = []
    for name, target, outcome, reason in chains:
        out.append(CnameObservation(domain, name, target, outcome, reason))
        if not target:
            continue
        # The refused addresses too: the policy's reason then says why none was asked.
        addresses = (
            (*hosts[name].addresses, *(a for a, _ in hosts[name].refused)) if name in hosts else ()
        )
        seen = _takeover(domain, name, target, outcome, addresses, fetch)
        if seen is not None:
            out.append(seen)
    return out


def _dnssec(domain: str, context: ProbeContext) -> DnssecObservation:
    if context.dnssec is None:
        return DnssecObservation(
            domain, "", "indeterminate", "no DNSSEC validator configured", "", False
        )
    status = context.dnssec.status(domain)
    return DnssecObservation(
        domain, status.zone, status.status, status.reason, status.anchor, status.ad_flag
    )


def _caa(domain: str, context: ProbeContext) -> CaaObservation:
    """RFC 8659 section 3 tree climbing, stopped at the organizational domain."""
    org = org_domain(domain)
    labels = domain.split(".")
    names = [".".join(labels[i:]) for i in range(len(labels)) if ".".join(labels[i:]).endswith(org)]
    queried = []
    for name in names:
        queried.append(name)
        answer = context.resolver.query(name, "CAA")
        if not answer.outcome.conclusive:
            return CaaObservation(
                domain,
                None,
                (),
                tuple(queried),
                f"{name}: {answer.outcome} {answer.reason}".strip(),
            )
        if answer.records:
            return CaaObservation(domain, name, answer.records, tuple(queried), None)
    return CaaObservation(domain, None, (), tuple(queried), None)


def _takeover(
    domain: str,
    name: str,
    target: str,
    target_outcome: DnsOutcome,
    addresses: Sequence[str],
    fetch: Callable[[str, str], tuple[str | None, str]],
) -> TakeoverObservation | None:
    """Asks the service about ``name`` when ``target`` is one of the table's; None
    otherwise. ``fetch(name, address)`` is an HTTP GET of http://name/ there."""
    fingerprint = takeover.service_for(target)
    if fingerprint is None:
        return None
    body, error = None, "the name has no address to ask"
    if fingerprint.marker and addresses:
        body, error = fetch(name, addresses[0])
    result, evidence = takeover.verdict(fingerprint, target_outcome, body, error)
    return TakeoverObservation(domain, name, target, fingerprint.key, result, evidence)
