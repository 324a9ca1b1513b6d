"""Names a zone gives away: a zone transfer (AXFR) that any address may request,
and NSEC records that chain every name of a signed zone to the next.

Both are also weaknesses in their own right (``dns.axfr.open``,
``dns.nsec.walkable``): the sources record what they tried as evidence.
"""

from __future__ import annotations

from scanner.concurrency import DaemonPool
from scanner.discovery.base import Found, Source, SourceContext, SourceResult, SourceUnavailable
from scanner.net.nameservers import Transfer, transfer
from scanner.net.resolver import DnsOutcome

# NSEC walking asks one query per name; a zone with more than this many is proven
# walkable long before.
MAX_WALK = 256


def _ns_addresses(domain: str, context: SourceContext) -> list[tuple[str, str]]:
    """(NS host, address) pairs the address policy allows, one address per host."""
    answer = context.resolver.query(domain, "NS")
    if answer.outcome is not DnsOutcome.OK:
        raise SourceUnavailable(f"the NS lookup for {domain} failed ({answer.outcome})")
    out = []
    for record in answer.records:
        host = record.rstrip(".").lower()
        for rdtype in ("A", "AAAA"):
            addresses = context.resolver.query(host, rdtype).records
            allowed = [a for a in addresses if context.policy.refusal(a) is None]
            if allowed:
                out.append((host, allowed[0]))
                break
    return out


class AxfrSource(Source):
    name = "axfr"
    description = "a zone transfer (AXFR) asked once of each name server"

    def discover(self, domain: str, context: SourceContext) -> SourceResult:
        servers = _ns_addresses(domain, context)
        if not servers:
            raise SourceUnavailable(f"no name server of {domain} has an address to ask")
        with DaemonPool(len(servers), name="axfr") as pool:
            results: list[Transfer] = pool.map(
                lambda s: transfer(s[1], domain, context.timeout, policy=context.policy), servers
            )
        found, tried = [], []
        for (host, address), result in zip(servers, results, strict=True):
            tried.append(
                {"server": host, "address": address, "outcome": result.outcome,
                 "reason": result.reason, "names": len(result.names)}
            )  # fmt: skip
            found += [
                Found(n, self.name, f"zone transfer from {host}")
                for n in result.names
                if not _service_label(n, domain)
            ]
        return SourceResult(tuple(found), evidence={"transfers": tried})


def _service_label(name: str, domain: str) -> bool:
    """_dmarc, _imaps._tcp and the like name records, not hosts; "*" is a wildcard."""
    labels = name.removesuffix(domain).rstrip(".").split(".")
    return any(label.startswith("_") or label == "*" for label in labels if label)


def _next_name(record: str) -> str:
    """The next owner name of an NSEC record's text ("next.name. A RRSIG NSEC")."""
    return record.split()[0].rstrip(".").lower() if record.split() else ""


class NsecSource(Source):
    name = "nsec"
    description = "NSEC zone walking of a zone signed with NSEC (not NSEC3)"

    def discover(self, domain: str, context: SourceContext) -> SourceResult:
        resolver = context.resolver
        keys = resolver.query(domain, "DNSKEY")
        if keys.outcome is not DnsOutcome.OK:
            if keys.outcome.conclusive:
                return SourceResult(evidence={"signed": False})
            raise SourceUnavailable(f"the DNSKEY lookup for {domain} failed ({keys.outcome})")
        nsec3 = resolver.query(domain, "NSEC3PARAM")
        if nsec3.outcome is DnsOutcome.OK:
            return SourceResult(evidence={"signed": True, "denial": "NSEC3"})
        names: list[str] = []
        current, note = domain, f"the walk stopped after {MAX_WALK} names; the chain goes on"
        for _ in range(MAX_WALK):
            answer = resolver.query(current, "NSEC")
            if answer.outcome is not DnsOutcome.OK or not answer.records:
                note = ""
                break
            following = _next_name(answer.records[0])
            if not following or following == domain:
                note = ""
                break  # back at the apex: the chain is complete
            if following in names:
                note = f"the chain loops back to {following} and never reaches the apex"
                break
            names.append(following)
            current = following
        if not names:
            return SourceResult(evidence={"signed": True, "denial": "unknown"})
        found = tuple(
            Found(n, self.name, "NSEC chain of the signed zone")
            for n in names
            if not _service_label(n, domain)
        )
        evidence = {"signed": True, "denial": "NSEC", "names": len(names)}
        return SourceResult(found, notes=(note,) if note else (), evidence=evidence)
