"""What the template probe saw: one summary of the provider's discovered hosts."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.model import Observation


@dataclass(frozen=True)
class ExposedHosts(Observation):
    kind = "example.exposed_hosts"  # unique across probes: the JSON's name for the type
    domain: str
    # (host, its addresses) of every host with at least one address
    resolved: tuple[tuple[str, tuple[str, ...]], ...]
    # hosts the provider named (MX, NS, given) that have no address, with the reason
    unresolved: tuple[tuple[str, str], ...]
    # False: discovery did not complete, so nothing here may be judged
    complete: bool = True
    reason: str = ""
