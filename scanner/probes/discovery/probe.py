"""DNS discovery: which hosts and addresses make up the provider's public face.

Looks up A, AAAA, MX, NS and CNAME of each domain and of its www name, then the
addresses of every MX and NS host. Later probes (TLS, services, web) read the
``HostAddresses`` observations instead of resolving names themselves, so the
whole scan sees one consistent picture, filtered through the address policy.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.checks import finding
from scanner.concurrency import DaemonPool
from scanner.model import Finding, Observation, Status, Target
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import DnsAnswer, DnsOutcome, Resolver
from scanner.net.targets import InvalidTarget, normalize_hostname
from scanner.observations.dns import DnsRecords, HostAddresses
from scanner.probes.base import Probe, ProbeContext
from scanner.probes.discovery.changes import record_changes, record_line
from scanner.probes.discovery.inventory import discovered_rows, host_rows
from scanner.probes.discovery.surface import (
    DiscoveredName,
    SourceAttempt,
    discover,
    evaluate_surface,
    named,
)
from scanner.scoring.profile import Profile

NAME_TYPES = ("A", "AAAA", "MX", "NS", "CNAME")
# A hostile zone could list hundreds of MX or NS hosts; looking up a few is enough
# to judge them and keeps the scan bounded.
MAX_HOSTS_PER_KIND = 16
MAX_WORKERS = 16


@dataclass(frozen=True)
class InvalidHostName(Observation):
    """A host name that DNS handed us but that is not a valid host name."""

    kind = "dns.invalid_host_name"
    source: str
    value: str
    reason: str


class DnsDiscoveryProbe(Probe):
    name = "dns-discovery"
    description = (
        "Finds the provider's hosts (apex, www, MX, NS, and what SPF, SRV, a word list, "
        "certificate transparency and certificates name) and their addresses."
    )
    version = "1"
    rank = 10
    change_sections = ("records",)
    # Changed records come after ports and certificates in the report.
    changes_rank = 90
    inventory_sections = ("hosts", "discovered")
    observation_types = (DnsRecords, HostAddresses, InvalidHostName, SourceAttempt, DiscoveredName)
    checks = (
        "dns.domain.resolves",
        "dns.mx.unresolvable",
        "dns.ns.unresolvable",
        "dns.discovery.sources",
        "dns.discovery.budget",
        "dns.axfr.open",
        "dns.nsec.walkable",
    )

    def changes(
        self, old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        return record_changes(old, new)

    def change_line(self, section: str, row: Mapping[str, Any]) -> str:
        return record_line(section, row)

    def inventory(
        self, observations: Sequence[Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        return {
            "hosts": host_rows(observations),
            "discovered": discovered_rows(observations),
        }

    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
        resolver = context.resolver
        per_family = int(context.profile.setting("discovery", "max_addresses_per_host"))
        names = [n for d in target.domains for n in (d, f"www.{d}")]
        with DaemonPool(MAX_WORKERS, name="dns") as pool:
            queries = [(n, t) for n in names for t in NAME_TYPES]
            # The MTA-STS host matters for its CNAME too (a dangling one is a takeover risk).
            queries += [(f"mta-sts.{d}", "CNAME") for d in target.domains]
            answers = list(pool.map(lambda q: resolver.query(*q), queries))
            observations: list[Observation] = [DnsRecords.from_answer(a) for a in answers]
            roles: dict[str, set[str]] = {}
            given: dict[str, set[str]] = {}
            for domain in target.domains:
                given.setdefault(domain, set()).add("given")
                roles.setdefault(domain, set()).add("web")
                roles.setdefault(f"www.{domain}", set()).add("web")
                # The MTA-STS policy host (RFC 8461 section 3.3), if the domain has one.
                roles.setdefault(f"mta-sts.{domain}", set()).add("mta-sts")
            for answer in answers:
                if answer.rdtype in ("MX", "NS") and answer.name in target.domains:
                    role = "mail" if answer.rdtype == "MX" else "ns"
                    hosts, invalid = _hosts_from(answer.name, answer.rdtype, answer.records)
                    observations.extend(invalid)
                    for host in hosts:
                        roles.setdefault(host, set()).add(role)
                        given.setdefault(host, set()).add("mx" if role == "mail" else "ns")
            for extra in target.extra_hosts:
                roles.setdefault(extra.host, set()).add("extra")
                given.setdefault(extra.host, set()).add("given")
            known = {
                h.host: h
                for h in pool.map(
                    lambda item: _host_addresses(
                        item[0], item[1], resolver, context.policy, per_family
                    ),
                    sorted(roles.items()),
                )
            }
        found: dict[str, HostAddresses] = {}

        def resolve(new: Sequence[str]) -> dict[str, tuple[str, ...]]:
            with DaemonPool(MAX_WORKERS, name="dns-found") as lookups:
                hosts = lookups.map(
                    lambda n: _host_addresses(
                        n, ("discovered",), resolver, context.policy, per_family
                    ),
                    new,
                )
            found.update((h.host, h) for h in hosts)
            return {h.host: h.addresses for h in hosts}

        outcome = discover(
            target.domains, context, {h: a.addresses for h, a in known.items()}, resolve
        )
        sources = outcome.surface.provenance
        for host, h in known.items():
            by = sorted(given.get(host, set()) | {s for s, _ in sources.get(host, [])})
            # A mail, name or given host that a source also names gets the web checks
            # too; web and MTA-STS hosts have them already.
            web = {"web", "mta-sts"} & set(h.roles)
            extra_roles = ("discovered",) if host in sources and not web else ()
            known[host] = dataclasses.replace(
                h, roles=tuple(sorted({*h.roles, *extra_roles})), found_by=tuple(by)
            )
        for host, h in found.items():
            found[host] = dataclasses.replace(
                h, found_by=tuple(sorted({s for s, _ in sources.get(host, [])}))
            )
        observations.extend(known.values())
        observations.extend(h for h in found.values() if h.resolved)
        observations.extend(outcome.attempts)
        for entry in named(outcome, known):
            looked_up = found.get(entry.name)
            if looked_up is not None and looked_up.refused and not looked_up.addresses:
                reason = "; ".join(r for _, r in looked_up.refused)
                entry = dataclasses.replace(entry, status="refused", reason=reason)
            observations.append(entry)
        return observations

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        records = [o for o in observations if isinstance(o, DnsRecords)]
        hosts = {o.host: o for o in observations if isinstance(o, HostAddresses)}
        # The target domains are the names whose MX was asked (www and mta-sts are not).
        domains = sorted(
            {r.name for r in records if r.rdtype == "MX" and not r.name.startswith("www.")}
        )
        attempts = [o for o in observations if isinstance(o, SourceAttempt)]
        found = [o for o in observations if isinstance(o, DiscoveredName)]
        findings: list[Finding] = []
        for domain in domains:
            findings.append(_domain_resolves(domain, hosts))
            findings.extend(evaluate_surface(domain, attempts, found))
            for rdtype, check_id, role in (
                ("MX", "dns.mx.unresolvable", "mail"),
                ("NS", "dns.ns.unresolvable", "ns"),
            ):
                answer = next((r for r in records if r.name == domain and r.rdtype == rdtype), None)
                findings.extend(_host_checks(domain, answer, check_id, role, hosts))
        return findings


def _hosts_from(
    name: str, rdtype: str, records: Iterable[str]
) -> tuple[list[str], list[InvalidHostName]]:
    hosts: list[str] = []
    invalid: list[InvalidHostName] = []
    for record in records:
        raw = record.split()[-1]  # "10 mail.example." for MX, "ns1.example." for NS
        if rdtype == "MX" and raw == ".":
            continue  # a null MX (RFC 7505): the domain accepts no mail
        try:
            host = normalize_hostname(raw)
        except InvalidTarget as exc:
            invalid.append(InvalidHostName(f"{name} {rdtype}", raw, str(exc)))
            continue
        if host not in hosts:
            hosts.append(host)
    return hosts[:MAX_HOSTS_PER_KIND], invalid


def mx_hosts(domain: str, records: Sequence[DnsRecords]) -> list[str]:
    """The valid MX host names of ``domain`` as discovery recorded them."""
    answer = next((r for r in records if r.name == domain and r.rdtype == "MX"), None)
    return _hosts_from(domain, "MX", answer.records)[0] if answer else []


def _host_addresses(
    host: str,
    roles: Iterable[str],
    resolver: Resolver,
    policy: AddressPolicy,
    per_family: int = 2,
) -> HostAddresses:
    answers = [resolver.query(host, rdtype) for rdtype in ("A", "AAAA")]
    allowed: list[str] = []
    refused: list[tuple[str, str]] = []
    skipped: list[str] = []
    for answer in answers:
        kept = 0
        # In address order, so the same addresses are chosen from run to run.
        for address in sorted(answer.records, key=_address_key):
            reason = policy.refusal(address)
            if reason:
                refused.append((address, reason))
            elif kept >= per_family:
                skipped.append(address)
            else:
                allowed.append(address)
                kept += 1
    worst = _worst(answers)
    return HostAddresses(
        host=host,
        roles=tuple(sorted(roles)),
        addresses=tuple(allowed),
        refused=tuple(refused),
        outcome=str(worst.outcome),
        reason=worst.reason,
        not_scanned=tuple(skipped),
    )


def _address_key(address: str) -> tuple[int, int | str]:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return (9, address)
    return (ip.version, int(ip))


_OUTCOME_ORDER = [
    DnsOutcome.OK,
    DnsOutcome.NODATA,
    DnsOutcome.NXDOMAIN,
    DnsOutcome.ERROR,
    DnsOutcome.SERVFAIL,
    DnsOutcome.TIMEOUT,
]


def _worst(answers: Sequence[DnsAnswer]) -> DnsAnswer:
    if any(a.outcome is DnsOutcome.OK for a in answers):
        return next(a for a in answers if a.outcome is DnsOutcome.OK)
    return max(answers, key=lambda a: _OUTCOME_ORDER.index(a.outcome))


def _domain_resolves(domain: str, hosts: dict[str, HostAddresses]) -> Finding:
    check = "dns.domain.resolves"
    pair = [hosts[n] for n in (domain, f"www.{domain}") if n in hosts]
    found = {h.host: [*h.addresses, *(a for a, _ in h.refused)] for h in pair if h.resolved}
    if found:
        names = ", ".join(sorted(found))
        return finding(
            check, Status.PASS, domain, f"{names} resolve to an address.", addresses=found
        )
    inconclusive = [h for h in pair if not DnsOutcome(h.outcome).conclusive]
    if inconclusive or not pair:
        reason = inconclusive[0].reason if inconclusive else "no lookup result"
        return finding(
            check,
            Status.NOT_ASSESSED,
            domain,
            f"Could not resolve {domain}: {reason}.",
            reason=reason,
        )
    return finding(
        check,
        Status.WARN,
        domain,
        f"Neither {domain} nor www.{domain} has an A or AAAA record; there is no web "
        "presence to assess under this name.",
        outcomes={h.host: h.outcome for h in pair},
    )


def _host_checks(
    domain: str,
    answer: DnsRecords | None,
    check_id: str,
    role: str,
    hosts: dict[str, HostAddresses],
) -> list[Finding]:
    label = "MX" if role == "mail" else "NS"
    if answer is None or not DnsOutcome(answer.outcome).conclusive:
        reason = answer.reason if answer else "no lookup result"
        return [
            finding(
                check_id,
                Status.NOT_ASSESSED,
                domain,
                f"The {label} lookup for {domain} failed: {reason}.",
                reason=reason,
            )
        ]
    wanted, _ = _hosts_from(answer.name, answer.rdtype, answer.records)
    role_hosts = [hosts[name] for name in wanted if name in hosts]
    if not role_hosts:
        return [
            finding(
                check_id,
                Status.INFO,
                domain,
                f"{domain} publishes no {label} host to check.",
                records=list(answer.records),
            )
        ]
    findings = []
    for h in sorted(role_hosts, key=lambda h: h.host):
        if h.resolved:
            findings.append(
                finding(
                    check_id,
                    Status.PASS,
                    h.host,
                    f"{label} host {h.host} resolves.",
                    domain=domain,
                    addresses=[*h.addresses, *(a for a, _ in h.refused)],
                )
            )
        elif DnsOutcome(h.outcome).conclusive:
            findings.append(
                finding(
                    check_id,
                    Status.FAIL,
                    h.host,
                    f"{label} host {h.host} of {domain} has no address ({h.outcome}).",
                    domain=domain,
                    outcome=h.outcome,
                )
            )
        else:
            findings.append(
                finding(
                    check_id,
                    Status.NOT_ASSESSED,
                    h.host,
                    f"Could not resolve {label} host {h.host}: {h.reason}.",
                    domain=domain,
                    reason=h.reason,
                )
            )
    return findings


PROBE = DnsDiscoveryProbe
