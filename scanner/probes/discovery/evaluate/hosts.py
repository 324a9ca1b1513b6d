"""The checks on the hosts a domain names: the domain (or its www name) has an
address, and so does every MX and NS host it publishes."""

from __future__ import annotations

from scanner.checks import finding
from scanner.model import Finding, Status
from scanner.net.resolver import DnsOutcome
from scanner.probes.table import Gate, Skip

from ..records import hosts_from
from .view import DomainView


def resolves(view: DomainView) -> Finding:
    """dns.domain.resolves: the domain or its www name resolves to an address."""
    check, domain = "dns.domain.resolves", view.domain
    pair = [view.hosts[n] for n in (domain, f"www.{domain}") if n in view.hosts]
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


def _looked_up(rdtype: str) -> Gate[DomainView]:
    def gate(view: DomainView) -> Skip | None:
        answer = view.answer(rdtype)
        if answer is not None and DnsOutcome(answer.outcome).conclusive:
            return None
        reason = answer.reason if answer else "no lookup result"
        detail = f"The {rdtype} lookup for {view.domain} failed: {reason}."
        return Skip(reason, unanswered=True, detail=detail, evidence={"reason": reason})

    return gate


def _published(rdtype: str) -> Gate[DomainView]:
    def gate(view: DomainView) -> Skip | None:
        answer = view.answer(rdtype)
        if answer is not None and any(h in view.hosts for h in _named(view, rdtype)):
            return None
        detail = f"{view.domain} publishes no {rdtype} host to check."
        records = list(answer.records) if answer else []
        return Skip("no host", unanswered=False, detail=detail, evidence={"records": records})

    return gate


mx_looked_up, mx_published = _looked_up("MX"), _published("MX")
ns_looked_up, ns_published = _looked_up("NS"), _published("NS")


def _named(view: DomainView, rdtype: str) -> list[str]:
    answer = view.answer(rdtype)
    return hosts_from(answer.name, answer.rdtype, answer.records)[0] if answer else []


def _each_resolves(view: DomainView, rdtype: str, check_id: str) -> list[Finding]:
    label, domain = rdtype, view.domain
    hosts = sorted(
        (view.hosts[n] for n in _named(view, rdtype) if n in view.hosts), key=lambda h: h.host
    )
    findings = []
    for h in hosts:
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


def mx_unresolvable(view: DomainView) -> list[Finding]:
    """dns.mx.unresolvable: every MX host of the domain has an address (one per host)."""
    return _each_resolves(view, "MX", "dns.mx.unresolvable")


def ns_unresolvable(view: DomainView) -> list[Finding]:
    """dns.ns.unresolvable: every NS host of the domain has an address (one per host)."""
    return _each_resolves(view, "NS", "dns.ns.unresolvable")
