"""The probe interface and the context every probe receives.

A probe has two halves: ``gather`` talks to the network through the adapters
in the context and returns observations; ``evaluate`` is a pure function from
observations to findings. ``run`` joins them; the engine wraps the run in an
attempt record, so a probe never has to report its own timing or crash.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from scanner.model import Finding, Observation, ProbeResult, Target
from scanner.net.policy import AddressPolicy
from scanner.net.resolver import Resolver
from scanner.scoring.profile import Profile

if TYPE_CHECKING:
    from scanner.net.dnssec import DnssecValidator
    from scanner.net.handshakes import HandshakeTester
    from scanner.net.http import HttpClient
    from scanner.net.hybrid_kex import HybridKexTester
    from scanner.net.lookups import DiscoveryClient
    from scanner.net.portscan import PortScanner
    from scanner.net.tls_scan import TlsScanner


@dataclass(frozen=True)
class ProbeContext:
    """What a probe may use. Network clients come in here, never from globals."""

    resolver: Resolver
    policy: AddressPolicy
    profile: Profile
    ca_file: Path | None = None
    timeout: float = 5.0
    tls: TlsScanner | None = None
    # The post-quantum key-exchange test (our own ClientHello); None: not run.
    kex: HybridKexTester | None = None
    # Cipher order and ALPN (our own handshakes); None: not run.
    handshakes: HandshakeTester | None = None
    http: HttpClient | None = None
    dnssec: DnssecValidator | None = None
    ports: PortScanner | None = None
    discovery: DiscoveryClient | None = None
    # Results of the probes named in ``Probe.consumes``, filled in by the engine.
    upstream: Mapping[str, ProbeResult] = field(default_factory=dict)


@dataclass(frozen=True)
class ProbeOutput:
    observations: Sequence[Observation] = ()
    findings: Sequence[Finding] = ()


def observations_of(
    observations: Sequence[Mapping[str, Any]], kind: str
) -> list[Mapping[str, Any]]:
    """The document's observations of one kind (for report hooks)."""
    return [o for o in observations if o.get("kind") == kind]


class Probe(ABC):
    name: ClassVar[str]
    description: ClassVar[str]
    version: ClassVar[str] = "1"
    # Where its results stand in the document (built-in probes in tens; plugins come
    # after the built-ins) and where its report section stands (default: the same).
    rank: ClassVar[int] = 1000
    report_rank: ClassVar[int | None] = None
    # Where its sections of "what changed" stand (default: as its report section).
    changes_rank: ClassVar[int | None] = None
    # Probes whose observations this one reads; it runs after them.
    consumes: ClassVar[tuple[str, ...]] = ()
    # Probes whose observations this one reads when they are part of the run (it
    # waits for them then); without them it does what it can on its own.
    after: ClassVar[tuple[str, ...]] = ()
    # Every check ID this probe can emit (each must be in the catalogue).
    checks: ClassVar[tuple[str, ...]] = ()
    # Every observation type it gathers: a saved scan's observations are parsed back
    # by these (``vetscan rejudge``), so each must round-trip through its JSON.
    observation_types: ClassVar[tuple[type[Observation], ...]] = ()
    # Report hook: evidence keys of this probe's findings that change from run to run
    # without anything changing at the provider (a countdown); history compares
    # findings without them.
    volatile_evidence: ClassVar[frozenset[str]] = frozenset()

    @abstractmethod
    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
        """Collect facts. Expected network failures become observations, not exceptions."""

    @abstractmethod
    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        """Turn observations into findings. Pure: no I/O, no clock beyond what is observed."""

    # Report hook: the inventory sections this probe's report.html.j2 (beside its code)
    # shows; any other section of its inventory is shown as a plain table.
    inventory_sections: ClassVar[tuple[str, ...]] = ()

    def inventory(
        self, observations: Sequence[Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        """Report hook: the rows this probe adds to the report's inventory, by section.

        Reads the document's observations (JSON, maybe from an older run), so a saved
        document can be re-rendered without rescanning. Pure.
        """
        return {}

    # Report hook: the sections of "what changed" this probe fills (its changes.html.j2
    # beside its code shows them; any other is shown as a plain list).
    change_sections: ClassVar[tuple[str, ...]] = ()

    def changes(
        self, old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        """Report hook: what changed in this probe's assets between two documents'
        observations (JSON), by section: rows as flat dictionaries. Pure."""
        return {}

    def change_line(self, section: str, row: Mapping[str, Any]) -> str:
        """Report hook: one row of ``changes`` as a line of ``vetscan diff``."""
        return f"{section}: " + ", ".join(f"{k} {v}" for k, v in row.items())

    def run(self, target: Target, context: ProbeContext) -> ProbeOutput:
        observations = self.gather(target, context)
        return ProbeOutput(observations, self.evaluate(observations, context.profile))
