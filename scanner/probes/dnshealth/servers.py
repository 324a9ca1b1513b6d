"""The provider's name servers, asked directly: does each answer authoritatively for
the zone (a lame one does not), does any recurse for anyone (an open resolver),
and do they agree with each other and with the parent zone.

Asks each listed server's address (policy-checked) once per question; the checks
are in ``evaluate/servers.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

from scanner.net.nameservers import ServerAnswer, ask
from scanner.probes.base import ProbeContext

from .observations import DelegationObservation, NameServerObservation

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
