"""How the template probe sees: it reads the discovery probe's observations (already
filtered by the address policy). A probe that talks to the network does it here,
through the adapters in the context (context.resolver, context.http, ...), never
through sockets or libraries of its own."""

from __future__ import annotations

from scanner.model import ProbeResult, Target
from scanner.observations.dns import HostAddresses

from .observations import ExposedHosts

_NAMED_ROLES = ("mail", "ns", "extra")


def exposed_hosts(target: Target, discovery: ProbeResult) -> ExposedHosts:
    domain = target.domains[0] if target.domains else target.name
    if discovery.status != "completed":
        return ExposedHosts(domain, (), (), complete=False, reason=discovery.reason)
    hosts = discovery.observations_of(HostAddresses)
    resolved = tuple(sorted((h.host, h.addresses) for h in hosts if h.addresses))
    unresolved = tuple(
        sorted(
            (h.host, h.reason or h.outcome)
            for h in hosts
            if not h.resolved and set(h.roles) & set(_NAMED_ROLES)
        )
    )
    return ExposedHosts(domain, resolved, unresolved)
