"""What DNS said: records of one name and type, and the addresses of one host with
the roles it plays. Discovery gathers them; every later probe reads them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from scanner.model import Observation

if TYPE_CHECKING:  # the shared layer reads the resolver's answers, never imports it
    from scanner.net.resolver import DnsAnswer


@dataclass(frozen=True)
class DnsRecords(Observation):
    kind = "dns.records"
    name: str
    rdtype: str
    outcome: str
    records: tuple[str, ...]
    ttl: int | None
    reason: str

    @classmethod
    def from_answer(cls, answer: DnsAnswer) -> DnsRecords:
        return cls(
            answer.name,
            answer.rdtype,
            str(answer.outcome),
            answer.records,
            answer.ttl,
            answer.reason,
        )


@dataclass(frozen=True)
class HostAddresses(Observation):
    """The addresses of one host and the roles it plays for the provider.

    ``addresses`` are the ones probes may contact; ``refused`` lists those the
    address policy kept off limits, each with its reason. ``outcome`` is the
    worse of the A and AAAA lookups when no address was found.
    """

    kind = "dns.host_addresses"
    host: str
    roles: tuple[str, ...]
    addresses: tuple[str, ...]
    refused: tuple[tuple[str, str], ...]
    outcome: str
    reason: str
    # The discovery sources that named it (given, mx, ns, spf, srv, san, ct, wordlist).
    found_by: tuple[str, ...] = ()
    # Addresses beyond the profile's max_addresses_per_host of their family (a CDN's or
    # anycast host's many): listed, not contacted.
    not_scanned: tuple[str, ...] = ()

    @property
    def resolved(self) -> bool:
        return bool(self.addresses or self.refused)
