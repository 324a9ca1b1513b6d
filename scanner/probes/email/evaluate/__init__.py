"""Pure verdicts on the email observations of one domain: one module per mechanism,
each a table of check functions behind the gates they need (see ``table``).

A check whose subject is absent (no SPF record, so no 'all' to judge) reports
"info: not applicable" rather than pass; a lookup that failed reports
"not assessed" with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from scanner.model import Finding, Observation
from scanner.probes.email.evaluate.dkim import CHECKS as DKIM_CHECKS
from scanner.probes.email.evaluate.dkim import evaluate_dkim
from scanner.probes.email.evaluate.dmarc import CHECKS as DMARC_CHECKS
from scanner.probes.email.evaluate.dmarc import evaluate_dmarc
from scanner.probes.email.evaluate.mta_sts import CHECKS as STS_CHECKS
from scanner.probes.email.evaluate.mta_sts import evaluate_mta_sts
from scanner.probes.email.evaluate.reporting import BIMI_CHECKS, TLSRPT_CHECKS, evaluate_record
from scanner.probes.email.evaluate.spf import CHECKS as SPF_CHECKS
from scanner.probes.email.evaluate.spf import evaluate_spf
from scanner.probes.email.observations import (
    DkimObservation,
    DmarcObservation,
    MtaStsObservation,
    RecordObservation,
    SpfObservation,
)
from scanner.probes.table import ids

ALL_IDS = (
    *ids(SPF_CHECKS),
    *ids(DMARC_CHECKS),
    *ids(DKIM_CHECKS),
    *ids(STS_CHECKS),
    *ids(TLSRPT_CHECKS),
    *ids(BIMI_CHECKS),
)

__all__ = [
    "ALL_IDS",
    "evaluate_dkim",
    "evaluate_dmarc",
    "evaluate_domain",
    "evaluate_mta_sts",
    "evaluate_record",
    "evaluate_spf",
]


def evaluate_domain(domain: str, observations: Sequence[Observation]) -> list[Finding]:
    findings: list[Finding] = []
    for obs in observations:
        if isinstance(obs, SpfObservation):
            findings += evaluate_spf(obs)
        elif isinstance(obs, DmarcObservation):
            findings += evaluate_dmarc(obs)
        elif isinstance(obs, DkimObservation):
            findings += evaluate_dkim(obs)
        elif isinstance(obs, MtaStsObservation):
            findings += evaluate_mta_sts(obs)
        elif isinstance(obs, RecordObservation):
            findings += evaluate_record(obs)
    return findings
