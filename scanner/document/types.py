"""The shapes of the JSON document's shared parts, for the code that reads them.

The JSON Schema (scanner/schema) is the contract for readers outside; these
TypedDicts give the same keys to the type checker where our own code reads a
document back (diffs, questions, overviews, history). Values that only renderers
show stay loosely typed.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class WaiverMark(TypedDict):
    reason: str
    accepted_by: str
    expires: str  # ISO date
    active: bool


class FindingDoc(TypedDict):
    check_id: str
    status: str  # pass, fail, warn, info, not_assessed, error
    severity: str  # critical, high, medium, low, info
    asset: str
    detail: str
    evidence: dict[str, Any]
    probe: str
    waiver: NotRequired[WaiverMark]


class FailingCheck(TypedDict):
    """A failing check across its assets (the document's questions and top risks)."""

    check_id: str
    severity: str
    assets: list[str]
    detail: str  # of the most severe finding
    observations: list[dict[str, str]]  # every failing asset with what was seen there


def waived(finding: FindingDoc) -> bool:
    """An active waiver marks the failure as an accepted risk."""
    waiver = finding.get("waiver")
    return waiver is not None and waiver["active"]


def effective_status(finding: FindingDoc) -> str:
    """The status, with an actively waived failure or warning read as "accepted"."""
    if waived(finding) and finding["status"] in ("fail", "warn"):
        return "accepted"
    return str(finding["status"])


class ProbeAttemptDoc(TypedDict):
    probe: str
    version: str
    status: str  # completed, error, timeout, skipped
    reason: str
    duration_s: float


class ScanMetaDoc(TypedDict):
    run_id: str
    started: str
    finished: str
    duration_s: float
    profile: str
    resolver: str
    allow_private: bool
    probes: list[ProbeAttemptDoc]


class ProviderDoc(TypedDict):
    name: str
    domains: list[str]
    extra_hosts: list[str]


class PitfallScoreDoc(TypedDict):
    pitfall: str
    score: float | None
    scored_checks: int
    failed_checks: int
    weight: float


class ScoresDoc(TypedDict):
    profile: str
    pitfalls: dict[str, PitfallScoreDoc]
    overall: float | None
    grade: str  # A+ .. F, or "incomplete"
    caps: list[Any]
    coverage: Any
    assessed_findings: int
    total_findings: int
    not_assessed_checks: list[Any]
