"""The source interface and what a source returns."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from scanner.errors import VetscanError
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import Resolver

# Where a name came from, in the order a reader trusts them: given by the user,
# published by the provider in DNS, seen in its certificates, guessed.
PROVENANCE_ORDER = ("given", "mx", "ns", "spf", "srv", "axfr", "nsec", "san", "ct", "wordlist")


class SourceUnavailable(VetscanError):
    """A source could not run; the message says why (it becomes a not-assessed note)."""


@dataclass(frozen=True)
class Found:
    """One name a source returned. ``detail`` says where exactly (which record,
    which certificate, which log)."""

    name: str
    source: str
    detail: str = ""


@dataclass(frozen=True)
class SourceResult:
    found: tuple[Found, ...] = ()
    # What the source noticed about the zone (a wildcard, say), in plain words.
    notes: tuple[str, ...] = ()
    # Names whose answers only a wildcard gave, dropped (kept for the report).
    dropped: int = 0
    # What the source saw that a check judges (a zone transfer that worked, say).
    evidence: Mapping[str, object] = field(default_factory=dict)


# (host, address, port) -> the DNS names in the certificate the server presents.
CertificateNames = Callable[[str, str, int], Sequence[str]]
# (base URL, path and query) -> (HTTP status or None, body, error text).
HttpFetch = Callable[[str, str], tuple[int | None, bytes, str]]


@dataclass(frozen=True)
class SourceContext:
    """What a source may use; network access only through these callables."""

    resolver: Resolver
    policy: AddressPolicy
    settings: Mapping[str, object] = field(default_factory=dict)
    fetch: HttpFetch | None = None
    certificate_names: CertificateNames | None = None
    # Host -> addresses already known to the scan (the SAN source reads them).
    known: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    timeout: float = 5.0


class Source(ABC):
    name: ClassVar[str]
    description: ClassVar[str]
    # True when the source sends nothing to the provider (CT logs, names already known):
    # the passive profile keeps only those.
    passive: ClassVar[bool] = False
    # "dns", "http", "tls": what the source needs from the context.
    needs: ClassVar[tuple[str, ...]] = ("dns",)

    @abstractmethod
    def discover(self, domain: str, context: SourceContext) -> SourceResult:
        """Names under (or related to) ``domain``. Raises SourceUnavailable with the
        reason when it cannot run; never judges what it finds."""
