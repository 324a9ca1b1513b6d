"""Which of this machine's addresses a scan's traffic leaves from (for the report's
method section: what a provider looks for in its logs to tell our scan apart).

The kernel is asked, not the network (scanner.net.dial.route_source: a UDP socket's
``connect`` chooses the route and the local address without sending a packet)."""

from __future__ import annotations

from collections.abc import Sequence

from scanner.model import ProbeResult
from scanner.net.dial import route_source
from scanner.net.policy import AddressPolicy

MAX_ADDRESSES = 256  # the distinct destinations asked about, at most


def scanned_addresses(results: Sequence[ProbeResult]) -> list[str]:
    """Every IP address the probes' observations name (``address``), in order."""
    seen: dict[str, None] = {}
    for result in results:
        for observation in result.observations:
            value = getattr(observation, "address", None)
            if isinstance(value, str) and value:
                seen.setdefault(value, None)
    return list(seen)


def source_addresses(
    resolver: Sequence[str], results: Sequence[ProbeResult], policy: AddressPolicy
) -> tuple[str, ...]:
    """The distinct source addresses towards the resolver and every address the scan
    could contact (one the policy refused, a target pointing inward, is never even
    routed to), sorted IPv4 first."""
    allowed = [a for a in scanned_addresses(results) if policy.refusal(a) is None]
    found: set[str] = set()
    for destination in list(dict.fromkeys([*resolver, *allowed]))[:MAX_ADDRESSES]:
        address = route_source(destination)
        if address is not None:
            found.add(address)
    return tuple(sorted(found, key=lambda a: (":" in a, a)))
