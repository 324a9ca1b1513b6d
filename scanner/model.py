"""The canonical data model: targets, observations, findings, probe results, scan results.

Everything here is frozen: probes build these values once, and nothing downstream
(scoring, history, renderers) may change what a probe saw.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Self, cast

from scanner.observations.codec import decode

SCHEMA_VERSION = "1.2"

JsonValue = Any  # what json.dumps accepts; kept loose on purpose at this edge


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    INFO = "info"
    NOT_ASSESSED = "not_assessed"
    ERROR = "error"

    @property
    def assessed(self) -> bool:
        """True when the check actually ran and reached a verdict."""
        return self not in (Status.NOT_ASSESSED, Status.ERROR)


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


@dataclass(frozen=True)
class HostPort:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Target:
    """A provider: a name, the domains it is known by, and extra endpoints to look at."""

    name: str
    domains: tuple[str, ...]
    extra_hosts: tuple[HostPort, ...] = ()


class Observation:
    """Base of every typed fact a probe saw. Subclasses are frozen dataclasses.

    ``kind`` names the type in JSON, so a reader can tell observations apart
    without knowing Python class names.
    """

    kind: ClassVar[str] = "observation"

    def to_json(self) -> dict[str, JsonValue]:
        # Subclasses are dataclasses; the base cannot say so to the type checker.
        data = _jsonable(dataclasses.asdict(cast(Any, self)))
        return {"kind": self.kind, **data}

    @classmethod
    def from_json(cls, data: Mapping[str, JsonValue]) -> Self:
        """The observation back from ``to_json`` (scanner.observations.codec.DecodeError
        when the data is not one)."""
        return decode(cls, data)

    @classmethod
    def upgrade(cls, data: Mapping[str, Any]) -> Mapping[str, Any]:
        """The JSON of an older schema in today's shape (the decoder calls it first); a
        type whose fields changed reads its older form here."""
        return data


@dataclass(frozen=True)
class Finding:
    """The verdict of one check on one asset.

    ``evidence`` holds structured facts; ``detail`` is one human sentence.
    ``fingerprint_key`` names the evidence entries that identify the finding
    across runs (volatile values such as days-to-expiry stay out of it).
    """

    check_id: str
    status: Status
    severity: Severity
    asset: str
    detail: str
    evidence: Mapping[str, JsonValue] = field(default_factory=dict)
    probe: str = ""

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "check_id": self.check_id,
            "status": str(self.status),
            "severity": str(self.severity),
            "asset": self.asset,
            "detail": self.detail,
            "evidence": _jsonable(dict(self.evidence)),
            "probe": self.probe,
        }


class AttemptStatus(StrEnum):
    COMPLETED = "completed"
    ERROR = "error"
    TIMEOUT = "timeout"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class ProbeResult:
    """The attempt record of one probe: it always exists, whatever happened."""

    probe: str
    status: AttemptStatus
    duration_s: float
    observations: tuple[Observation, ...] = ()
    findings: tuple[Finding, ...] = ()
    reason: str = ""
    version: str = ""
    # When the attempt ended (UTC): its findings were observed in the ``duration_s``
    # before. None for a saved scan written before this was recorded.
    finished_at: datetime | None = None

    def observations_of(self, cls: type[Any]) -> list[Any]:
        return [o for o in self.observations if isinstance(o, cls)]


@dataclass(frozen=True)
class ScanMeta:
    run_id: str
    started: datetime
    finished: datetime
    profile: str
    resolver: str
    allow_private: bool
    # Set when a saved scan's observations were judged again (vetscan rejudge): when,
    # and the profile the observations were gathered under (``profile`` judged them).
    rejudged_at: datetime | None = None
    gathered_profile: str = ""
    # The addresses of this machine the scan's traffic left from, as the routing
    # table gives them towards the resolver and every address scanned (the report's
    # method section: what a provider finds in its logs).
    source_addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScanResult:
    tool_version: str
    target: Target
    meta: ScanMeta
    probes: tuple[ProbeResult, ...]
    scores: Any = None  # a scoring.score.ScoreCard; typed loosely to keep the model import-free

    @property
    def findings(self) -> list[Finding]:
        return [f for p in self.probes for f in p.findings]

    @property
    def observations(self) -> list[Observation]:
        return [o for p in self.probes for o in p.observations]

    def probe(self, name: str) -> ProbeResult | None:
        return next((p for p in self.probes if p.probe == name), None)


def worst_failing(findings: Iterable[Finding]) -> Severity | None:
    """The highest severity among failing findings, or None when nothing failed."""
    failing = [f.severity for f in findings if f.status is Status.FAIL]
    return max(failing, key=lambda s: s.rank) if failing else None


def _jsonable(value: JsonValue) -> JsonValue:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return str(value)
    return value
