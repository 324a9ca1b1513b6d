"""The name-server checks of one domain: lame servers, open resolvers, servers that
disagree with each other or with the parent zone."""

from __future__ import annotations

from scanner.checks import finding
from scanner.model import Finding, Status
from scanner.probes.table import Skip, unanswered

from .view import DomainView


def asked(view: DomainView) -> Skip | None:
    if view.servers:
        return None
    return unanswered("no name server with an address to ask")


def answered_for_zone(view: DomainView) -> Skip | None:
    if any(s.authoritative for s in view.servers):
        return None
    return unanswered("no name server answered for the zone")


def lame(view: DomainView) -> Finding:
    """dns.ns.lame: every listed name server answers for the zone with authority."""
    check, domain, servers = "dns.ns.lame", view.domain, view.servers
    lame_ = [s for s in servers if not s.authoritative]
    if lame_:
        listing = "; ".join(
            f"{s.host} ({s.address}): "
            + (
                "answers without authority"
                if s.soa_outcome == "answer"
                else s.reason or s.soa_outcome
            )
            for s in lame_
        )
        return finding(
            check,
            Status.FAIL,
            domain,
            f"Name servers listed for {domain} do not answer for it with authority: {listing}. "
            "Resolvers that pick them get errors or slow answers.",
            servers=[s.host for s in lame_],
        )
    return finding(
        check,
        Status.PASS,
        domain,
        f"Every listed name server of {domain} answers for it with authority.",
        servers=[s.host for s in servers],
    )


def open_resolver(view: DomainView) -> Finding:
    """dns.ns.open_resolver: no name server of the domain recurses for strangers."""
    check, domain = "dns.ns.open_resolver", view.domain
    open_ = [s for s in view.servers if s.recursed]
    if open_:
        listing = ", ".join(f"{s.host} ({s.address})" for s in open_)
        return finding(
            check,
            Status.FAIL,
            domain,
            f"{listing} {'resolves' if len(open_) == 1 else 'resolve'} names for anyone who "
            "asks: an open resolver amplifies denial-of-service attacks against others and "
            "its cache can be poisoned.",
            servers=[s.host for s in open_],
        )
    return finding(
        check,
        Status.PASS,
        domain,
        f"No name server of {domain} resolves names for strangers.",
    )


def consistent(view: DomainView) -> Finding:
    """dns.ns.inconsistent: the servers serve one zone version, as the parent delegates."""
    check, domain = "dns.ns.inconsistent", view.domain
    servers = [s for s in view.servers if s.authoritative]
    serials: dict[int | None, list[str]] = {}
    for s in servers:
        serials.setdefault(s.serial, []).append(s.host)
    problems = []
    if len(serials) > 1:
        problems.append(
            "the name servers serve different versions of the zone (SOA serials "
            + "; ".join(
                f"{serial}: {', '.join(sorted(set(h)))}"
                for serial, h in sorted(serials.items(), key=lambda i: i[0] or 0)
            )
            + ")"
        )
    delegation = view.delegation
    if (
        delegation is not None
        and delegation.parent_ns
        and set(delegation.parent_ns) != set(delegation.child_ns)
    ):
        problems.append(
            f"the parent zone {delegation.parent} delegates to {', '.join(delegation.parent_ns)} "
            f"but the zone lists {', '.join(delegation.child_ns)}"
        )
    if problems:
        return finding(
            check,
            Status.FAIL,
            domain,
            f"The name servers of {domain} disagree: {'; '.join(problems)}.",
            serials={str(k): sorted(set(v)) for k, v in serials.items()},
        )
    note = (
        f" (parent view not compared: {delegation.reason})"
        if delegation and delegation.reason
        else ""
    )
    return finding(
        check,
        Status.PASS,
        domain,
        f"The name servers of {domain} serve the same zone version{note}.",
        serials={str(k): sorted(set(v)) for k, v in serials.items()},
    )
