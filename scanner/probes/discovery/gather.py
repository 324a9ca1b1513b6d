"""How DNS discovery sees: the records of each domain, the addresses of every host
they name (filtered through the address policy), then the discovery sources."""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Iterable, Sequence

from scanner.concurrency import DaemonPool
from scanner.model import Observation, Target
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import DnsAnswer, DnsOutcome, Resolver
from scanner.observations.dns import DnsRecords, HostAddresses
from scanner.probes.base import ProbeContext

from .records import hosts_from
from .surface import discover, named

NAME_TYPES = ("A", "AAAA", "MX", "NS", "CNAME")
MAX_WORKERS = 16


def gather(target: Target, context: ProbeContext) -> list[Observation]:
    """The records of each domain and of its www and MTA-STS names, the addresses of
    every host they name (through the address policy), then what the discovery
    sources find within the host budget."""
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
                hosts, invalid = hosts_from(answer.name, answer.rdtype, answer.records)
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
                lambda n: _host_addresses(n, ("discovered",), resolver, context.policy, per_family),
                new,
            )
        found.update((h.host, h) for h in hosts)
        return {h.host: h.addresses for h in hosts}

    outcome = discover(target.domains, context, {h: a.addresses for h, a in known.items()}, resolve)
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
        outcome=worst.outcome,
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
