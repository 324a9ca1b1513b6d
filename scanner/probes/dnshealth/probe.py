"""DNS integrity and resilience: DNSSEC, CAA, NS and MX redundancy, IPv6, dangling CNAMEs."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.checks import finding, not_assessed
from scanner.concurrency import DaemonPool
from scanner.discovery.scope import in_scope
from scanner.model import Finding, Observation, Status, Target
from scanner.net.outcome import answered, no_record
from scanner.net.resolver import DnsOutcome
from scanner.observations.dns import DnsRecords, HostAddresses
from scanner.probes.base import Probe, ProbeContext
from scanner.probes.discovery.surface import DiscoveredName
from scanner.probes.dnshealth import caa, servers, takeover
from scanner.probes.dnshealth.inventory import host_set_rows
from scanner.probes.email.probe import org_domain
from scanner.scoring.profile import Profile

IDS = (
    "dns.dnssec.unsigned", "dns.dnssec.invalid", "dns.caa.missing", "dns.caa.invalid",
    "dns.ns.redundancy", "dns.mx.redundancy", "dns.ipv6.missing", "dns.cname.dangling",
    "dns.takeover.possible", "dns.ns.lame", "dns.ns.open_resolver", "dns.ns.inconsistent",
)  # fmt: skip
# CNAMEs looked at per domain: the known names and what discovery found.
MAX_CNAMES = 64


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
    target_outcome: str  # of the address lookup at the end of the chain (or of that one)


class DnsHealthProbe(Probe):
    name = "dns-health"
    description = "DNSSEC (validated), CAA, NS and MX redundancy, IPv6 reach, dangling CNAMEs."
    version = "1"
    rank = 40
    inventory_sections = ("mx", "ns")
    consumes = ("dns-discovery",)
    observation_types = (
        DnssecObservation,
        CaaObservation,
        HostSet,
        CnameObservation,
        servers.NameServerObservation,
        servers.DelegationObservation,
        takeover.TakeoverObservation,
    )
    checks = IDS

    def inventory(
        self, observations: Sequence[Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        return {
            "mx": host_set_rows(observations, "mail"),
            "ns": host_set_rows(observations, "ns"),
        }

    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
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
                for rdtype, role in (("NS", "ns"), ("MX", "mail")):
                    answer = next(
                        (r for r in records if r.name == domain and r.rdtype == rdtype), None
                    )
                    names = (
                        [r.split()[-1].rstrip(".").lower() for r in answer.records]
                        if answer
                        else []
                    )
                    names = [n for n in names if n]
                    out.append(
                        HostSet(
                            domain,
                            role,
                            tuple(
                                (
                                    n,
                                    hosts[n].addresses + tuple(a for a, _ in hosts[n].refused),
                                    hosts[n].outcome,
                                )
                                if n in hosts
                                else (n, (), "not looked up")
                                for n in names
                            ),
                        )
                    )
                web = [h for h in (domain, f"www.{domain}") if h in hosts]
                out.append(
                    HostSet(
                        domain,
                        "web",
                        tuple(
                            (
                                h,
                                hosts[h].addresses + tuple(a for a, _ in hosts[h].refused),
                                hosts[h].outcome,
                            )
                            for h in web
                        ),
                    )
                )
                out.extend(_cnames(domain, records, hosts, found, context, pool))
        return out

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        findings: list[Finding] = []
        domains = sorted({getattr(o, "domain", "") for o in observations} - {""})
        for domain in domains:
            mine = [o for o in observations if getattr(o, "domain", None) == domain]
            findings += _evaluate(domain, mine)
        return findings


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
    chains: list[tuple[str, str, str]] = []
    for name in known:
        cname = next(
            (r for r in records if r.name == name and r.rdtype == "CNAME" and r.records), None
        )
        if cname is not None and name in hosts:
            chains.append((name, cname.records[0].rstrip("."), hosts[name].outcome))
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

    def chain(name: str) -> tuple[str, str, str] | None:
        answer = context.resolver.query(name, "CNAME")
        if not answer.outcome.conclusive:
            # Whether the name is a CNAME is unknown: kept, with no target, so the
            # check says so instead of passing without it.
            return (
                name,
                "",
                f"{answer.outcome}: {answer.reason}" if answer.reason else answer.outcome,
            )
        if answer.outcome is not DnsOutcome.OK or not answer.records:
            return None
        outcome = (
            hosts[name].outcome if name in hosts else str(context.resolver.query(name, "A").outcome)
        )
        return name, answer.records[0].rstrip(".").lower(), outcome

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
    for name, target, outcome in chains:
        out.append(CnameObservation(domain, name, target, outcome))
        if not target:
            continue
        # The refused addresses too: the policy's reason then says why none was asked.
        addresses = (
            (*hosts[name].addresses, *(a for a, _ in hosts[name].refused)) if name in hosts else ()
        )
        seen = takeover.observe(domain, name, target, outcome, addresses, fetch)
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


def _evaluate(domain: str, observations: Sequence[Observation]) -> list[Finding]:
    out: list[Finding] = []
    sets = {o.role: o for o in observations if isinstance(o, HostSet)}
    for obs in observations:
        if isinstance(obs, DnssecObservation):
            out += _judge_dnssec(obs)
        elif isinstance(obs, CaaObservation):
            out += _judge_caa(obs)
    out += _redundancy(domain, sets)
    out += _ipv6(domain, sets)
    out.append(takeover.judge(domain, observations))
    out.append(servers.judge_lame(domain, observations))
    out.append(servers.judge_open_resolver(domain, observations))
    out.append(servers.judge_consistency(domain, observations))
    cnames = [o for o in observations if isinstance(o, CnameObservation)]
    dangling = [c for c in cnames if no_record(c.target_outcome)]
    # A loop, SERVFAIL or timeout at the end of a chain tells nothing about dangling:
    # not assessed for that name, never a pass.
    unknown = [c for c in cnames if not answered(c.target_outcome)]
    out += [
        finding(
            "dns.cname.dangling",
            Status.FAIL,
            c.name,
            f"{c.name} is a CNAME to {c.target}, which does not resolve ({c.target_outcome}). Whoever registers or claims {c.target} serves content under {c.name}.",
            target=c.target,
        )
        for c in dangling
    ]
    out += [
        finding(
            "dns.cname.dangling",
            Status.NOT_ASSESSED,
            c.name,
            f"Not assessed: {c.name} is a CNAME to {c.target}, whose lookup failed "
            f"({c.target_outcome}: a CNAME loop or a failing name server)."
            if c.target
            else f"Not assessed: the CNAME lookup of {c.name} failed ({c.target_outcome}).",
            target=c.target,
            reason=c.target_outcome,
        )
        for c in unknown
    ]
    if cnames and not dangling and not unknown:
        out.append(
            finding(
                "dns.cname.dangling",
                Status.PASS,
                domain,
                f"Every CNAME among {domain}'s names resolves.",
                cnames={c.name: c.target for c in cnames},
            )
        )
    elif not cnames:
        out.append(
            finding(
                "dns.cname.dangling",
                Status.INFO,
                domain,
                f"None of {domain}'s discovered names is a CNAME.",
            )
        )
    return out


def _judge_dnssec(obs: DnssecObservation) -> list[Finding]:
    zone = obs.zone.rstrip(".") or obs.domain
    evidence = {
        "zone": zone,
        "dnssec_status": obs.status,
        "reason": obs.reason,
        "anchor": obs.anchor,
        "resolver_ad_flag": obs.ad_flag,
    }
    if obs.status == "secure":
        return [
            finding(
                "dns.dnssec.unsigned",
                Status.PASS,
                zone,
                f"The zone {zone} is signed and validates.",
                **evidence,
            ),
            finding(
                "dns.dnssec.invalid",
                Status.PASS,
                zone,
                f"The DNSSEC chain of {zone} validates: {obs.reason.rstrip('.')}.",
                **evidence,
            ),
        ]
    if obs.status == "bogus":
        return [
            finding(
                "dns.dnssec.unsigned", Status.PASS, zone, f"The zone {zone} is signed.", **evidence
            ),
            finding(
                "dns.dnssec.invalid",
                Status.FAIL,
                zone,
                f"The DNSSEC signatures of {zone} do not validate: {obs.reason}. Validating resolvers answer SERVFAIL, so the domain disappears for their users.",
                **evidence,
            ),
        ]
    if obs.status in ("unsigned", "insecure"):
        return [
            finding(
                "dns.dnssec.unsigned",
                Status.FAIL,
                zone,
                f"The zone {zone} is not protected by DNSSEC ({obs.reason}): its answers can be forged.",
                **evidence,
            ),
            finding(
                "dns.dnssec.invalid",
                Status.INFO,
                zone,
                f"Not applicable: {zone} is not signed.",
                **evidence,
            ),
        ]
    return [
        finding(
            c,
            Status.NOT_ASSESSED,
            zone,
            f"DNSSEC of {zone} not assessed: {obs.reason}.",
            **evidence,
        )
        for c in ("dns.dnssec.unsigned", "dns.dnssec.invalid")
    ]


def _judge_caa(obs: CaaObservation) -> list[Finding]:
    d = obs.domain
    if obs.inconclusive:
        reason = f"the CAA lookup failed ({obs.inconclusive})"
        return [not_assessed(c, d, reason) for c in ("dns.caa.missing", "dns.caa.invalid")]
    if not obs.records:
        return [
            finding(
                "dns.caa.missing",
                Status.FAIL,
                d,
                f"No CAA record applies to {d} (looked at {', '.join(obs.queried)}): any CA may issue certificates for it.",
            ),
            finding("dns.caa.invalid", Status.INFO, d, "Not applicable: no CAA record."),
        ]
    parsed = [caa.parse(r) for r in obs.records]
    errors = [e for p in parsed for e in p.errors]
    found = finding(
        "dns.caa.missing",
        Status.PASS,
        d,
        f"CAA records at {obs.found_at} restrict which CAs may issue for {d}.",
        records=list(obs.records),
    )
    if errors:
        return [
            found,
            finding(
                "dns.caa.invalid",
                Status.FAIL,
                d,
                f"CAA records at {obs.found_at} are malformed: {'; '.join(errors)}.",
                errors=errors,
            ),
        ]
    return [
        found,
        finding(
            "dns.caa.invalid", Status.PASS, d, f"The CAA records at {obs.found_at} are well formed."
        ),
    ]


def _net(address: str) -> str:
    ip = ipaddress.ip_address(address)
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _redundancy(domain: str, sets: dict[str, HostSet]) -> list[Finding]:
    out = []
    ns = sets.get("ns")
    if ns is None or not ns.hosts:
        out.append(
            finding(
                "dns.ns.redundancy",
                Status.NOT_ASSESSED,
                domain,
                f"No NS records were found for {domain}.",
                reason="no NS answer",
            )
        )
    else:
        working = [(h, a) for h, a, _ in ns.hosts if a]
        networks = {_net(a) for _, addrs in working for a in addrs}
        evidence = {
            "name_servers": {h: list(a) for h, a, _ in ns.hosts},
            "networks": sorted(networks),
        }
        if len(working) < 2:
            out.append(
                finding(
                    "dns.ns.redundancy",
                    Status.FAIL,
                    domain,
                    f"{domain} has {len(working)} working name server(s) of {len(ns.hosts)} listed: one outage takes the domain, its web and its mail offline.",
                    **evidence,
                )
            )
        elif len(networks) < 2:
            out.append(
                finding(
                    "dns.ns.redundancy",
                    Status.FAIL,
                    domain,
                    f"All name servers of {domain} sit in one network ({next(iter(networks))}): one network failure takes the domain offline.",
                    **evidence,
                )
            )
        else:
            out.append(
                finding(
                    "dns.ns.redundancy",
                    Status.PASS,
                    domain,
                    f"{domain} has {len(working)} name servers in {len(networks)} networks.",
                    **evidence,
                )
            )
    mx = sets.get("mail")
    if mx is None or not mx.hosts:
        out.append(finding("dns.mx.redundancy", Status.INFO, domain, f"{domain} has no MX host."))
    else:
        working_mx = [h for h, a, _ in mx.hosts if a]
        status = Status.PASS if len(working_mx) >= 2 else Status.INFO
        text = f"{domain} has {len(working_mx)} working MX host(s)" + (
            "."
            if status is Status.PASS
            else ": a single mail server means queued or bounced mail while it is down."
        )
        out.append(finding("dns.mx.redundancy", status, domain, text, mx=working_mx))
    return out


def _ipv6(domain: str, sets: dict[str, HostSet]) -> list[Finding]:
    lacking = []
    for role in ("web", "mail", "ns"):
        hosts = sets.get(role)
        if hosts is None or not any(a for _, a, _ in hosts.hosts):
            continue
        if not any(":" in addr for _, addrs, _ in hosts.hosts for addr in addrs):
            lacking.append(role)
    if lacking:
        return [
            finding(
                "dns.ipv6.missing",
                Status.FAIL,
                domain,
                f"No IPv6 address for the {', '.join(lacking)} host(s) of {domain}: IPv6-only users and networks cannot reach them.",
                roles=lacking,
            )
        ]
    return [
        finding(
            "dns.ipv6.missing",
            Status.PASS,
            domain,
            f"Web, mail and name-server hosts of {domain} all have IPv6 addresses.",
        )
    ]


PROBE = DnsHealthProbe
