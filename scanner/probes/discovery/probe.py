"""DNS discovery: which hosts and addresses make up the provider's public face.

Looks up A, AAAA, MX, NS and CNAME of each domain and of its www name, then the
addresses of every MX and NS host. Later probes (TLS, services, web) read the
``HostAddresses`` observations instead of resolving names themselves, so the
whole scan sees one consistent picture, filtered through the address policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.model import Finding, Observation, Target
from scanner.observations.dns import DnsRecords, HostAddresses
from scanner.probes.base import Probe, ProbeContext
from scanner.scoring.profile import Profile

from .changes import record_changes, record_line
from .evaluate import IDS, evaluate
from .gather import gather
from .inventory import discovered_rows, host_rows
from .observations import DiscoveredName, InvalidHostName, SourceAttempt


class DnsDiscoveryProbe(Probe):
    name = "dns-discovery"
    description = (
        "Finds the provider's hosts (apex, www, MX, NS, and what SPF, SRV, a word list, "
        "certificate transparency and certificates name) and their addresses."
    )
    version = "1"
    rank = 10
    change_sections = ("records",)
    # Changed records come after ports and certificates in the report.
    changes_rank = 90
    inventory_sections = ("hosts", "discovered")
    observation_types = (DnsRecords, HostAddresses, InvalidHostName, SourceAttempt, DiscoveredName)
    checks = IDS

    def changes(
        self, old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        return record_changes(old, new)

    def change_line(self, section: str, row: Mapping[str, Any]) -> str:
        return record_line(section, row)

    def inventory(
        self, observations: Sequence[Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        return {
            "hosts": host_rows(observations),
            "discovered": discovered_rows(observations),
        }

    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
        return gather(target, context)

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        return evaluate(observations)


PROBE = DnsDiscoveryProbe
