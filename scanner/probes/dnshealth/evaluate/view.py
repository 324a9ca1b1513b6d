"""What the checks of one domain read: its DNS-health observations, grouped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scanner.model import Observation

from ..observations import (
    CaaObservation,
    CnameObservation,
    DelegationObservation,
    DnssecObservation,
    HostSet,
    NameServerObservation,
    TakeoverObservation,
)


@dataclass(frozen=True)
class DomainView:
    domain: str
    dnssec: tuple[DnssecObservation, ...]
    caa: tuple[CaaObservation, ...]
    sets: dict[str, HostSet]  # by role: ns, mail, web
    cnames: tuple[CnameObservation, ...]
    servers: tuple[NameServerObservation, ...]
    delegation: DelegationObservation | None
    takeovers: tuple[TakeoverObservation, ...]

    @classmethod
    def of(cls, domain: str, observations: Sequence[Observation]) -> DomainView:
        mine = [o for o in observations if getattr(o, "domain", None) == domain]

        return cls(
            domain,
            tuple(o for o in mine if isinstance(o, DnssecObservation)),
            tuple(o for o in mine if isinstance(o, CaaObservation)),
            {o.role: o for o in mine if isinstance(o, HostSet)},
            tuple(o for o in mine if isinstance(o, CnameObservation)),
            tuple(o for o in mine if isinstance(o, NameServerObservation)),
            next((o for o in mine if isinstance(o, DelegationObservation)), None),
            tuple(o for o in mine if isinstance(o, TakeoverObservation)),
        )
