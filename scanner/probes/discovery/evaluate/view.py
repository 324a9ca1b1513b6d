"""What the checks of one domain read: discovery's observations, grouped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scanner.model import Observation
from scanner.observations.dns import DnsRecords, HostAddresses

from ..observations import DiscoveredName, SourceAttempt


@dataclass(frozen=True)
class DomainView:
    domain: str
    records: tuple[DnsRecords, ...]
    hosts: Mapping[str, HostAddresses]  # every host looked up, by name
    attempts: tuple[SourceAttempt, ...]
    found: tuple[DiscoveredName, ...]

    @classmethod
    def of(cls, domain: str, observations: Sequence[Observation]) -> DomainView:
        return cls(
            domain,
            tuple(o for o in observations if isinstance(o, DnsRecords)),
            {o.host: o for o in observations if isinstance(o, HostAddresses)},
            tuple(o for o in observations if isinstance(o, SourceAttempt)),
            tuple(o for o in observations if isinstance(o, DiscoveredName)),
        )

    def answer(self, rdtype: str) -> DnsRecords | None:
        """The domain's own answer of ``rdtype`` (MX, NS), if it was asked."""
        return next((r for r in self.records if r.name == self.domain and r.rdtype == rdtype), None)

    def attempt(self, source: str) -> SourceAttempt | None:
        """What discovery source ``source`` did for this domain, if it ran."""
        return next(
            (a for a in self.attempts if a.source == source and a.domain == self.domain), None
        )


def domains(observations: Sequence[Observation]) -> list[str]:
    """The target domains: the names whose MX was asked (www and mta-sts are not)."""
    return sorted(
        {
            o.name
            for o in observations
            if isinstance(o, DnsRecords) and o.rdtype == "MX" and not o.name.startswith("www.")
        }
    )
