"""The provider's name servers, asked directly: does each answer authoritatively for
the zone (a lame one does not), does any recurse for anyone (an open resolver),
and do they agree with each other and with the parent zone.

Gathering asks each listed server's address (policy-checked) once per question;
judging is pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scanner.checks import finding, not_assessed
from scanner.model import Finding, Observation, Status
from scanner.net.nameservers import ServerAnswer, ask
from scanner.probes.base import ProbeContext


@dataclass(frozen=True)
class NameServerObservation(Observation):
    """What one listed name server said when asked directly."""

    kind = "dns.name_server"
    domain: str
    host: str
    address: str
    soa_outcome: str  # of "domain SOA", recursion not asked
    authoritative: bool
    serial: int | None
    # "PARENT SOA" with recursion asked: an answer with RA and without AA is recursion.
    recursion_outcome: str
    recursion_available: bool
    recursed: bool
    reason: str = ""


@dataclass(frozen=True)
class DelegationObservation(Observation):
    """The NS set the parent zone's servers hand out for the domain, and the child's."""

    kind = "dns.delegation"
    domain: str
    parent: str
    parent_ns: tuple[str, ...]  # empty when the parent's view could not be told apart
    child_ns: tuple[str, ...]
    reason: str = ""


# A zone may list many name servers; the first few tell whether the delegation is sound.
MAX_SERVERS = 8


def _serial(answer: ServerAnswer) -> int | None:
    for record in answer.records:
        parts = record.split()
        if len(parts) == 7 and parts[2].isdigit():
            return int(parts[2])
    return None


def _parent(domain: str) -> str:
    return domain.split(".", 1)[1] if "." in domain else "."


def observe_server(
    domain: str, host: str, address: str, context: ProbeContext
) -> NameServerObservation:
    soa = ask(address, domain, "SOA", False, context.timeout, policy=context.policy)
    # A name outside the zone the server has no reason to know: its parent's SOA. An
    # authoritative-only server refuses or refers; a resolver looks it up.
    outside = ask(address, _parent(domain), "SOA", True, context.timeout, policy=context.policy)
    recursed = (
        outside.recursion_available
        and not outside.authoritative
        and outside.outcome in ("answer", "nodata", "nxdomain")
    )
    return NameServerObservation(
        domain,
        host,
        address,
        soa.outcome,
        soa.authoritative and soa.outcome == "answer",
        _serial(soa),
        outside.outcome,
        outside.recursion_available,
        recursed,
        soa.reason,
    )


def observe_delegation(
    domain: str, child_ns: Sequence[str], context: ProbeContext
) -> DelegationObservation:
    parent = _parent(domain)
    answer = context.resolver.query(parent, "NS")
    parent_ns: tuple[str, ...] = ()
    reason = ""
    for record in answer.records[:4]:
        host = record.rstrip(".").lower()
        addresses = [
            a
            for rdtype in ("A", "AAAA")
            for a in context.resolver.query(host, rdtype).records
            if context.policy.refusal(a) is None
        ]
        if not addresses:
            continue
        seen = ask(addresses[0], domain, "NS", False, context.timeout, policy=context.policy)
        if seen.authoritative:
            # The parent's server also serves the child zone: it answers as the child.
            reason = f"{host} serves both {parent} and {domain}"
            break
        parent_ns = tuple(sorted(n.rstrip(".").lower() for n in seen.referral))
        if parent_ns:
            break
    else:
        reason = reason or f"no server of {parent} answered with a delegation"
    return DelegationObservation(
        domain, parent, parent_ns, tuple(sorted(child_ns)), "" if parent_ns else reason
    )


def _servers(domain: str, observations: Sequence[Observation]) -> list[NameServerObservation]:
    return [o for o in observations if isinstance(o, NameServerObservation) and o.domain == domain]


def judge_lame(domain: str, observations: Sequence[Observation]) -> Finding:
    check = "dns.ns.lame"
    servers = _servers(domain, observations)
    if not servers:
        return not_assessed(check, domain, "no name server with an address to ask")
    lame = [s for s in servers if not s.authoritative]
    if lame:
        listing = "; ".join(
            f"{s.host} ({s.address}): "
            + (
                "answers without authority"
                if s.soa_outcome == "answer"
                else s.reason or s.soa_outcome
            )
            for s in lame
        )
        return finding(
            check,
            Status.FAIL,
            domain,
            f"Name servers listed for {domain} do not answer for it with authority: {listing}. "
            "Resolvers that pick them get errors or slow answers.",
            servers=[s.host for s in lame],
        )
    return finding(
        check,
        Status.PASS,
        domain,
        f"Every listed name server of {domain} answers for it with authority.",
        servers=[s.host for s in servers],
    )


def judge_open_resolver(domain: str, observations: Sequence[Observation]) -> Finding:
    check = "dns.ns.open_resolver"
    servers = _servers(domain, observations)
    if not servers:
        return not_assessed(check, domain, "no name server with an address to ask")
    open_ = [s for s in servers if s.recursed]
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


def judge_consistency(domain: str, observations: Sequence[Observation]) -> Finding:
    check = "dns.ns.inconsistent"
    servers = [s for s in _servers(domain, observations) if s.authoritative]
    if not servers:
        return not_assessed(check, domain, "no name server answered for the zone")
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
    delegation = next(
        (o for o in observations if isinstance(o, DelegationObservation) and o.domain == domain),
        None,
    )
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
