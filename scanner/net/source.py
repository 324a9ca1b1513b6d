"""Which of this machine's addresses a scan's traffic leaves from (for the report's
method section: what a provider looks for in its logs to tell our scan apart).

The kernel is asked, not the network (scanner.net.dial.route_source: a UDP socket's
``connect`` chooses the route and the local address without sending a packet)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from scanner.model import ProbeResult
from scanner.net.dial import route_source

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


def source_addresses(destinations: Iterable[str]) -> tuple[str, ...]:
    """The distinct source addresses towards ``destinations``, sorted."""
    found: set[str] = set()
    for count, destination in enumerate(dict.fromkeys(destinations)):
        if count >= MAX_ADDRESSES:
            break
        host = destination.rsplit(":", 1)[0] if destination.count(":") == 1 else destination
        address = route_source(host)
        if address is not None:
            found.add(address)
    return tuple(sorted(found, key=lambda a: (":" in a, a)))
