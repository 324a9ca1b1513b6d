"""The DNS-health probe: DNSSEC (validated), CAA, NS and MX redundancy, IPv6 reach,
dangling CNAMEs and takeovers, the name servers asked directly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.model import Finding, Observation, Target
from scanner.probes.base import Probe, ProbeContext
from scanner.scoring.profile import Profile

from .evaluate import IDS, evaluate
from .gather import gather
from .inventory import host_set_rows
from .observations import (
    CaaObservation,
    CnameObservation,
    DelegationObservation,
    DnssecObservation,
    HostSet,
    NameServerObservation,
    TakeoverObservation,
)


class DnsHealthProbe(Probe):
    name = "dns-health"
    description = "DNSSEC (validated), CAA, NS and MX redundancy, IPv6 reach, dangling CNAMEs."
    version = "1"
    rank = 40
    inventory_sections = ("mx", "ns")
    consumes = ("dns-discovery",)
    observation_types = (
        DnssecObservation,
        CaaObservation,
        HostSet,
        CnameObservation,
        NameServerObservation,
        DelegationObservation,
        TakeoverObservation,
    )
    checks = IDS

    def inventory(
        self, observations: Sequence[Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        return {
            "mx": host_set_rows(observations, "mail"),
            "ns": host_set_rows(observations, "ns"),
        }

    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
        return gather(target, context)

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        return evaluate(observations)


PROBE = DnsHealthProbe
