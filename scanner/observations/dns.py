"""What DNS said: records of one name and type, and the addresses of one host with
the roles it plays. Discovery gathers them; every later probe reads them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from scanner.model import Observation

if TYPE_CHECKING:  # the shared layer reads the resolver's answers, never imports it
    from scanner.net.resolver import DnsAnswer


class DnsOutcome(StrEnum):
    """How a DNS lookup ended. Observations keep it typed, with the reason of a failed
    lookup in a field of its own (a timeout's "2.0 s"), so no check reads text."""

    OK = "ok"
    NXDOMAIN = "nxdomain"
    NODATA = "nodata"
    SERVFAIL = "servfail"
    TIMEOUT = "timeout"
    ERROR = "error"

    @property
    def conclusive(self) -> bool:
        """True when the answer says something about the name (exists or not)."""
        return self in (DnsOutcome.OK, DnsOutcome.NXDOMAIN, DnsOutcome.NODATA)

    @property
    def no_record(self) -> bool:
        """The lookup answered that there is no such record (NXDOMAIN or NODATA)."""
        return self in (DnsOutcome.NXDOMAIN, DnsOutcome.NODATA)


_WORDS = frozenset(o.value for o in DnsOutcome)


def describe(outcome: DnsOutcome, reason: str) -> str:
    """How a lookup's end reads in a finding: "timeout: 2.0 s", or just "nxdomain"."""
    return f"{outcome}: {reason}" if reason else str(outcome)


# Schema 1.1 kept a failed lookup as one text ("timeout: 2.0 s") in these fields of
# these kinds; 1.2 keeps the outcome typed and the reason in the second field.
TEXT_OUTCOMES_1_1: Mapping[str, tuple[str, str]] = {
    "mail.dane": ("outcome", "outcome_reason"),
    "email.spf": ("outcome", "outcome_reason"),
    "email.mta_sts": ("outcome", "outcome_reason"),
    "email.record": ("outcome", "outcome_reason"),
    "dns.cname": ("target_outcome", "target_reason"),
}


def upgrade_outcomes(kind: str, data: Mapping[str, Any]) -> Mapping[str, Any]:
    """An observation's JSON of schema 1.1 in today's shape (unchanged when it is
    already, or when its kind kept no outcome as text)."""
    fields = TEXT_OUTCOMES_1_1.get(kind)
    return split_outcome(data, *fields) if fields else data


def split_outcome(data: Mapping[str, Any], field: str, reason_field: str) -> Mapping[str, Any]:
    """Reads a saved scan of schema 1.1, which kept a failed lookup as one text
    ("timeout: 2.0 s"): the outcome word into ``field``, the rest into ``reason_field``."""
    value = data.get(field)
    if not isinstance(value, str) or reason_field in data or value in _WORDS:
        return data
    word = value.replace(":", " ").split(" ", 1)[0]
    if word not in _WORDS:
        return data  # not the old form either: the strict decoder says what is wrong
    return {**data, field: word, reason_field: value[len(word) :].lstrip(":").strip()}


@dataclass(frozen=True)
class DnsRecords(Observation):
    kind = "dns.records"
    name: str
    rdtype: str
    outcome: DnsOutcome
    records: tuple[str, ...]
    ttl: int | None
    reason: str

    @classmethod
    def from_answer(cls, answer: DnsAnswer) -> DnsRecords:
        return cls(
            answer.name,
            answer.rdtype,
            answer.outcome,
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
    outcome: DnsOutcome
    reason: str
    # The discovery sources that named it (given, mx, ns, spf, srv, san, ct, wordlist).
    found_by: tuple[str, ...] = ()
    # Addresses beyond the profile's max_addresses_per_host of their family (a CDN's or
    # anycast host's many): listed, not contacted.
    not_scanned: tuple[str, ...] = ()

    @property
    def resolved(self) -> bool:
        return bool(self.addresses or self.refused)
