"""The email-security probe: gathers SPF, DMARC, DKIM, MTA-STS, TLS-RPT and BIMI
records through the scan's resolver (and the MTA-STS policy over HTTPS), with
independent lookups in parallel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scanner.model import Finding, Observation, Target
from scanner.probes.base import Probe, ProbeContext
from scanner.probes.email.changes import record_changes, record_line
from scanner.probes.email.evaluate import ALL_IDS, evaluate_domain
from scanner.probes.email.gather import gather
from scanner.probes.email.observations import (
    DkimObservation,
    DmarcObservation,
    MtaStsObservation,
    RecordObservation,
    SpfObservation,
)
from scanner.scoring.profile import Profile


class EmailProbe(Probe):
    name = "email"
    description = "SPF, DMARC, DKIM, MTA-STS, TLS-RPT and BIMI of each domain."
    version = "1"
    rank = 30
    change_sections = ("records",)
    # Changed records come after ports and certificates in the report.
    changes_rank = 90
    consumes = ("dns-discovery",)
    observation_types = (
        SpfObservation,
        DmarcObservation,
        DkimObservation,
        MtaStsObservation,
        RecordObservation,
    )
    checks = ALL_IDS

    def changes(
        self, old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
    ) -> dict[str, list[dict[str, Any]]]:
        return record_changes(old, new)

    def change_line(self, section: str, row: Mapping[str, Any]) -> str:
        return record_line(section, row)

    def gather(self, target: Target, context: ProbeContext) -> list[Observation]:
        return gather(target, context)

    def evaluate(self, observations: Sequence[Observation], profile: Profile) -> list[Finding]:
        domains = sorted({getattr(o, "domain", "") for o in observations} - {""})
        findings: list[Finding] = []
        for domain in domains:
            mine = [o for o in observations if getattr(o, "domain", None) == domain]
            findings.extend(evaluate_domain(domain, mine))
        return findings


PROBE = EmailProbe
