"""What DNS discovery saw: names DNS handed over that are not host names, what each
discovery source did, and every name a source found with what the scan did with it.
The records and host addresses it gathers are shared shapes (scanner.observations.dns),
since every later probe reads them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scanner.model import Observation


@dataclass(frozen=True)
class InvalidHostName(Observation):
    """A host name that DNS handed us but that is not a valid host name."""

    kind = "dns.invalid_host_name"
    source: str
    value: str
    reason: str


@dataclass(frozen=True)
class SourceAttempt(Observation):
    """What one discovery source did for one domain."""

    kind = "discovery.source"
    source: str
    domain: str
    status: str  # ok, unavailable, timeout, error, disabled
    reason: str
    found: int
    notes: tuple[str, ...] = ()
    dropped: int = 0
    # What the source saw that a check judges (zone transfers tried, NSEC or NSEC3).
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DiscoveredName(Observation):
    """A name a source found, where, and what the scan did with it."""

    kind = "discovery.name"
    name: str
    found_by: tuple[tuple[str, str], ...]  # (source, where exactly)
    scope: str  # provider (under its domains) or related (another organisation's)
    status: str  # scanned, known, no_address, over_budget, related, invalid
    reason: str = ""
